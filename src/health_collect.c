/*-------------------------------------------------------------------------
 *
 * health_collect.c
 *		Gathering the figures of health(), status(), database_stats() and
 *		metrics(), and applying the verdict.
 *
 * The figures come from the catalog and the cumulative statistics only
 * (pg_class, pg_stat_activity, pg_database, the replication views,
 * pg_stat_get_* functions), so the cost does not grow with the tables: row
 * counts are estimates.  The one read of a table is a count of open
 * sessions bounded by UM_SESSIONS_CAP rows (and database_stats(true)'s
 * count(*), on request).  Nothing is written, so all of it works on a hot
 * standby.  The fixed queries run from plans saved for the life of the
 * backend: health() is polled.  On Citus the tables' figures are their
 * shards', and the connections, transactions, replication and database
 * size every node's, read on the workers (doc: Scaling out with Citus).
 *
 * The schema drift (schema_drift.c, some 150 pg_get_*def calls) is the
 * costliest figure; its answer can only change when the catalog does, so
 * it is cached per backend and read again only when the catalog
 * generation (health_settings.c) has moved.
 *
 * src/health_collect.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "distributed.h"
#include "health.h"
#include "schema_drift.h"
#include "settings_guard.h"
#include "spi_util.h"

/* Open sessions are counted exactly up to this many, estimated beyond. */
#define UM_SESSIONS_CAP 1000

/*
 * The files of relation c sized once, as z.heap (its main fork), z.tbl
 * (pg_table_size) and z.idx (pg_indexes_size): the total is z.tbl +
 * z.idx, which is what pg_total_relation_size adds up, without stat()ing
 * every index file a second time (a year of monthly partitions has a few
 * hundred files).  Joined after c by the table queries below.
 */
#define UM_SIZES_OF_C \
"CROSS JOIN LATERAL (SELECT pg_catalog.pg_relation_size(c.oid) AS heap, " \
"  pg_catalog.pg_table_size(c.oid) AS tbl, pg_catalog.pg_indexes_size(c.oid) AS idx) z "

/*
 * Relation c's rows: reltuples scaled to its current size (z.heap), as
 * the planner does, or the statistics system's live-tuple count before
 * the first VACUUM/ANALYZE.
 */
#define UM_ROWS_OF_C \
"CASE WHEN c.reltuples OPERATOR(pg_catalog.>=) 0 AND c.relpages OPERATOR(pg_catalog.>) 0 " \
"     THEN pg_catalog.round(c.reltuples::pg_catalog.float8 OPERATOR(pg_catalog./) c.relpages " \
"          OPERATOR(pg_catalog.*) (z.heap " \
"          OPERATOR(pg_catalog./) pg_catalog.current_setting('block_size')::pg_catalog.int8))::pg_catalog.int8 " \
"     ELSE pg_catalog.pg_stat_get_live_tuples(c.oid) END"

/*
 * The data tables (those registered with pg_extension_config_dump, and
 * the partitioned user_log of 1.1 as one table: the sums over its
 * partitions, the latest vacuum and analyze of any) with their sizes
 * (UM_SIZES_OF_C), rows (UM_ROWS_OF_C) and statistics.
 */
static UmPlan um_plan_tables = UM_PLAN0(
"WITH t AS ("
"  SELECT c.oid, c.relname FROM pg_catalog.pg_extension e "
"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) ANY (e.extconfig) "
"   AND c.relkind OPERATOR(pg_catalog.=) 'r' AND NOT c.relispartition "
"  WHERE e.extname OPERATOR(pg_catalog.=) 'usrmgmt' "
"  UNION ALL "
"  SELECT c.oid, c.relname FROM pg_catalog.pg_extension e "
"  JOIN pg_catalog.pg_depend d ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass "
"   AND d.refobjid OPERATOR(pg_catalog.=) e.oid AND d.deptype OPERATOR(pg_catalog.=) 'e' "
"   AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass "
"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid "
"   AND c.relkind OPERATOR(pg_catalog.=) 'p' "
"  WHERE e.extname OPERATOR(pg_catalog.=) 'usrmgmt') "
"SELECT t.relname::text, "
"  pg_catalog.sum(" UM_ROWS_OF_C ")::pg_catalog.int8, "
"  pg_catalog.sum(z.tbl OPERATOR(pg_catalog.+) z.idx)::pg_catalog.int8, "
"  pg_catalog.sum(z.heap)::pg_catalog.int8, "
"  pg_catalog.sum(z.idx)::pg_catalog.int8, "
"  pg_catalog.sum(pg_catalog.pg_stat_get_numscans(c.oid))::pg_catalog.int8, "
"  pg_catalog.sum(COALESCE((SELECT pg_catalog.sum(pg_catalog.pg_stat_get_numscans(i.indexrelid))::pg_catalog.int8 "
"            FROM pg_catalog.pg_index i WHERE i.indrelid OPERATOR(pg_catalog.=) c.oid), 0))::pg_catalog.int8, "
"  pg_catalog.sum(pg_catalog.pg_stat_get_dead_tuples(c.oid))::pg_catalog.int8, "
"  pg_catalog.max(GREATEST(pg_catalog.pg_stat_get_last_vacuum_time(c.oid), "
"                      pg_catalog.pg_stat_get_last_autovacuum_time(c.oid))), "
"  pg_catalog.max(GREATEST(pg_catalog.pg_stat_get_last_analyze_time(c.oid), "
"                      pg_catalog.pg_stat_get_last_autoanalyze_time(c.oid))) "
"FROM t CROSS JOIN LATERAL (SELECT t.oid AS relid UNION "
"  SELECT p.relid FROM pg_catalog.pg_partition_tree(t.oid) p WHERE p.isleaf) l "
"JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) l.relid "
UM_SIZES_OF_C
"GROUP BY t.relname "
"ORDER BY t.relname");

/*
 * On Citus (doc: Scaling out with Citus) the coordinator's tables are
 * empty shells: each table's figures are the sums over its shards (each
 * leaf partition a Citus table of its own), read on the workers, one
 * placement per shard (a reference table counts once).  Columns as
 * um_plan_tables' first eight.
 */
static UmPlan um_plan_citus_tables = UM_PLAN0(
"WITH t AS ("
"  SELECT c.oid, c.relname FROM pg_catalog.pg_extension e "
"  JOIN pg_catalog.pg_depend d ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass "
"   AND d.refobjid OPERATOR(pg_catalog.=) e.oid AND d.deptype OPERATOR(pg_catalog.=) 'e' "
"   AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass "
"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid "
"   AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::\"char\"[]) AND NOT c.relispartition "
"  WHERE e.extname OPERATOR(pg_catalog.=) 'usrmgmt'), "
"f AS ("
"  SELECT t.relname::text AS name, pg_catalog.string_to_array(s.result, ',')::pg_catalog.int8[] AS v "
"  FROM t CROSS JOIN LATERAL (SELECT t.oid AS relid UNION "
"    SELECT p.relid FROM pg_catalog.pg_partition_tree(t.oid) p WHERE p.isleaf) l "
"  JOIN pg_catalog.pg_dist_partition dp ON dp.logicalrelid OPERATOR(pg_catalog.=) l.relid "
"  CROSS JOIN LATERAL pg_catalog.run_command_on_shards(l.relid, "
"    $cmd$SELECT pg_catalog.concat_ws(',', " UM_ROWS_OF_C ", "
"       z.tbl OPERATOR(pg_catalog.+) z.idx, z.heap, z.idx, pg_catalog.pg_stat_get_numscans(c.oid), "
"       COALESCE((SELECT pg_catalog.sum(pg_catalog.pg_stat_get_numscans(i.indexrelid)) "
"                   FROM pg_catalog.pg_index i WHERE i.indrelid OPERATOR(pg_catalog.=) c.oid), 0), "
"       pg_catalog.pg_stat_get_dead_tuples(c.oid)) "
"     FROM pg_catalog.pg_class c " UM_SIZES_OF_C
"     WHERE c.oid OPERATOR(pg_catalog.=) '%s'::pg_catalog.regclass$cmd$) s "
"  WHERE s.success) "
"SELECT f.name, pg_catalog.sum(f.v[1])::pg_catalog.int8, pg_catalog.sum(f.v[2])::pg_catalog.int8, "
"  pg_catalog.sum(f.v[3])::pg_catalog.int8, pg_catalog.sum(f.v[4])::pg_catalog.int8, "
"  pg_catalog.sum(f.v[5])::pg_catalog.int8, pg_catalog.sum(f.v[6])::pg_catalog.int8, "
"  pg_catalog.sum(f.v[7])::pg_catalog.int8 "
"FROM f GROUP BY f.name");

/*
 * A node's client connections and transactions (columns total, active,
 * idle_xact, idle, oldest_xact_s, idle_xact_s); cond: more of the WHERE
 * clause.  The probing backend's own transaction is not the oldest.
 */
#define UM_ACTIVITY_SQL(cond) \
"SELECT " \
"  pg_catalog.count(*) AS total, " \
"  pg_catalog.count(*) FILTER (WHERE s.state OPERATOR(pg_catalog.=) 'active') AS active, " \
"  pg_catalog.count(*) FILTER (WHERE s.state OPERATOR(pg_catalog.~~) 'idle in transaction%') AS idle_xact, " \
"  pg_catalog.count(*) FILTER (WHERE s.state OPERATOR(pg_catalog.=) 'idle') AS idle, " \
"  pg_catalog.max(pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() " \
"      OPERATOR(pg_catalog.-) s.xact_start)) " \
"      FILTER (WHERE s.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()) AS oldest_xact_s, " \
"  pg_catalog.max(pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() " \
"      OPERATOR(pg_catalog.-) s.state_change)) " \
"      FILTER (WHERE s.state OPERATOR(pg_catalog.~~) 'idle in transaction%') AS idle_xact_s " \
"  FROM pg_catalog.pg_stat_activity s " \
"  WHERE s.backend_type OPERATOR(pg_catalog.=) 'client backend'" cond

/* A node's oldest unfrozen transaction id age over its databases. */
#define UM_XID_AGE_SQL \
"(SELECT pg_catalog.max(pg_catalog.age(d.datfrozenxid))::pg_catalog.int8 " \
"   FROM pg_catalog.pg_database d WHERE d.datallowconn)"

/* A primary's standbys and the worst replay lag (columns n, lag_s, lag_bytes). */
#define UM_PRIMARY_SQL \
"SELECT pg_catalog.count(*) AS n, " \
"  pg_catalog.max(pg_catalog.date_part('epoch', r.replay_lag)) AS lag_s, " \
"  pg_catalog.max(pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.replay_lsn))::pg_catalog.float8 AS lag_bytes " \
"FROM pg_catalog.pg_stat_replication r"

/*
 * On Citus (doc: Scaling out with Citus): the figures of every worker,
 * read there in one command and combined (sums of connections, of
 * max_connections, of standbys and of database sizes; the worst
 * transaction ages, xid age and lag), with the number of workers that
 * answered.  The probe's own connection to a worker is not counted.
 */
static UmPlan um_plan_citus_nodes = UM_PLAN0(
"SELECT pg_catalog.sum(v[1])::pg_catalog.int8, pg_catalog.sum(v[2])::pg_catalog.int8, "
"  pg_catalog.sum(v[3])::pg_catalog.int8, pg_catalog.sum(v[4])::pg_catalog.int8, "
"  pg_catalog.sum(v[5])::pg_catalog.int8, pg_catalog.max(v[6]), pg_catalog.max(v[7]), "
"  pg_catalog.max(v[8])::pg_catalog.int8, pg_catalog.sum(v[9])::pg_catalog.int8, "
"  pg_catalog.max(v[10]), pg_catalog.max(v[11]), pg_catalog.sum(v[12])::pg_catalog.int8, "
"  pg_catalog.count(*) "
"FROM (SELECT pg_catalog.string_to_array(r.result, ',', '')::pg_catalog.float8[] AS v "
"  FROM pg_catalog.run_command_on_workers($cmd$"
"SELECT pg_catalog.array_to_string(ARRAY[a.total, a.active, a.idle_xact, a.idle, "
"  pg_catalog.current_setting('max_connections')::pg_catalog.int8, "
"  a.oldest_xact_s, a.idle_xact_s, " UM_XID_AGE_SQL ", "
"  p.n, p.lag_s, p.lag_bytes, "
"  pg_catalog.pg_database_size(pg_catalog.current_database())]::pg_catalog.float8[], ',', '') "
"FROM (" UM_ACTIVITY_SQL(" AND s.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()") ") a "
"CROSS JOIN (" UM_PRIMARY_SQL ") p"
"$cmd$) r WHERE r.success) w");

/* The probe query of health(): server-wide facts, timed. */
static UmPlan um_plan_facts = UM_PLAN0(
"SELECT pg_catalog.pg_is_in_recovery(), "
"  pg_catalog.pg_database_size(pg_catalog.current_database()), "
"  a.total, a.active, a.idle_xact, "
"  pg_catalog.current_setting('max_connections')::pg_catalog.int8, "
"  a.oldest_xact_s, a.idle_xact_s, "
"  " UM_XID_AGE_SQL ", "
"  pg_catalog.to_regclass('" UM_SCHEMA ".online_user') IS NOT NULL, "
"  pg_catalog.to_regclass('" UM_SCHEMA ".user_log_default') IS NOT NULL, "
"  pg_catalog.to_regclass('" UM_SCHEMA ".change_log_default') IS NOT NULL, "
"  a.idle "
"FROM (" UM_ACTIVITY_SQL("") ") a");

/*
 * The partitions of a log, user_log or change_log (1.1; doc: Retention and
 * partitions): rows in its default partition, counted up to 1001, and its
 * monthly partitions after this month, by name (maintain() names them
 * <log>_YYYY_MM).  Each prepared only where its default partition exists.
 */
#define UM_LOG_PARTITIONS_SQL(log) \
"SELECT (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM " UM_SCHEMA "." log "_default " \
"        LIMIT 1001) d)::pg_catalog.float8, " \
"  (SELECT pg_catalog.count(*) FROM pg_catalog.pg_inherits i " \
"     JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.inhrelid " \
"    WHERE i.inhparent OPERATOR(pg_catalog.=) '" UM_SCHEMA "." log "'::pg_catalog.regclass " \
"      AND c.relname OPERATOR(pg_catalog.~) '^" log "_[0-9]{4}_[0-9]{2}$' " \
"      AND c.relname::pg_catalog.text OPERATOR(pg_catalog.>) ('" log "_' OPERATOR(pg_catalog.||) " \
"          pg_catalog.to_char(pg_catalog.now(), 'YYYY_MM')))::pg_catalog.float8"
static UmPlan um_plan_log_partitions = UM_PLAN0(UM_LOG_PARTITIONS_SQL("user_log"));
static UmPlan um_plan_change_log_partitions = UM_PLAN0(UM_LOG_PARTITIONS_SQL("change_log"));

static UmPlan um_plan_sessions = UM_PLAN0(
"SELECT pg_catalog.count(*) FROM (SELECT 1 FROM " UM_SCHEMA ".online_user "
"LIMIT " CppAsString2(UM_SESSIONS_CAP) " + 1) s");

/* Standby: receive vs replay position, and the age of the last replay. */
static UmPlan um_plan_standby = UM_PLAN0(
"SELECT r.status, w.rcv::text, w.rpl::text, "
"  pg_catalog.pg_wal_lsn_diff(w.rcv, w.rpl)::pg_catalog.float8, "
"  CASE WHEN w.rcv IS NOT NULL AND w.rcv OPERATOR(pg_catalog.<=) w.rpl THEN 0::pg_catalog.float8 "
"       ELSE pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() "
"            OPERATOR(pg_catalog.-) pg_catalog.pg_last_xact_replay_timestamp()) END "
"FROM (SELECT pg_catalog.pg_last_wal_receive_lsn() AS rcv, "
"             pg_catalog.pg_last_wal_replay_lsn() AS rpl) w "
"LEFT JOIN pg_catalog.pg_stat_wal_receiver r ON true");

/* Primary: the standbys it streams to and the worst replay lag. */
static UmPlan um_plan_primary = UM_PLAN0(UM_PRIMARY_SQL);

/* status(): the installed version and the applied migrations. */
static UmPlan um_plan_status = UM_PLAN0(
"SELECT e.extversion::text, "
"(SELECT pg_catalog.count(*) FROM " UM_SCHEMA ".migration_history) "
"FROM pg_catalog.pg_extension e "
"WHERE e.extname OPERATOR(pg_catalog.=) 'usrmgmt'");

/*
 * The cached schema drift: the rows, in um_drift_cxt (a child of
 * TopMemoryContext replaced on every refresh), and the catalog generation
 * they were read at (0: never).
 */
static MemoryContext um_drift_cxt = NULL;
static UmDrift *um_drift = NULL;
static int	um_drift_count = 0;
static uint64 um_drift_at = 0;

/* ---- reading the current SPI result ---- */

/* Run a saved read-only query that must return exactly one row. */
static void
um_exec_one_row(UmPlan *plan)
{
	uint64		n = um_plan_exec(plan, NULL, NULL, true, SPI_OK_SELECT);

	if (n != 1)
		elog(ERROR, "usrmgmt: health query returned " UINT64_FORMAT " rows", n);
}

static Datum
um_get(uint64 row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
						 col, isnull);
}

/* int8 column; 0 when NULL */
static int64
um_get_int8(uint64 row, int col)
{
	bool		null;
	Datum		d = um_get(row, col, &null);

	return null ? 0 : DatumGetInt64(d);
}

/* float8 column; unknown when NULL */
static UmNum
um_get_num(uint64 row, int col)
{
	UmNum		n;
	bool		null;
	Datum		d = um_get(row, col, &null);

	n.known = !null;
	n.v = null ? 0.0 : DatumGetFloat8(d);
	return n;
}

/* bool column; false when NULL */
static bool
um_get_bool(uint64 row, int col)
{
	bool		null;
	Datum		d = um_get(row, col, &null);

	return !null && DatumGetBool(d);
}

/* text value copied into cxt, or NULL */
static char *
um_get_text(uint64 row, int col, MemoryContext cxt)
{
	char	   *v = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return v ? MemoryContextStrdup(cxt, v) : NULL;
}

/* ---- the readers; each needs SPI ---- */

/* The data tables, by name; allocations go to cxt. */
/* Columns 2-8 of row i (um_plan_tables, um_plan_citus_tables) into t. */
static void
um_read_table_figures(UmTable *t, uint64 i)
{
	t->rows = um_get_int8(i, 2);
	t->total_bytes = um_get_int8(i, 3);
	t->table_bytes = um_get_int8(i, 4);
	t->index_bytes = um_get_int8(i, 5);
	t->seq_scan = um_get_int8(i, 6);
	t->idx_scan = um_get_int8(i, 7);
	t->dead_rows = um_get_int8(i, 8);
}

/*
 * On Citus: each distributed and reference table's rows, sizes and scans
 * are its shards' (um_plan_citus_tables); vacuum and analyze times stay
 * the coordinator's.
 */
static void
um_read_citus_tables(List *tables)
{
	uint64		n = um_plan_exec(&um_plan_citus_tables, NULL, NULL, true, SPI_OK_SELECT);

	for (uint64 i = 0; i < n; i++)
	{
		char	   *name = um_get_text(i, 1, CurrentMemoryContext);
		ListCell   *lc;

		foreach(lc, tables)
		{
			UmTable    *t = (UmTable *) lfirst(lc);

			if (strcmp(t->name, name) == 0)
				um_read_table_figures(t, i);
		}
	}
	SPI_freetuptable(SPI_tuptable);
}

static List *
um_read_tables(MemoryContext cxt)
{
	List	   *tables = NIL;
	uint64		n = um_plan_exec(&um_plan_tables, NULL, NULL, true, SPI_OK_SELECT);
	MemoryContext spicxt = MemoryContextSwitchTo(cxt);

	for (uint64 i = 0; i < n; i++)
	{
		UmTable    *t = palloc0(sizeof(UmTable));

		t->name = um_get_text(i, 1, cxt);
		um_read_table_figures(t, i);
		/* timestamptz is pass-by-value */
		t->last_vacuum = um_get(i, 9, &t->last_vacuum_null);
		t->last_analyze = um_get(i, 10, &t->last_analyze_null);
		tables = lappend(tables, t);
	}
	MemoryContextSwitchTo(spicxt);
	SPI_freetuptable(SPI_tuptable);
	if (um_distributed())
		um_read_citus_tables(tables);
	return tables;
}

/*
 * Open sessions: exact up to UM_SESSIONS_CAP, else online_user's row
 * estimate among tables when that is higher.
 */
static void
um_read_sessions(List *tables, UmNum *sessions, bool *exact)
{
	int64		n;
	ListCell   *lc;

	um_exec_one_row(&um_plan_sessions);
	n = um_get_int8(0, 1);
	SPI_freetuptable(SPI_tuptable);
	sessions->known = true;
	sessions->v = (double) n;
	*exact = (n <= UM_SESSIONS_CAP);
	if (*exact)
		return;
	foreach(lc, tables)
	{
		UmTable    *t = (UmTable *) lfirst(lc);

		if (strcmp(t->name, "online_user") == 0 && t->rows > n)
			sessions->v = (double) t->rows;
	}
}

/* A log's partition figures, unknown where it is not partitioned. */
static void
um_read_log_partitions(bool have, UmPlan *plan, UmNum *default_rows,
					   UmNum *future_parts)
{
	default_rows->known = false;
	future_parts->known = false;
	if (!have)
		return;
	um_exec_one_row(plan);
	*default_rows = um_get_num(0, 1);
	*future_parts = um_get_num(0, 2);
	SPI_freetuptable(SPI_tuptable);
}

/* The probe query: connections, transactions, wraparound; timed. */
static void
um_read_facts(UmHealth *h)
{
	bool		have_log_partitions;
	bool		have_change_log_partitions;
	instr_time	start;
	instr_time	elapsed;

	INSTR_TIME_SET_CURRENT(start);
	um_exec_one_row(&um_plan_facts);
	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	h->fig.query_ms = INSTR_TIME_GET_MILLISEC(elapsed);

	h->in_recovery = um_get_bool(0, 1);
	h->db_size = um_get_int8(0, 2);
	h->fig.conn_total = um_get_int8(0, 3);
	h->conn_active = um_get_int8(0, 4);
	h->conn_idle_xact = um_get_int8(0, 5);
	h->fig.conn_max = um_get_int8(0, 6);
	h->fig.oldest_xact_s = um_get_num(0, 7);
	h->fig.idle_xact_s = um_get_num(0, 8);
	h->fig.xid_age = um_get_int8(0, 9);
	h->fig.have_sessions = um_get_bool(0, 10);
	have_log_partitions = um_get_bool(0, 11);
	have_change_log_partitions = um_get_bool(0, 12);
	h->conn_idle = um_get_int8(0, 13);
	SPI_freetuptable(SPI_tuptable);
	um_read_log_partitions(have_log_partitions, &um_plan_log_partitions,
						   &h->fig.log_default_rows, &h->fig.log_future_parts);
	um_read_log_partitions(have_change_log_partitions, &um_plan_change_log_partitions,
						   &h->fig.change_log_default_rows,
						   &h->fig.change_log_future_parts);
	h->fig.wrap_pct = um_wraparound_pct(h->fig.xid_age);
}

/* Replication: a standby's own lag, or a primary's standbys. */
static void
um_read_replication(UmHealth *h, MemoryContext cxt)
{
	if (h->in_recovery)
	{
		um_exec_one_row(&um_plan_standby);
		h->receiver_status = um_get_text(0, 1, cxt);
		h->receive_lsn = um_get_text(0, 2, cxt);
		h->replay_lsn = um_get_text(0, 3, cxt);
		h->lag_bytes = um_get_num(0, 4);
		h->fig.lag_s = um_get_num(0, 5);
	}
	else
	{
		um_exec_one_row(&um_plan_primary);
		h->standbys = um_get_int8(0, 1);
		h->fig.lag_s = um_get_num(0, 2);
		h->lag_bytes = um_get_num(0, 3);
	}
	SPI_freetuptable(SPI_tuptable);
}

/* The larger of two figures; unknown when both are. */
static UmNum
um_num_max(UmNum a, UmNum b)
{
	if (!a.known)
		return b;
	if (!b.known)
		return a;
	return a.v >= b.v ? a : b;
}

/*
 * On Citus, a primary coordinator: add the workers' connections,
 * transactions, replication and database sizes to this node's
 * (um_plan_citus_nodes).  Nothing when no worker answered.
 */
static void
um_read_citus_nodes(UmHealth *h)
{
	um_exec_one_row(&um_plan_citus_nodes);
	if (um_get_int8(0, 13) > 0)
	{
		h->fig.conn_total += um_get_int8(0, 1);
		h->conn_active += um_get_int8(0, 2);
		h->conn_idle_xact += um_get_int8(0, 3);
		h->conn_idle += um_get_int8(0, 4);
		h->fig.conn_max += um_get_int8(0, 5);
		h->fig.oldest_xact_s = um_num_max(h->fig.oldest_xact_s, um_get_num(0, 6));
		h->fig.idle_xact_s = um_num_max(h->fig.idle_xact_s, um_get_num(0, 7));
		h->fig.xid_age = Max(h->fig.xid_age, um_get_int8(0, 8));
		h->fig.wrap_pct = um_wraparound_pct(h->fig.xid_age);
		h->standbys += um_get_int8(0, 9);
		h->fig.lag_s = um_num_max(h->fig.lag_s, um_get_num(0, 10));
		h->lag_bytes = um_num_max(h->lag_bytes, um_get_num(0, 11));
		h->db_size += um_get_int8(0, 12);
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * The schema drift, from the cache unless the catalog may have changed
 * since it was read.  An invalidation that arrives while the query runs
 * leaves the cache stale, to be read again next time.
 */
static void
um_read_drift(UmHealth *h)
{
	if (um_drift_at != um_catalog_generation())
	{
		uint64		at = um_catalog_generation();
		MemoryContext fresh = AllocSetContextCreate(TopMemoryContext,
													"usrmgmt schema drift",
													ALLOCSET_SMALL_SIZES);
		UmDrift    *drift = NULL;
		int			n = 0;

		PG_TRY();
		{
			drift = um_schema_drift(fresh, &n);
		}
		PG_CATCH();
		{
			MemoryContextDelete(fresh);
			PG_RE_THROW();
		}
		PG_END_TRY();
		if (um_drift_cxt)
			MemoryContextDelete(um_drift_cxt);
		um_drift_cxt = fresh;
		um_drift = drift;
		um_drift_count = n;
		um_drift_at = at;
	}
	h->fig.drift = um_drift;
	h->fig.ndrift = um_drift_count;
}

/* ---- what the entry points call ---- */

/*
 * See health.h: every figure of health() and metrics().  First, the error
 * of a usrmgmt setting SET before the library loaded and dropped then
 * (settings_guard.h): the verdict reads usrmgmt.health_*.
 */
void
um_health_collect(UmHealth *h)
{
	MemoryContext cxt = CurrentMemoryContext;

	um_settings_guard_check();
	memset(h, 0, sizeof(UmHealth));
	um_spi_connect();
	um_read_facts(h);
	h->tables = um_read_tables(cxt);
	if (h->fig.have_sessions)
		um_read_sessions(h->tables, &h->sessions, &h->sessions_exact);
	um_read_replication(h, cxt);
	/* the cluster's figures on Citus (doc: Scaling out with Citus) */
	if (!h->in_recovery && um_distributed())
		um_read_citus_nodes(h);
	um_read_drift(h);
	SPI_finish();
}

/* See health.h: the rules of health_verdict.c on h's figures. */
void
um_health_judge(UmHealth *h)
{
	h->problems = palloc(sizeof(UmProblem) *
						 (h->fig.ndrift + UM_VERDICT_FIXED_CHECKS));
	h->status = um_verdict(&h->fig, um_health_thresholds(), h->problems,
						   &h->nproblems);
}

/* See health.h: the figures of status(). */
void
um_status_collect(UmStatus *s)
{
	MemoryContext cxt = CurrentMemoryContext;

	memset(s, 0, sizeof(UmStatus));
	um_spi_connect();
	um_exec_one_row(&um_plan_status);
	s->version = um_get_text(0, 1, cxt);
	s->migrations = um_get_int8(0, 2);
	SPI_freetuptable(SPI_tuptable);
	s->tables = um_read_tables(cxt);
	um_read_sessions(s->tables, &s->sessions, &s->sessions_exact);
	SPI_finish();
}

/* Replace each table's row estimate by count(*), a full scan of it. */
static void
um_count_rows(List *tables)
{
	ListCell   *lc;

	foreach(lc, tables)
	{
		UmTable    *t = (UmTable *) lfirst(lc);
		char	   *sql = psprintf("SELECT pg_catalog.count(*) FROM %s.%s",
								   quote_identifier(UM_SCHEMA),
								   quote_identifier(t->name));

		if (um_sql_exec(sql, 0, NULL, NULL, NULL, true, SPI_OK_SELECT) != 1)
			elog(ERROR, "usrmgmt: count(*) returned no row");
		t->rows = um_get_int8(0, 1);
		SPI_freetuptable(SPI_tuptable);
	}
}

/*
 * See health.h: the data tables of database_stats(), with their rows
 * counted when exact.
 */
List *
um_tables_collect(bool exact)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *tables;

	um_spi_connect();
	tables = um_read_tables(cxt);
	if (exact)
		um_count_rows(tables);
	SPI_finish();
	return tables;
}
