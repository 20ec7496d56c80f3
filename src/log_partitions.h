/*-------------------------------------------------------------------------
 *
 * log_partitions.h
 *		The monthly partitions of a log (usrmgmt.user_log,
 *		usrmgmt.change_log) and their bounds, read from the catalog in C
 *		(doc: Retention and partitions).
 *
 * um_log_partitions() is what the SQL function _log_partitions() returns
 * and what the retention drop's probe (retention_keep.c) walks: every
 * partition of the log but the default, in the order of their bounds.
 * It takes no lock, like a query of pg_inherits and pg_class: a
 * partition being dropped concurrently may still be listed, and the
 * caller opens what it lists with try_table_open().
 *
 * src/log_partitions.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_LOG_PARTITIONS_H
#define USRMGMT_LOG_PARTITIONS_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"

/* One range partition of a log; a bound is absent for MINVALUE/MAXVALUE. */
typedef struct UmLogPartition
{
	Oid			relid;
	bool		has_lower;
	TimestampTz lower;
	bool		has_upper;
	TimestampTz upper;
} UmLogPartition;

/*
 * The range partitions of log (a List of UmLogPartition *, allocated in
 * the current memory context), ordered by lower bound, MINVALUE first.
 * The default partition, partitions of another kind and those with more
 * than one bound column are not listed; a bound that is not a timestamptz
 * is 22023.  NIL for a table without partitions.
 */
extern List *um_log_partitions(Oid log);

#endif							/* USRMGMT_LOG_PARTITIONS_H */
