/*-------------------------------------------------------------------------
 *
 * um.h
 *		usrmgmt command-line tool: what the libpq-using files share
 *		(connection and query helpers, output, child processes, commands).
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

#define UM_VERSION "1.0"

/* ---- conn.c ---- */

/* Connect as -d, DATABASE_URL or PG* say; NULL after printing the error. */
extern PGconn *um_connect(const struct um_options *o, const char *cmd);
/* The same, also keeping the error in errbuf. */
extern PGconn *um_connect_msg(const struct um_options *o, const char *cmd,
							  char *errbuf, size_t errlen);

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

/* 0 when the usrmgmt extension is installed (its version in ver), -1
 * after printing why not. */
extern int	um_require_extension(PGconn *conn, const struct um_options *o,
								 const char *cmd, char *ver, size_t verlen);
/* um_connect, then um_require_extension; NULL (error printed) on failure */
extern PGconn *um_connect_usrmgmt(const struct um_options *o, const char *cmd);

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

/* Collapse a multi-line libpq message into one line, in place. */
extern char *um_one_line(char *msg);

/* Monotonic clock in milliseconds. */
extern double um_now_ms(void);

/* ---- output.c ---- */

/* Print a result set as an aligned table (psql style). */
extern void um_print_table(PGresult *res);

/* Print a string as a JSON string literal. */
extern void um_print_json_string(FILE *f, const char *s);

/* Print "key: value" lines of a flattened jsonb (see um_flatten_sql). */
extern int	um_print_flat_json(PGconn *conn, const struct um_options *o,
							   const char *cmd, const char *json_text,
							   const char *indent);

/* ---- proc.c ---- */

/*
 * Run a PostgreSQL client program (pg_dump, pg_restore) found next to
 * this tool, else on PATH, with the connection of conn passed through
 * environment variables (never a password on the command line).
 * argv[0] is the program name.  Prints progress on long work.  Returns
 * the program's exit status, or -1 when it could not be run; on failure
 * *errline gets the program's first error line (malloc'd, may be NULL).
 */
extern int	um_run_client(PGconn *conn, const struct um_options *o,
						  const char *cmd, const char *const *argv,
						  const char *progress_file, char **errline);

/* ---- commands ---- */
extern int	cmd_init(const struct um_options *o);
extern int	cmd_drop(const struct um_options *o);
extern int	cmd_reset(const struct um_options *o);
extern int	cmd_sample_data(const struct um_options *o);
extern int	cmd_status(const struct um_options *o);
extern int	cmd_verify(const struct um_options *o);
extern int	cmd_stats(const struct um_options *o);
extern int	cmd_health(const struct um_options *o);
extern int	cmd_migrate(const struct um_options *o);
extern int	cmd_migrations(const struct um_options *o);
extern int	cmd_rollback(const struct um_options *o);
extern int	cmd_backup(const struct um_options *o);
extern int	cmd_list(const struct um_options *o);
extern int	cmd_restore(const struct um_options *o);

#endif							/* UM_H */
