/*-------------------------------------------------------------------------
 *
 * cmd_init.c
 *		usrmgmt command-line tool: init, drop, reset, sample-data.
 *
 * Nothing here destroys data without its confirmation: drop and reset
 * need --confirm; init --force on an installed extension needs --confirm,
 * or "yes" typed on a terminal.
 *
 * src/cli/cmd_init.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "um.h"

/* The installed version into ver; 1 installed, 0 not, -1 error. */
static int
installed_version(PGconn *conn, const struct um_options *o, const char *cmd,
				  char *ver, size_t verlen)
{
	const char *params[1] = {"usrmgmt"};
	PGresult   *res = um_query(conn, o, cmd,
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

/* Ask "yes" on a terminal; 1 when the user typed it. */
static int
ask_yes(const char *question)
{
	char		line[64];

	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return 0;
	fprintf(stderr, "%s\nType \"yes\" to continue: ", question);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "yes") == 0;
}

static int
exec_ok(PGconn *conn, const struct um_options *o, const char *cmd, const char *sql)
{
	PGresult   *res = um_query(conn, o, cmd, sql, 0, NULL);

	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

static int
load_sample(PGconn *conn, const struct um_options *o, const char *cmd)
{
	PGresult   *res = um_query(conn, o, cmd,
							   "SELECT usrmgmt.load_sample_data()::text", 0, NULL);

	if (res == NULL)
		return -1;
	printf("sample data loaded\n");
	if (!PQgetisnull(res, 0, 0))
		um_print_flat_json(conn, o, cmd, PQgetvalue(res, 0, 0), "  ");
	PQclear(res);
	return 0;
}

int
cmd_init(const struct um_options *o)
{
	const char *cmd = "init";
	PGconn	   *conn = um_connect(o, cmd);
	char		ver[64];
	int			inst;
	int			rc = UM_EXIT_FAIL;

	if (conn == NULL)
		return UM_EXIT_FAIL;
	inst = installed_version(conn, o, cmd, ver, sizeof(ver));
	if (inst < 0)
		goto done;
	if (inst && !o->force)
	{
		printf("extension usrmgmt %s is already installed in database \"%s\"; nothing changed\n",
			   ver, PQdb(conn));
	}
	else if (inst)
	{
		char		q[512];

		snprintf(q, sizeof(q),
				 "init --force drops extension usrmgmt %s from database \"%s\" "
				 "with every row of its tables.", ver, PQdb(conn));
		if (!o->confirm && !ask_yes(q))
		{
			um_error(cmd, "refusing to drop extension usrmgmt %s in database \"%s\" without --confirm",
					 ver, PQdb(conn));
			goto done;
		}
		/* one transaction: either the new extension or the old one */
		if (exec_ok(conn, o, cmd, "BEGIN") < 0)
			goto done;
		if (exec_ok(conn, o, cmd, "DROP EXTENSION usrmgmt") < 0 ||
			exec_ok(conn, o, cmd, "CREATE EXTENSION usrmgmt") < 0)
		{
			PQclear(PQexec(conn, "ROLLBACK"));
			goto done;
		}
		if (exec_ok(conn, o, cmd, "COMMIT") < 0)
			goto done;
		if (installed_version(conn, o, cmd, ver, sizeof(ver)) < 0)
			goto done;
		printf("dropped and recreated extension usrmgmt %s in database \"%s\"\n",
			   ver, PQdb(conn));
	}
	else
	{
		if (exec_ok(conn, o, cmd, "CREATE EXTENSION usrmgmt") < 0)
			goto done;
		if (installed_version(conn, o, cmd, ver, sizeof(ver)) < 0)
			goto done;
		printf("created extension usrmgmt %s in database \"%s\"\n", ver, PQdb(conn));
	}
	if (o->sample_data && load_sample(conn, o, cmd) < 0)
		goto done;
	rc = UM_EXIT_OK;
done:
	PQfinish(conn);
	return rc;
}

int
cmd_drop(const struct um_options *o)
{
	const char *cmd = "drop";
	PGconn	   *conn;
	char		ver[64];
	int			rc = UM_EXIT_FAIL;
	PGresult   *res;

	if (!o->confirm)
	{
		um_error(cmd, "refusing to drop extension usrmgmt and all its data without --confirm");
		return UM_EXIT_FAIL;
	}
	if ((conn = um_connect(o, cmd)) == NULL)
		return UM_EXIT_FAIL;
	if (um_require_extension(conn, o, cmd, ver, sizeof(ver)) < 0 ||
		exec_ok(conn, o, cmd, "BEGIN") < 0)
		goto done;
	if (exec_ok(conn, o, cmd, "DROP EXTENSION usrmgmt") < 0)
	{
		PQclear(PQexec(conn, "ROLLBACK"));
		goto done;
	}

	/*
	 * CREATE EXTENSION made schema usrmgmt but does not own it: drop it too
	 * when nothing else lives in it, keep it (and say so) otherwise.
	 */
	if (exec_ok(conn, o, cmd, "SAVEPOINT drop_schema") < 0)
		goto done;
	if (o->verbose)
		fprintf(stderr, "usrmgmt: sql: DROP SCHEMA IF EXISTS usrmgmt\n");
	res = PQexec(conn, "DROP SCHEMA IF EXISTS usrmgmt");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		PQclear(res);
		printf("schema usrmgmt kept: other objects live in it\n");
		if (exec_ok(conn, o, cmd, "ROLLBACK TO SAVEPOINT drop_schema") < 0)
			goto done;
	}
	else
		PQclear(res);
	if (exec_ok(conn, o, cmd, "COMMIT") < 0)
		goto done;
	printf("dropped extension usrmgmt %s from database \"%s\"\n", ver, PQdb(conn));
	rc = UM_EXIT_OK;
done:
	PQfinish(conn);
	return rc;
}

int
cmd_reset(const struct um_options *o)
{
	const char *cmd = "reset";
	PGconn	   *conn;
	int			rc = UM_EXIT_FAIL;

	if (!o->confirm)
	{
		um_error(cmd, "refusing to empty every usrmgmt table without --confirm");
		return UM_EXIT_FAIL;
	}
	if ((conn = um_connect(o, cmd)) == NULL)
		return UM_EXIT_FAIL;
	if (um_require_extension(conn, o, cmd, NULL, 0) == 0 &&
		exec_ok(conn, o, cmd, "SELECT usrmgmt.reset(confirm => true)") == 0)
	{
		printf("emptied every usrmgmt table in database \"%s\"\n", PQdb(conn));
		rc = UM_EXIT_OK;
	}
	PQfinish(conn);
	return rc;
}

int
cmd_sample_data(const struct um_options *o)
{
	const char *cmd = "sample-data";
	PGconn	   *conn;
	int			rc = UM_EXIT_FAIL;

	if ((conn = um_connect(o, cmd)) == NULL)
		return UM_EXIT_FAIL;
	if (um_require_extension(conn, o, cmd, NULL, 0) == 0 &&
		load_sample(conn, o, cmd) == 0)
		rc = UM_EXIT_OK;
	PQfinish(conn);
	return rc;
}
