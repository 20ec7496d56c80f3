/*-------------------------------------------------------------------------
 *
 * health.c
 *		Health, status, statistics and metrics.
 *
 * health() gathers its figures from the catalog and the cumulative
 * statistics only (pg_class, pg_stat_activity, pg_database, the
 * replication views, pg_stat_get_* functions), so its cost does not grow
 * with the tables: row counts are estimates.  The one read of a table is a
 * count of open sessions bounded by UM_SESSIONS_CAP rows.  It writes
 * nothing, so it works on a hot standby.  The verdict ('healthy',
 * 'degraded', 'unhealthy') comes from the usrmgmt.health_* settings
 * defined here and from validate_schema()'s drift query (integrity.c).
 *
 * metrics() renders the same figures in the Prometheus text exposition
 * format; status() and database_stats() share the per-table query.
 *
 * src/health.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/syscache.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "spi_util.h"

PG_FUNCTION_INFO_V1(usrmgmt_health);
PG_FUNCTION_INFO_V1(usrmgmt_status);
PG_FUNCTION_INFO_V1(usrmgmt_database_stats);
PG_FUNCTION_INFO_V1(usrmgmt_metrics);

/* Open sessions are counted exactly up to this many, estimated beyond. */
#define UM_SESSIONS_CAP 1000

/* Health thresholds (doc/usrmgmt.md §6 and §9). */
static int	um_conn_warn_pct = 80;
static int	um_conn_crit_pct = 95;
static int	um_xact_age_s = 300;
static int	um_idle_xact_age_s = 60;
static int	um_wrap_warn_pct = 50;
static int	um_wrap_crit_pct = 80;
static int	um_query_ms = 1000;
static int	um_repl_lag_s = 60;

/* Saved plans of the fixed queries (see um_exec_saved). */
static SPIPlanPtr um_plan_tables = NULL;
static SPIPlanPtr um_plan_facts = NULL;
static SPIPlanPtr um_plan_sessions = NULL;
static SPIPlanPtr um_plan_standby = NULL;
static SPIPlanPtr um_plan_primary = NULL;
static SPIPlanPtr um_plan_status = NULL;

/*
 * The schema verdict of health(), cached per backend.  The drift query
 * deparses every object of the manifest (some 150 pg_get_*def calls), the
 * costliest part of health(); its answer can only change when the catalog
 * does, so it is recomputed only after a relcache invalidation (any DDL on
 * a table, its columns, constraints, indexes or triggers sends one, as do
 * VACUUM and ANALYZE) or a pg_proc invalidation (ALTER/DROP FUNCTION).
 * Lives in TopMemoryContext.
 */
typedef struct UmDrift
{
	char	   *type;
	char	   *name;
	char	   *problem;
} UmDrift;

static uint64 um_inval_count = 1;	/* bumped by every invalidation */
static uint64 um_drift_at = 0;	/* um_inval_count when um_drift was read */
static int	um_drift_count = 0;
static UmDrift *um_drift = NULL;

#define UM_HEALTHY		0
#define UM_DEGRADED		1
#define UM_UNHEALTHY	2

static const char *const um_status_names[] = {"healthy", "degraded", "unhealthy"};

/* A figure that may be unknown (SQL NULL). */
typedef struct UmNum
{
	bool		known;
	double		v;
} UmNum;

typedef struct UmTable
{
	char	   *name;
	int64		rows;
	int64		total_bytes;
	int64		table_bytes;
	int64		index_bytes;
	int64		seq_scan;
	int64		idx_scan;
	int64		dead_rows;
	Datum		last_vacuum;
	bool		last_vacuum_null;
	Datum		last_analyze;
	bool		last_analyze_null;
} UmTable;

/* The per-table series of metrics(), in output order: one int64 field each. */
typedef struct UmTableMetric
{
	const char *name;
	const char *type;
	const char *help;
	size_t		offset;			/* of the int64 field in UmTable */
} UmTableMetric;

static const UmTableMetric um_table_metrics[] = {
	{"table_rows_estimate", "gauge",
	"Estimated rows per usrmgmt table (statistics, not count(*)).",
	offsetof(UmTable, rows)},
	{"table_total_bytes", "gauge",
	"Size of each usrmgmt table with its indexes and TOAST, in bytes.",
	offsetof(UmTable, total_bytes)},
	{"table_index_bytes", "gauge",
	"Size of the indexes of each usrmgmt table, in bytes.",
	offsetof(UmTable, index_bytes)},
	{"table_seq_scans_total", "counter",
	"Sequential scans of each usrmgmt table since the statistics were reset.",
	offsetof(UmTable, seq_scan)},
	{"table_idx_scans_total", "counter",
	"Index scans of each usrmgmt table since the statistics were reset.",
	offsetof(UmTable, idx_scan)},
};

typedef struct UmProblem
{
	int			severity;
	const char *check;
	char	   *message;
} UmProblem;

typedef struct UmHealth
{
	bool		in_recovery;
	int64		db_size;
	int64		conn_total;
	int64		conn_active;
	int64		conn_idle_xact;
	int64		conn_max;
	UmNum		oldest_xact_s;
	UmNum		idle_xact_s;
	int64		xid_age;
	double		wrap_pct;
	UmNum		sessions;
	bool		sessions_exact;
	/* replication */
	int64		standbys;
	char	   *receiver_status;
	char	   *receive_lsn;
	char	   *replay_lsn;
	UmNum		lag_s;
	UmNum		lag_bytes;
	/* verdict */
	double		query_ms;
	int			schema_problems;
	List	   *tables;			/* of UmTable * */
	List	   *problems;		/* of UmProblem * */
	int			status;
	MemoryContext cxt;			/* where tables and problems live */
} UmHealth;

/*
 * The data tables (those registered with pg_extension_config_dump, and
 * the partitioned user_log of 1.1 as one table: the sums over its
 * partitions, the latest vacuum and analyze of any) with their sizes and
 * statistics.  rows: reltuples scaled to the table's
 * current size, as the planner does, or the statistics system's live-tuple
 * count before the first VACUUM/ANALYZE.
 */
static const char *const um_tables_sql =
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
"  pg_catalog.sum(CASE WHEN c.reltuples OPERATOR(pg_catalog.>=) 0 AND c.relpages OPERATOR(pg_catalog.>) 0 "
"       THEN pg_catalog.round(c.reltuples::pg_catalog.float8 OPERATOR(pg_catalog./) c.relpages "
"            OPERATOR(pg_catalog.*) (pg_catalog.pg_relation_size(c.oid) "
"            OPERATOR(pg_catalog./) pg_catalog.current_setting('block_size')::pg_catalog.int8))::pg_catalog.int8 "
"       ELSE pg_catalog.pg_stat_get_live_tuples(c.oid) END)::pg_catalog.int8, "
"  pg_catalog.sum(pg_catalog.pg_total_relation_size(c.oid))::pg_catalog.int8, "
"  pg_catalog.sum(pg_catalog.pg_relation_size(c.oid))::pg_catalog.int8, "
"  pg_catalog.sum(pg_catalog.pg_indexes_size(c.oid))::pg_catalog.int8, "
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
"GROUP BY t.relname "
"ORDER BY t.relname";

static const char *const um_facts_sql =
"SELECT pg_catalog.pg_is_in_recovery(), "
"  pg_catalog.pg_database_size(pg_catalog.current_database()), "
"  a.total, a.active, a.idle_xact, "
"  pg_catalog.current_setting('max_connections')::pg_catalog.int8, "
"  a.oldest_xact_s, a.idle_xact_s, "
"  (SELECT pg_catalog.max(pg_catalog.age(d.datfrozenxid))::pg_catalog.int8 "
"     FROM pg_catalog.pg_database d WHERE d.datallowconn), "
"  pg_catalog.to_regclass('" UM_SCHEMA ".online_user') IS NOT NULL "
"FROM (SELECT "
"  pg_catalog.count(*) AS total, "
"  pg_catalog.count(*) FILTER (WHERE s.state OPERATOR(pg_catalog.=) 'active') AS active, "
"  pg_catalog.count(*) FILTER (WHERE s.state OPERATOR(pg_catalog.~~) 'idle in transaction%') AS idle_xact, "
"  pg_catalog.max(pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() "
"      OPERATOR(pg_catalog.-) s.xact_start)) "
"      FILTER (WHERE s.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()) AS oldest_xact_s, "
"  pg_catalog.max(pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() "
"      OPERATOR(pg_catalog.-) s.state_change)) "
"      FILTER (WHERE s.state OPERATOR(pg_catalog.~~) 'idle in transaction%') AS idle_xact_s "
"  FROM pg_catalog.pg_stat_activity s "
"  WHERE s.backend_type OPERATOR(pg_catalog.=) 'client backend') a";

static const char *const um_sessions_sql =
"SELECT pg_catalog.count(*) FROM (SELECT 1 FROM " UM_SCHEMA ".online_user "
"LIMIT " CppAsString2(UM_SESSIONS_CAP) " + 1) s";

/* Standby: receive vs replay position, and the age of the last replay. */
static const char *const um_standby_sql =
"SELECT r.status, w.rcv::text, w.rpl::text, "
"  pg_catalog.pg_wal_lsn_diff(w.rcv, w.rpl)::pg_catalog.float8, "
"  CASE WHEN w.rcv IS NOT NULL AND w.rcv OPERATOR(pg_catalog.<=) w.rpl THEN 0::pg_catalog.float8 "
"       ELSE pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() "
"            OPERATOR(pg_catalog.-) pg_catalog.pg_last_xact_replay_timestamp()) END "
"FROM (SELECT pg_catalog.pg_last_wal_receive_lsn() AS rcv, "
"             pg_catalog.pg_last_wal_replay_lsn() AS rpl) w "
"LEFT JOIN pg_catalog.pg_stat_wal_receiver r ON true";

/* Primary: the standbys it streams to and the worst replay lag. */
static const char *const um_primary_sql =
"SELECT pg_catalog.count(*), "
"  pg_catalog.max(pg_catalog.date_part('epoch', r.replay_lag)), "
"  pg_catalog.max(pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.replay_lsn))::pg_catalog.float8 "
"FROM pg_catalog.pg_stat_replication r";

static void
um_relcache_changed(Datum arg, Oid relid)
{
	um_inval_count++;
}

static void
um_syscache_changed(Datum arg, int cacheid, uint32 hashvalue)
{
	um_inval_count++;
}

/* Called once per backend from _PG_init: GUCs and per-backend state. */
void
usrmgmt_health_init(void)
{
	CacheRegisterRelcacheCallback(um_relcache_changed, (Datum) 0);
	CacheRegisterSyscacheCallback(PROCOID, um_syscache_changed, (Datum) 0);

	DefineCustomIntVariable("usrmgmt.health_connections_warn_pct",
							"Client connections, in percent of max_connections, from which health() is degraded.",
							NULL, &um_conn_warn_pct, 80, 1, 100,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("usrmgmt.health_connections_crit_pct",
							"Client connections, in percent of max_connections, from which health() is unhealthy.",
							NULL, &um_conn_crit_pct, 95, 1, 100,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("usrmgmt.health_xact_age",
							"Age of the oldest open transaction beyond which health() is degraded (0 disables).",
							NULL, &um_xact_age_s, 300, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("usrmgmt.health_idle_in_transaction_age",
							"Time a session may sit idle in transaction before health() is degraded (0 disables).",
							NULL, &um_idle_xact_age_s, 60, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("usrmgmt.health_wraparound_warn_pct",
							"Transaction-ID age, in percent of the 2^31 wraparound limit, from which health() is degraded.",
							NULL, &um_wrap_warn_pct, 50, 1, 100,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("usrmgmt.health_wraparound_crit_pct",
							"Transaction-ID age, in percent of the 2^31 wraparound limit, from which health() is unhealthy.",
							NULL, &um_wrap_crit_pct, 80, 1, 100,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("usrmgmt.health_query_ms",
							"Duration of health()'s own probe query beyond which health() is degraded (0 disables).",
							NULL, &um_query_ms, 1000, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("usrmgmt.health_replication_lag",
							"Replication replay lag beyond which health() is degraded (0 disables).",
							NULL, &um_repl_lag_s, 60, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
}

/* ---- small SPI readers ---- */

/*
 * Run one of the fixed queries through a plan saved for the life of the
 * backend (SPI_prepare + SPI_keepplan): health() is polled, so it should
 * not parse and plan its queries on every call.
 */
static void
um_exec_saved(SPIPlanPtr *plan, const char *sql, int expect_rows)
{
	int			ret;

	if (*plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(sql, 0, NULL);

		if (p == NULL)
			elog(ERROR, "usrmgmt: SPI_prepare failed: %s",
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(p) != 0)
			elog(ERROR, "usrmgmt: SPI_keepplan failed");
		*plan = p;
	}
	ret = SPI_execute_plan(*plan, NULL, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "usrmgmt: health query failed: %s",
			 SPI_result_code_string(ret));
	if (expect_rows >= 0 && SPI_processed != (uint64) expect_rows)
		elog(ERROR, "usrmgmt: health query returned " UINT64_FORMAT " rows",
			 SPI_processed);
}

/* A one-off query (database_stats(exact)): not worth a saved plan. */
static void
um_exec(const char *sql, int expect_rows)
{
	int			ret = SPI_execute_with_args(sql, 0, NULL, NULL, NULL, true, 0);

	if (ret != SPI_OK_SELECT)
		elog(ERROR, "usrmgmt: health query failed: %s",
			 SPI_result_code_string(ret));
	if (expect_rows >= 0 && SPI_processed != (uint64) expect_rows)
		elog(ERROR, "usrmgmt: health query returned " UINT64_FORMAT " rows",
			 SPI_processed);
}

static int64
um_get_int8(int row, int col, bool *isnull)
{
	bool		null;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
								  col, &null);

	if (isnull)
		*isnull = null;
	return null ? 0 : DatumGetInt64(d);
}

static UmNum
um_get_num(int row, int col)
{
	UmNum		n;
	bool		null;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
								  col, &null);

	n.known = !null;
	n.v = null ? 0.0 : DatumGetFloat8(d);
	return n;
}

static bool
um_get_bool(int row, int col)
{
	bool		null;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
								  col, &null);

	return !null && DatumGetBool(d);
}

/* text value copied into the caller's (per-call) context, or NULL */
static char *
um_get_text(int row, int col, MemoryContext cxt)
{
	char	   *v = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return v ? MemoryContextStrdup(cxt, v) : NULL;
}

/* Read the data tables; allocations go to cxt.  Needs SPI. */
static List *
um_read_tables(MemoryContext cxt)
{
	List	   *tables = NIL;
	uint64		i;

	um_exec_saved(&um_plan_tables, um_tables_sql, -1);
	for (i = 0; i < SPI_processed; i++)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);
		UmTable    *t = palloc0(sizeof(UmTable));
		bool		null;

		MemoryContextSwitchTo(old);
		t->name = um_get_text(i, 1, cxt);
		t->rows = um_get_int8(i, 2, NULL);
		t->total_bytes = um_get_int8(i, 3, NULL);
		t->table_bytes = um_get_int8(i, 4, NULL);
		t->index_bytes = um_get_int8(i, 5, NULL);
		t->seq_scan = um_get_int8(i, 6, NULL);
		t->idx_scan = um_get_int8(i, 7, NULL);
		t->dead_rows = um_get_int8(i, 8, NULL);
		/* timestamptz is pass-by-value */
		t->last_vacuum = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 9, &null);
		t->last_vacuum_null = null;
		t->last_analyze = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 10, &null);
		t->last_analyze_null = null;
		old = MemoryContextSwitchTo(cxt);
		tables = lappend(tables, t);
		MemoryContextSwitchTo(old);
	}
	SPI_freetuptable(SPI_tuptable);
	return tables;
}

/*
 * Open sessions: exact up to UM_SESSIONS_CAP, else the table's estimate.
 * Unknown when online_user is missing.
 */
static void
um_read_sessions(UmHealth *h)
{
	int64		n;
	ListCell   *lc;

	h->sessions.known = false;
	h->sessions_exact = false;
	um_exec_saved(&um_plan_sessions, um_sessions_sql, 1);
	n = um_get_int8(0, 1, NULL);
	SPI_freetuptable(SPI_tuptable);
	h->sessions.known = true;
	h->sessions.v = (double) n;
	h->sessions_exact = (n <= UM_SESSIONS_CAP);
	if (!h->sessions_exact)
	{
		foreach(lc, h->tables)
		{
			UmTable    *t = (UmTable *) lfirst(lc);

			if (strcmp(t->name, "online_user") == 0 && t->rows > n)
				h->sessions.v = (double) t->rows;
		}
	}
}

static void
um_problem(UmHealth *h, int severity, const char *check, const char *fmt,...)
	pg_attribute_printf(4, 5);

static void
um_problem(UmHealth *h, int severity, const char *check, const char *fmt,...)
{
	MemoryContext old = MemoryContextSwitchTo(h->cxt);
	UmProblem  *p = palloc(sizeof(UmProblem));
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	p->severity = severity;
	p->check = check;
	p->message = buf.data;
	h->problems = lappend(h->problems, p);
	if (severity > h->status)
		h->status = severity;
	MemoryContextSwitchTo(old);
}

/*
 * Gather every figure and apply the rules.  Runs in the caller's memory
 * context (a per-call context the caller deletes).
 */
static void
um_collect(UmHealth *h)
{
	MemoryContext cxt = CurrentMemoryContext;
	instr_time	start;
	instr_time	elapsed;
	bool		have_sessions;
	bool		null;
	uint64		i;
	int			ret;
	double		conn_pct;

	memset(h, 0, sizeof(UmHealth));
	h->status = UM_HEALTHY;
	h->cxt = cxt;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));

	/* The probe: the facts query, timed. */
	INSTR_TIME_SET_CURRENT(start);
	um_exec_saved(&um_plan_facts, um_facts_sql, 1);
	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	h->query_ms = INSTR_TIME_GET_MILLISEC(elapsed);

	h->in_recovery = um_get_bool(0, 1);
	h->db_size = um_get_int8(0, 2, NULL);
	h->conn_total = um_get_int8(0, 3, NULL);
	h->conn_active = um_get_int8(0, 4, NULL);
	h->conn_idle_xact = um_get_int8(0, 5, NULL);
	h->conn_max = um_get_int8(0, 6, NULL);
	h->oldest_xact_s = um_get_num(0, 7);
	h->idle_xact_s = um_get_num(0, 8);
	h->xid_age = um_get_int8(0, 9, &null);
	have_sessions = um_get_bool(0, 10);
	SPI_freetuptable(SPI_tuptable);
	h->wrap_pct = (double) h->xid_age * 100.0 / 2147483648.0;

	h->tables = um_read_tables(cxt);
	if (have_sessions)
		um_read_sessions(h);

	if (h->in_recovery)
	{
		um_exec_saved(&um_plan_standby, um_standby_sql, 1);
		h->receiver_status = um_get_text(0, 1, cxt);
		h->receive_lsn = um_get_text(0, 2, cxt);
		h->replay_lsn = um_get_text(0, 3, cxt);
		h->lag_bytes = um_get_num(0, 4);
		h->lag_s = um_get_num(0, 5);
	}
	else
	{
		um_exec_saved(&um_plan_primary, um_primary_sql, 1);
		h->standbys = um_get_int8(0, 1, NULL);
		h->lag_s = um_get_num(0, 2);
		h->lag_bytes = um_get_num(0, 3);
	}
	SPI_freetuptable(SPI_tuptable);

	/* Schema drift: severity by the rule of doc/usrmgmt.md §6. */
	if (um_drift_at != um_inval_count)
	{
		int			ret2;
		UmDrift    *fresh;
		int			n;
		uint64		at = um_inval_count;

		ret2 = SPI_execute_with_args(um_schema_drift_sql, 0, NULL, NULL, NULL,
									 true, 0);
		if (ret2 != SPI_OK_SELECT)
			elog(ERROR, "usrmgmt: drift query failed: %s",
				 SPI_result_code_string(ret2));
		n = (int) SPI_processed;
		fresh = MemoryContextAllocZero(TopMemoryContext,
									   sizeof(UmDrift) * (n + 1));
		for (i = 0; i < (uint64) n; i++)
		{
			fresh[i].type = um_get_text(i, 1, TopMemoryContext);
			fresh[i].name = um_get_text(i, 2, TopMemoryContext);
			fresh[i].problem = um_get_text(i, 3, TopMemoryContext);
		}
		SPI_freetuptable(SPI_tuptable);
		if (um_drift)
		{
			for (i = 0; i < (uint64) um_drift_count; i++)
			{
				pfree(um_drift[i].type);
				pfree(um_drift[i].name);
				pfree(um_drift[i].problem);
			}
			pfree(um_drift);
		}
		um_drift = fresh;
		um_drift_count = n;
		/* an invalidation that arrived while the query ran makes it stale */
		um_drift_at = at;
	}
	for (i = 0; i < (uint64) um_drift_count; i++)
	{
		const char *type = um_drift[i].type;
		const char *problem = um_drift[i].problem;
		int			sev = UM_DEGRADED;

		if (strncmp(problem, "disabled", 8) == 0 ||
			(strncmp(problem, "missing", 7) == 0 &&
			 (strcmp(type, "table") == 0 || strcmp(type, "column") == 0 ||
			  strcmp(type, "trigger") == 0)))
			sev = UM_UNHEALTHY;
		um_problem(h, sev, "schema", "%s %s: %s", type, um_drift[i].name,
				   problem);
		h->schema_problems++;
	}
	SPI_finish();

	/* The other rules. */
	conn_pct = h->conn_max > 0 ? (double) h->conn_total * 100.0 / h->conn_max : 0;
	if (conn_pct >= um_conn_crit_pct)
		um_problem(h, UM_UNHEALTHY, "connections",
				   "%lld of %lld connections in use (%.0f%%, limit usrmgmt.health_connections_crit_pct = %d%%)",
				   (long long) h->conn_total, (long long) h->conn_max, conn_pct, um_conn_crit_pct);
	else if (conn_pct >= um_conn_warn_pct)
		um_problem(h, UM_DEGRADED, "connections",
				   "%lld of %lld connections in use (%.0f%%, limit usrmgmt.health_connections_warn_pct = %d%%)",
				   (long long) h->conn_total, (long long) h->conn_max, conn_pct, um_conn_warn_pct);
	if (um_xact_age_s > 0 && h->oldest_xact_s.known &&
		h->oldest_xact_s.v > um_xact_age_s)
		um_problem(h, UM_DEGRADED, "transaction_age",
				   "oldest transaction open for %.0f s (limit usrmgmt.health_xact_age = %d s)",
				   h->oldest_xact_s.v, um_xact_age_s);
	if (um_idle_xact_age_s > 0 && h->idle_xact_s.known &&
		h->idle_xact_s.v > um_idle_xact_age_s)
		um_problem(h, UM_DEGRADED, "idle_in_transaction",
				   "a session has been idle in transaction for %.0f s (limit usrmgmt.health_idle_in_transaction_age = %d s)",
				   h->idle_xact_s.v, um_idle_xact_age_s);
	if (h->wrap_pct >= um_wrap_crit_pct)
		um_problem(h, UM_UNHEALTHY, "wraparound",
				   "transaction-ID age %lld is %.1f%% of the wraparound limit (limit usrmgmt.health_wraparound_crit_pct = %d%%)",
				   (long long) h->xid_age, h->wrap_pct, um_wrap_crit_pct);
	else if (h->wrap_pct >= um_wrap_warn_pct)
		um_problem(h, UM_DEGRADED, "wraparound",
				   "transaction-ID age %lld is %.1f%% of the wraparound limit (limit usrmgmt.health_wraparound_warn_pct = %d%%)",
				   (long long) h->xid_age, h->wrap_pct, um_wrap_warn_pct);
	if (um_query_ms > 0 && h->query_ms > um_query_ms)
		um_problem(h, UM_DEGRADED, "query_time",
				   "probe query took %.1f ms (limit usrmgmt.health_query_ms = %d ms)",
				   h->query_ms, um_query_ms);
	if (um_repl_lag_s > 0 && h->lag_s.known && h->lag_s.v > um_repl_lag_s)
		um_problem(h, UM_DEGRADED, "replication_lag",
				   "replication replay lag %.0f s (limit usrmgmt.health_replication_lag = %d s)",
				   h->lag_s.v, um_repl_lag_s);
	if (!have_sessions)
		um_problem(h, UM_UNHEALTHY, "sessions",
				   "table usrmgmt.online_user does not exist");
}

/* ---- JSON rendering ---- */

static void
um_json_key(StringInfo buf, const char *key, bool *first)
{
	if (!*first)
		appendStringInfoString(buf, ", ");
	*first = false;
	escape_json(buf, key);
	appendStringInfoString(buf, ": ");
}

static void
um_json_int(StringInfo buf, const char *key, int64 v, bool *first)
{
	um_json_key(buf, key, first);
	appendStringInfo(buf, INT64_FORMAT, v);
}

static void
um_json_num(StringInfo buf, const char *key, UmNum n, bool *first)
{
	um_json_key(buf, key, first);
	if (n.known && !isnan(n.v) && !isinf(n.v))
		appendStringInfo(buf, "%.3f", n.v);
	else
		appendStringInfoString(buf, "null");
}

static void
um_json_str(StringInfo buf, const char *key, const char *v, bool *first)
{
	um_json_key(buf, key, first);
	if (v)
		escape_json(buf, v);
	else
		appendStringInfoString(buf, "null");
}

static UmNum
um_num(double v)
{
	UmNum		n = {true, v};

	return n;
}

static Datum
um_jsonb(StringInfo buf)
{
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf->data));
}

static void
um_render_tables(StringInfo buf, List *tables, bool sizes)
{
	ListCell   *lc;
	bool		first = true;

	appendStringInfoChar(buf, '{');
	foreach(lc, tables)
	{
		UmTable    *t = (UmTable *) lfirst(lc);

		if (sizes)
		{
			bool		f2 = true;

			um_json_key(buf, t->name, &first);
			appendStringInfoChar(buf, '{');
			um_json_int(buf, "rows_estimate", t->rows, &f2);
			um_json_int(buf, "total_bytes", t->total_bytes, &f2);
			um_json_int(buf, "index_bytes", t->index_bytes, &f2);
			appendStringInfoChar(buf, '}');
		}
		else
			um_json_int(buf, t->name, t->rows, &first);
	}
	appendStringInfoChar(buf, '}');
}

/*
 * health() returns jsonb
 *
 * Arguments: none.
 * Result: {"status": "healthy" | "degraded" | "unhealthy", "problems":
 * [{"severity", "check", "message"}], "query_ms", "database_size_bytes",
 * "connections": {"total", "active", "idle_in_transaction", "max"},
 * "tables": {name: {"rows_estimate", "total_bytes", "index_bytes"}},
 * "sessions_online", "sessions_online_exact", "in_recovery",
 * "oldest_transaction_age_s", "idle_in_transaction_age_s", "xid_age",
 * "xid_wraparound_pct", "replication": {...}, "schema_problems",
 * "thresholds": {...}}.  The rules are in doc/usrmgmt.md §6.
 * Errors: none of its own; works on a hot standby (it writes nothing).
 * Locking: AccessShareLock on online_user for the bounded session count.
 */
Datum
usrmgmt_health(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "usrmgmt health",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	UmHealth	h;
	StringInfoData buf;
	ListCell   *lc;
	bool		first = true;
	bool		f2;
	Datum		result;

	um_collect(&h);

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	um_json_str(&buf, "status", um_status_names[h.status], &first);
	um_json_key(&buf, "problems", &first);
	appendStringInfoChar(&buf, '[');
	f2 = true;
	foreach(lc, h.problems)
	{
		UmProblem  *p = (UmProblem *) lfirst(lc);
		bool		f3 = true;

		if (!f2)
			appendStringInfoString(&buf, ", ");
		f2 = false;
		appendStringInfoChar(&buf, '{');
		um_json_str(&buf, "severity", um_status_names[p->severity], &f3);
		um_json_str(&buf, "check", p->check, &f3);
		um_json_str(&buf, "message", p->message, &f3);
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoChar(&buf, ']');
	um_json_num(&buf, "query_ms", um_num(h.query_ms), &first);
	um_json_int(&buf, "database_size_bytes", h.db_size, &first);

	um_json_key(&buf, "connections", &first);
	appendStringInfoChar(&buf, '{');
	f2 = true;
	um_json_int(&buf, "total", h.conn_total, &f2);
	um_json_int(&buf, "active", h.conn_active, &f2);
	um_json_int(&buf, "idle_in_transaction", h.conn_idle_xact, &f2);
	um_json_int(&buf, "max", h.conn_max, &f2);
	appendStringInfoChar(&buf, '}');

	um_json_key(&buf, "tables", &first);
	um_render_tables(&buf, h.tables, true);
	if (h.sessions.known)
		um_json_int(&buf, "sessions_online", (int64) h.sessions.v, &first);
	else
		um_json_str(&buf, "sessions_online", NULL, &first);
	um_json_key(&buf, "sessions_online_exact", &first);
	appendStringInfoString(&buf, h.sessions_exact ? "true" : "false");
	um_json_key(&buf, "in_recovery", &first);
	appendStringInfoString(&buf, h.in_recovery ? "true" : "false");
	um_json_num(&buf, "oldest_transaction_age_s", h.oldest_xact_s, &first);
	um_json_num(&buf, "idle_in_transaction_age_s", h.idle_xact_s, &first);
	um_json_int(&buf, "xid_age", h.xid_age, &first);
	um_json_num(&buf, "xid_wraparound_pct", um_num(h.wrap_pct), &first);

	um_json_key(&buf, "replication", &first);
	appendStringInfoChar(&buf, '{');
	f2 = true;
	um_json_str(&buf, "role", h.in_recovery ? "standby" : "primary", &f2);
	if (h.in_recovery)
	{
		um_json_str(&buf, "wal_receiver", h.receiver_status, &f2);
		um_json_str(&buf, "receive_lsn", h.receive_lsn, &f2);
		um_json_str(&buf, "replay_lsn", h.replay_lsn, &f2);
	}
	else
		um_json_int(&buf, "standbys", h.standbys, &f2);
	um_json_num(&buf, "lag_s", h.lag_s, &f2);
	um_json_num(&buf, "lag_bytes", h.lag_bytes, &f2);
	appendStringInfoChar(&buf, '}');

	um_json_int(&buf, "schema_problems", h.schema_problems, &first);

	um_json_key(&buf, "thresholds", &first);
	appendStringInfoChar(&buf, '{');
	f2 = true;
	um_json_int(&buf, "connections_warn_pct", um_conn_warn_pct, &f2);
	um_json_int(&buf, "connections_crit_pct", um_conn_crit_pct, &f2);
	um_json_int(&buf, "xact_age_s", um_xact_age_s, &f2);
	um_json_int(&buf, "idle_in_transaction_age_s", um_idle_xact_age_s, &f2);
	um_json_int(&buf, "wraparound_warn_pct", um_wrap_warn_pct, &f2);
	um_json_int(&buf, "wraparound_crit_pct", um_wrap_crit_pct, &f2);
	um_json_int(&buf, "query_ms", um_query_ms, &f2);
	um_json_int(&buf, "replication_lag_s", um_repl_lag_s, &f2);
	appendStringInfoChar(&buf, '}');
	appendStringInfoChar(&buf, '}');

	MemoryContextSwitchTo(old);
	result = um_jsonb(&buf);	/* built in the caller's context */
	MemoryContextDelete(cxt);
	PG_RETURN_DATUM(result);
}

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
	UmHealth	h;
	StringInfoData buf;
	char	   *version;
	int64		migrations;
	bool		first = true;
	int			ret;
	Datum		result;

	memset(&h, 0, sizeof(h));
	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	um_exec_saved(&um_plan_status, "SELECT e.extversion::text, "
			"(SELECT pg_catalog.count(*) FROM " UM_SCHEMA ".migration_history) "
			"FROM pg_catalog.pg_extension e "
			"WHERE e.extname OPERATOR(pg_catalog.=) 'usrmgmt'", 1);
	version = um_get_text(0, 1, cxt);
	migrations = um_get_int8(0, 2, NULL);
	SPI_freetuptable(SPI_tuptable);
	h.tables = um_read_tables(cxt);
	um_read_sessions(&h);
	SPI_finish();

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	um_json_str(&buf, "version", version, &first);
	um_json_key(&buf, "tables", &first);
	um_render_tables(&buf, h.tables, false);
	um_json_int(&buf, "migrations", migrations, &first);
	um_json_int(&buf, "sessions_online", (int64) h.sessions.v, &first);
	appendStringInfoChar(&buf, '}');

	MemoryContextSwitchTo(old);
	result = um_jsonb(&buf);
	MemoryContextDelete(cxt);
	PG_RETURN_DATUM(result);
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
	int			ret;

	um_require_arg(fcinfo, 0, "exact");
	exact = PG_GETARG_BOOL(0);
	store = um_materialize(fcinfo, &tupdesc);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "usrmgmt database_stats",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	tables = um_read_tables(cxt);
	foreach(lc, tables)
	{
		UmTable    *t = (UmTable *) lfirst(lc);
		Datum		values[11];
		bool		nulls[11] = {false};

		if (exact)
		{
			char	   *sql = psprintf("SELECT pg_catalog.count(*) FROM %s.%s",
									   quote_identifier(UM_SCHEMA),
									   quote_identifier(t->name));

			um_exec(sql, 1);
			t->rows = um_get_int8(0, 1, NULL);
			SPI_freetuptable(SPI_tuptable);
		}
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
	SPI_finish();
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);

	return (Datum) 0;
}

/* ---- Prometheus text exposition ---- */

static void
um_prom_head(StringInfo buf, const char *name, const char *type,
			 const char *help)
{
	appendStringInfo(buf, "# HELP usrmgmt_%s %s\n# TYPE usrmgmt_%s %s\n",
					 name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void
um_prom_label(StringInfo buf, const char *value)
{
	const char *p;

	for (p = value; *p; p++)
	{
		if (*p == '\\')
			appendStringInfoString(buf, "\\\\");
		else if (*p == '"')
			appendStringInfoString(buf, "\\\"");
		else if (*p == '\n')
			appendStringInfoString(buf, "\\n");
		else
			appendStringInfoChar(buf, *p);
	}
}

static void
um_prom_sample(StringInfo buf, const char *name, const char *label,
			   const char *value, UmNum n)
{
	if (!n.known || isnan(n.v) || isinf(n.v))
		return;					/* no sample for an unknown figure */
	appendStringInfo(buf, "usrmgmt_%s", name);
	if (label)
	{
		appendStringInfo(buf, "{%s=\"", label);
		um_prom_label(buf, value);
		appendStringInfoString(buf, "\"}");
	}
	if (n.v == floor(n.v) && fabs(n.v) < 1e15)
		appendStringInfo(buf, " %.0f\n", n.v);
	else
		appendStringInfo(buf, " %.6g\n", n.v);
}

static void
um_prom_gauge(StringInfo buf, const char *name, const char *help, UmNum n)
{
	um_prom_head(buf, name, "gauge", help);
	um_prom_sample(buf, name, NULL, NULL, n);
}

/*
 * metrics() returns text
 *
 * Arguments: none.
 * Result: the figures of health() in the Prometheus text exposition format
 * (version 0.0.4): every metric named usrmgmt_*, with # HELP and # TYPE;
 * unknown figures (NULL in health()) have no sample.
 * Errors and locking: as health().
 */
Datum
usrmgmt_metrics(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "usrmgmt metrics",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	UmHealth	h;
	StringInfoData buf;
	ListCell   *lc;
	int			counts[3] = {0, 0, 0};
	text	   *result;

	um_collect(&h);
	foreach(lc, h.problems)
		counts[((UmProblem *) lfirst(lc))->severity]++;

	initStringInfo(&buf);
	um_prom_gauge(&buf, "health_status",
				  "Verdict of usrmgmt.health(): 0 healthy, 1 degraded, 2 unhealthy.",
				  um_num(h.status));
	um_prom_head(&buf, "health_problems", "gauge",
				 "Problems found by usrmgmt.health(), by severity.");
	um_prom_sample(&buf, "health_problems", "severity", "degraded",
				   um_num(counts[UM_DEGRADED]));
	um_prom_sample(&buf, "health_problems", "severity", "unhealthy",
				   um_num(counts[UM_UNHEALTHY]));
	um_prom_gauge(&buf, "health_query_seconds",
				  "Duration of the health probe query in seconds.",
				  um_num(h.query_ms / 1000.0));
	um_prom_gauge(&buf, "schema_problems",
				  "Differences between the live schema and the installed version's.",
				  um_num(h.schema_problems));
	um_prom_gauge(&buf, "database_size_bytes",
				  "Size of the current database in bytes.", um_num(h.db_size));
	um_prom_head(&buf, "connections", "gauge",
				 "Client connections to the server, by state.");
	um_prom_sample(&buf, "connections", "state", "total", um_num(h.conn_total));
	um_prom_sample(&buf, "connections", "state", "active", um_num(h.conn_active));
	um_prom_sample(&buf, "connections", "state", "idle_in_transaction",
				   um_num(h.conn_idle_xact));
	um_prom_gauge(&buf, "connections_max", "The server's max_connections.",
				  um_num(h.conn_max));

	for (size_t m = 0; m < lengthof(um_table_metrics); m++)
	{
		const UmTableMetric *tm = &um_table_metrics[m];

		um_prom_head(&buf, tm->name, tm->type, tm->help);
		foreach(lc, h.tables)
		{
			UmTable    *t = (UmTable *) lfirst(lc);

			um_prom_sample(&buf, tm->name, "table", t->name,
						   um_num(*(int64 *) ((char *) t + tm->offset)));
		}
	}

	um_prom_gauge(&buf, "sessions_online", "Open sessions (rows of usrmgmt.online_user).",
				  h.sessions);
	um_prom_gauge(&buf, "in_recovery", "1 on a standby (in recovery), 0 on a primary.",
				  um_num(h.in_recovery ? 1 : 0));
	um_prom_gauge(&buf, "oldest_transaction_age_seconds",
				  "Age of the oldest open client transaction in seconds.",
				  h.oldest_xact_s);
	um_prom_gauge(&buf, "idle_in_transaction_age_seconds",
				  "Longest time a client session has been idle in transaction, in seconds.",
				  h.idle_xact_s);
	um_prom_gauge(&buf, "xid_age", "Age of the oldest datfrozenxid of the cluster.",
				  um_num(h.xid_age));
	um_prom_gauge(&buf, "xid_wraparound_ratio",
				  "Transaction-ID age as a fraction of the 2^31 wraparound limit.",
				  um_num(h.wrap_pct / 100.0));
	if (!h.in_recovery)
		um_prom_gauge(&buf, "replication_standbys",
					  "Standbys streaming from this primary.", um_num(h.standbys));
	um_prom_gauge(&buf, "replication_lag_seconds",
				  "Replay lag: on a standby its own, on a primary the worst standby's.",
				  h.lag_s);
	um_prom_gauge(&buf, "replication_lag_bytes",
				  "WAL received or sent but not yet replayed, in bytes.",
				  h.lag_bytes);

	MemoryContextSwitchTo(old);
	result = cstring_to_text_with_len(buf.data, buf.len);
	MemoryContextDelete(cxt);
	PG_RETURN_TEXT_P(result);
}
