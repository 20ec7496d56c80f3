/*-------------------------------------------------------------------------
 *
 * health.c
 *		health(): the figures and the verdict as one jsonb value.
 *
 * The entry point makes a per-call memory context, has health_collect.c
 * gather the figures and apply the rules of health_verdict.c, renders the
 * result with the jsonb builder (jsonb_util.h), and deletes the context.
 * The keys and the rules are those of doc/usrmgmt.md, "health()".
 *
 * src/health.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "utils/memutils.h"

#include "health.h"
#include "jsonb_util.h"

PG_FUNCTION_INFO_V1(usrmgmt_health);

/* A figure that may be unknown, with three decimals, or null. */
static void
um_add_num(UmJsonb *jb, const char *key, UmNum n)
{
	if (n.known)
		um_jsonb_add_float8(jb, key, n.v, 3);
	else
		um_jsonb_add_null(jb, key);
}

/* The message of a problem, rendered from the figures. */
static char *
um_message(const UmHealth *h, const UmProblem *p)
{
	int			len = um_problem_message(NULL, 0, p, &h->fig);
	char	   *buf = palloc(len + 1);

	um_problem_message(buf, len + 1, p, &h->fig);
	return buf;
}

static void
um_render_problems(UmJsonb *jb, const UmHealth *h)
{
	um_jsonb_begin_array(jb, "problems");
	for (int i = 0; i < h->nproblems; i++)
	{
		const UmProblem *p = &h->problems[i];

		um_jsonb_begin_object(jb, NULL);
		um_jsonb_add_text(jb, "severity", um_severity_name(p->severity));
		um_jsonb_add_text(jb, "check", um_check_name(p->check));
		um_jsonb_add_text(jb, "message", um_message(h, p));
		um_jsonb_end_object(jb);
	}
	um_jsonb_end_array(jb);
}

static void
um_render_tables(UmJsonb *jb, const UmHealth *h)
{
	ListCell   *lc;

	um_jsonb_begin_object(jb, "tables");
	foreach(lc, h->tables)
	{
		UmTable    *t = (UmTable *) lfirst(lc);

		um_jsonb_begin_object(jb, t->name);
		um_jsonb_add_int64(jb, "rows_estimate", t->rows);
		um_jsonb_add_int64(jb, "total_bytes", t->total_bytes);
		um_jsonb_add_int64(jb, "index_bytes", t->index_bytes);
		um_jsonb_end_object(jb);
	}
	um_jsonb_end_object(jb);
}

static void
um_render_replication(UmJsonb *jb, const UmHealth *h)
{
	um_jsonb_begin_object(jb, "replication");
	um_jsonb_add_text(jb, "role", h->in_recovery ? "standby" : "primary");
	if (h->in_recovery)
	{
		um_jsonb_add_text(jb, "wal_receiver", h->receiver_status);
		um_jsonb_add_text(jb, "receive_lsn", h->receive_lsn);
		um_jsonb_add_text(jb, "replay_lsn", h->replay_lsn);
	}
	else
		um_jsonb_add_int64(jb, "standbys", h->standbys);
	um_add_num(jb, "lag_s", h->fig.lag_s);
	um_add_num(jb, "lag_bytes", h->lag_bytes);
	um_jsonb_end_object(jb);
}

static void
um_render_thresholds(UmJsonb *jb)
{
	const UmThresholds *t = um_health_thresholds();

	um_jsonb_begin_object(jb, "thresholds");
	um_jsonb_add_int64(jb, "connections_warn_pct", t->conn_warn_pct);
	um_jsonb_add_int64(jb, "connections_crit_pct", t->conn_crit_pct);
	um_jsonb_add_int64(jb, "xact_age_s", t->xact_age_s);
	um_jsonb_add_int64(jb, "idle_in_transaction_age_s", t->idle_xact_age_s);
	um_jsonb_add_int64(jb, "wraparound_warn_pct", t->wrap_warn_pct);
	um_jsonb_add_int64(jb, "wraparound_crit_pct", t->wrap_crit_pct);
	um_jsonb_add_int64(jb, "query_ms", t->query_ms);
	um_jsonb_add_int64(jb, "replication_lag_s", t->repl_lag_s);
	um_jsonb_end_object(jb);
}

/* The whole health() object, in the current memory context. */
static UmJsonb *
um_render_health(const UmHealth *h)
{
	UmJsonb    *jb = um_jsonb_begin_object(NULL, NULL);
	UmNum		query_ms = {true, h->fig.query_ms};

	um_jsonb_add_text(jb, "status", um_severity_name(h->status));
	um_render_problems(jb, h);
	um_add_num(jb, "query_ms", query_ms);
	um_jsonb_add_int64(jb, "database_size_bytes", h->db_size);

	um_jsonb_begin_object(jb, "connections");
	um_jsonb_add_int64(jb, "total", h->fig.conn_total);
	um_jsonb_add_int64(jb, "active", h->conn_active);
	um_jsonb_add_int64(jb, "idle_in_transaction", h->conn_idle_xact);
	um_jsonb_add_int64(jb, "max", h->fig.conn_max);
	um_jsonb_end_object(jb);

	um_render_tables(jb, h);
	if (h->sessions.known)
		um_jsonb_add_int64(jb, "sessions_online", (int64) h->sessions.v);
	else
		um_jsonb_add_null(jb, "sessions_online");
	um_jsonb_add_bool(jb, "sessions_online_exact", h->sessions_exact);
	um_jsonb_add_bool(jb, "in_recovery", h->in_recovery);
	um_add_num(jb, "oldest_transaction_age_s", h->fig.oldest_xact_s);
	um_add_num(jb, "idle_in_transaction_age_s", h->fig.idle_xact_s);
	um_jsonb_add_int64(jb, "xid_age", h->fig.xid_age);
	um_jsonb_add_float8(jb, "xid_wraparound_pct", h->fig.wrap_pct, 3);
	um_render_replication(jb, h);
	um_jsonb_add_int64(jb, "schema_problems", h->fig.ndrift);
	um_render_thresholds(jb);
	um_jsonb_end_object(jb);
	return jb;
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
 * "thresholds": {...}}.  The rules are in doc/usrmgmt.md, "health()".
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
	UmJsonb    *jb;
	Jsonb	   *result;

	um_health_collect(&h);
	um_health_judge(&h);
	jb = um_render_health(&h);

	MemoryContextSwitchTo(old);
	result = um_jsonb_finish(jb);	/* in the caller's context */
	MemoryContextDelete(cxt);
	PG_RETURN_JSONB_P(result);
}
