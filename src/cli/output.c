/*-------------------------------------------------------------------------
 *
 * output.c
 *		usrmgmt command-line tool: printing result sets, JSON strings and
 *		JSON documents as "key: value" lines; the --json-or-table output
 *		of the listing commands.
 *
 * JSON documents come from the server as jsonb text and are printed as
 * they are with --json.  For the text form the server flattens them (one
 * query, the document sent as a parameter), so the tool needs no JSON
 * parser of its own.
 *
 * src/cli/output.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "um.h"

void
um_print_table(PGresult *res)
{
	int			ncols = PQnfields(res);
	int			nrows = PQntuples(res);
	size_t	   *w;

	if (ncols == 0)
		return;
	w = calloc(ncols, sizeof(size_t));
	if (w == NULL)
		return;
	for (int c = 0; c < ncols; c++)
	{
		w[c] = strlen(PQfname(res, c));
		for (int r = 0; r < nrows; r++)
			if ((size_t) PQgetlength(res, r, c) > w[c])
				w[c] = PQgetlength(res, r, c);
	}
	for (int c = 0; c < ncols; c++)
		printf("%s%-*s", c ? " | " : "", (int) w[c], PQfname(res, c));
	printf("\n");
	for (int c = 0; c < ncols; c++)
	{
		printf("%s", c ? "-+-" : "");
		for (size_t k = 0; k < w[c]; k++)
			putchar('-');
	}
	printf("\n");
	for (int r = 0; r < nrows; r++)
	{
		for (int c = 0; c < ncols; c++)
			printf("%s%-*s", c ? " | " : "", (int) w[c], PQgetvalue(res, r, c));
		printf("\n");
	}
	printf("(%d row%s)\n", nrows, nrows == 1 ? "" : "s");
	free(w);
}

void
um_print_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
	{
		switch (*p)
		{
			case '"':
				fputs("\\\"", f);
				break;
			case '\\':
				fputs("\\\\", f);
				break;
			case '\n':
				fputs("\\n", f);
				break;
			case '\r':
				fputs("\\r", f);
				break;
			case '\t':
				fputs("\\t", f);
				break;
			default:
				if (*p < 0x20)
					fprintf(f, "\\u%04x", *p);
				else
					fputc(*p, f);
		}
	}
	fputc('"', f);
}

/*
 * Flatten a jsonb document into (path, value) rows in key order:
 * {"a": {"b": 1}, "c": [true]} gives "a.b" 1 and "c[0]" true.  Empty
 * objects and arrays show as {} and [].
 */
static const char flatten_sql[] =
"WITH RECURSIVE t(path, sortkey, v) AS ("
" SELECT ''::text, ARRAY[]::text[], $1::jsonb"
" UNION ALL"
" SELECT CASE WHEN c.is_index THEN t.path || '[' || c.k || ']'"
"             WHEN t.path = '' THEN c.k ELSE t.path || '.' || c.k END,"
"        t.sortkey || c.sk, c.val"
" FROM t, LATERAL ("
"   SELECT e.key, e.key, e.value, false"
"   FROM pg_catalog.jsonb_each(CASE WHEN pg_catalog.jsonb_typeof(t.v) = 'object'"
"                              THEN t.v ELSE '{}'::jsonb END) e"
"   UNION ALL"
"   SELECT (a.i - 1)::text, pg_catalog.lpad(a.i::text, 12, '0'), a.value, true"
"   FROM pg_catalog.jsonb_array_elements(CASE WHEN pg_catalog.jsonb_typeof(t.v) = 'array'"
"                                        THEN t.v ELSE '[]'::jsonb END)"
"        WITH ORDINALITY a(value, i)"
" ) c(k, sk, val, is_index)"
")"
" SELECT t.path, CASE WHEN pg_catalog.jsonb_typeof(t.v) = 'null' THEN 'null'"
"                     ELSE t.v #>> '{}' END"
" FROM t"
" WHERE t.path <> ''"
"   AND (pg_catalog.jsonb_typeof(t.v) NOT IN ('object', 'array')"
"        OR t.v IN ('{}'::jsonb, '[]'::jsonb))"
" ORDER BY t.sortkey";

int
um_print_flat_json(struct um_run *r, const char *json_text, const char *indent,
				   int plugin_text)
{
	const char *params[1] = {json_text};
	PGresult   *res = um_query(r->conn, r->o, r->cmd, flatten_sql, 1, params);
	int			width = 0;

	if (res == NULL)
		return -1;
	for (int i = 0; i < PQntuples(res); i++)
		if (PQgetlength(res, i, 0) > width)
			width = PQgetlength(res, i, 0);
	for (int i = 0; i < PQntuples(res); i++)
	{
		char	   *key = PQgetvalue(res, i, 0);
		char	   *value = PQgetvalue(res, i, 1);

		if (plugin_text)
		{
			um_plugin_text(key);
			um_plugin_text(value);
		}
		printf("%s%s:%*s %s\n", indent, key,
			   width - PQgetlength(res, i, 0), "", value);
	}
	PQclear(res);
	return 0;
}

char *
um_plugin_text(char *s)
{
	for (char *p = s; *p; p++)
	{
		if (*p == '|')
			*p = '/';
		else if ((unsigned char) *p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
	return s;
}

void
um_print_unknown(const struct um_options *o, const char *message)
{
	static const char head[] = "USRMGMT UNKNOWN - ";
	char	   *text;
	size_t		room = UM_STATUS_MAX - (sizeof(head) - 1);

	if (o->json)
	{
		printf("{\"status\": \"error\", \"message\": ");
		um_print_json_string(stdout, message);
		printf("}\n");
		return;
	}
	text = strdup(message);
	if (text == NULL)
	{
		printf("%sout of memory\n", head);
		return;
	}
	um_plugin_text(text);
	/* a long message: cut on the status line, whole on the next one */
	if (strlen(text) > room)
		printf("%s%.*s...\n%s\n", head, (int) (room - 3), text, text);
	else
		printf("%s%s\n", head, text);
	free(text);
}

int
um_show(struct um_run *r, const char *json_sql, const char *table_sql,
		int nparams, const char *const *params)
{
	PGresult   *res = um_query(r->conn, r->o, r->cmd,
							   r->o->json ? json_sql : table_sql, nparams, params);

	if (res == NULL)
		return UM_ERROR;
	if (r->o->json)
		printf("%s\n", PQgetvalue(res, 0, 0));
	else
		um_print_table(res);
	PQclear(res);
	return UM_EXIT_OK;
}

/* See um.h. */
int
um_report(struct um_run *r, const char *report_sql, int nparams,
		  const char *const *params, const char *lines_sql,
		  um_report_header header)
{
	PGresult   *res;
	PGresult   *lines;
	const char *report[1];
	int			ok;

	res = um_query(r->conn, r->o, r->cmd, report_sql, nparams, params);
	if (res == NULL)
		return UM_ERROR;
	ok = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	if (r->o->json)
		printf("%s\n", PQgetvalue(res, 0, 0));
	else
	{
		report[0] = PQgetvalue(res, 0, 0);
		lines = um_query(r->conn, r->o, r->cmd, lines_sql, 1, report);
		if (lines == NULL)
		{
			PQclear(res);
			return UM_ERROR;
		}
		header(r, ok, PQntuples(lines));
		for (int i = 0; i < PQntuples(lines); i++)
			printf("  %s: %s\n", PQgetvalue(lines, i, 0), PQgetvalue(lines, i, 1));
		PQclear(lines);
	}
	PQclear(res);
	return ok ? UM_EXIT_OK : 1;
}
