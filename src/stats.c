/*-------------------------------------------------------------------------
 *
 * stats.c
 *		status() and database_stats(): what is installed and how big it is.
 *
 * Thin entry points: a per-call memory context, the figures from
 * health_collect.c, the result (a jsonb value, a set of rows), the
 * context deleted.  doc/usrmgmt.md, "status()" and
 * "database_stats(exact boolean DEFAULT false)".
 *
 * src/stats.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "utils/builtins.h"
#include "utils/memutils.h"

#include "health.h"
#include "jsonb_util.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(usrmgmt_status);
PG_FUNCTION_INFO_V1(usrmgmt_database_stats);

/* Columns of database_stats(). */
#define UM_STATS_COLUMNS 11

/*
 * status() returns jsonb
 *
 * Arguments: none.
 * Result: {"version": installed extension version, "tables": {name: row
 * estimate}, "migrations": number of applied migrations (extension and
 * application), "sessions_online": open sessions (exact up to 1000)}.
 * Errors: 42P01 when usrmgmt.migration_history or usrmgmt.online_user was
 * dropped.
 * Locking: AccessShareLock on migration_history and online_user.
 */
Datum
usrmgmt_status(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "usrmgmt status",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	UmStatus	s;
	UmJsonb    *jb;
	ListCell   *lc;
	Jsonb	   *result;

	um_status_collect(&s);

	jb = um_jsonb_begin_object(NULL, NULL);
	um_jsonb_add_text(jb, "version", s.version);
	um_jsonb_begin_object(jb, "tables");
	foreach(lc, s.tables)
	{
		UmTable    *t = (UmTable *) lfirst(lc);

		um_jsonb_add_int64(jb, t->name, t->rows);
	}
	um_jsonb_end_object(jb);
	um_jsonb_add_int64(jb, "migrations", s.migrations);
	um_jsonb_add_int64(jb, "sessions_online", (int64) s.sessions.v);
	um_jsonb_end_object(jb);

	MemoryContextSwitchTo(old);
	result = um_jsonb_finish(jb);
	MemoryContextDelete(cxt);
	PG_RETURN_JSONB_P(result);
}

/* One row of database_stats(). */
static void
um_put_table_row(Tuplestorestate *store, TupleDesc tupdesc, const UmTable *t,
				 bool exact)
{
	Datum		values[UM_STATS_COLUMNS];
	bool		nulls[UM_STATS_COLUMNS] = {false};

	values[0] = CStringGetTextDatum(t->name);
	values[1] = Int64GetDatum(t->rows);
	values[2] = BoolGetDatum(exact);
	values[3] = Int64GetDatum(t->total_bytes);
	values[4] = Int64GetDatum(t->table_bytes);
	values[5] = Int64GetDatum(t->index_bytes);
	values[6] = Int64GetDatum(t->seq_scan);
	values[7] = Int64GetDatum(t->idx_scan);
	values[8] = Int64GetDatum(t->dead_rows);
	values[9] = t->last_vacuum;
	nulls[9] = t->last_vacuum_null;
	values[10] = t->last_analyze;
	nulls[10] = t->last_analyze_null;
	tuplestore_putvalues(store, tupdesc, values, nulls);
}

/*
 * database_stats(exact boolean DEFAULT false) returns table(table_name,
 *     row_count, row_count_exact, total_bytes, table_bytes, index_bytes,
 *     seq_scan, idx_scan, dead_rows, last_vacuum, last_analyze)
 *
 * Arguments: exact: count the rows (count(*), a full scan of each table)
 * instead of estimating them from the statistics.
 * Result: one row per data table, by name; last_vacuum and last_analyze
 * are the later of the manual and the automatic one.
 * Errors: 22004 exact NULL.
 * Locking: AccessShareLock on each table when exact.
 */
Datum
usrmgmt_database_stats(PG_FUNCTION_ARGS)
{
	bool		exact;
	TupleDesc	tupdesc;
	Tuplestorestate *store;
	MemoryContext cxt;
	MemoryContext old;
	List	   *tables;
	ListCell   *lc;

	um_require_arg(fcinfo, 0, "exact");
	exact = PG_GETARG_BOOL(0);
	store = um_materialize(fcinfo, &tupdesc);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "usrmgmt database_stats",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);

	tables = um_tables_collect(exact);
	foreach(lc, tables)
		um_put_table_row(store, tupdesc, (UmTable *) lfirst(lc), exact);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
