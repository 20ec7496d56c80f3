/*-------------------------------------------------------------------------
 *
 * conn.c
 *		usrmgmt command-line tool: connecting, running statements, errors.
 *
 * The connection comes from -d CONNINFO, else the DATABASE_URL environment
 * variable, else libpq's PG* variables; CONNINFO may be a URI or a
 * key=value string (libpq's expand_dbname).  Every value travels as a
 * parameter of PQexecParams; no SQL is ever built from input.
 *
 * src/cli/conn.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "um.h"

double
um_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

char *
um_one_line(char *msg)
{
	char	   *r = msg;
	char	   *w = msg;
	int			space = 0;

	if (msg == NULL)
		return msg;
	/* newlines and tabs become one space; no leading/trailing blanks */
	for (; *r; r++)
	{
		if (*r == '\n' || *r == '\t' || *r == '\r')
		{
			space = 1;
			continue;
		}
		if (space && w != msg && w[-1] != ' ')
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
	while (w > msg && w[-1] == ' ')
		*--w = '\0';
	return msg;
}

/* the message of the last um_error(), for um_last_error() */
static char last_error[4096];

const char *
um_last_error(void)
{
	return last_error;
}

void
um_error_str(const char *cmd, char *buf)
{
	um_one_line(buf);
	snprintf(last_error, sizeof(last_error), "%s", buf);
	if (cmd)
		fprintf(stderr, "usrmgmt: %s: %s\n", cmd, buf);
	else
		fprintf(stderr, "usrmgmt: %s\n", buf);
}

int
um_require_confirm(struct um_run *r, const char *refusal)
{
	if (r->o->confirm)
		return 0;
	um_error(r->cmd, "refusing to %s without --confirm", refusal);
	return UM_ERROR;
}

const char *
um_conninfo_source(const struct um_options *o)
{
	const char *url;

	if (o->conninfo != NULL)
		return o->conninfo;
	url = getenv("DATABASE_URL");
	if (url != NULL && url[0] != '\0')
		return url;
	return "";
}

/*
 * Server notices (NOTICE, WARNING) go to stderr with -v only: the tool's
 * own output says what happened.
 */
static void
notice_processor(void *arg, const char *message)
{
	const struct um_options *o = arg;

	if (o->verbose)
	{
		char	   *m = strdup(message);

		if (m)
			fprintf(stderr, "usrmgmt: server: %s\n", um_one_line(m));
		free(m);
	}
}

/* Connect; NULL after printing the error (kept in errbuf too). */
static PGconn *
connect_db(const struct um_options *o, const char *cmd,
		   char *errbuf, size_t errlen)
{
	const char *keywords[] = {"dbname", "fallback_application_name", NULL};
	const char *values[3];
	const char *src = um_conninfo_source(o);
	char	   *copy = NULL;
	PGconn	   *conn;

	/*
	 * Flask/SQLAlchemy URLs name a driver: postgresql+psycopg2://... libpq
	 * knows postgresql:// only, so drop the "+driver" part.
	 */
	if ((strncmp(src, "postgresql+", 11) == 0 || strncmp(src, "postgres+", 9) == 0))
	{
		const char *plus = strchr(src, '+');
		const char *rest = strstr(src, "://");

		if (rest != NULL && rest > plus)
		{
			copy = malloc(strlen(src) + 1);
			if (copy == NULL)
			{
				um_error(cmd, "out of memory");
				return NULL;
			}
			memcpy(copy, src, plus - src);
			memcpy(copy + (plus - src), rest, strlen(rest) + 1);
			src = copy;
		}
	}
	values[0] = src;
	values[1] = "usrmgmt";
	values[2] = NULL;
	conn = PQconnectdbParams(keywords, values, 1);
	free(copy);
	if (conn == NULL)
	{
		snprintf(errbuf, errlen, "out of memory");
		um_error(cmd, "out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK)
	{
		char	   *msg = strdup(PQerrorMessage(conn));

		snprintf(errbuf, errlen, "%s", msg ? um_one_line(msg) : "out of memory");
		um_error(cmd, "could not connect: %s", msg ? msg : "out of memory");
		free(msg);
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, notice_processor, (void *) o);
	return conn;
}

int
um_open(struct um_run *r)
{
	double		t0 = um_now_ms();

	r->conn = connect_db(r->o, r->cmd, r->connect_error, sizeof(r->connect_error));
	r->connect_ms = um_now_ms() - t0;
	if (r->conn == NULL)
		return UM_OPEN_NO_SERVER;
	if (um_command_needs(r->o->command) == UM_NEEDS_EXTENSION &&
		um_require_extension(r) < 0)
		return UM_OPEN_NO_EXTENSION;
	return UM_OPEN_OK;
}

PGresult *
um_query(PGconn *conn, const struct um_options *o, const char *cmd,
		 const char *sql, int nparams, const char *const *values)
{
	PGresult   *res;
	ExecStatusType st;

	if (o->verbose)
		fprintf(stderr, "usrmgmt: sql: %s\n", sql);
	res = PQexecParams(conn, sql, nparams, NULL, values, NULL, NULL, 0);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;

	{
		const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
		const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
		const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;

		if (primary != NULL)
			um_error(cmd, "%s%s%s%s%s%s%s%s",
					 primary,
					 state ? " (SQLSTATE " : "", state ? state : "", state ? ")" : "",
					 detail ? " DETAIL: " : "", detail ? detail : "",
					 hint ? " HINT: " : "", hint ? hint : "");
		else
		{
			char	   *msg = strdup(PQerrorMessage(conn));

			um_error(cmd, "%s", msg && msg[0] ? msg : "query failed");
			free(msg);
		}
	}
	PQclear(res);
	return NULL;
}

int
um_exec(struct um_run *r, const char *sql)
{
	PGresult   *res = um_query(r->conn, r->o, r->cmd, sql, 0, NULL);

	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

int
um_extension_version(struct um_run *r, char *ver, size_t verlen)
{
	const char *params[1] = {"usrmgmt"};
	PGresult   *res = um_query(r->conn, r->o, r->cmd,
							   "SELECT e.extversion FROM pg_catalog.pg_extension e "
							   "WHERE e.extname OPERATOR(pg_catalog.=) $1",
							   1, params);
	int			found;

	if (res == NULL)
		return -1;
	found = PQntuples(res) == 1;
	if (found)
		snprintf(ver, verlen, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return found;
}

int
um_require_extension(struct um_run *r)
{
	int			found = um_extension_version(r, r->extversion, sizeof(r->extversion));

	if (found == 0)
		um_error(r->cmd, "extension \"usrmgmt\" is not installed in database \"%s\" (run \"usrmgmt init\")",
				 PQdb(r->conn));
	return found == 1 ? 0 : -1;
}
