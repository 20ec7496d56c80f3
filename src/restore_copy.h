/*-------------------------------------------------------------------------
 *
 * restore_copy.h
 *		Is the row a trigger sees being restored from a dump?
 *
 * pg_dump writes every row of usrmgmt's tables as COPY ... FROM stdin into
 * the table itself, and pg_restore -j loads the tables in any order.  The
 * triggers that would otherwise look the row's user up (the references
 * of references.c, the session triggers of session_triggers.c) take such a
 * row as it is.  "Restored" means all of:
 *
 *	- the active portal runs a COPY ... FROM statement;
 *	- its target is the trigger's own table (not a view, not another table
 *	  whose trigger writes here, not a COPY run inside a function);
 *	- the session user is a superuser, who could load the rows unchecked
 *	  anyway (session_replication_role = replica switches foreign keys off
 *	  too), as every restore of usrmgmt is (doc: Why usrmgmt is not
 *	  trusted); the session user, not the current role, so that
 *	  pg_restore --role=X still restores.
 *
 * An application's COPY is checked as its INSERT is.
 *
 * src/restore_copy.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_RESTORE_COPY_H
#define USRMGMT_RESTORE_COPY_H

#include "postgres.h"

#include "utils/rel.h"

extern bool um_restoring_copy(Relation rel);

#endif							/* USRMGMT_RESTORE_COPY_H */
