/*-------------------------------------------------------------------------
 *
 * health_verdict.c
 *		The rules of health(): collected figures in, problems out.
 *
 * Pure C: no PostgreSQL header, no allocation, no I/O.  The rules are the
 * table "Rules" of doc/usrmgmt.md, "health()"; each problem names the
 * setting it crossed.  The unit test test/unit/test_health_verdict.c
 * holds every rule at its boundary.
 *
 * src/health_verdict.c
 *
 *-------------------------------------------------------------------------
 */
#include "health_verdict.h"

#include <stdio.h>
#include <string.h>

static const char *const um_severity_names[] = {"healthy", "degraded", "unhealthy"};

static const char *const um_check_names[] = {
	[UM_CHECK_SCHEMA] = "schema",
	[UM_CHECK_CONNECTIONS] = "connections",
	[UM_CHECK_TRANSACTION_AGE] = "transaction_age",
	[UM_CHECK_IDLE_IN_TRANSACTION] = "idle_in_transaction",
	[UM_CHECK_WRAPAROUND] = "wraparound",
	[UM_CHECK_QUERY_TIME] = "query_time",
	[UM_CHECK_REPLICATION_LAG] = "replication_lag",
	[UM_CHECK_SESSIONS] = "sessions",
	[UM_CHECK_LOG_DEFAULT] = "log_default_partition",
	[UM_CHECK_LOG_FUTURE] = "log_future_partitions",
	[UM_CHECK_CHANGE_LOG_DEFAULT] = "change_log_default_partition",
	[UM_CHECK_CHANGE_LOG_FUTURE] = "change_log_future_partitions",
};

static const char *const um_drift_kind_names[UM_DRIFT_KINDS] = {
	[UM_DRIFT_MISSING] = "missing",
	[UM_DRIFT_ALTERED] = "altered",
	[UM_DRIFT_DISABLED] = "disabled",
	[UM_DRIFT_NOT_VALID] = "not valid",
};

/* See health_verdict.h. */
const char *
um_severity_name(UmSeverity s)
{
	return um_severity_names[s];
}

/* See health_verdict.h. */
const char *
um_check_name(UmCheck c)
{
	return um_check_names[c];
}

/* See health_verdict.h. */
const char *
um_drift_kind_name(UmDriftKind k)
{
	return um_drift_kind_names[k];
}

/* See health_verdict.h. */
double
um_wraparound_pct(int64_t xid_age)
{
	return (double) xid_age * 100.0 / 2147483648.0;
}

/* Client connections in percent of max_connections (0 without a max). */
static double
um_conn_pct(const UmFigures *f)
{
	return f->conn_max > 0 ? (double) f->conn_total * 100.0 / (double) f->conn_max : 0;
}

/*
 * See health_verdict.h.  A missing table, column or trigger, or anything
 * disabled (a trigger, or the triggers of a foreign key), stops usrmgmt
 * from enforcing its rules: unhealthy.  Other drift: degraded.
 */
UmSeverity
um_drift_severity(const UmDrift *d)
{
	if (d->kind == UM_DRIFT_DISABLED)
		return UM_UNHEALTHY;
	if (d->kind == UM_DRIFT_MISSING && d->type != NULL &&
		(strcmp(d->type, "table") == 0 || strcmp(d->type, "column") == 0 ||
		 strcmp(d->type, "trigger") == 0))
		return UM_UNHEALTHY;
	return UM_DEGRADED;
}

/* A time figure above its limit; limit 0 disables the check. */
static bool
um_over(UmNum n, int limit)
{
	return limit > 0 && n.known && n.v > limit;
}

/* Append a problem: the check, its severity and the setting it crossed. */
static UmProblem *
um_add(UmProblem *problems, int *n, UmCheck check, UmSeverity severity,
	   double figure, const char *setting, int limit)
{
	UmProblem  *p = &problems[(*n)++];

	p->severity = severity;
	p->check = check;
	p->figure = figure;
	p->setting = setting;
	p->limit = limit;
	p->drift = NULL;
	return p;
}

/*
 * The partition rules of one log (user_log or change_log): degraded when
 * rows sit in its default partition, or when fewer than two monthly
 * partitions lie after this month.  Nothing is said of unknown figures.
 */
static void
um_partitions_verdict(UmProblem *problems, int *n, UmNum default_rows,
					  UmNum future_parts, UmCheck default_check,
					  UmCheck future_check)
{
	if (default_rows.known && default_rows.v > 0)
		um_add(problems, n, default_check, UM_DEGRADED, default_rows.v, NULL, 0);
	if (future_parts.known && future_parts.v < 2)
		um_add(problems, n, future_check, UM_DEGRADED, future_parts.v, NULL, 2);
}

/* See health_verdict.h. */
UmSeverity
um_verdict(const UmFigures *f, const UmThresholds *t, UmProblem *problems,
		   int *nproblems)
{
	double		conn_pct = um_conn_pct(f);
	UmSeverity	status = UM_HEALTHY;
	int			n = 0;
	int			i;

	for (i = 0; i < f->ndrift; i++)
		um_add(problems, &n, UM_CHECK_SCHEMA, um_drift_severity(&f->drift[i]),
			   0, NULL, 0)->drift = &f->drift[i];

	if (conn_pct >= t->conn_crit_pct)
		um_add(problems, &n, UM_CHECK_CONNECTIONS, UM_UNHEALTHY, conn_pct,
			   "usrmgmt.health_connections_crit_pct", t->conn_crit_pct);
	else if (conn_pct >= t->conn_warn_pct)
		um_add(problems, &n, UM_CHECK_CONNECTIONS, UM_DEGRADED, conn_pct,
			   "usrmgmt.health_connections_warn_pct", t->conn_warn_pct);
	if (um_over(f->oldest_xact_s, t->xact_age_s))
		um_add(problems, &n, UM_CHECK_TRANSACTION_AGE, UM_DEGRADED,
			   f->oldest_xact_s.v, "usrmgmt.health_xact_age", t->xact_age_s);
	if (um_over(f->idle_xact_s, t->idle_xact_age_s))
		um_add(problems, &n, UM_CHECK_IDLE_IN_TRANSACTION, UM_DEGRADED,
			   f->idle_xact_s.v, "usrmgmt.health_idle_in_transaction_age",
			   t->idle_xact_age_s);
	if (f->wrap_pct >= t->wrap_crit_pct)
		um_add(problems, &n, UM_CHECK_WRAPAROUND, UM_UNHEALTHY, f->wrap_pct,
			   "usrmgmt.health_wraparound_crit_pct", t->wrap_crit_pct);
	else if (f->wrap_pct >= t->wrap_warn_pct)
		um_add(problems, &n, UM_CHECK_WRAPAROUND, UM_DEGRADED, f->wrap_pct,
			   "usrmgmt.health_wraparound_warn_pct", t->wrap_warn_pct);
	if (t->query_ms > 0 && f->query_ms > t->query_ms)
		um_add(problems, &n, UM_CHECK_QUERY_TIME, UM_DEGRADED, f->query_ms,
			   "usrmgmt.health_query_ms", t->query_ms);
	if (um_over(f->lag_s, t->repl_lag_s))
		um_add(problems, &n, UM_CHECK_REPLICATION_LAG, UM_DEGRADED,
			   f->lag_s.v, "usrmgmt.health_replication_lag", t->repl_lag_s);
	if (!f->have_sessions)
		um_add(problems, &n, UM_CHECK_SESSIONS, UM_UNHEALTHY, 0, NULL, 0);
	/* doc: Retention and partitions, "What to monitor" */
	um_partitions_verdict(problems, &n, f->log_default_rows, f->log_future_parts,
						  UM_CHECK_LOG_DEFAULT, UM_CHECK_LOG_FUTURE);
	um_partitions_verdict(problems, &n, f->change_log_default_rows,
						  f->change_log_future_parts,
						  UM_CHECK_CHANGE_LOG_DEFAULT, UM_CHECK_CHANGE_LOG_FUTURE);

	for (i = 0; i < n; i++)
		if (problems[i].severity > status)
			status = problems[i].severity;
	*nproblems = n;
	return status;
}

/* See health_verdict.h. */
int
um_drift_problem(char *buf, size_t size, const UmDrift *d)
{
	return snprintf(buf, size, "%s: %s", um_drift_kind_name(d->kind), d->detail);
}

/*
 * The messages of the time checks: "<what> <figure> <unit> (limit
 * <setting> = <limit> <unit>)".
 */
typedef struct UmTimeMessage
{
	const char *what;
	int			digits;			/* after the decimal point */
	const char *unit;
} UmTimeMessage;

static const UmTimeMessage um_time_messages[] = {
	[UM_CHECK_TRANSACTION_AGE] = {"oldest transaction open for", 0, "s"},
	[UM_CHECK_IDLE_IN_TRANSACTION] = {"a session has been idle in transaction for", 0, "s"},
	[UM_CHECK_QUERY_TIME] = {"probe query took", 1, "ms"},
	[UM_CHECK_REPLICATION_LAG] = {"replication replay lag", 0, "s"},
};

/*
 * See health_verdict.h.  Each message but the schema's and the sessions'
 * ends with the setting the figure crossed and its value.
 */
int
um_problem_message(char *buf, size_t size, const UmProblem *p,
				   const UmFigures *f)
{
	const UmTimeMessage *m;

	switch (p->check)
	{
		case UM_CHECK_SCHEMA:
			return snprintf(buf, size, "%s %s: %s: %s", p->drift->type,
							p->drift->name, um_drift_kind_name(p->drift->kind),
							p->drift->detail);
		case UM_CHECK_SESSIONS:
			return snprintf(buf, size, "table usrmgmt.online_user does not exist");
		case UM_CHECK_LOG_DEFAULT:
		case UM_CHECK_CHANGE_LOG_DEFAULT:
			return snprintf(buf, size,
							"%s%.0f rows of usrmgmt.%s are in its default partition (run usrmgmt.maintain(since))",
							p->figure > 1000 ? "over " : "", p->figure > 1000 ? 1000 : p->figure,
							p->check == UM_CHECK_LOG_DEFAULT ? "user_log" : "change_log");
		case UM_CHECK_LOG_FUTURE:
		case UM_CHECK_CHANGE_LOG_FUTURE:
			return snprintf(buf, size,
							"%.0f monthly partitions of usrmgmt.%s after this month, fewer than %d (run usrmgmt.maintain())",
							p->figure,
							p->check == UM_CHECK_LOG_FUTURE ? "user_log" : "change_log",
							p->limit);
		case UM_CHECK_CONNECTIONS:
			return snprintf(buf, size,
							"%lld of %lld connections in use (%.0f%%, limit %s = %d%%)",
							(long long) f->conn_total, (long long) f->conn_max,
							p->figure, p->setting, p->limit);
		case UM_CHECK_WRAPAROUND:
			return snprintf(buf, size,
							"transaction-ID age %lld is %.1f%% of the wraparound limit (limit %s = %d%%)",
							(long long) f->xid_age, p->figure, p->setting, p->limit);
		case UM_CHECK_TRANSACTION_AGE:
		case UM_CHECK_IDLE_IN_TRANSACTION:
		case UM_CHECK_QUERY_TIME:
		case UM_CHECK_REPLICATION_LAG:
			break;
	}
	m = &um_time_messages[p->check];
	return snprintf(buf, size, "%s %.*f %s (limit %s = %d %s)", m->what,
					m->digits, p->figure, m->unit, p->setting, p->limit, m->unit);
}
