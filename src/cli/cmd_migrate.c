/*-------------------------------------------------------------------------
 *
 * cmd_migrate.c
 *		usrmgmt command-line tool: migrate, migrations, rollback.
 *
 * migrate first brings the extension to its default version (ALTER
 * EXTENSION usrmgmt UPDATE, only when an update is due), then hands each
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

/* 1 when the stored down_sql of application migration $1 is $2 (both may be NULL) */
static const char same_down_sql[] =
"SELECT COALESCE(m.down_sql OPERATOR(pg_catalog.=) $2,"
"                m.down_sql IS NULL AND $2::text IS NULL)"
"  FROM usrmgmt.migration_history m"
" WHERE m.migration_name OPERATOR(pg_catalog.=) $1"
"   AND m.kind OPERATOR(pg_catalog.=) 'application'";

/*
 * A migration applied before with the same up SQL (apply_migration()'s
 * checksum covers the up SQL only): its down section must be the stored
 * one too, else it is an edited applied migration, reported as the server
 * reports a changed up section.  0 same, -1 not (error printed).
 */
static int
check_down(struct um_run *r, const char *what, const char *name, const char *down)
{
	const char *params[2] = {name, down};
	PGresult   *res = um_query(r->conn, r->o, what, same_down_sql, 2, params);
	int			same;

	if (res == NULL)
		return -1;
	same = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!same)
		um_error(what, "migration \"%s\" was already applied with a different down section "
				 "DETAIL: Its \"-- down\" section differs from the down_sql stored when it was applied; "
				 "a rollback would run the stored one. "
				 "HINT: Never edit an applied migration: write a new one, or roll this one back first.",
				 name);
	return same ? 0 : -1;
}

/*
 * Apply DIR/FILE: 1 applied now, 0 applied before (same up and down
 * sections), -1 failed (error printed, naming the file).
 */
static int
apply_file(struct um_run *r, const char *dir, const char *file)
{
	char		err[1024];
	char		what[1200];
	char	   *path = um_path_join(dir, file);
	char	   *buf = NULL;
	size_t		len;
	struct um_migration_parts parts;
	char	   *name = NULL;
	char	   *up = NULL;
	char	   *down = NULL;
	const char *params[3];
	PGresult   *res;
	double		t0;
	int			rc = -1;

	if (path == NULL)
	{
		um_error(r->cmd, "out of memory");
		return -1;
	}
	snprintf(what, sizeof(what), "migrate: %s", path);
	if (um_read_file(path, &buf, &len, err, sizeof(err)) < 0)
	{
		um_error(r->cmd, "%s", err);
		goto out;
	}
	if (um_split_migration(buf, len, &parts, err, sizeof(err)) < 0)
	{
		um_error(r->cmd, "%s: %s", path, err);
		goto out;
	}
	name = strndup(file, strlen(file) - 4); /* drop ".sql" */
	up = strndup(buf + parts.up_off, parts.up_len);
	if (parts.has_down)
		down = strndup(buf + parts.down_off, parts.down_len);
	if (name == NULL || up == NULL || (parts.has_down && down == NULL))
	{
		um_error(r->cmd, "out of memory");
		goto out;
	}
	params[0] = name;
	params[1] = up;
	params[2] = down;
	t0 = um_now_ms();
	res = um_query(r->conn, r->o, what,
				   "SELECT usrmgmt.apply_migration($1, $2, $3)", 3, params);
	if (res == NULL)
		goto out;
	rc = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (rc == 1)
		printf("applied %s (%.1f ms)\n", name, um_now_ms() - t0);
	else if (check_down(r, what, name, down) < 0)
		rc = -1;
out:
	free(buf);
	free(name);
	free(up);
	free(down);
	free(path);
	return rc;
}

static int
apply_dir(struct um_run *r, const char *dir)
{
	char		err[1024];
	char	  **names;
	int			n = um_list_dir(dir, "", ".sql", &names, err, sizeof(err));
	int			applied = 0;
	int			skipped = 0;

	if (n < 0)
	{
		um_error(r->cmd, "%s", err);
		return -1;
	}
	for (int i = 0; i < n; i++)
	{
		int			done = apply_file(r, dir, names[i]);

		if (done < 0)
		{
			if (applied > 0)
				printf("stopped: %d migration%s applied before the failure\n",
					   applied, applied == 1 ? "" : "s");
			um_free_names(names, n);
			return -1;
		}
		applied += done;
		skipped += 1 - done;
	}
	if (applied == 0)
		printf("no migration to apply in %s (%d already applied)\n", dir, skipped);
	else
		printf("applied %d migration%s from %s (%d already applied)\n",
			   applied, applied == 1 ? "" : "s", dir, skipped);
	um_free_names(names, n);
	return 0;
}

/*
 * The installed and the default version of usrmgmt, and whether the
 * current role may ALTER EXTENSION (it has the privileges of the owner,
 * as a member or a superuser), and the owner's name.
 */
static const char versions_sql[] =
"SELECT e.extversion, a.default_version,"
"       pg_catalog.pg_has_role(e.extowner, 'USAGE'),"
"       pg_catalog.pg_get_userbyid(e.extowner)"
"  FROM pg_catalog.pg_extension e"
"  JOIN pg_catalog.pg_available_extensions a"
"    ON a.name OPERATOR(pg_catalog.=) e.extname"
" WHERE e.extname OPERATOR(pg_catalog.=) $1";

/*
 * Bring the extension to its default version, and only when it is not
 * there yet: ALTER EXTENSION needs the extension's owner or a superuser,
 * which a deployer (the administrator recipe) is not.  When an update is
 * due and this role cannot run it, say who can, and stop: the
 * application's migrations may rely on the new version.  0 or -1.
 */
static int
update_extension(struct um_run *r)
{
	const char *params[1] = {"usrmgmt"};
	PGresult   *res = um_query(r->conn, r->o, r->cmd, versions_sql, 1, params);
	char		before[64];
	char		target[64];
	char		owner[128];
	int			may;

	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
	{
		um_error(r->cmd, "extension \"usrmgmt\" is installed but not available on the server (no usrmgmt.control)");
		PQclear(res);
		return -1;
	}
	snprintf(before, sizeof(before), "%s", PQgetvalue(res, 0, 0));
	snprintf(target, sizeof(target), "%s", PQgetvalue(res, 0, 1));
	may = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	snprintf(owner, sizeof(owner), "%s", PQgetvalue(res, 0, 3));
	PQclear(res);

	if (strcmp(before, target) == 0)
	{
		printf("extension usrmgmt %s is up to date\n", before);
		return 0;
	}
	if (!may)
	{
		um_error(r->cmd, "extension usrmgmt %s is installed and %s is available, but role \"%s\" cannot update it: "
				 "ALTER EXTENSION usrmgmt UPDATE needs a superuser or the extension's owner (role \"%s\"); "
				 "have one of them run \"usrmgmt migrate\", then run it again (no migration was applied)",
				 before, target, PQuser(r->conn), owner);
		return -1;
	}
	if (um_exec(r, "ALTER EXTENSION usrmgmt UPDATE") < 0 || um_require_extension(r) < 0)
		return -1;
	if (strcmp(before, r->extversion) == 0)
		printf("extension usrmgmt %s is up to date\n", r->extversion);
	else
		printf("updated extension usrmgmt from %s to %s\n", before, r->extversion);
	return 0;
}

int
cmd_migrate(struct um_run *r)
{
	const struct um_options *o = r->o;

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
	if (um_open(r) != UM_OPEN_OK || update_extension(r) < 0)
		return UM_ERROR;
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

/*
 * The application migrations applied after application migration $1, in
 * the order of the history (applied_at, then id).
 */
static const char later_sql[] =
"SELECT l.migration_name"
"  FROM usrmgmt.migration_history m, usrmgmt.migration_history l"
" WHERE m.migration_name OPERATOR(pg_catalog.=) $1"
"   AND m.kind OPERATOR(pg_catalog.=) 'application'"
"   AND l.kind OPERATOR(pg_catalog.=) 'application'"
"   AND (l.applied_at OPERATOR(pg_catalog.>) m.applied_at"
"        OR (l.applied_at OPERATOR(pg_catalog.=) m.applied_at"
"            AND l.id OPERATOR(pg_catalog.>) m.id))"
" ORDER BY l.applied_at, l.id";

/*
 * What may depend on migration NAME is not known (its SQL is any SQL), so
 * the rule is the order: only the most recently applied application
 * migration is rolled back, unless --force.  Returns how many were applied
 * after NAME (-1: error printed); without --force, says which and refuses.
 */
static int
later_migrations(struct um_run *r)
{
	const char *params[1] = {r->o->arg};
	PGresult   *res = um_query(r->conn, r->o, r->cmd, later_sql, 1, params);
	int			n;

	if (res == NULL)
		return -1;
	n = PQntuples(res);
	if (n > 0 && !r->o->force)
		um_error(r->cmd, "migration \"%s\" is not the latest application migration: "
				 "\"%s\"%s was applied after it and may depend on it; "
				 "roll back the later ones first, newest first, "
				 "or use --force (see \"usrmgmt rollback --help\")",
				 r->o->arg, PQgetvalue(res, n - 1, 0),
				 n > 1 ? " (and more)" : "");
	else if (n > 0)
		fprintf(stderr, "usrmgmt: %s: --force: %d later migration%s (newest \"%s\") stay%s recorded as applied\n",
				r->cmd, n, n == 1 ? "" : "s", PQgetvalue(res, n - 1, 0), n == 1 ? "s" : "");
	PQclear(res);
	return n;
}

/*
 * rollback --dry-run: print the down SQL that rollback_migration() would
 * run for NAME, as an SQL comment naming the role whose rights it runs
 * with (the one that applied it) and then the SQL itself; run nothing.
 */
static int
show_down_sql(struct um_run *r)
{
	const char *params[1] = {r->o->arg};
	PGresult   *res;
	int			rc = UM_EXIT_OK;

	res = um_query(r->conn, r->o, r->cmd,
				   "SELECT m.applied_by, m.down_sql FROM usrmgmt.migration_history m"
				   " WHERE m.migration_name OPERATOR(pg_catalog.=) $1"
				   "   AND m.kind OPERATOR(pg_catalog.=) 'application'",
				   1, params);
	if (res == NULL)
		return UM_ERROR;
	if (PQntuples(res) == 0)
	{
		um_error(r->cmd, "migration \"%s\" has not been applied", r->o->arg);
		rc = UM_ERROR;
	}
	else if (PQgetisnull(res, 0, 1))
	{
		um_error(r->cmd, "migration \"%s\" has no down SQL: it cannot be rolled back", r->o->arg);
		rc = UM_ERROR;
	}
	else
		printf("-- rollback of %s runs, with the rights of role %s:\n%s%s",
			   r->o->arg, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
			   PQgetlength(res, 0, 1) > 0 &&
			   PQgetvalue(res, 0, 1)[PQgetlength(res, 0, 1) - 1] == '\n' ? "" : "\n");
	PQclear(res);
	return rc;
}

int
cmd_rollback(struct um_run *r)
{
	const char *params[1] = {r->o->arg};
	PGresult   *res;
	int			later;

	if (um_open(r) != UM_OPEN_OK)
		return UM_ERROR;
	if (r->o->dry_run)
		return show_down_sql(r);

	/*
	 * Check before running anything, then again once rollback_migration()
	 * holds the migration lock (a deployer may have applied one in
	 * between): the second check decides, in the same transaction.
	 */
	later = later_migrations(r);
	if (later < 0 || (later > 0 && !r->o->force) || um_exec(r, "BEGIN") < 0)
		return UM_ERROR;
	res = um_query(r->conn, r->o, r->cmd, "SELECT usrmgmt.rollback_migration($1)", 1, params);
	if (res == NULL)
		return UM_ERROR;
	PQclear(res);
	if (!r->o->force && later_migrations(r) != 0)
		return UM_ERROR;		/* main() closes the connection: rolled back */
	if (um_exec(r, "COMMIT") < 0)
		return UM_ERROR;
	printf("rolled back %s\n", r->o->arg);
	return UM_EXIT_OK;
}
