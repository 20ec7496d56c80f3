/*-------------------------------------------------------------------------
 *
 * log_partitions.c
 *		The monthly partitions of usrmgmt.user_log and usrmgmt.change_log
 *		with their bounds: um_log_partitions() (log_partitions.h) and the
 *		SQL function _log_partitions() that maintain() reads them with.
 *
 * The bounds come from pg_class.relpartbound, the stored node tree, read
 * through the syscache: no pg_get_expr() deparsing and no regular
 * expression per partition, no planning (doc: Retention and partitions;
 * Performance, "Dropping the oldest month").  The children come from
 * pg_inherits without a lock, as the SQL query that this replaces read
 * them.
 *
 * src/log_partitions.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
#include "partitioning/partdefs.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "log_partitions.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(usrmgmt_log_partitions);

/* Columns of _log_partitions(). */
#define UM_LOG_PARTITIONS_COLUMNS 3

/*
 * One bound of a range partition: false for MINVALUE/MAXVALUE, else the
 * timestamp in *ts.  part names the partition in the error.
 */
static bool
um_range_datum(Node *node, Oid part, TimestampTz *ts)
{
	PartitionRangeDatum *prd = castNode(PartitionRangeDatum, node);
	Const	   *c;

	if (prd->kind != PARTITION_RANGE_DATUM_VALUE)
		return false;
	c = (Const *) prd->value;
	if (c == NULL || !IsA(c, Const) || c->consttype != TIMESTAMPTZOID || c->constisnull)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("partition %s is not bounded by a timestamp with time zone",
						get_rel_name(part))));
	*ts = DatumGetTimestampTz(c->constvalue);
	return true;
}

/*
 * The range bound of partition part from its relpartbound; false when it
 * has none to list (gone, default, not range, several columns).
 */
static bool
um_read_bound(Oid part, UmLogPartition *p)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(part));
	Datum		d;
	bool		isnull;
	PartitionBoundSpec *spec;
	bool		listed = false;

	if (!HeapTupleIsValid(tup))
		return false;
	d = SysCacheGetAttr(RELOID, tup, Anum_pg_class_relpartbound, &isnull);
	if (!isnull)
	{
		char	   *str = TextDatumGetCString(d);

		spec = castNode(PartitionBoundSpec, stringToNode(str));
		pfree(str);
		if (!spec->is_default && spec->strategy == PARTITION_STRATEGY_RANGE &&
			list_length(spec->lowerdatums) == 1 && list_length(spec->upperdatums) == 1)
		{
			p->relid = part;
			p->has_lower = um_range_datum(linitial(spec->lowerdatums), part, &p->lower);
			p->has_upper = um_range_datum(linitial(spec->upperdatums), part, &p->upper);
			listed = true;
		}
	}
	ReleaseSysCache(tup);
	return listed;
}

/* Order of the list: lower bound, MINVALUE first (ranges do not overlap). */
static int
um_partition_cmp(const ListCell *a, const ListCell *b)
{
	const UmLogPartition *pa = (const UmLogPartition *) lfirst(a);
	const UmLogPartition *pb = (const UmLogPartition *) lfirst(b);

	if (pa->has_lower != pb->has_lower)
		return pa->has_lower ? 1 : -1;
	if (!pa->has_lower || pa->lower == pb->lower)
		return 0;
	return pa->lower < pb->lower ? -1 : 1;
}

/* See log_partitions.h. */
List *
um_log_partitions(Oid log)
{
	List	   *children = find_inheritance_children_extended(log, false, NoLock,
															  NULL, NULL);
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, children)
	{
		UmLogPartition *p = (UmLogPartition *) palloc0(sizeof(UmLogPartition));

		if (um_read_bound(lfirst_oid(lc), p))
			result = lappend(result, p);
		else
			pfree(p);
	}
	list_free(children);
	list_sort(result, um_partition_cmp);
	return result;
}

/*
 * _log_partitions(log regclass DEFAULT 'usrmgmt.user_log')
 *		RETURNS TABLE(partition regclass, lower_bound timestamptz,
 *					  upper_bound timestamptz)
 *
 * Arguments: a partitioned log (any table: one without partitions has
 * none; none for NULL, as the SQL query this replaces answered).  Result: its partitions but the default,
 * ordered by lower bound; lower_bound NULL for MINVALUE (the 1.0 log
 * attached by the update to 1.1), upper_bound NULL for MAXVALUE.  Errors:
 * 22023 for a partition bounded by another type.  Locking: none (the
 * catalog is read as a query of pg_inherits would).  Not STRICT, so that
 * a call with NULL is refused for want of EXECUTE like any other.
 */
Datum
usrmgmt_log_partitions(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store;
	MemoryContext cxt;
	MemoryContext old;
	ListCell   *lc;

	store = um_materialize(fcinfo, &tupdesc);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "usrmgmt log partitions",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	foreach(lc, um_log_partitions(PG_GETARG_OID(0)))
	{
		UmLogPartition *p = (UmLogPartition *) lfirst(lc);
		Datum		values[UM_LOG_PARTITIONS_COLUMNS];
		bool		nulls[UM_LOG_PARTITIONS_COLUMNS] = {false, !p->has_lower, !p->has_upper};

		values[0] = ObjectIdGetDatum(p->relid);
		values[1] = TimestampTzGetDatum(p->lower);
		values[2] = TimestampTzGetDatum(p->upper);
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
