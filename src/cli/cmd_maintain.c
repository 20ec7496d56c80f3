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
 * the default partition.  --json prints the report as the server returns
 * it.  Exit 0 when the report's "ok" is true, 1 when not (rows in the
 * default partition, fewer than two future partitions, or an expired
 * partition skipped), 3 on error (maintain() failed: nothing changed).
 *
 * src/cli/cmd_maintain.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "um.h"

/* The report as lines "name: value" in a fixed order. */
static const char maintain_lines_sql[] =
"SELECT k, CASE WHEN pg_catalog.jsonb_typeof(r -> k) = 'array'"
"              THEN COALESCE(NULLIF((SELECT pg_catalog.string_agg(e, ', ')"
"                                      FROM pg_catalog.jsonb_array_elements_text(r -> k) e), ''), '-')"
"              ELSE COALESCE(r ->> k, '-') END"
" FROM (SELECT $1::jsonb AS r) x,"
"      pg_catalog.unnest(ARRAY['created', 'moved', 'dropped', 'emptied', 'skipped',"
"                              'rows_dropped', 'retention', 'future', 'in_default']) WITH ORDINALITY AS u(k, n)"
" ORDER BY n";

int
cmd_maintain(struct um_run *r)
{
	PGresult   *res;
	PGresult   *lines;
	const char *params[1];
	int			ok;

	if (um_open(r) != UM_OPEN_OK)
		return UM_ERROR;
	params[0] = r->o->arg;		/* NULL: maintain(NULL), this month */
	res = um_query(r->conn, r->o, r->cmd,
				   "SELECT m::text, COALESCE((m ->> 'ok')::boolean, false)"
				   " FROM usrmgmt.maintain($1::timestamptz) m", 1, params);
	if (res == NULL)
		return UM_ERROR;
	ok = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	if (r->o->json)
		printf("%s\n", PQgetvalue(res, 0, 0));
	else
	{
		params[0] = PQgetvalue(res, 0, 0);
		lines = um_query(r->conn, r->o, r->cmd, maintain_lines_sql, 1, params);
		if (lines == NULL)
		{
			PQclear(res);
			return UM_ERROR;
		}
		printf("maintain: %s in database \"%s\"\n",
			   ok ? "OK" : "needs attention", PQdb(r->conn));
		for (int i = 0; i < PQntuples(lines); i++)
			printf("  %s: %s\n", PQgetvalue(lines, i, 0), PQgetvalue(lines, i, 1));
		PQclear(lines);
	}
	PQclear(res);
	return ok ? UM_EXIT_OK : 1;
}
