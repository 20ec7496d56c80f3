/*-------------------------------------------------------------------------
 *
 * um.h
 *		usrmgmt command-line tool: what the libpq-using files share
 *		(the run of one command, connection and query helpers, output,
 *		child processes, the command handlers).
 *
 * src/cli/um.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef UM_H
#define UM_H

#include <stddef.h>
#include <stdio.h>

#include "libpq-fe.h"

#include "args.h"

/*
 * One run of a command: what its handler gets from main().  The
 * connection is opened by the handler with um_open() (when its work
 * begins: some refuse before connecting) and closed by main().
 */
struct um_run
{
	const struct um_options *o;
	const char *cmd;			/* the command's name, for messages */
	PGconn	   *conn;			/* NULL until um_open() */
	double		connect_ms;		/* how long um_open()'s connection took */
	char		connect_error[1024];	/* why it failed, one line */
	char		extversion[64]; /* the installed usrmgmt version, when the
								 * command needs the extension */
};

/* ---- conn.c ---- */

/* What um_open() returns. */
#define UM_OPEN_OK				0
#define UM_OPEN_NO_SERVER		(-1)	/* could not connect */
#define UM_OPEN_NO_EXTENSION	(-2)	/* usrmgmt missing (or the check failed) */

/*
 * Connect as -d, DATABASE_URL or PG* say (timing it), and when the
 * command needs the extension (cmdlist.h) check it is installed.  On
 * failure the error is printed; returns UM_OPEN_*.
 */
extern int	um_open(struct um_run *r);

/* The connection string that would be used (for messages and tests). */
extern const char *um_conninfo_source(const struct um_options *o);

/*
 * Run one statement with text parameters (values may be NULL); -v echoes
 * it to stderr first.  Returns the result when it succeeded (caller
 * PQclear()s it), NULL after printing "usrmgmt: CMD: server message" on
 * stderr.
 */
extern PGresult *um_query(PGconn *conn, const struct um_options *o,
						  const char *cmd, const char *sql,
						  int nparams, const char *const *values);

/* um_query() on the run's connection, result discarded: 0 or -1. */
extern int	um_exec(struct um_run *r, const char *sql);

/*
 * The installed usrmgmt version into ver: 1 installed, 0 not, -1 the
 * query failed (error printed).
 */
extern int	um_extension_version(struct um_run *r, char *ver, size_t verlen);

/*
 * 0 when the usrmgmt extension is installed (its version in
 * r->extversion), -1 after printing why not.
 */
extern int	um_require_extension(struct um_run *r);

/*
 * Print "usrmgmt: CMD: message" on stderr (message made one line; cut at
 * 4 kB).  A macro over snprintf, so the compiler checks the format.
 */
extern void um_error_str(const char *cmd, char *msg);
#define um_error(cmd, ...) \
	do { \
		char		um_msg_[4096]; \
		snprintf(um_msg_, sizeof(um_msg_), __VA_ARGS__); \
		um_error_str((cmd), um_msg_); \
	} while (0)

/* The message of the last um_error() ("" when none). */
extern const char *um_last_error(void);

/*
 * Destructive commands: 0 when --confirm was given, else print "refusing
 * to REFUSAL without --confirm" and return UM_ERROR.
 */
extern int	um_require_confirm(struct um_run *r, const char *refusal);

/* Collapse a multi-line libpq message into one line, in place. */
extern char *um_one_line(char *msg);

/* Monotonic clock in milliseconds. */
extern double um_now_ms(void);

/* ---- output.c ---- */

/* Print a result set as an aligned table (psql style). */
extern void um_print_table(PGresult *res);

/* Print a string as a JSON string literal. */
extern void um_print_json_string(FILE *f, const char *s);

/*
 * Print "key: value" lines of a flattened jsonb (see flatten_sql); with
 * plugin_text, keys and values go through um_plugin_text().
 */
extern int	um_print_flat_json(struct um_run *r, const char *json_text,
							   const char *indent, int plugin_text);

/*
 * Monitoring plugin output (see "health" in doc/usrmgmt.md): the status
 * text before the "|" of the performance data is at most UM_STATUS_MAX
 * characters, and text from elsewhere (the server, the catalogs, a
 * message) goes through um_plugin_text(), which replaces, in place, each
 * "|" with "/" (a monitoring system splits the output at the first "|")
 * and each control character with a space.  Returns s.
 */
#define UM_STATUS_MAX	80
extern char *um_plugin_text(char *s);

/*
 * The status report of a monitoring check that could not run: "USRMGMT
 * UNKNOWN - message" (cut to UM_STATUS_MAX, the whole message on the next
 * line), or with --json {"status": "error", "message": ...}, on stdout.
 */
extern void um_print_unknown(const struct um_options *o, const char *message);

/*
 * The listing commands' output: with --json run json_sql (one row, one
 * column: a JSON document) and print the document; else run table_sql
 * and print its rows as a table.  Returns 0 or UM_ERROR.
 */
extern int	um_show(struct um_run *r, const char *json_sql, const char *table_sql,
					int nparams, const char *const *params);

/*
 * The report commands' output (verify, maintain): run report_sql (one
 * row: the report as JSON text, and whether it is "ok"); with --json print
 * the report; else print header(r, ok, number of lines), then one
 * "  name: value" line per row of lines_sql, run with the report as $1.
 * Returns 0 when ok, 1 when not, UM_ERROR on error.
 */
typedef void (*um_report_header) (struct um_run *r, int ok, int nlines);
extern int	um_report(struct um_run *r, const char *report_sql, int nparams,
					  const char *const *params, const char *lines_sql,
					  um_report_header header);

/* ---- proc.c ---- */

/*
 * Run a PostgreSQL client program (pg_dump, pg_restore) found next to
 * this tool, else on PATH, with the run's connection passed through
 * environment variables (never a password on the command line).
 * argv[0] is the program name.  Prints progress on long work.  Returns
 * the program's exit status, or -1 when it could not be run; on failure
 * *errline gets the program's first error line (malloc'd, may be NULL).
 */
extern int	um_run_client(struct um_run *r, const char *const *argv,
						  const char *progress_file, char **errline);

/* ---- the command handlers (cmd_*.c), one per line of cmdlist.h ---- */
#define UM_COMMAND(id, name, handler, ...) extern int handler(struct um_run *r);
#include "cmdlist.h"
#undef UM_COMMAND

#endif							/* UM_H */
