/*-------------------------------------------------------------------------
 *
 * cmd_migrate.c
 *		usrmgmt command-line tool: migrate, migrations, rollback.
 *
 * migrate first runs ALTER EXTENSION usrmgmt UPDATE, then hands each
 * DIR/NAME.sql file, in name order, to usrmgmt.apply_migration(name, up,
 * down): one statement, so one transaction per file.  The migration's name
 * is the file name without ".sql".  apply_migration() returns false for a
 * migration already applied with the same checksum (skipped quietly) and
 * fails for one applied with a different checksum.  The run stops at the
 * first failure, naming the file and quoting the server.
 *
 * src/cli/cmd_migrate.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "migfile.h"
#include "um.h"

static int
apply_dir(struct um_run *r, const char *dir)
{
	const char *cmd = r->cmd;
	char		err[1024];
	char	  **names;
	int			n = um_list_dir(dir, "", ".sql", &names, err, sizeof(err));
	int			applied = 0;
	int			skipped = 0;
	int			rc = -1;

	if (n < 0)
	{
		um_error(cmd, "%s", err);
		return -1;
	}
	for (int i = 0; i < n; i++)
	{
		char	   *path = um_path_join(dir, names[i]);
		char	   *buf = NULL;
		size_t		len;
		struct um_migration_parts parts;
		const char *params[3];
		char	   *name;
		char	   *up = NULL;
		char	   *down = NULL;
		PGresult   *res;
		double		t0;
		char		what[1200];

		if (path == NULL)
		{
			um_error(cmd, "out of memory");
			goto out;
		}
		if (um_read_file(path, &buf, &len, err, sizeof(err)) < 0)
		{
			um_error(cmd, "%s", err);
			free(path);
			goto out;
		}
		if (um_split_migration(buf, len, &parts, err, sizeof(err)) < 0)
		{
			um_error(cmd, "%s: %s", path, err);
			free(buf);
			free(path);
			goto out;
		}
		name = strdup(names[i]);
		up = strndup(buf + parts.up_off, parts.up_len);
		if (parts.has_down)
			down = strndup(buf + parts.down_off, parts.down_len);
		free(buf);
		if (name == NULL || up == NULL || (parts.has_down && down == NULL))
		{
			um_error(cmd, "out of memory");
			free(name);
			free(up);
			free(down);
			free(path);
			goto out;
		}
		name[strlen(name) - 4] = '\0';	/* drop ".sql" */
		params[0] = name;
		params[1] = up;
		params[2] = down;
		snprintf(what, sizeof(what), "migrate: %s", path);
		t0 = um_now_ms();
		res = um_query(r->conn, r->o, what,
					   "SELECT usrmgmt.apply_migration($1, $2, $3)", 3, params);
		if (res != NULL)
		{
			if (strcmp(PQgetvalue(res, 0, 0), "t") == 0)
			{
				printf("applied %s (%.1f ms)\n", name, um_now_ms() - t0);
				applied++;
			}
			else
				skipped++;
			PQclear(res);
		}
		free(name);
		free(up);
		free(down);
		free(path);
		if (res == NULL)
		{
			if (applied > 0)
				printf("stopped: %d migration%s applied before the failure\n",
					   applied, applied == 1 ? "" : "s");
			goto out;
		}
	}
	if (applied == 0)
		printf("no migration to apply in %s (%d already applied)\n", dir, skipped);
	else
		printf("applied %d migration%s from %s (%d already applied)\n",
			   applied, applied == 1 ? "" : "s", dir, skipped);
	rc = 0;
out:
	um_free_names(names, n);
	return rc;
}

int
cmd_migrate(struct um_run *r)
{
	const struct um_options *o = r->o;
	char		before[64];

	/* a bad DIR fails before anything is done */
	if (o->arg != NULL)
	{
		struct stat st;

		if (stat(o->arg, &st) != 0)
		{
			um_error(r->cmd, "could not open directory \"%s\": %s", o->arg, strerror(errno));
			return UM_ERROR;
		}
		if (!S_ISDIR(st.st_mode))
		{
			um_error(r->cmd, "\"%s\" is not a directory", o->arg);
			return UM_ERROR;
		}
	}
	if (um_open(r) != UM_OPEN_OK)
		return UM_ERROR;
	snprintf(before, sizeof(before), "%s", r->extversion);
	if (um_exec(r, "ALTER EXTENSION usrmgmt UPDATE") < 0 ||
		um_require_extension(r) < 0)
		return UM_ERROR;
	if (strcmp(before, r->extversion) == 0)
		printf("extension usrmgmt %s is up to date\n", r->extversion);
	else
		printf("updated extension usrmgmt from %s to %s\n", before, r->extversion);
	if (o->arg != NULL && apply_dir(r, o->arg) < 0)
		return UM_ERROR;
	return UM_EXIT_OK;
}

int
cmd_migrations(struct um_run *r)
{
	if (um_open(r) != UM_OPEN_OK)
		return UM_ERROR;
	return um_show(r,
				   "SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object("
				   " 'id', m.id, 'name', m.migration_name, 'kind', m.kind,"
				   " 'checksum', m.checksum, 'applied_at', m.applied_at,"
				   " 'applied_by', m.applied_by, 'execution_ms', m.execution_ms,"
				   " 'reversible', m.down_sql IS NOT NULL)"
				   " ORDER BY m.applied_at, m.id), '[]'::jsonb)::text"
				   " FROM usrmgmt.migration_history m",
				   "SELECT m.id, m.migration_name AS name, m.kind,"
				   " pg_catalog.to_char(m.applied_at, 'YYYY-MM-DD HH24:MI:SS') AS applied_at,"
				   " m.applied_by,"
				   " pg_catalog.round(m.execution_ms::numeric, 1) AS ms,"
				   " CASE WHEN m.down_sql IS NULL THEN 'no' ELSE 'yes' END AS reversible"
				   " FROM usrmgmt.migration_history m ORDER BY m.applied_at, m.id",
				   0, NULL);
}

int
cmd_rollback(struct um_run *r)
{
	PGresult   *res;
	const char *params[1] = {r->o->arg};
	int			rc = UM_ERROR;

	if (um_open(r) != UM_OPEN_OK)
		return UM_ERROR;
	res = um_query(r->conn, r->o, r->cmd, "SELECT usrmgmt.rollback_migration($1)", 1, params);
	if (res == NULL)
		return UM_ERROR;
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0)
	{
		printf("rolled back %s\n", r->o->arg);
		rc = UM_EXIT_OK;
	}
	else
		um_error(r->cmd, "migration \"%s\" was not rolled back", r->o->arg);
	PQclear(res);
	return rc;
}
