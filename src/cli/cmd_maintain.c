/*-------------------------------------------------------------------------
 *
 * cmd_maintain.c
 *		usrmgmt command-line tool: maintain, the job cron runs (doc:
 *		Retention and partitions).
 *
 * Calls usrmgmt.maintain(SINCE) (SINCE: the optional argument, a
 * timestamp the server reads; without it this month) and prints its
 * report: the partitions created, dropped and emptied, the rows moved out
 * of the default partition, the future partitions and the rows still in
 * the default partition, for user_log, then the same for change_log, then
 * the retired months freed.  When that run retired a month (its
 * "dropped", of either log, not empty), a second usrmgmt.maintain(), in a
 * transaction of its own, frees the month's storage: the report printed
 * is the first run's with the second's "freed" (a second run that fails:
 * its error on stderr, the first run's report as it is, and the months
 * wait for the next run).  --json prints that report.  Exit 0 when the
 * report's "ok" is true, 1 when not (rows in the default partition, fewer
 * than two future partitions, or an expired partition skipped), 3 on
 * error (the first maintain() failed: nothing changed).
 *
 * src/cli/cmd_maintain.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "um.h"

/*
 * The report as lines "name: value" in a fixed order: user_log's items,
 * then change_log's ("change_log created: ..."; a name is the path of the
 * item in the report, words separated by a space), then "freed".
 */
static const char maintain_lines_sql[] =
"SELECT u.k, CASE WHEN pg_catalog.jsonb_typeof(w.v) = 'array'"
"              THEN COALESCE(NULLIF((SELECT pg_catalog.string_agg(e, ', ')"
"                                      FROM pg_catalog.jsonb_array_elements_text(w.v) e), ''), '-')"
"              ELSE COALESCE(w.v #>> '{}', '-') END"
" FROM (SELECT $1::jsonb AS r) x,"
"      pg_catalog.unnest(ARRAY['created', 'moved', 'dropped', 'emptied', 'skipped',"
"                              'rows_dropped', 'retention', 'future', 'in_default',"
"                              'change_log created', 'change_log moved', 'change_log dropped',"
"                              'change_log skipped', 'change_log rows_dropped', 'change_log retention',"
"                              'change_log future', 'change_log in_default', 'freed']) WITH ORDINALITY AS u(k, n),"
"      LATERAL (SELECT x.r #> pg_catalog.string_to_array(u.k, ' ') AS v) w"
" ORDER BY u.n";

static void
maintain_header(struct um_run *r, int ok, int nlines)
{
	(void) nlines;
	printf("maintain: %s in database \"%s\"\n",
		   ok ? "OK" : "needs attention", PQdb(r->conn));
}

/*
 * The first run: its report, and whether it retired a month.  NULL after
 * an error (printed).
 */
static PGresult *
maintain_first(struct um_run *r, int *retired)
{
	const char *params[1];
	PGresult   *res;

	params[0] = r->o->arg;		/* NULL: maintain(NULL), this month */
	res = um_query(r->conn, r->o, r->cmd,
				   "SELECT m::pg_catalog.text,"
				   "       m OPERATOR(pg_catalog.->) 'dropped' OPERATOR(pg_catalog.<>) '[]'"
				   "    OR m OPERATOR(pg_catalog.#>) '{change_log,dropped}' OPERATOR(pg_catalog.<>) '[]'"
				   "  FROM usrmgmt.maintain($1::timestamptz) m", 1, params);
	*retired = res != NULL && strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	return res;
}

int
cmd_maintain(struct um_run *r)
{
	const char *params[2];
	PGresult   *first;
	PGresult   *second = NULL;
	int			retired;
	int			rc;

	if (um_open(r) != UM_OPEN_OK)
		return UM_ERROR;
	first = maintain_first(r, &retired);
	if (first == NULL)
		return UM_ERROR;
	/* without SINCE: a SINCE older than the retention would retire again */
	if (retired)
		second = um_query(r->conn, r->o, r->cmd,
						  "SELECT m::pg_catalog.text FROM usrmgmt.maintain() m", 0, NULL);
	params[0] = PQgetvalue(first, 0, 0);
	params[1] = second != NULL ? PQgetvalue(second, 0, 0) : NULL;
	rc = um_report(r, "SELECT m::text, COALESCE((m ->> 'ok')::boolean, false)"
				   " FROM (SELECT CASE WHEN $2::jsonb IS NULL THEN $1::jsonb"
				   "               ELSE $1::jsonb OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object("
				   "                        'freed', $2::jsonb OPERATOR(pg_catalog.->) 'freed') END) x(m)",
				   2, params, maintain_lines_sql, maintain_header);
	PQclear(second);
	PQclear(first);
	return rc;
}
