/*-------------------------------------------------------------------------
 *
 * health_verdict.h
 *		The rules of health(): collected figures in, problems out.
 *
 * Pure C with no PostgreSQL dependency (like validate_core.h), so that a
 * plain C unit test (test/unit/test_health_verdict.c) can call it.  The
 * figures are gathered by health_collect.c, the thresholds are the
 * usrmgmt.health_* settings of health_settings.c, and the schema drift
 * comes from validate_schema()'s check (integrity.c) as a kind, never as
 * text.  The rules are those of doc/usrmgmt.md, "health()".
 *
 * Each problem names the check, its severity and the setting it crossed
 * with that setting's value; its message is rendered from the problem and
 * the figures by um_problem_message(), with snprintf's contract, so the
 * caller owns the memory (palloc in the server, a stack buffer in the
 * unit test).
 *
 * src/health_verdict.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_HEALTH_VERDICT_H
#define USRMGMT_HEALTH_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Severity of a problem, and the status of health(): the worst one. */
typedef enum UmSeverity
{
	UM_HEALTHY = 0,
	UM_DEGRADED = 1,
	UM_UNHEALTHY = 2
} UmSeverity;

/*
 * What validate_schema() found wrong with one object.  The drift query
 * (integrity.c) returns the number, so the values are fixed.
 */
typedef enum UmDriftKind
{
	UM_DRIFT_MISSING = 0,
	UM_DRIFT_ALTERED = 1,
	UM_DRIFT_DISABLED = 2,
	UM_DRIFT_NOT_VALID = 3
} UmDriftKind;

#define UM_DRIFT_KINDS 4

/* One row of validate_schema(): problem is "<kind name>: <detail>". */
typedef struct UmDrift
{
	const char *type;			/* 'table', 'column', 'constraint', ... */
	const char *name;
	UmDriftKind kind;
	const char *detail;
} UmDrift;

/* A figure that may be unknown (SQL NULL). */
typedef struct UmNum
{
	bool		known;
	double		v;
} UmNum;

/* The usrmgmt.health_* settings (doc/usrmgmt.md, "Configuration (GUCs)"). */
typedef struct UmThresholds
{
	int			conn_warn_pct;
	int			conn_crit_pct;
	int			xact_age_s;		/* 0 disables */
	int			idle_xact_age_s;	/* 0 disables */
	int			wrap_warn_pct;
	int			wrap_crit_pct;
	int			query_ms;		/* 0 disables */
	int			repl_lag_s;		/* 0 disables */
} UmThresholds;

/* The figures the rules read. */
typedef struct UmFigures
{
	int64_t		conn_total;		/* client backends */
	int64_t		conn_max;		/* max_connections */
	UmNum		oldest_xact_s;
	UmNum		idle_xact_s;
	int64_t		xid_age;
	double		wrap_pct;		/* um_wraparound_pct(xid_age) */
	double		query_ms;		/* the probe query */
	UmNum		lag_s;
	bool		have_sessions;	/* usrmgmt.online_user exists */
	UmNum		log_default_rows;	/* rows in user_log_default (counted up
									 * to 1001); unknown before 1.1 */
	UmNum		log_future_parts;	/* monthly partitions of user_log after
									 * this month; unknown before 1.1 */
	UmNum		change_log_default_rows;	/* the same for change_log */
	UmNum		change_log_future_parts;
	const UmDrift *drift;		/* validate_schema()'s rows */
	int			ndrift;
} UmFigures;

/* The checks, by the name health() reports as "check". */
typedef enum UmCheck
{
	UM_CHECK_SCHEMA,
	UM_CHECK_CONNECTIONS,
	UM_CHECK_TRANSACTION_AGE,
	UM_CHECK_IDLE_IN_TRANSACTION,
	UM_CHECK_WRAPAROUND,
	UM_CHECK_QUERY_TIME,
	UM_CHECK_REPLICATION_LAG,
	UM_CHECK_SESSIONS,
	UM_CHECK_LOG_DEFAULT,		/* rows in the default partition */
	UM_CHECK_LOG_FUTURE,		/* fewer than 2 future partitions */
	UM_CHECK_CHANGE_LOG_DEFAULT,	/* the same for change_log */
	UM_CHECK_CHANGE_LOG_FUTURE
} UmCheck;

/* Problems a verdict can hold besides one per drift row. */
#define UM_VERDICT_FIXED_CHECKS 11

typedef struct UmProblem
{
	UmSeverity	severity;
	UmCheck		check;
	double		figure;			/* the figure that crossed the setting */
	const char *setting;		/* the setting crossed, or NULL (schema,
								 * sessions) */
	int			limit;			/* its value */
	const UmDrift *drift;		/* UM_CHECK_SCHEMA: the row; else NULL */
} UmProblem;

/*
 * Apply the rules.  problems has room for ndrift + UM_VERDICT_FIXED_CHECKS
 * entries; they are filled in output order (schema drift in the order of
 * f->drift, then connections, transaction_age, idle_in_transaction,
 * wraparound, query_time, replication_lag, sessions, log_default_partition,
 * log_future_partitions, change_log_default_partition,
 * change_log_future_partitions) and their number is
 * stored in *nproblems.  Returns the status: the worst severity, or
 * UM_HEALTHY.
 */
extern UmSeverity um_verdict(const UmFigures *f, const UmThresholds *t,
							 UmProblem *problems, int *nproblems);

/* Severity of one drift row: the schema rule on its own. */
extern UmSeverity um_drift_severity(const UmDrift *d);

/* Transaction-ID age in percent of the 2^31 wraparound limit. */
extern double um_wraparound_pct(int64_t xid_age);

/*
 * The message of a problem, written as snprintf does (at most size bytes
 * with the terminating NUL; returns the length it needs without it).
 */
extern int	um_problem_message(char *buf, size_t size, const UmProblem *p,
							   const UmFigures *f);

/* validate_schema()'s problem column: "<kind name>: <detail>", as snprintf. */
extern int	um_drift_problem(char *buf, size_t size, const UmDrift *d);

/* 'healthy', 'degraded', 'unhealthy'. */
extern const char *um_severity_name(UmSeverity s);

/* 'schema', 'connections', ... */
extern const char *um_check_name(UmCheck c);

/* 'missing', 'altered', 'disabled', 'not valid'. */
extern const char *um_drift_kind_name(UmDriftKind k);

#endif							/* USRMGMT_HEALTH_VERDICT_H */
