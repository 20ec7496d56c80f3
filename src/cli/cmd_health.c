/*-------------------------------------------------------------------------
 *
 * cmd_health.c
 *		usrmgmt command-line tool: health, a monitoring check.
 *
 * Measures on the client the time to connect and the round trip of a
 * trivial query, holds them against the --warn/--crit thresholds, calls
 * usrmgmt.health() and merges both: the worse status wins, client
 * problems are added to the server's list, connect_ms and roundtrip_ms
 * are added to the object (the server's own verdict stays in
 * server_status).  Every problem, the server's and the client's, is a
 * {severity, check, message} object.
 *
 * Exit status (Nagios plugin convention, the command table's monitor
 * rule): 0 healthy (OK), 1 degraded (WARNING), 2 unhealthy (CRITICAL),
 * 3 error (UNKNOWN; main() prints its status line, see
 * um_print_unknown()).
 *
 * Text form (see "health" in doc/usrmgmt.md): a status line of at most
 * UM_STATUS_MAX characters before the "|" and its performance data, then
 * the problems, then every figure as "key: value" lines.  Text that comes
 * from the server (catalog definitions, names) goes through
 * um_plugin_text(), so no "|" of it can start the performance data.
 *
 * src/cli/cmd_health.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "um.h"

static const char *const status_word[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
static const char *const state_word[] = {"healthy", "degraded", "unhealthy", "status unknown"};

/*
 * $1 connect_ms, $2 roundtrip_ms, $3 client rank (0-2), then for each
 * client check ($4-$5 connect_time, $6-$7 roundtrip_time) its severity and
 * message, NULL when within the thresholds.  Returns the merged object,
 * its status rank and the figures for the performance data.  A server
 * problem that is not an object (none is today) becomes one, with check
 * "server" and the server's status as severity.
 */
static const char health_sql[] =
"WITH h AS (SELECT usrmgmt.health() AS h),"
" r AS (SELECT h.h, CASE h.h ->> 'status' WHEN 'healthy' THEN 0 WHEN 'degraded' THEN 1"
"                  WHEN 'unhealthy' THEN 2 ELSE 3 END AS srank FROM h),"
" sp AS (SELECT COALESCE(pg_catalog.jsonb_agg("
"          CASE WHEN pg_catalog.jsonb_typeof(p.value) = 'object'"
"               THEN pg_catalog.jsonb_build_object('severity', r.h -> 'status',"
"                      'check', 'server', 'message', '')"
"                    OPERATOR(pg_catalog.||) p.value"
"               ELSE pg_catalog.jsonb_build_object('severity', r.h -> 'status',"
"                      'check', 'server', 'message', p.value #>> '{}') END"
"          ORDER BY p.i), '[]'::jsonb) AS p"
"        FROM r, pg_catalog.jsonb_array_elements("
"          CASE WHEN pg_catalog.jsonb_typeof(r.h -> 'problems') = 'array'"
"               THEN r.h -> 'problems' ELSE '[]'::jsonb END)"
"          WITH ORDINALITY p(value, i)),"
" cp AS (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object("
"          'severity', c.severity, 'check', c.check_name, 'message', c.message)"
"          ORDER BY c.i), '[]'::jsonb) AS p"
"        FROM (VALUES (1, $4::text, 'connect_time', $5::text),"
"                     (2, $6::text, 'roundtrip_time', $7::text))"
"             c(i, severity, check_name, message)"
"        WHERE c.message IS NOT NULL),"
" m AS (SELECT r.h OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object("
"   'status', (ARRAY['healthy', 'degraded', 'unhealthy', 'unknown'])"
"             [GREATEST(r.srank, $3::int) + 1],"
"   'server_status', r.h -> 'status',"
"   'connect_ms', pg_catalog.round($1::numeric, 3),"
"   'roundtrip_ms', pg_catalog.round($2::numeric, 3),"
"   'problems', sp.p OPERATOR(pg_catalog.||) cp.p) AS m,"
"   GREATEST(r.srank, $3::int) AS rank"
"  FROM r, sp, cp)"
" SELECT m.m::text, m.rank,"
"  m.m ->> 'query_ms', m.m ->> 'database_size_bytes',"
"  m.m #>> '{connections,total}', m.m #>> '{connections,max}',"
"  m.m ->> 'sessions_online'"
" FROM m";

/* The problems of the merged object, one row each, in order. */
static const char problems_sql[] =
"SELECT p.value ->> 'severity', p.value ->> 'check', p.value ->> 'message'"
" FROM pg_catalog.jsonb_array_elements($1::jsonb -> 'problems')"
"      WITH ORDINALITY p(value, i)"
" ORDER BY p.i";

/* A client check held against its thresholds. */
struct client_check
{
	const char *check;			/* its name in problems */
	const char *what;			/* its name in the message */
	double		ms;
	double		warn;
	double		crit;
	int			rank;			/* 0 within, 1 above warn, 2 above crit */
	char		message[160];
};

static void
client_check(struct client_check *c)
{
	c->rank = c->ms > c->crit ? 2 : c->ms > c->warn ? 1 : 0;
	if (c->rank > 0)
		snprintf(c->message, sizeof(c->message),
				 "%s %.3f ms above the %s threshold %g ms", c->what, c->ms,
				 c->rank == 2 ? "critical" : "warning",
				 c->rank == 2 ? c->crit : c->warn);
}

static int
numeric_text(const char *s)
{
	char	   *end;

	if (s == NULL || *s == '\0')
		return 0;
	(void) strtod(s, &end);
	return *end == '\0';
}

/*
 * The status text (before the performance data): the first of these that
 * fits in UM_STATUS_MAX characters, with the database named, then
 * without; when the list of checks is still too long it is cut with
 * "...".
 *   USRMGMT OK - database "db" healthy, connect 2.9 ms, round trip 0.4 ms
 *   USRMGMT WARNING - database "db" degraded, 2 problems: schema, connect_time
 */
static void
status_text(char *buf, size_t len, int rank, const char *db,
			double connect_ms, double roundtrip_ms,
			int nproblems, const char *checks)
{
	char		what[UM_STATUS_MAX + 1];
	char		dbpart[UM_STATUS_MAX + 1];

	if (nproblems == 0)
		snprintf(what, sizeof(what), "%s, connect %.1f ms, round trip %.1f ms",
				 state_word[rank], connect_ms, roundtrip_ms);
	else
		snprintf(what, sizeof(what), "%s, %d problem%s: %s", state_word[rank],
				 nproblems, nproblems == 1 ? "" : "s", checks);
	snprintf(dbpart, sizeof(dbpart), "database \"%s\" ", db);
	um_plugin_text(dbpart);
	snprintf(buf, len, "USRMGMT %s - %s%s", status_word[rank], dbpart, what);
	if (strlen(buf) > UM_STATUS_MAX)
		snprintf(buf, len, "USRMGMT %s - %s", status_word[rank], what);
	if (strlen(buf) > UM_STATUS_MAX)
		snprintf(buf + UM_STATUS_MAX - 3, len - (UM_STATUS_MAX - 3), "...");
}

/* Problems, status line, problem list and details: the text form. */
static int
print_text(struct um_run *r, PGresult *res, int rank,
		   double connect_ms, double roundtrip_ms)
{
	const struct um_options *o = r->o;
	const char *params[1] = {PQgetvalue(res, 0, 0)};
	const char *query_ms = PQgetvalue(res, 0, 2);
	const char *size = PQgetvalue(res, 0, 3);
	const char *conns = PQgetvalue(res, 0, 4);
	const char *maxconns = PQgetvalue(res, 0, 5);
	const char *sessions = PQgetvalue(res, 0, 6);
	char		checks[UM_STATUS_MAX + 1] = "";
	char		line[UM_STATUS_MAX * 3];
	PGresult   *probs;
	int			n;

	probs = um_query(r->conn, o, r->cmd, problems_sql, 1, params);
	if (probs == NULL)
		return UM_ERROR;
	n = PQntuples(probs);

	/* the checks named once each, in the order of the problems */
	for (int i = 0; i < n; i++)
	{
		const char *check = PQgetvalue(probs, i, 1);
		int			seen = 0;

		for (int j = 0; j < i && !seen; j++)
			seen = strcmp(PQgetvalue(probs, j, 1), check) == 0;
		if (!seen)
			snprintf(checks + strlen(checks), sizeof(checks) - strlen(checks),
					 "%s%s", checks[0] ? ", " : "", check);
	}
	um_plugin_text(checks);

	status_text(line, sizeof(line), rank, PQdb(r->conn), connect_ms, roundtrip_ms,
				n, checks);
	printf("%s|connect_ms=%.3fms;%g;%g;0 roundtrip_ms=%.3fms;%g;%g;0", line,
		   connect_ms, o->warn_connect_ms, o->crit_connect_ms,
		   roundtrip_ms, o->warn_roundtrip_ms, o->crit_roundtrip_ms);
	if (numeric_text(query_ms))
		printf(" query_ms=%sms", query_ms);
	if (numeric_text(size))
		printf(" database_size=%sB", size);
	if (numeric_text(conns))
		printf(" connections=%s;;;0;%s", conns, numeric_text(maxconns) ? maxconns : "");
	if (numeric_text(sessions))
		printf(" sessions_online=%s", sessions);
	printf("\n");

	if (n > 0)
	{
		printf("problems:\n");
		for (int i = 0; i < n; i++)
			printf("  - %s %s: %s\n", um_plugin_text(PQgetvalue(probs, i, 0)),
				   um_plugin_text(PQgetvalue(probs, i, 1)),
				   um_plugin_text(PQgetvalue(probs, i, 2)));
	}
	PQclear(probs);
	printf("details:\n");
	if (um_print_flat_json(r, PQgetvalue(res, 0, 0), "  ", 1) < 0)
		return UM_ERROR;
	return rank;
}

int
cmd_health(struct um_run *r)
{
	const struct um_options *o = r->o;
	struct client_check cc[2];
	char		cbuf[32],
				rbuf[32],
				rankbuf[16];
	const char *params[7];
	double		t0,
				roundtrip_ms;
	int			crank;
	int			rank;
	PGresult   *res;

	if (um_open(r) != UM_OPEN_OK)
		return UM_ERROR;

	t0 = um_now_ms();
	res = um_query(r->conn, o, r->cmd, "SELECT 1", 0, NULL);
	roundtrip_ms = um_now_ms() - t0;
	if (res == NULL)
		return UM_ERROR;
	PQclear(res);

	/* client-side thresholds */
	cc[0] = (struct client_check) {"connect_time", "connection time", r->connect_ms,
	o->warn_connect_ms, o->crit_connect_ms, 0, ""};
	cc[1] = (struct client_check) {"roundtrip_time", "query round trip", roundtrip_ms,
	o->warn_roundtrip_ms, o->crit_roundtrip_ms, 0, ""};
	crank = 0;
	for (int i = 0; i < 2; i++)
	{
		client_check(&cc[i]);
		params[3 + 2 * i] = cc[i].rank ? state_word[cc[i].rank] : NULL;
		params[4 + 2 * i] = cc[i].rank ? cc[i].message : NULL;
		if (cc[i].rank > crank)
			crank = cc[i].rank;
	}
	snprintf(cbuf, sizeof(cbuf), "%.6f", r->connect_ms);
	snprintf(rbuf, sizeof(rbuf), "%.6f", roundtrip_ms);
	snprintf(rankbuf, sizeof(rankbuf), "%d", crank);
	params[0] = cbuf;
	params[1] = rbuf;
	params[2] = rankbuf;

	res = um_query(r->conn, o, r->cmd, health_sql, 7, params);
	if (res == NULL)
		return UM_ERROR;
	{
		char	   *end;
		long		v = strtol(PQgetvalue(res, 0, 1), &end, 10);

		rank = (*end == '\0' && v >= 0 && v <= 3) ? (int) v : 3;
	}

	if (o->json)
		printf("%s\n", PQgetvalue(res, 0, 0));
	else
		rank = print_text(r, res, rank, r->connect_ms, roundtrip_ms);
	PQclear(res);
	return rank;
}
