/*-------------------------------------------------------------------------
 *
 * proc.c
 *		usrmgmt command-line tool: running pg_dump and pg_restore.
 *
 * The program is looked for next to this tool (it is installed in
 * PostgreSQL's bindir, beside pg_dump), then on PATH.  The child gets the
 * connection of the tool's own libpq connection through the environment
 * variables libpq documents for each option (PGHOST, PGPORT, PGUSER,
 * PGPASSWORD, ...), so no password ever appears on a command line.  Its
 * stderr is read through a pipe: passed through with -v, otherwise kept
 * for the one-line error.  On long work a progress line shows the elapsed
 * time (and the size of the file being written).
 *
 * src/cli/proc.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "um.h"

#define PROGRESS_AFTER_MS	2000.0	/* first progress line after this */
#define PROGRESS_EVERY_MS	5000.0	/* then every this often (not a tty) */
#define ERRBUF_MAX			65536

/* Directory of this executable, or "" when it cannot be told. */
static void
own_dir(char *buf, size_t len)
{
	ssize_t		n = readlink("/proc/self/exe", buf, len - 1);
	char	   *slash;

	if (n <= 0)
	{
		buf[0] = '\0';
		return;
	}
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	else
		buf[0] = '\0';
}

static void
set_child_env(PGconn *conn)
{
	PQconninfoOption *opts = PQconninfo(conn);

	if (opts == NULL)
		return;
	for (PQconninfoOption *op = opts; op->keyword; op++)
	{
		if (op->envvar == NULL)
			continue;
		if (op->val != NULL && op->val[0] != '\0')
			setenv(op->envvar, op->val, 1);
	}
	PQconninfoFree(opts);
	/* a connection string in DATABASE_URL is not the child's business */
	unsetenv("DATABASE_URL");
}

static void
human_size(double bytes, char *buf, size_t len)
{
	const char *units[] = {"B", "kB", "MB", "GB", "TB"};
	int			u = 0;

	while (bytes >= 1024 && u < 4)
	{
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

int
um_run_client(struct um_run *r, const char *const *argv,
			  const char *progress_file, char **errline)
{
	const struct um_options *o = r->o;
	const char *cmd = r->cmd;
	char		dir[PATH_MAX];
	char		path[PATH_MAX + 64];
	const char *prog = argv[0];
	int			pfd[2];
	pid_t		pid;
	int			status = 0;
	char	   *ebuf;
	size_t		elen = 0;
	double		start = um_now_ms();
	double		next_progress = start + PROGRESS_AFTER_MS;
	int			tty = isatty(STDERR_FILENO);
	int			printed_progress = 0;
	int			open_pipe = 1;

	*errline = NULL;
	own_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, prog);
	if (dir[0] == '\0' || access(path, X_OK) != 0)
		snprintf(path, sizeof(path), "%s", prog);	/* PATH */
	if (o->verbose)
	{
		fprintf(stderr, "usrmgmt: running %s", path);
		for (int i = 1; argv[i] != NULL; i++)
			fprintf(stderr, " %s", argv[i]);
		fprintf(stderr, "\n");
	}

	ebuf = malloc(ERRBUF_MAX + 1);
	if (ebuf == NULL)
	{
		um_error(cmd, "out of memory");
		return -1;
	}
	if (pipe(pfd) != 0)
	{
		um_error(cmd, "could not create a pipe: %s", strerror(errno));
		free(ebuf);
		return -1;
	}
	/* nothing buffered may be written twice, by parent and child */
	if (fflush(stdout) != 0 || fflush(stderr) != 0)
	{
		um_error(cmd, "could not write the output");
		close(pfd[0]);
		close(pfd[1]);
		free(ebuf);
		return -1;
	}
	pid = fork();
	if (pid < 0)
	{
		um_error(cmd, "could not fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		free(ebuf);
		return -1;
	}
	if (pid == 0)
	{
		dup2(pfd[1], STDERR_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		set_child_env(r->conn);
		if (strchr(path, '/'))
			execv(path, (char *const *) argv);
		else
			execvp(path, (char *const *) argv);
		fprintf(stderr, "%s: error: could not execute: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);

	for (;;)
	{
		struct pollfd pf = {pfd[0], POLLIN, 0};
		double		now;

		if (open_pipe)
		{
			int			ready = poll(&pf, 1, 250);

			if (ready > 0)
			{
				char		chunk[4096];
				ssize_t		n = read(pfd[0], chunk, sizeof(chunk));

				if (n <= 0)
					open_pipe = 0;
				else
				{
					if (o->verbose)
						(void) fwrite(chunk, 1, n, stderr); /* diagnostics only */
					if (elen + n <= ERRBUF_MAX)
					{
						memcpy(ebuf + elen, chunk, n);
						elen += n;
					}
				}
			}
		}
		else
		{
			pid_t		w = waitpid(pid, &status, 0);

			if (w == pid || (w < 0 && errno != EINTR))
				break;
		}
		now = um_now_ms();
		if (now >= next_progress && open_pipe)
		{
			char		line[200];
			struct stat st;

			snprintf(line, sizeof(line), "usrmgmt: %s: %s running, %.0f s elapsed",
					 cmd, prog, (now - start) / 1000.0);
			if (progress_file && stat(progress_file, &st) == 0)
			{
				char		sz[32];

				human_size((double) st.st_size, sz, sizeof(sz));
				snprintf(line + strlen(line), sizeof(line) - strlen(line),
						 ", %s written", sz);
			}
			if (tty)
				fprintf(stderr, "\r%s\033[K", line);
			else
				fprintf(stderr, "%s\n", line);
			printed_progress = 1;
			next_progress = now + (tty ? 1000.0 : PROGRESS_EVERY_MS);
		}
	}
	close(pfd[0]);
	if (printed_progress && tty)
		fprintf(stderr, "\n");
	ebuf[elen] = '\0';

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
	{
		free(ebuf);
		return 0;
	}

	/* the first line that says "error:", with what follows on the line */
	{
		char	   *e = strstr(ebuf, "error: ");
		char	   *end;

		if (e == NULL)
			e = ebuf;
		else
			e += 7;
		/* pg_restore puts the server's message on the next lines */
		end = strstr(e, "\nCommand was:");
		if (end == NULL)
		{
			end = strchr(e, '\n');
			if (end && strncmp(end + 1, "DETAIL:", 7) == 0)
				end = strchr(end + 1, '\n');
		}
		if (end)
			*end = '\0';
		*errline = strdup(um_one_line(e));
	}
	free(ebuf);
	if (WIFEXITED(status))
		return WEXITSTATUS(status) ? WEXITSTATUS(status) : 1;
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
