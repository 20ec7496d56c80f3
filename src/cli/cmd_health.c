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
 * server_status).
 *
 * Exit status (Nagios plugin convention): 0 healthy (OK), 1 degraded
 * (WARNING), 2 unhealthy (CRITICAL), 3 error (UNKNOWN: cannot connect,
 * extension missing, query failed).
 *
 * Text form: one status line "USRMGMT OK - ...|perfdata", then the
 * problems, then every figure as "key: value" lines.
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

/*
 * $1 connect_ms, $2 roundtrip_ms, $3 client rank (0-2), $4 and $5 client
 * problems (NULL when none).  Returns the merged object, its status rank,
 * the problems one per line and the figures for the perfdata.
 */
static const char health_sql[] =
"WITH h AS (SELECT usrmgmt.health() AS h),"
" r AS (SELECT h.h, CASE h.h ->> 'status' WHEN 'healthy' THEN 0 WHEN 'degraded' THEN 1"
"                  WHEN 'unhealthy' THEN 2 ELSE 3 END AS srank FROM h),"
" m AS (SELECT r.h OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object("
"   'status', (ARRAY['healthy', 'degraded', 'unhealthy', 'unknown'])"
"             [GREATEST(r.srank, $3::int) + 1],"
"   'server_status', r.h -> 'status',"
"   'connect_ms', pg_catalog.round($1::numeric, 3),"
"   'roundtrip_ms', pg_catalog.round($2::numeric, 3),"
"   'problems', (CASE WHEN pg_catalog.jsonb_typeof(r.h -> 'problems') = 'array'"
"                     THEN r.h -> 'problems' ELSE '[]'::jsonb END)"
"               OPERATOR(pg_catalog.||)"
"               (SELECT COALESCE(pg_catalog.jsonb_agg(p), '[]'::jsonb)"
"                FROM pg_catalog.unnest(ARRAY[$4::text, $5::text]) p"
"                WHERE p IS NOT NULL)) AS m,"
"   GREATEST(r.srank, $3::int) AS rank"
"  FROM r)"
" SELECT m.m::text, m.rank,"
"  (SELECT pg_catalog.string_agg(p.value #>> '{}', E'\\n')"
"   FROM pg_catalog.jsonb_array_elements(m.m -> 'problems') p),"
"  m.m ->> 'query_ms', m.m ->> 'database_size_bytes',"
"  m.m #>> '{connections,total}', m.m #>> '{connections,max}',"
"  m.m ->> 'sessions_online'"
" FROM m";

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
 * A client figure held against its thresholds: 0 within them, 1 above the
 * warning one, 2 above the critical one, with the problem's text in buf.
 */
static int
client_check(const char *what, double ms, double warn, double crit,
			 char *buf, size_t len)
{
	int			rank = ms > crit ? 2 : ms > warn ? 1 : 0;

	if (rank > 0)
		snprintf(buf, len, "%s %.3f ms above the %s threshold %g ms", what, ms,
				 rank == 2 ? "critical" : "warning", rank == 2 ? crit : warn);
	return rank;
}

static void
unknown_line(const struct um_options *o, const char *msg)
{
	if (!o->json)
		printf("USRMGMT UNKNOWN - %s\n", msg);
}

int
cmd_health(struct um_run *r)
{
	const struct um_options *o = r->o;
	char		cbuf[32],
				rbuf[32],
				rankbuf[8];
	char		p1[200],
				p2[200];
	const char *params[5];
	double		t0,
				connect_ms,
				roundtrip_ms;
	int			crank,
				r1,
				r2;
	int			rank;
	int			opened;
	PGresult   *res;

	opened = um_open(r);
	if (opened == UM_OPEN_NO_SERVER)
	{
		char		line[1100];

		snprintf(line, sizeof(line), "cannot connect: %s", r->connect_error);
		unknown_line(o, line);
		return UM_ERROR;
	}
	if (opened != UM_OPEN_OK)
	{
		unknown_line(o, "extension usrmgmt is not installed");
		return UM_ERROR;
	}
	connect_ms = r->connect_ms;

	t0 = um_now_ms();
	res = um_query(r->conn, o, r->cmd, "SELECT 1", 0, NULL);
	roundtrip_ms = um_now_ms() - t0;
	if (res == NULL)
	{
		unknown_line(o, "query failed");
		return UM_ERROR;
	}
	PQclear(res);

	/* client-side thresholds */
	r1 = client_check("connection time", connect_ms, o->warn_connect_ms,
					  o->crit_connect_ms, p1, sizeof(p1));
	r2 = client_check("query round trip", roundtrip_ms, o->warn_roundtrip_ms,
					  o->crit_roundtrip_ms, p2, sizeof(p2));
	params[3] = r1 ? p1 : NULL;
	params[4] = r2 ? p2 : NULL;
	crank = r1 > r2 ? r1 : r2;
	snprintf(cbuf, sizeof(cbuf), "%.6f", connect_ms);
	snprintf(rbuf, sizeof(rbuf), "%.6f", roundtrip_ms);
	snprintf(rankbuf, sizeof(rankbuf), "%d", crank);
	params[0] = cbuf;
	params[1] = rbuf;
	params[2] = rankbuf;

	res = um_query(r->conn, o, r->cmd, health_sql, 5, params);
	if (res == NULL)
	{
		unknown_line(o, "usrmgmt.health() failed");
		return UM_ERROR;
	}
	{
		char	   *end;
		long		v = strtol(PQgetvalue(res, 0, 1), &end, 10);

		rank = (*end == '\0' && v >= 0 && v <= 3) ? (int) v : 3;
	}

	if (o->json)
		printf("%s\n", PQgetvalue(res, 0, 0));
	else
	{
		const char *problems = PQgetvalue(res, 0, 2);
		const char *query_ms = PQgetvalue(res, 0, 3);
		const char *size = PQgetvalue(res, 0, 4);
		const char *conns = PQgetvalue(res, 0, 5);
		const char *maxconns = PQgetvalue(res, 0, 6);
		const char *sessions = PQgetvalue(res, 0, 7);
		const char *nl = strchr(problems, '\n');

		printf("USRMGMT %s - database \"%s\" %s", status_word[rank], PQdb(r->conn),
			   rank == 0 ? "healthy" : rank == 1 ? "degraded" :
			   rank == 2 ? "unhealthy" : "status unknown");
		if (problems[0] != '\0')
			printf(": %.*s%s", nl ? (int) (nl - problems) : (int) strlen(problems),
				   problems, nl ? " (and more)" : "");
		printf(", connect %.1f ms, round trip %.1f ms", connect_ms, roundtrip_ms);
		printf("|connect_ms=%.3fms;%g;%g;0 roundtrip_ms=%.3fms;%g;%g;0",
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
		if (problems[0] != '\0')
		{
			printf("problems:\n");
			for (const char *p = problems; *p;)
			{
				const char *e = strchr(p, '\n');
				int			n = e ? (int) (e - p) : (int) strlen(p);

				printf("  - %.*s\n", n, p);
				p += n + (e ? 1 : 0);
			}
		}
		printf("details:\n");
		if (um_print_flat_json(r, PQgetvalue(res, 0, 0), "  ") < 0)
			rank = UM_ERROR;
	}
	PQclear(res);
	return rank;
}
