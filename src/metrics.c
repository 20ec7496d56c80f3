/*-------------------------------------------------------------------------
 *
 * metrics.c
 *		metrics(): the figures of health() in the Prometheus text
 *		exposition format.
 *
 * A thin entry point around the same collection and verdict as health()
 * (health_collect.c): a per-call memory context, the figures, the text,
 * the context deleted.  Metric names and rules: doc/usrmgmt.md,
 * "metrics()".
 *
 * src/metrics.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "health.h"

PG_FUNCTION_INFO_V1(usrmgmt_metrics);

/* The per-table series of metrics(), in output order: one int64 field each. */
typedef struct UmTableMetric
{
	const char *name;
	const char *type;
	const char *help;
	size_t		offset;			/* of the int64 field in UmTable */
} UmTableMetric;

static const UmTableMetric um_table_metrics[] = {
	{"table_rows_estimate", "gauge", "Estimated rows per usrmgmt table (statistics, not count(*)).", offsetof(UmTable, rows)},
	{"table_total_bytes", "gauge", "Size of each usrmgmt table with its indexes and TOAST, in bytes.", offsetof(UmTable, total_bytes)},
	{"table_index_bytes", "gauge", "Size of the indexes of each usrmgmt table, in bytes.", offsetof(UmTable, index_bytes)},
	{"table_seq_scans_total", "counter", "Sequential scans of each usrmgmt table since the statistics were reset.", offsetof(UmTable, seq_scan)},
	{"table_idx_scans_total", "counter", "Index scans of each usrmgmt table since the statistics were reset.", offsetof(UmTable, idx_scan)},
};

static UmNum
um_num(double v)
{
	UmNum		n = {true, v};

	return n;
}

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

/* The verdict: status and problems by severity. */
static void
um_metrics_verdict(StringInfo buf, const UmHealth *h)
{
	int			counts[3] = {0, 0, 0};

	for (int i = 0; i < h->nproblems; i++)
		counts[h->problems[i].severity]++;
	um_prom_gauge(buf, "health_status",
				  "Verdict of usrmgmt.health(): 0 healthy, 1 degraded, 2 unhealthy.",
				  um_num(h->status));
	um_prom_head(buf, "health_problems", "gauge",
				 "Problems found by usrmgmt.health(), by severity.");
	um_prom_sample(buf, "health_problems", "severity", "degraded",
				   um_num(counts[UM_DEGRADED]));
	um_prom_sample(buf, "health_problems", "severity", "unhealthy",
				   um_num(counts[UM_UNHEALTHY]));
	um_prom_gauge(buf, "health_query_seconds",
				  "Duration of the health probe query in seconds.",
				  um_num(h->fig.query_ms / 1000.0));
	um_prom_gauge(buf, "schema_problems",
				  "Differences between the live schema and the installed version's.",
				  um_num(h->fig.ndrift));
}

/*
 * Database size and connections.  The states of usrmgmt_connections
 * partition the client backends (health()'s "total"): "other" is what is
 * left (fastpath function call, disabled), so that sum(usrmgmt_connections)
 * is the total and no sample counts a connection twice (the Prometheus
 * naming guide: a sum over a metric's labels must be meaningful).
 */
static void
um_metrics_server(StringInfo buf, const UmHealth *h)
{
	int64		other = h->fig.conn_total - h->conn_active -
		h->conn_idle_xact - h->conn_idle;

	um_prom_gauge(buf, "database_size_bytes",
				  "Size of the current database in bytes.", um_num(h->db_size));
	um_prom_head(buf, "connections", "gauge",
				 "Client connections to the server, by state; their sum is every client connection.");
	um_prom_sample(buf, "connections", "state", "active", um_num(h->conn_active));
	um_prom_sample(buf, "connections", "state", "idle", um_num(h->conn_idle));
	um_prom_sample(buf, "connections", "state", "idle_in_transaction",
				   um_num(h->conn_idle_xact));
	um_prom_sample(buf, "connections", "state", "other", um_num(other));
	um_prom_gauge(buf, "connections_max", "The server's max_connections.",
				  um_num(h->fig.conn_max));
}

/* The per-table series, one metric at a time. */
static void
um_metrics_tables(StringInfo buf, const UmHealth *h)
{
	ListCell   *lc;

	for (size_t m = 0; m < lengthof(um_table_metrics); m++)
	{
		const UmTableMetric *tm = &um_table_metrics[m];

		um_prom_head(buf, tm->name, tm->type, tm->help);
		foreach(lc, h->tables)
		{
			UmTable    *t = (UmTable *) lfirst(lc);

			um_prom_sample(buf, tm->name, "table", t->name,
						   um_num(*(int64 *) ((char *) t + tm->offset)));
		}
	}
}

/* Sessions, transactions, wraparound and replication. */
static void
um_metrics_activity(StringInfo buf, const UmHealth *h)
{
	um_prom_gauge(buf, "sessions_online", "Open sessions (rows of usrmgmt.online_user).",
				  h->sessions);
	um_prom_gauge(buf, "in_recovery", "1 on a standby (in recovery), 0 on a primary.",
				  um_num(h->in_recovery ? 1 : 0));
	um_prom_gauge(buf, "oldest_transaction_age_seconds",
				  "Age of the oldest open client transaction in seconds.",
				  h->fig.oldest_xact_s);
	um_prom_gauge(buf, "idle_in_transaction_age_seconds",
				  "Longest time a client session has been idle in transaction, in seconds.",
				  h->fig.idle_xact_s);
	um_prom_gauge(buf, "xid_age", "Age of the oldest datfrozenxid of the cluster.",
				  um_num(h->fig.xid_age));
	um_prom_gauge(buf, "xid_wraparound_ratio",
				  "Transaction-ID age as a fraction of the 2^31 wraparound limit.",
				  um_num(h->fig.wrap_pct / 100.0));
	if (!h->in_recovery)
		um_prom_gauge(buf, "replication_standbys",
					  "Standbys streaming from this primary.", um_num(h->standbys));
	um_prom_gauge(buf, "replication_lag_seconds",
				  "Replay lag: on a standby its own, on a primary the worst standby's.",
				  h->fig.lag_s);
	um_prom_gauge(buf, "replication_lag_bytes",
				  "WAL received or sent but not yet replayed, in bytes.",
				  h->lag_bytes);
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
	text	   *result;

	um_health_collect(&h);
	um_health_judge(&h);

	initStringInfo(&buf);
	um_metrics_verdict(&buf, &h);
	um_metrics_server(&buf, &h);
	um_metrics_tables(&buf, &h);
	um_metrics_activity(&buf, &h);

	MemoryContextSwitchTo(old);
	result = cstring_to_text_with_len(buf.data, buf.len);
	MemoryContextDelete(cxt);
	PG_RETURN_TEXT_P(result);
}
