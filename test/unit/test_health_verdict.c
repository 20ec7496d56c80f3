/*-------------------------------------------------------------------------
 *
 * test_health_verdict.c
 *		Plain C unit test of health()'s rules (src/health_verdict.c).
 *
 * No server and no PostgreSQL headers: it links health_verdict.c alone.
 * Each threshold rule is held on both sides of its boundary, each time
 * threshold at 0 (disabled) and each unknown figure; each drift kind with
 * each object type; and every message and problem text is compared byte
 * for byte with what health() and validate_schema() print (doc/usrmgmt.md,
 * "health()" and "validate_schema()").  Prints one line per failure and a
 * closing "N passed, N failed" line; exits 1 on any failure.
 *
 * test/unit/test_health_verdict.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health_verdict.h"

static int	passed;
static int	failed;

/* The defaults of the usrmgmt.health_* settings. */
static const UmThresholds defaults = {80, 95, 300, 60, 50, 80, 1000, 60};

/* Figures on which no rule fires. */
static UmFigures
healthy(void)
{
	UmFigures	f;

	memset(&f, 0, sizeof(f));
	f.conn_total = 10;
	f.conn_max = 100;
	f.oldest_xact_s.known = true;
	f.oldest_xact_s.v = 1.0;
	f.idle_xact_s.known = true;
	f.idle_xact_s.v = 1.0;
	f.xid_age = 1000;
	f.wrap_pct = um_wraparound_pct(f.xid_age);
	f.query_ms = 0.5;
	f.lag_s.known = false;
	f.have_sessions = true;
	return f;
}

static UmNum
known(double v)
{
	UmNum		n = {true, v};

	return n;
}

static void
ok(int cond, const char *what)
{
	if (cond)
		passed++;
	else
	{
		failed++;
		printf("FAIL %s\n", what);
	}
}

/*
 * Run the verdict on f and t and compare: the status, and either no
 * problem (check NULL) or exactly one, with its check, severity and
 * message.
 */
static void
expect(const char *name, const UmFigures *f, const UmThresholds *t,
	   UmSeverity status, const char *check, const char *message)
{
	UmProblem	problems[UM_VERDICT_FIXED_CHECKS + 8];
	int			n = -1;
	UmSeverity	got = um_verdict(f, t, problems, &n);
	char		buf[512];

	if (got != status)
	{
		failed++;
		printf("FAIL %s: status %s, expected %s\n", name,
			   um_severity_name(got), um_severity_name(status));
		return;
	}
	if (check == NULL)
	{
		ok(n == 0, name);
		if (n != 0)
			printf("     %d problems, first %s\n", n, um_check_name(problems[0].check));
		return;
	}
	if (n != 1)
	{
		failed++;
		printf("FAIL %s: %d problems, expected 1\n", name, n);
		return;
	}
	um_problem_message(buf, sizeof(buf), &problems[0], f);
	if (strcmp(um_check_name(problems[0].check), check) != 0 ||
		problems[0].severity != status || strcmp(buf, message) != 0)
	{
		failed++;
		printf("FAIL %s: %s %s \"%s\"\n     expected %s %s \"%s\"\n", name,
			   um_severity_name(problems[0].severity),
			   um_check_name(problems[0].check), buf,
			   um_severity_name(status), check, message);
	}
	else
		passed++;
}

/*
 * Connections in percent of max_connections: degraded from the warn
 * setting, unhealthy from the crit setting (both inclusive), 0% without a
 * max_connections figure.
 */
typedef struct ConnCase
{
	int64_t		total;
	int64_t		max;
	int			warn;
	int			crit;
	UmSeverity	status;
	const char *message;		/* NULL: no problem */
} ConnCase;

static const ConnCase conn_cases[] = {
	{79, 100, 80, 95, UM_HEALTHY, NULL},
	{80, 100, 80, 95, UM_DEGRADED, "80 of 100 connections in use (80%, limit usrmgmt.health_connections_warn_pct = 80%)"},
	{94, 100, 80, 95, UM_DEGRADED, "94 of 100 connections in use (94%, limit usrmgmt.health_connections_warn_pct = 80%)"},
	{95, 100, 80, 95, UM_UNHEALTHY, "95 of 100 connections in use (95%, limit usrmgmt.health_connections_crit_pct = 95%)"},
	{100, 100, 80, 95, UM_UNHEALTHY, "100 of 100 connections in use (100%, limit usrmgmt.health_connections_crit_pct = 95%)"},
	/* fractions just under the limits: 79.5% and 94.5% */
	{159, 200, 80, 95, UM_HEALTHY, NULL},
	{189, 200, 80, 95, UM_DEGRADED, "189 of 200 connections in use (94%, limit usrmgmt.health_connections_warn_pct = 80%)"},
	/* no max_connections figure */
	{500, 0, 80, 95, UM_HEALTHY, NULL},
	/* crit below warn: crit wins */
	{60, 100, 100, 50, UM_UNHEALTHY, "60 of 100 connections in use (60%, limit usrmgmt.health_connections_crit_pct = 50%)"},
};

static void
test_connections(void)
{
	for (size_t i = 0; i < sizeof(conn_cases) / sizeof(conn_cases[0]); i++)
	{
		const ConnCase *c = &conn_cases[i];
		UmFigures	f = healthy();
		UmThresholds t = defaults;
		char		label[128];

		f.conn_total = c->total;
		f.conn_max = c->max;
		t.conn_warn_pct = c->warn;
		t.conn_crit_pct = c->crit;
		snprintf(label, sizeof(label), "connections %lld of %lld (warn %d, crit %d)",
				 (long long) c->total, (long long) c->max, c->warn, c->crit);
		expect(label, &f, &t, c->status, c->message ? "connections" : NULL,
			   c->message);
	}
}

/*
 * The four time checks, each strictly above its setting (0 disables it),
 * never on an unknown figure.  The figure is set on otherwise healthy
 * figures, the setting on the defaults.
 */
typedef struct TimeCase
{
	UmCheck		check;
	bool		known;
	double		value;
	int			limit;
	UmSeverity	status;
	const char *message;		/* NULL: no problem */
} TimeCase;

static const TimeCase time_cases[] = {
	{UM_CHECK_TRANSACTION_AGE, true, 300.0, 300, UM_HEALTHY, NULL},
	{UM_CHECK_TRANSACTION_AGE, true, 300.4, 300, UM_DEGRADED, "oldest transaction open for 300 s (limit usrmgmt.health_xact_age = 300 s)"},
	{UM_CHECK_TRANSACTION_AGE, true, 301.0, 300, UM_DEGRADED, "oldest transaction open for 301 s (limit usrmgmt.health_xact_age = 300 s)"},
	{UM_CHECK_TRANSACTION_AGE, false, 1e9, 300, UM_HEALTHY, NULL},
	{UM_CHECK_TRANSACTION_AGE, true, 1e9, 0, UM_HEALTHY, NULL},
	{UM_CHECK_IDLE_IN_TRANSACTION, true, 60.0, 60, UM_HEALTHY, NULL},
	{UM_CHECK_IDLE_IN_TRANSACTION, true, 60.5, 60, UM_DEGRADED, "a session has been idle in transaction for 60 s (limit usrmgmt.health_idle_in_transaction_age = 60 s)"},
	{UM_CHECK_IDLE_IN_TRANSACTION, true, 61.5, 60, UM_DEGRADED, "a session has been idle in transaction for 62 s (limit usrmgmt.health_idle_in_transaction_age = 60 s)"},
	{UM_CHECK_IDLE_IN_TRANSACTION, false, 1e9, 60, UM_HEALTHY, NULL},
	{UM_CHECK_IDLE_IN_TRANSACTION, true, 1e9, 0, UM_HEALTHY, NULL},
	{UM_CHECK_QUERY_TIME, true, 1000.0, 1000, UM_HEALTHY, NULL},
	{UM_CHECK_QUERY_TIME, true, 1000.04, 1000, UM_DEGRADED, "probe query took 1000.0 ms (limit usrmgmt.health_query_ms = 1000 ms)"},
	{UM_CHECK_QUERY_TIME, true, 2500.25, 1000, UM_DEGRADED, "probe query took 2500.2 ms (limit usrmgmt.health_query_ms = 1000 ms)"},
	{UM_CHECK_QUERY_TIME, true, 1e9, 0, UM_HEALTHY, NULL},
	{UM_CHECK_REPLICATION_LAG, true, 60.0, 60, UM_HEALTHY, NULL},
	{UM_CHECK_REPLICATION_LAG, true, 60.001, 60, UM_DEGRADED, "replication replay lag 60 s (limit usrmgmt.health_replication_lag = 60 s)"},
	{UM_CHECK_REPLICATION_LAG, true, 90.0, 60, UM_DEGRADED, "replication replay lag 90 s (limit usrmgmt.health_replication_lag = 60 s)"},
	{UM_CHECK_REPLICATION_LAG, false, 1e9, 60, UM_HEALTHY, NULL},
	{UM_CHECK_REPLICATION_LAG, true, 1e9, 0, UM_HEALTHY, NULL},
};

static void
test_times(void)
{
	for (size_t i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++)
	{
		const TimeCase *c = &time_cases[i];
		UmFigures	f = healthy();
		UmThresholds t = defaults;
		UmNum		n = {c->known, c->value};
		char		label[128];

		switch (c->check)
		{
			case UM_CHECK_TRANSACTION_AGE:
				f.oldest_xact_s = n;
				t.xact_age_s = c->limit;
				break;
			case UM_CHECK_IDLE_IN_TRANSACTION:
				f.idle_xact_s = n;
				t.idle_xact_age_s = c->limit;
				break;
			case UM_CHECK_QUERY_TIME:
				f.query_ms = c->value;	/* always known */
				t.query_ms = c->limit;
				break;
			default:
				f.lag_s = n;
				t.repl_lag_s = c->limit;
				break;
		}
		snprintf(label, sizeof(label), "%s %s%g (limit %d)",
				 um_check_name(c->check), c->known ? "" : "unknown ",
				 c->value, c->limit);
		expect(label, &f, &t, c->status,
			   c->message ? um_check_name(c->check) : NULL, c->message);
	}
}

static void
test_wraparound(void)
{
	UmFigures	f = healthy();
	UmThresholds t = defaults;

	ok(um_wraparound_pct(1073741824) == 50.0, "2^30 is 50% of 2^31");
	ok(um_wraparound_pct(0) == 0.0, "xid age 0 is 0%");

	f.xid_age = 1073741823;		/* 2^30 - 1: just under 50% */
	f.wrap_pct = um_wraparound_pct(f.xid_age);
	expect("wraparound just under 50%", &f, &t, UM_HEALTHY, NULL, NULL);
	f.xid_age = 1073741824;		/* 50% */
	f.wrap_pct = um_wraparound_pct(f.xid_age);
	expect("wraparound 50% (warn)", &f, &t, UM_DEGRADED, "wraparound",
		   "transaction-ID age 1073741824 is 50.0% of the wraparound limit (limit usrmgmt.health_wraparound_warn_pct = 50%)");
	f.xid_age = 1717986918;		/* 79.99999998%: prints as 80.0 */
	f.wrap_pct = um_wraparound_pct(f.xid_age);
	expect("wraparound just under 80%", &f, &t, UM_DEGRADED, "wraparound",
		   "transaction-ID age 1717986918 is 80.0% of the wraparound limit (limit usrmgmt.health_wraparound_warn_pct = 50%)");
	f.xid_age = 1717986919;		/* 80.00000003% */
	f.wrap_pct = um_wraparound_pct(f.xid_age);
	expect("wraparound 80% (crit)", &f, &t, UM_UNHEALTHY, "wraparound",
		   "transaction-ID age 1717986919 is 80.0% of the wraparound limit (limit usrmgmt.health_wraparound_crit_pct = 80%)");
	f.xid_age = 2147483647;
	f.wrap_pct = um_wraparound_pct(f.xid_age);
	expect("wraparound 100%", &f, &t, UM_UNHEALTHY, "wraparound",
		   "transaction-ID age 2147483647 is 100.0% of the wraparound limit (limit usrmgmt.health_wraparound_crit_pct = 80%)");

	/* the rule reads wrap_pct, as collected */
	f = healthy();
	f.wrap_pct = 80.0;
	f.xid_age = 5;
	expect("wraparound read from wrap_pct", &f, &t, UM_UNHEALTHY, "wraparound",
		   "transaction-ID age 5 is 80.0% of the wraparound limit (limit usrmgmt.health_wraparound_crit_pct = 80%)");
}

static void
test_sessions(void)
{
	UmFigures	f = healthy();

	f.have_sessions = false;
	expect("online_user missing", &f, &defaults, UM_UNHEALTHY, "sessions",
		   "table usrmgmt.online_user does not exist");
}

/* The partitions of user_log (1.1; unknown figures: a 1.0 schema). */
static void
test_log_partitions(void)
{
	UmFigures	f = healthy();
	UmProblem	problems[UM_VERDICT_FIXED_CHECKS];
	int			n = -1;

	f.log_default_rows = known(3);
	f.log_future_parts = known(3);
	expect("rows in the default partition", &f, &defaults, UM_DEGRADED,
		   "log_default_partition",
		   "3 rows of usrmgmt.user_log are in its default partition (run usrmgmt.maintain(since))");
	f.log_default_rows = known(1001);
	expect("many rows in the default partition", &f, &defaults, UM_DEGRADED,
		   "log_default_partition",
		   "over 1000 rows of usrmgmt.user_log are in its default partition (run usrmgmt.maintain(since))");
	f.log_default_rows = known(0);
	f.log_future_parts = known(1);
	expect("one future partition", &f, &defaults, UM_DEGRADED,
		   "log_future_partitions",
		   "1 monthly partitions of usrmgmt.user_log after this month, fewer than 2 (run usrmgmt.maintain())");
	f.log_future_parts = known(2);
	ok(um_verdict(&f, &defaults, problems, &n) == UM_HEALTHY && n == 0,
	   "two future partitions, none in default: healthy");
	f = healthy();				/* a 1.0 schema: no partitions, nothing said */
	ok(um_verdict(&f, &defaults, problems, &n) == UM_HEALTHY && n == 0,
	   "log partition figures unknown: healthy");

	/* change_log: the same two rules, named for it */
	f.log_default_rows = known(0);
	f.log_future_parts = known(3);
	f.change_log_default_rows = known(2);
	f.change_log_future_parts = known(3);
	expect("change_log rows in its default partition", &f, &defaults, UM_DEGRADED,
		   "change_log_default_partition",
		   "2 rows of usrmgmt.change_log are in its default partition (run usrmgmt.maintain(since))");
	f.change_log_default_rows = known(0);
	f.change_log_future_parts = known(0);
	expect("no future change_log partition", &f, &defaults, UM_DEGRADED,
		   "change_log_future_partitions",
		   "0 monthly partitions of usrmgmt.change_log after this month, fewer than 2 (run usrmgmt.maintain())");
	f.change_log_future_parts = known(2);
	ok(um_verdict(&f, &defaults, problems, &n) == UM_HEALTHY && n == 0,
	   "both logs with two future partitions, none in default: healthy");
}

/*
 * One row of validate_schema() for each drift kind and object type: its
 * severity in health(), and validate_schema()'s problem text.  health()'s
 * message is "<type> <name>: <problem>".
 */
typedef struct DriftCase
{
	UmDrift		row;
	UmSeverity	severity;
	const char *problem;
} DriftCase;

static const DriftCase drift_cases[] = {
	/* missing: unhealthy for a table, column or trigger, else degraded */
	{{"table", "user", UM_DRIFT_MISSING, "table"}, UM_UNHEALTHY, "missing: table"},
	{{"column", "user.email", UM_DRIFT_MISSING, "text NOT NULL"}, UM_UNHEALTHY, "missing: text NOT NULL"},
	{{"trigger", "user.user_set_updated_at", UM_DRIFT_MISSING, "CREATE TRIGGER user_set_updated_at BEFORE UPDATE ON usrmgmt.\"user\""}, UM_UNHEALTHY, "missing: CREATE TRIGGER user_set_updated_at BEFORE UPDATE ON usrmgmt.\"user\""},
	{{"constraint", "user.user_email_format", UM_DRIFT_MISSING, "CHECK (usrmgmt.is_valid_email(email))"}, UM_DEGRADED, "missing: CHECK (usrmgmt.is_valid_email(email))"},
	{{"index", "user.user_username_key", UM_DRIFT_MISSING, "CREATE UNIQUE INDEX user_username_key ON usrmgmt.\"user\" USING btree (username)"}, UM_DEGRADED, "missing: CREATE UNIQUE INDEX user_username_key ON usrmgmt.\"user\" USING btree (username)"},
	{{"function", "is_valid_email(text)", UM_DRIFT_MISSING, "boolean c immutable strict"}, UM_DEGRADED, "missing: boolean c immutable strict"},
	/* altered: degraded whatever the object */
	{{"table", "user_log", UM_DRIFT_ALTERED, "expected table, found unlogged table"}, UM_DEGRADED, "altered: expected table, found unlogged table"},
	{{"column", "configuration.value", UM_DRIFT_ALTERED, "expected text, found character varying(10)"}, UM_DEGRADED, "altered: expected text, found character varying(10)"},
	{{"trigger", "user.user_set_updated_at", UM_DRIFT_ALTERED, "state replica, expected enabled"}, UM_DEGRADED, "altered: state replica, expected enabled"},
	{{"function", "login(text)", UM_DRIFT_ALTERED, "function body differs from the installed one"}, UM_DEGRADED, "altered: function body differs from the installed one"},
	/* disabled: unhealthy, a trigger or a foreign key */
	{{"trigger", "user_log.user_log_append_only", UM_DRIFT_DISABLED, "trigger does not fire"}, UM_UNHEALTHY, "disabled: trigger does not fire"},
	{{"constraint", "server.server_owner_id_fkey", UM_DRIFT_DISABLED, "the triggers that enforce this foreign key are disabled"}, UM_UNHEALTHY, "disabled: the triggers that enforce this foreign key are disabled"},
	/* not valid: degraded, a constraint or an index */
	{{"constraint", "user.user_email_format", UM_DRIFT_NOT_VALID, "existing rows were not checked (NOT VALID)"}, UM_DEGRADED, "not valid: existing rows were not checked (NOT VALID)"},
	{{"index", "user.user_username_key", UM_DRIFT_NOT_VALID, "index is marked invalid and is not used"}, UM_DEGRADED, "not valid: index is marked invalid and is not used"},
};

static void
test_drift(void)
{
	for (size_t i = 0; i < sizeof(drift_cases) / sizeof(drift_cases[0]); i++)
	{
		const DriftCase *c = &drift_cases[i];
		UmFigures	f = healthy();
		char		buf[512];
		char		label[256];
		char		message[512];

		snprintf(label, sizeof(label), "drift %s %s %s", c->row.type,
				 c->row.name, um_drift_kind_name(c->row.kind));
		um_drift_problem(buf, sizeof(buf), &c->row);
		ok(strcmp(buf, c->problem) == 0, label);
		if (strcmp(buf, c->problem) != 0)
			printf("     problem \"%s\", expected \"%s\"\n", buf, c->problem);
		ok(um_drift_severity(&c->row) == c->severity, label);

		f.drift = &c->row;
		f.ndrift = 1;
		snprintf(message, sizeof(message), "%s %s: %s", c->row.type,
				 c->row.name, c->problem);
		expect(label, &f, &defaults, c->severity, "schema", message);
	}
}

/* Everything at once: order of the problems, count, worst status. */
static void
test_all(void)
{
	static const UmDrift drift[] = {
		{"index", "user.user_username_key", UM_DRIFT_NOT_VALID, "index is marked invalid and is not used"},
		{"table", "server", UM_DRIFT_MISSING, "table"},
	};
	static const UmCheck order[] = {
		UM_CHECK_SCHEMA, UM_CHECK_SCHEMA, UM_CHECK_CONNECTIONS,
		UM_CHECK_TRANSACTION_AGE, UM_CHECK_IDLE_IN_TRANSACTION,
		UM_CHECK_WRAPAROUND, UM_CHECK_QUERY_TIME, UM_CHECK_REPLICATION_LAG,
		UM_CHECK_SESSIONS, UM_CHECK_LOG_DEFAULT, UM_CHECK_LOG_FUTURE,
		UM_CHECK_CHANGE_LOG_DEFAULT, UM_CHECK_CHANGE_LOG_FUTURE,
	};
	static const UmSeverity severity[] = {
		UM_DEGRADED, UM_UNHEALTHY, UM_DEGRADED, UM_DEGRADED, UM_DEGRADED,
		UM_DEGRADED, UM_DEGRADED, UM_DEGRADED, UM_UNHEALTHY, UM_DEGRADED,
		UM_DEGRADED, UM_DEGRADED, UM_DEGRADED,
	};
	UmFigures	f = healthy();
	UmProblem	problems[2 + UM_VERDICT_FIXED_CHECKS];
	int			n = -1;
	int			i;
	int			same = 1;
	UmSeverity	status;

	f.drift = drift;
	f.ndrift = 2;
	f.conn_total = 90;
	f.oldest_xact_s = known(1000);
	f.idle_xact_s = known(1000);
	f.wrap_pct = 60;
	f.query_ms = 5000;
	f.lag_s = known(1000);
	f.have_sessions = false;
	f.log_default_rows = known(5);
	f.log_future_parts = known(0);
	f.change_log_default_rows = known(5);
	f.change_log_future_parts = known(0);
	status = um_verdict(&f, &defaults, problems, &n);
	ok(status == UM_UNHEALTHY, "all rules: unhealthy");
	ok(n == 2 + UM_VERDICT_FIXED_CHECKS, "all rules: one problem each");
	for (i = 0; i < n && i < 2 + UM_VERDICT_FIXED_CHECKS; i++)
		if (problems[i].check != order[i] || problems[i].severity != severity[i])
			same = 0;
	ok(same, "all rules: in output order with their severities");
	ok(problems[0].drift == &drift[0] && problems[1].drift == &drift[1] &&
	   problems[2].drift == NULL, "all rules: schema problems point at their rows");
	ok(problems[0].setting == NULL && problems[8].setting == NULL,
	   "all rules: schema and sessions cross no setting");
	ok(strcmp(problems[2].setting, "usrmgmt.health_connections_warn_pct") == 0 &&
	   problems[2].limit == 80 && problems[2].figure == 90.0,
	   "all rules: connections names its setting, limit and figure");
	ok(strcmp(problems[6].setting, "usrmgmt.health_query_ms") == 0 &&
	   problems[6].limit == 1000 && problems[6].figure == 5000.0,
	   "all rules: query_time names its setting, limit and figure");

	/* only degraded problems: degraded */
	f = healthy();
	f.drift = drift;
	f.ndrift = 1;
	f.query_ms = 5000;
	ok(um_verdict(&f, &defaults, problems, &n) == UM_DEGRADED && n == 2,
	   "degraded problems only: degraded");

	/* nothing: healthy, no problem */
	f = healthy();
	n = -1;
	ok(um_verdict(&f, &defaults, problems, &n) == UM_HEALTHY && n == 0,
	   "no problem: healthy");
}

/* Names printed by health() and the snprintf contract of the renderers. */
static void
test_names(void)
{
	static const char *const checks[] = {
		"schema", "connections", "transaction_age", "idle_in_transaction",
		"wraparound", "query_time", "replication_lag", "sessions",
		"log_default_partition", "log_future_partitions",
		"change_log_default_partition", "change_log_future_partitions",
	};
	UmDrift		d = {"index", "user.user_username_key", UM_DRIFT_NOT_VALID,
	"index is marked invalid and is not used"};
	UmProblem	p = {.severity = UM_DEGRADED, .check = UM_CHECK_SCHEMA, .drift = &d};
	UmFigures	f = healthy();
	char		small[8];
	int			i;
	int			len;

	ok(strcmp(um_severity_name(UM_HEALTHY), "healthy") == 0 &&
	   strcmp(um_severity_name(UM_DEGRADED), "degraded") == 0 &&
	   strcmp(um_severity_name(UM_UNHEALTHY), "unhealthy") == 0,
	   "severity names");
	for (i = 0; i <= (int) UM_CHECK_CHANGE_LOG_FUTURE; i++)
		ok(strcmp(um_check_name((UmCheck) i), checks[i]) == 0, checks[i]);
	ok(strcmp(um_drift_kind_name(UM_DRIFT_MISSING), "missing") == 0 &&
	   strcmp(um_drift_kind_name(UM_DRIFT_ALTERED), "altered") == 0 &&
	   strcmp(um_drift_kind_name(UM_DRIFT_DISABLED), "disabled") == 0 &&
	   strcmp(um_drift_kind_name(UM_DRIFT_NOT_VALID), "not valid") == 0,
	   "drift kind names");

	len = um_problem_message(small, sizeof(small), &p, &f);
	ok(len == (int) strlen("index user.user_username_key: not valid: index is marked invalid and is not used") &&
	   strcmp(small, "index u") == 0, "message truncated as snprintf");
	len = um_drift_problem(NULL, 0, &d);
	ok(len == (int) strlen("not valid: index is marked invalid and is not used"),
	   "problem length with no buffer");
}

int
main(void)
{
	test_connections();
	test_log_partitions();
	test_times();
	test_wraparound();
	test_sessions();
	test_drift();
	test_all();
	test_names();
	printf("test_health_verdict: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
