/*-------------------------------------------------------------------------
 *
 * args.h
 *		usrmgmt command-line tool: the command table and the argument
 *		parser.  Plain C, no libpq: a fuzzer and a unit test call it.
 *
 * src/cli/args.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef UM_ARGS_H
#define UM_ARGS_H

#include <stddef.h>
#include <stdio.h>

/*
 * Exit codes.  Which command exits with which code is decided in one place,
 * um_exit_code() (args.c), from the command's exit rule in cmdlist.h.
 */
#define UM_EXIT_OK		0
#define UM_EXIT_FAIL	1		/* runtime failure, refusal */
#define UM_EXIT_USAGE	2		/* bad command line */
#define UM_EXIT_UNKNOWN	3		/* health and verify: error */

/*
 * What a command handler returns: UM_ERROR after printing why it failed,
 * else its outcome (0 success; verify: 1 problems found; health: 1
 * degraded, 2 unhealthy).
 */
#define UM_ERROR		(-1)

/* Exit-code rules: how a command's outcome becomes its exit status. */
enum um_exit_rule
{
	UM_EXITS_PLAIN,				/* 0 success, 1 failure, 2 bad usage */
	UM_EXITS_VERDICT,			/* 0 no problem, 1 problems, 2 bad usage,
								 * 3 error (verify) */
	UM_EXITS_MONITOR			/* Nagios plugin: 0 OK, 1 WARNING, 2
								 * CRITICAL, 3 UNKNOWN for every error,
								 * bad usage included (health) */
};

/* What a command connects to before its work (um_open(), conn.c). */
enum um_needs
{
	UM_NEEDS_NOTHING,			/* no connection */
	UM_NEEDS_SERVER,			/* a connection */
	UM_NEEDS_EXTENSION			/* a connection to a database with usrmgmt */
};

/* The commands, in the order of cmdlist.h. */
enum um_command
{
	UM_CMD_NONE = 0,
#define UM_COMMAND(id, ...) UM_CMD_##id,
#include "cmdlist.h"
#undef UM_COMMAND
	UM_CMD__COUNT
};

/* Option bits: which options a command accepts. */
#define UM_OPT_FORCE		(1u << 0)
#define UM_OPT_SAMPLE		(1u << 1)
#define UM_OPT_CONFIRM		(1u << 2)
#define UM_OPT_DIR			(1u << 3)
#define UM_OPT_EXACT		(1u << 4)
#define UM_OPT_THRESHOLDS	(1u << 5)
#define UM_OPT_NO_OWNER		(1u << 6)
#define UM_OPT_JSON			(1u << 7)
#define UM_OPT_DRY_RUN		(1u << 8)

struct um_options
{
	enum um_command command;
	int			show_help;		/* --help: tool usage, or the command's */
	int			show_version;	/* --version */
	const char *conninfo;		/* -d, NULL when absent */
	int			verbose;		/* -v */
	int			json;			/* --json */
	int			force;			/* init --force */
	int			sample_data;	/* init --sample-data */
	int			confirm;		/* --confirm */
	int			exact;			/* stats --exact */
	int			no_owner;		/* restore --no-owner */
	int			dry_run;		/* rollback --dry-run */
	const char *dir;			/* --dir DIR (backup, list) */
	const char *arg;			/* migrate DIR, rollback NAME, restore FILE, maintain SINCE */
	/* health thresholds in milliseconds; negative: default */
	double		warn_connect_ms;
	double		crit_connect_ms;
	double		warn_roundtrip_ms;
	double		crit_roundtrip_ms;
};

/* Default client-side health thresholds (milliseconds). */
#define UM_DEFAULT_WARN_CONNECT_MS		1000.0
#define UM_DEFAULT_CRIT_CONNECT_MS		5000.0
#define UM_DEFAULT_WARN_ROUNDTRIP_MS	200.0
#define UM_DEFAULT_CRIT_ROUNDTRIP_MS	1000.0

/*
 * Parse argv into *out.  Returns 0 on success; on a bad command line
 * returns -1 and writes one line (no newline) into err, and out->command
 * and out->json say, as far as argv tells, which command was meant and
 * whether --json was asked for (so that the error is reported the way
 * that command reports errors).  Never keeps a pointer to anything but
 * argv's strings; never allocates.
 */
extern int	um_parse_args(int argc, char **argv, struct um_options *out,
						  char *err, size_t errlen);

/* Name of a command ("sample-data"), or NULL for UM_CMD_NONE. */
extern const char *um_command_name(enum um_command cmd);

/* What the command connects to before its work. */
extern enum um_needs um_command_needs(enum um_command cmd);

/* Print the usage text of the tool (cmd == UM_CMD_NONE) or of one command. */
extern void um_print_usage(FILE *f, enum um_command cmd);

/*
 * The exit status of cmd for a handler's outcome (UM_ERROR or 0-2), and
 * for a bad command line.
 */
extern int	um_exit_code(enum um_command cmd, int outcome);
extern int	um_usage_exit_code(enum um_command cmd);

/*
 * 1 when cmd is a monitoring check: its every error, a bad command line
 * included, also prints a status report on stdout (monitoring systems
 * read stdout only).
 */
extern int	um_reports_errors_on_stdout(enum um_command cmd);

#endif							/* UM_ARGS_H */
