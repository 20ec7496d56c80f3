/*-------------------------------------------------------------------------
 *
 * cmd_status.c
 *		usrmgmt command-line tool: status, verify, stats.
 *
 * Each prints what the server function returns: usrmgmt.status(),
 * usrmgmt.verify(), usrmgmt.database_stats().  --json prints the server's
 * JSON as it is.
 *
 * src/cli/cmd_status.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "um.h"

int
cmd_status(struct um_run *r)
{
	PGresult   *res;
	int			rc = UM_EXIT_OK;

	if (um_open(r) != UM_OPEN_OK)
		return UM_ERROR;
	res = um_query(r->conn, r->o, r->cmd, "SELECT usrmgmt.status()::text", 0, NULL);
	if (res == NULL)
		return UM_ERROR;
	if (r->o->json)
		printf("%s\n", PQgetvalue(res, 0, 0));
	else
	{
		printf("usrmgmt status of database \"%s\"\n", PQdb(r->conn));
		if (um_print_flat_json(r, PQgetvalue(res, 0, 0), "  ", 0) < 0)
			rc = UM_ERROR;
	}
	PQclear(res);
	return rc;
}

/* One line per problem of a verify() document. */
static const char verify_lines_sql[] =
"SELECT 'schema', pg_catalog.concat_ws(' ', e.value ->> 'object_type',"
"                                       e.value ->> 'object_name')"
"       || ': ' || COALESCE(e.value ->> 'problem', e.value::text)"
" FROM pg_catalog.jsonb_array_elements("
"        CASE WHEN pg_catalog.jsonb_typeof($1::jsonb -> 'schema') = 'array'"
"             THEN $1::jsonb -> 'schema' ELSE '[]'::jsonb END) e"
" UNION ALL "
"SELECT 'data', pg_catalog.concat_ws(' ', e.value ->> 'category',"
"                                     e.value ->> 'table_name',"
"                                     'id ' || (e.value ->> 'row_id'))"
"       || ': ' || COALESCE(e.value ->> 'detail', e.value::text)"
" FROM pg_catalog.jsonb_array_elements("
"        CASE WHEN pg_catalog.jsonb_typeof($1::jsonb -> 'data') = 'array'"
"             THEN $1::jsonb -> 'data' ELSE '[]'::jsonb END) e";

static void
verify_header(struct um_run *r, int ok, int nlines)
{
	if (ok)
		printf("verify: OK: schema and data of database \"%s\" as usrmgmt expects\n",
			   PQdb(r->conn));
	else
		printf("verify: %d problem%s in database \"%s\"\n", nlines,
			   nlines == 1 ? "" : "s", PQdb(r->conn));
}

int
cmd_verify(struct um_run *r)
{
	if (um_open(r) != UM_OPEN_OK)
		return UM_ERROR;
	return um_report(r, "SELECT v::text, COALESCE((v ->> 'ok')::boolean, false)"
					 " FROM usrmgmt.verify() v", 0, NULL, verify_lines_sql,
					 verify_header);
}

int
cmd_stats(struct um_run *r)
{
	const char *params[1] = {r->o->exact ? "true" : "false"};

	if (um_open(r) != UM_OPEN_OK)
		return UM_ERROR;
	return um_show(r,
				   "SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(s)),"
				   " '[]'::jsonb)::text FROM usrmgmt.database_stats($1::boolean) s",
				   "SELECT * FROM usrmgmt.database_stats($1::boolean)",
				   1, params);
}
