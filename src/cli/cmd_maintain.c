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
 * the default partition, for user_log, then the same for change_log.  --json prints the report as the server returns
 * it.  Exit 0 when the report's "ok" is true, 1 when not (rows in the
 * default partition, fewer than two future partitions, or an expired
 * partition skipped), 3 on error (maintain() failed: nothing changed).
 *
 * src/cli/cmd_maintain.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>

#include "um.h"

/*
 * The report as lines "name: value" in a fixed order: user_log's items,
 * then change_log's ("change_log created: ..."; a name is the path of the
 * item in the report, words separated by a space).
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
"                              'change_log future', 'change_log in_default']) WITH ORDINALITY AS u(k, n),"
"      LATERAL (SELECT x.r #> pg_catalog.string_to_array(u.k, ' ') AS v) w"
" ORDER BY u.n";

static void
maintain_header(struct um_run *r, int ok, int nlines)
{
	(void) nlines;
	printf("maintain: %s in database \"%s\"\n",
		   ok ? "OK" : "needs attention", PQdb(r->conn));
}

int
cmd_maintain(struct um_run *r)
{
	const char *params[1];

	if (um_open(r) != UM_OPEN_OK)
		return UM_ERROR;
	params[0] = r->o->arg;		/* NULL: maintain(NULL), this month */
	return um_report(r, "SELECT m::text, COALESCE((m ->> 'ok')::boolean, false)"
					 " FROM usrmgmt.maintain($1::timestamptz) m", 1, params,
					 maintain_lines_sql, maintain_header);
}
