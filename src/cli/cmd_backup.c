/*-------------------------------------------------------------------------
 *
 * cmd_backup.c
 *		usrmgmt command-line tool: backup, list, restore.
 *
 * backup runs pg_dump -Fc into DIR/db_backup_YYYYMMDD_HHMMSS.dump (local
 * time; _02, _03, ... appended for further backups in the same second),
 * writing a hidden ".partial" file first and naming it when pg_dump
 * succeeded, so a failed dump never looks like a backup.  The dump holds
 * every password hash: it is written mode 0600 whatever the umask.  restore
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

/*
 * Give the finished dump at partial its name: DIR/db_backup_STAMP.dump,
 * or when a backup of that second exists already, db_backup_STAMP_02.dump
 * and so on up to _99 (names that sort in the order they were taken).
 * link() never replaces a file, so two backups in the same second, even
 * at once, get distinct names; where the file system has no hard links,
 * a check and rename() do.  Returns the name (malloc'd) or NULL, error
 * printed; partial is gone either way.
 */
static char *
publish(const char *cmd, const char *dir, const char *stamp, const char *partial)
{
	size_t		len = strlen(dir) + strlen(stamp) + 32;
	char	   *final = malloc(len);
	int			failure = 0;	/* errno of a failure other than EEXIST */

	if (final == NULL)
	{
		um_error(cmd, "out of memory");
		unlink(partial);
		return NULL;
	}
	for (int n = 1; n <= 99; n++)
	{
		struct stat st;

		if (n == 1)
			snprintf(final, len, "%s/db_backup_%s.dump", dir, stamp);
		else
			snprintf(final, len, "%s/db_backup_%s_%02d.dump", dir, stamp, n);
		if (link(partial, final) == 0)
		{
			unlink(partial);
			return final;
		}
		if (errno == EEXIST)
			continue;
		if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOSYS)
		{
			failure = errno;
			break;
		}
		/* no hard links here */
		if (lstat(final, &st) == 0)
			continue;
		if (rename(partial, final) == 0)
			return final;
		failure = errno;
		break;
	}
	if (failure == 0)
		um_error(cmd, "could not name the backup: 99 backups of %s exist in \"%s\"", stamp, dir);
	else
		um_error(cmd, "could not rename \"%s\" to \"%s\": %s", partial, final, strerror(failure));
	unlink(partial);
	free(final);
	return NULL;
}

int
cmd_backup(struct um_run *r)
{
	const char *cmd = r->cmd;
	const char *dir = r->o->dir ? r->o->dir : DEFAULT_BACKUP_DIR;
	char		err[1024];
	char		stamp[32];
	char	   *final = NULL;
	char	   *partial = NULL;
	char	   *fileopt = NULL;
	char	   *errline = NULL;
	time_t		now = time(NULL);
	struct tm	tm;
	struct stat st;
	double		t0;
	size_t		plen;
	int			fd;
	int			status;
	int			rc = UM_ERROR;

	/* the dump holds every password hash: nothing of it readable by others */
	umask(077);
	if (um_open(r) != UM_OPEN_OK)
		return UM_ERROR;
	if (make_dirs(dir, err, sizeof(err)) < 0)
	{
		um_error(cmd, "%s", err);
		goto done;
	}
	if (localtime_r(&now, &tm) == NULL ||
		strftime(stamp, sizeof(stamp), "%Y%m%d_%H%M%S", &tm) == 0)
	{
		um_error(cmd, "could not format the current time");
		goto done;
	}
	plen = strlen(dir) + 64;
	partial = malloc(plen);
	fileopt = malloc(plen);
	if (!partial || !fileopt)
	{
		um_error(cmd, "out of memory");
		goto done;
	}

	/* a hidden file of its own (mode 0600), which pg_dump overwrites */
	snprintf(partial, plen, "%s/.db_backup_%s.partial.XXXXXX", dir, stamp);
	fd = mkstemp(partial);
	if (fd < 0)
	{
		um_error(cmd, "could not create a file in \"%s\": %s", dir, strerror(errno));
		goto done;
	}
	close(fd);
	snprintf(fileopt, plen, "--file=%s", partial);
	{
		const char *argv[] = {"pg_dump", "--format=custom", "--no-password",
		fileopt, NULL};

		t0 = um_now_ms();
		status = um_run_client(r, argv, partial, &errline);
	}
	if (status != 0)
	{
		unlink(partial);
		if (status > 0)
			um_error(cmd, "pg_dump failed: %s", errline && errline[0] ? errline : "no message");
		goto done;
	}
	if ((final = publish(cmd, dir, stamp, partial)) == NULL)
		goto done;
	if (stat(final, &st) != 0)
		st.st_size = 0;
	printf("backup of database \"%s\" written to %s (%lld bytes, %.1f s)\n",
		   PQdb(r->conn), final, (long long) st.st_size, (um_now_ms() - t0) / 1000.0);
	rc = UM_EXIT_OK;
done:
	free(errline);
	free(final);
	free(partial);
	free(fileopt);
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
cmd_list(struct um_run *r)
{
	const struct um_options *o = r->o;
	const char *cmd = r->cmd;
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
		return UM_ERROR;
	}
	if (o->json)
		printf("[");
	else if (n == 0)
		printf("no backups in %s\n", dir);
	else
		printf("%-34s %14s  %-19s\n", "file", "bytes", "modified");
	for (int i = 0; i < n; i++)
	{
		char	   *path = um_path_join(dir, names[i]);
		struct stat st;
		char		date[32] = "";
		struct tm	tm;

		if (path == NULL)
			break;
		if (stat(path, &st) != 0)
		{
			free(path);
			continue;
		}
		if (localtime_r(&st.st_mtime, &tm) == NULL)
			memset(&tm, 0, sizeof(tm));
		if (o->json)
		{
			if (strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S%z", &tm) == 0)
				date[0] = '\0';
			printf("%s{\"file\": ", i ? ", " : "");
			um_print_json_string(stdout, names[i]);
			printf(", \"path\": ");
			um_print_json_string(stdout, path);
			printf(", \"size_bytes\": %lld, \"modified\": \"%s\"}",
				   (long long) st.st_size, date);
		}
		else
		{
			if (strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm) == 0)
				date[0] = '\0';
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
cmd_restore(struct um_run *r)
{
	const struct um_options *o = r->o;
	const char *cmd = r->cmd;
	char		err[1024];
	char	   *dbopt = NULL;
	char	   *errline = NULL;
	double		t0;
	int			status;
	int			rc = UM_ERROR;

	if (um_require_confirm(r, "replace the data of the connected database") < 0)
		return UM_ERROR;
	status = is_archive(o->arg, err, sizeof(err));
	if (status < 0)
	{
		um_error(cmd, "%s", err);
		return UM_ERROR;
	}
	if (status == 0)
	{
		um_error(cmd, "\"%s\" is not a pg_dump custom-format archive (no PGDMP header)", o->arg);
		return UM_ERROR;
	}
	if (um_open(r) != UM_OPEN_OK)
		return UM_ERROR;

	/*
	 * pg_restore needs --dbname to restore into a database (without it, it
	 * writes a script); give it dbname alone as a quoted conninfo value, the
	 * rest of the connection comes through the environment.
	 */
	{
		const char *db = PQdb(r->conn);
		char	   *w;

		static const char head[] = "--dbname=dbname='";

		dbopt = malloc(strlen(db) * 2 + sizeof(head) + 2);
		if (dbopt == NULL)
		{
			um_error(cmd, "out of memory");
			goto done;
		}
		memcpy(dbopt, head, sizeof(head) - 1);
		w = dbopt + sizeof(head) - 1;
		for (const char *p = db; *p; p++)
		{
			if (*p == '\'' || *p == '\\')
				*w++ = '\\';
			*w++ = *p;
		}
		*w++ = '\'';
		*w = '\0';
	}
	printf("restoring %s into database \"%s\"\n", o->arg, PQdb(r->conn));
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
		status = um_run_client(r, argv, NULL, &errline);
	}
	if (status != 0)
	{
		if (status > 0)
			um_error(cmd, "pg_restore failed, nothing restored: %s",
					 errline && errline[0] ? errline : "no message");
		goto done;
	}
	printf("restored %s into database \"%s\" in %.1f s\n", o->arg, PQdb(r->conn),
		   (um_now_ms() - t0) / 1000.0);
	rc = UM_EXIT_OK;
done:
	free(errline);
	free(dbopt);
	return rc;
}
