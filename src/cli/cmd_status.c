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
cmd_status(const struct um_options *o)
{
	const char *cmd = "status";
	PGconn	   *conn;
	PGresult   *res;
	int			rc = UM_EXIT_FAIL;

	if ((conn = um_connect_usrmgmt(o, cmd)) == NULL)
		return UM_EXIT_FAIL;
	res = um_query(conn, o, cmd, "SELECT usrmgmt.status()::text", 0, NULL);
	if (res == NULL)
		goto done;
	if (o->json)
		printf("%s\n", PQgetvalue(res, 0, 0));
	else
	{
		printf("usrmgmt status of database \"%s\"\n", PQdb(conn));
		if (um_print_flat_json(conn, o, cmd, PQgetvalue(res, 0, 0), "  ") < 0)
		{
			PQclear(res);
			goto done;
		}
	}
	PQclear(res);
	rc = UM_EXIT_OK;
done:
	PQfinish(conn);
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

int
cmd_verify(const struct um_options *o)
{
	const char *cmd = "verify";
	PGconn	   *conn;
	PGresult   *res;
	PGresult   *lines;
	const char *params[1];
	int			ok;
	int			rc = UM_EXIT_UNKNOWN;

	if ((conn = um_connect(o, cmd)) == NULL)
		return UM_EXIT_UNKNOWN;
	if (um_require_extension(conn, o, cmd, NULL, 0) < 0)
		goto done;
	res = um_query(conn, o, cmd,
				   "SELECT v::text, COALESCE((v ->> 'ok')::boolean, false)"
				   " FROM usrmgmt.verify() v", 0, NULL);
	if (res == NULL)
		goto done;
	ok = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	if (o->json)
		printf("%s\n", PQgetvalue(res, 0, 0));
	else
	{
		params[0] = PQgetvalue(res, 0, 0);
		lines = um_query(conn, o, cmd, verify_lines_sql, 1, params);
		if (lines == NULL)
		{
			PQclear(res);
			goto done;
		}
		if (ok)
			printf("verify: OK: schema and data of database \"%s\" as usrmgmt expects\n",
				   PQdb(conn));
		else
			printf("verify: %d problem%s in database \"%s\"\n", PQntuples(lines),
				   PQntuples(lines) == 1 ? "" : "s", PQdb(conn));
		for (int r = 0; r < PQntuples(lines); r++)
			printf("  %s: %s\n", PQgetvalue(lines, r, 0), PQgetvalue(lines, r, 1));
		PQclear(lines);
	}
	PQclear(res);
	rc = ok ? UM_EXIT_OK : UM_EXIT_FAIL;
done:
	PQfinish(conn);
	return rc;
}

int
cmd_stats(const struct um_options *o)
{
	const char *cmd = "stats";
	PGconn	   *conn;
	PGresult   *res;
	const char *params[1] = {o->exact ? "true" : "false"};
	int			rc = UM_EXIT_FAIL;

	if ((conn = um_connect_usrmgmt(o, cmd)) == NULL)
		return UM_EXIT_FAIL;
	if (o->json)
		res = um_query(conn, o, cmd,
					   "SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(s)),"
					   " '[]'::jsonb)::text FROM usrmgmt.database_stats($1::boolean) s",
					   1, params);
	else
		res = um_query(conn, o, cmd,
					   "SELECT * FROM usrmgmt.database_stats($1::boolean)", 1, params);
	if (res == NULL)
		goto done;
	if (o->json)
		printf("%s\n", PQgetvalue(res, 0, 0));
	else
		um_print_table(res);
	PQclear(res);
	rc = UM_EXIT_OK;
done:
	PQfinish(conn);
	return rc;
}
