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

static void
um_add(UmProblem *problems, int *n, UmSeverity severity, UmCheck check,
	   const UmDrift *drift)
{
	problems[*n].severity = severity;
	problems[*n].check = check;
	problems[*n].drift = drift;
	(*n)++;
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
		um_add(problems, &n, um_drift_severity(&f->drift[i]),
			   UM_CHECK_SCHEMA, &f->drift[i]);

	if (conn_pct >= t->conn_crit_pct)
		um_add(problems, &n, UM_UNHEALTHY, UM_CHECK_CONNECTIONS, NULL);
	else if (conn_pct >= t->conn_warn_pct)
		um_add(problems, &n, UM_DEGRADED, UM_CHECK_CONNECTIONS, NULL);
	if (um_over(f->oldest_xact_s, t->xact_age_s))
		um_add(problems, &n, UM_DEGRADED, UM_CHECK_TRANSACTION_AGE, NULL);
	if (um_over(f->idle_xact_s, t->idle_xact_age_s))
		um_add(problems, &n, UM_DEGRADED, UM_CHECK_IDLE_IN_TRANSACTION, NULL);
	if (f->wrap_pct >= t->wrap_crit_pct)
		um_add(problems, &n, UM_UNHEALTHY, UM_CHECK_WRAPAROUND, NULL);
	else if (f->wrap_pct >= t->wrap_warn_pct)
		um_add(problems, &n, UM_DEGRADED, UM_CHECK_WRAPAROUND, NULL);
	if (t->query_ms > 0 && f->query_ms > t->query_ms)
		um_add(problems, &n, UM_DEGRADED, UM_CHECK_QUERY_TIME, NULL);
	if (um_over(f->lag_s, t->repl_lag_s))
		um_add(problems, &n, UM_DEGRADED, UM_CHECK_REPLICATION_LAG, NULL);
	if (!f->have_sessions)
		um_add(problems, &n, UM_UNHEALTHY, UM_CHECK_SESSIONS, NULL);

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

/* See health_verdict.h. */
int
um_problem_message(char *buf, size_t size, const UmProblem *p,
				   const UmFigures *f, const UmThresholds *t)
{
	bool		crit = p->severity == UM_UNHEALTHY;

	switch (p->check)
	{
		case UM_CHECK_SCHEMA:
			return snprintf(buf, size, "%s %s: %s: %s", p->drift->type,
							p->drift->name, um_drift_kind_name(p->drift->kind),
							p->drift->detail);
		case UM_CHECK_CONNECTIONS:
			return snprintf(buf, size,
							"%lld of %lld connections in use (%.0f%%, limit usrmgmt.health_connections_%s_pct = %d%%)",
							(long long) f->conn_total, (long long) f->conn_max,
							um_conn_pct(f), crit ? "crit" : "warn",
							crit ? t->conn_crit_pct : t->conn_warn_pct);
		case UM_CHECK_TRANSACTION_AGE:
			return snprintf(buf, size,
							"oldest transaction open for %.0f s (limit usrmgmt.health_xact_age = %d s)",
							f->oldest_xact_s.v, t->xact_age_s);
		case UM_CHECK_IDLE_IN_TRANSACTION:
			return snprintf(buf, size,
							"a session has been idle in transaction for %.0f s (limit usrmgmt.health_idle_in_transaction_age = %d s)",
							f->idle_xact_s.v, t->idle_xact_age_s);
		case UM_CHECK_WRAPAROUND:
			return snprintf(buf, size,
							"transaction-ID age %lld is %.1f%% of the wraparound limit (limit usrmgmt.health_wraparound_%s_pct = %d%%)",
							(long long) f->xid_age, f->wrap_pct,
							crit ? "crit" : "warn",
							crit ? t->wrap_crit_pct : t->wrap_warn_pct);
		case UM_CHECK_QUERY_TIME:
			return snprintf(buf, size,
							"probe query took %.1f ms (limit usrmgmt.health_query_ms = %d ms)",
							f->query_ms, t->query_ms);
		case UM_CHECK_REPLICATION_LAG:
			return snprintf(buf, size,
							"replication replay lag %.0f s (limit usrmgmt.health_replication_lag = %d s)",
							f->lag_s.v, t->repl_lag_s);
		case UM_CHECK_SESSIONS:
			return snprintf(buf, size,
							"table usrmgmt.online_user does not exist");
	}
	return snprintf(buf, size, "unknown check %d", (int) p->check);
}
