/*-------------------------------------------------------------------------
 *
 * cmd_backup.c
 *		usrmgmt command-line tool: backup, list, restore.
 *
 * backup runs pg_dump -Fc into DIR/db_backup_YYYYMMDD_HHMMSS.dump (local
 * time), writing a hidden ".partial" file first and renaming it when
 * pg_dump succeeded, so a failed dump never looks like a backup.  restore
 * checks the file is a pg_dump custom archive (it begins with "PGDMP") and
 * runs pg_restore --clean --if-exists --single-transaction --exit-on-error
 * into the connected database: all or nothing.
 *
 * src/cli/cmd_backup.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migfile.h"
#include "um.h"

#define DEFAULT_BACKUP_DIR "./backups"

/* mkdir -p, mode 0700 for what it creates */
static int
make_dirs(const char *dir, char *err, size_t errlen)
{
	char	   *p = strdup(dir);
	struct stat st;

	if (p == NULL)
	{
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (char *s = p + 1;; s++)
	{
		if (*s == '/' || *s == '\0')
		{
			char		c = *s;

			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST)
			{
				snprintf(err, errlen, "could not create directory \"%s\": %s", p, strerror(errno));
				free(p);
				return -1;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
	{
		snprintf(err, errlen, "\"%s\" is not a directory", dir);
		return -1;
	}
	return 0;
}

int
cmd_backup(const struct um_options *o)
{
	const char *cmd = "backup";
	const char *dir = o->dir ? o->dir : DEFAULT_BACKUP_DIR;
	char		err[1024];
	char		stamp[32];
	char	   *final = NULL;
	char	   *partial = NULL;
	char	   *fileopt = NULL;
	char	   *errline = NULL;
	time_t		now = time(NULL);
	struct tm	tm;
	struct stat st;
	PGconn	   *conn;
	double		t0;
	int			r;
	int			rc = UM_EXIT_FAIL;

	if ((conn = um_connect(o, cmd)) == NULL)
		return UM_EXIT_FAIL;
	if (make_dirs(dir, err, sizeof(err)) < 0)
	{
		um_error(cmd, "%s", err);
		goto done;
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d_%H%M%S", &tm);
	final = malloc(strlen(dir) + 64);
	partial = malloc(strlen(dir) + 64);
	fileopt = malloc(strlen(dir) + 64);
	if (!final || !partial || !fileopt)
	{
		um_error(cmd, "out of memory");
		goto done;
	}
	sprintf(final, "%s/db_backup_%s.dump", dir, stamp);
	sprintf(partial, "%s/.db_backup_%s.dump.partial", dir, stamp);
	sprintf(fileopt, "--file=%s", partial);
	if (lstat(final, &st) == 0)
	{
		um_error(cmd, "backup file \"%s\" already exists", final);
		goto done;
	}

	{
		const char *argv[] = {"pg_dump", "--format=custom", "--no-password",
		fileopt, NULL};

		t0 = um_now_ms();
		r = um_run_client(conn, o, cmd, argv, partial, &errline);
	}
	if (r != 0)
	{
		unlink(partial);
		if (r > 0)
			um_error(cmd, "pg_dump failed: %s", errline && errline[0] ? errline : "no message");
		goto done;
	}
	if (rename(partial, final) != 0)
	{
		um_error(cmd, "could not rename \"%s\" to \"%s\": %s", partial, final, strerror(errno));
		unlink(partial);
		goto done;
	}
	if (stat(final, &st) != 0)
		st.st_size = 0;
	printf("backup of database \"%s\" written to %s (%lld bytes, %.1f s)\n",
		   PQdb(conn), final, (long long) st.st_size, (um_now_ms() - t0) / 1000.0);
	rc = UM_EXIT_OK;
done:
	free(errline);
	free(final);
	free(partial);
	free(fileopt);
	PQfinish(conn);
	return rc;
}

/* 1 when path begins with the pg_dump custom archive magic "PGDMP". */
static int
is_archive(const char *path, char *err, size_t errlen)
{
	char		magic[5];
	int			fd = open(path, O_RDONLY);
	ssize_t		n;
	struct stat st;

	if (fd < 0)
	{
		snprintf(err, errlen, "could not open \"%s\": %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
	{
		snprintf(err, errlen, "\"%s\" is not a regular file", path);
		close(fd);
		return -1;
	}
	n = read(fd, magic, sizeof(magic));
	close(fd);
	return n == 5 && memcmp(magic, "PGDMP", 5) == 0;
}

int
cmd_list(const struct um_options *o)
{
	const char *cmd = "list";
	const char *dir = o->dir ? o->dir : DEFAULT_BACKUP_DIR;
	char		err[1024];
	char	  **names;
	int			n;
	struct stat dst;

	if (stat(dir, &dst) != 0 && errno == ENOENT)
		n = 0, names = NULL;	/* no backup yet */
	else if ((n = um_list_dir(dir, "db_backup_", ".dump", &names, err, sizeof(err))) < 0)
	{
		um_error(cmd, "%s", err);
		return UM_EXIT_FAIL;
	}
	if (o->json)
		printf("[");
	else if (n == 0)
		printf("no backups in %s\n", dir);
	else
		printf("%-34s %14s  %-19s\n", "file", "bytes", "modified");
	for (int i = 0; i < n; i++)
	{
		char	   *path = malloc(strlen(dir) + strlen(names[i]) + 2);
		struct stat st;
		char		date[32] = "";
		struct tm	tm;

		if (path == NULL)
			break;
		sprintf(path, "%s/%s", dir, names[i]);
		if (stat(path, &st) != 0)
		{
			free(path);
			continue;
		}
		localtime_r(&st.st_mtime, &tm);
		if (o->json)
		{
			strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S%z", &tm);
			printf("%s{\"file\": ", i ? ", " : "");
			um_print_json_string(stdout, names[i]);
			printf(", \"path\": ");
			um_print_json_string(stdout, path);
			printf(", \"size_bytes\": %lld, \"modified\": \"%s\"}",
				   (long long) st.st_size, date);
		}
		else
		{
			strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
			printf("%-34s %14lld  %s\n", names[i], (long long) st.st_size, date);
		}
		free(path);
	}
	if (o->json)
		printf("]\n");
	um_free_names(names, n);
	return UM_EXIT_OK;
}

int
cmd_restore(const struct um_options *o)
{
	const char *cmd = "restore";
	char		err[1024];
	char	   *dbopt = NULL;
	char	   *errline = NULL;
	PGconn	   *conn;
	double		t0;
	int			r;
	int			rc = UM_EXIT_FAIL;

	if (!o->confirm)
	{
		um_error(cmd, "refusing to replace the data of the connected database without --confirm");
		return UM_EXIT_FAIL;
	}
	r = is_archive(o->arg, err, sizeof(err));
	if (r < 0)
	{
		um_error(cmd, "%s", err);
		return UM_EXIT_FAIL;
	}
	if (r == 0)
	{
		um_error(cmd, "\"%s\" is not a pg_dump custom-format archive (no PGDMP header)", o->arg);
		return UM_EXIT_FAIL;
	}
	if ((conn = um_connect(o, cmd)) == NULL)
		return UM_EXIT_FAIL;

	/*
	 * pg_restore needs --dbname to restore into a database (without it, it
	 * writes a script); give it dbname alone as a quoted conninfo value, the
	 * rest of the connection comes through the environment.
	 */
	{
		const char *db = PQdb(conn);
		char	   *w;

		dbopt = malloc(strlen(db) * 2 + 32);
		if (dbopt == NULL)
		{
			um_error(cmd, "out of memory");
			goto done;
		}
		w = dbopt + sprintf(dbopt, "--dbname=dbname='");
		for (const char *p = db; *p; p++)
		{
			if (*p == '\'' || *p == '\\')
				*w++ = '\\';
			*w++ = *p;
		}
		strcpy(w, "'");
	}
	printf("restoring %s into database \"%s\"\n", o->arg, PQdb(conn));
	{
		const char *argv[12];
		int			k = 0;

		argv[k++] = "pg_restore";
		argv[k++] = "--clean";
		argv[k++] = "--if-exists";
		argv[k++] = "--single-transaction";
		argv[k++] = "--exit-on-error";
		argv[k++] = "--no-password";
		argv[k++] = dbopt;
		if (o->no_owner)
			argv[k++] = "--no-owner";
		argv[k++] = "--";
		argv[k++] = o->arg;
		argv[k] = NULL;

		t0 = um_now_ms();
		r = um_run_client(conn, o, cmd, argv, NULL, &errline);
	}
	if (r != 0)
	{
		if (r > 0)
			um_error(cmd, "pg_restore failed, nothing restored: %s",
					 errline && errline[0] ? errline : "no message");
		goto done;
	}
	printf("restored %s into database \"%s\" in %.1f s\n", o->arg, PQdb(conn),
		   (um_now_ms() - t0) / 1000.0);
	rc = UM_EXIT_OK;
done:
	free(errline);
	free(dbopt);
	PQfinish(conn);
	return rc;
}
