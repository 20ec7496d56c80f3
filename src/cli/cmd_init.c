/*-------------------------------------------------------------------------
 *
 * cmd_init.c
 *		usrmgmt command-line tool: init, drop, reset, sample-data.
 *
 * init creates the extension and runs usrmgmt.maintain() once (the log's
 * partitions), in one transaction.
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

/* Ask "yes" on a terminal; 1 when the user typed it. */
static int
ask_yes(const char *question)
{
	char		line[64];

	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return 0;
	fprintf(stderr, "%s\nType \"yes\" to continue: ", question);
	(void) fflush(stderr);		/* the prompt; stdin is read either way */
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "yes") == 0;
}

/* Load the sample data and print what was loaded; 0 or -1. */
static int
load_sample(struct um_run *r)
{
	PGresult   *res = um_query(r->conn, r->o, r->cmd,
							   "SELECT usrmgmt.load_sample_data()::text", 0, NULL);

	if (res == NULL)
		return -1;
	printf("sample data loaded\n");
	if (!PQgetisnull(res, 0, 0))
		um_print_flat_json(r, PQgetvalue(res, 0, 0), "  ", 0);
	PQclear(res);
	return 0;
}

/*
 * Run the statements of sql[] (NULL-terminated) in one transaction: all
 * or nothing.  0 or -1 (rolled back, error printed).
 */
static int
exec_in_transaction(struct um_run *r, const char *const *sql)
{
	if (um_exec(r, "BEGIN") < 0)
		return -1;
	for (; *sql != NULL; sql++)
		if (um_exec(r, *sql) < 0)
		{
			PQclear(PQexec(r->conn, "ROLLBACK"));
			return -1;
		}
	return um_exec(r, "COMMIT");
}

int
cmd_init(struct um_run *r)
{
	/*
	 * With the extension, this month's partition of the log and the next
	 * three (maintain(), doc: Retention and partitions), so that the first
	 * logins do not land in the default partition.
	 */
	static const char *const create[] = {"CREATE EXTENSION usrmgmt",
	"SELECT usrmgmt.maintain()", NULL};
	static const char *const recreate[] = {"DROP EXTENSION usrmgmt",
	"CREATE EXTENSION usrmgmt", "SELECT usrmgmt.maintain()", NULL};
	const char *db;
	char		ver[64];
	int			inst;

	if (um_open(r) != UM_OPEN_OK)
		return UM_ERROR;
	db = PQdb(r->conn);
	inst = um_extension_version(r, ver, sizeof(ver));
	if (inst < 0)
		return UM_ERROR;
	if (inst && !r->o->force)
	{
		printf("extension usrmgmt %s is already installed in database \"%s\"; nothing changed\n",
			   ver, db);
		return r->o->sample_data && load_sample(r) < 0 ? UM_ERROR : UM_EXIT_OK;
	}
	if (inst)
	{
		char		q[512];

		snprintf(q, sizeof(q),
				 "init --force drops extension usrmgmt %s from database \"%s\" "
				 "with every row of its tables.", ver, db);
		if (!r->o->confirm && !ask_yes(q))
		{
			um_error(r->cmd, "refusing to drop extension usrmgmt %s in database \"%s\" without --confirm",
					 ver, db);
			return UM_ERROR;
		}
	}
	/* --force: one transaction, either the new extension or the old one */
	if (exec_in_transaction(r, inst ? recreate : create) < 0 ||
		um_extension_version(r, ver, sizeof(ver)) < 0)
		return UM_ERROR;
	printf("%s extension usrmgmt %s in database \"%s\"\n",
		   inst ? "dropped and recreated" : "created", ver, db);
	return r->o->sample_data && load_sample(r) < 0 ? UM_ERROR : UM_EXIT_OK;
}

int
cmd_drop(struct um_run *r)
{
	PGresult   *res;

	if (um_require_confirm(r, "drop extension usrmgmt and all its data") < 0 ||
		um_open(r) != UM_OPEN_OK || um_exec(r, "BEGIN") < 0)
		return UM_ERROR;
	if (um_exec(r, "DROP EXTENSION usrmgmt") < 0)
	{
		PQclear(PQexec(r->conn, "ROLLBACK"));
		return UM_ERROR;
	}

	/*
	 * CREATE EXTENSION made schema usrmgmt but does not own it: drop it too
	 * when nothing else lives in it, keep it (and say so) otherwise.
	 */
	if (um_exec(r, "SAVEPOINT drop_schema") < 0)
		return UM_ERROR;
	if (r->o->verbose)
		fprintf(stderr, "usrmgmt: sql: DROP SCHEMA IF EXISTS usrmgmt\n");
	res = PQexec(r->conn, "DROP SCHEMA IF EXISTS usrmgmt");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		PQclear(res);
		printf("schema usrmgmt kept: other objects live in it\n");
		if (um_exec(r, "ROLLBACK TO SAVEPOINT drop_schema") < 0)
			return UM_ERROR;
	}
	else
		PQclear(res);
	if (um_exec(r, "COMMIT") < 0)
		return UM_ERROR;
	printf("dropped extension usrmgmt %s from database \"%s\"\n", r->extversion, PQdb(r->conn));
	return UM_EXIT_OK;
}

int
cmd_reset(struct um_run *r)
{
	if (um_require_confirm(r, "empty every usrmgmt table") < 0 ||
		um_open(r) != UM_OPEN_OK ||
		um_exec(r, "SELECT usrmgmt.reset(confirm => true)") < 0)
		return UM_ERROR;
	printf("emptied every usrmgmt table in database \"%s\"\n", PQdb(r->conn));
	return UM_EXIT_OK;
}

int
cmd_sample_data(struct um_run *r)
{
	if (um_open(r) != UM_OPEN_OK || load_sample(r) < 0)
		return UM_ERROR;
	return UM_EXIT_OK;
}
