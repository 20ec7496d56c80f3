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

/* Exit codes shared by every command (health and verify: see below). */
#define UM_EXIT_OK		0
#define UM_EXIT_FAIL	1		/* runtime failure, refusal */
#define UM_EXIT_USAGE	2		/* bad command line */
/* health: 0 healthy, 1 degraded, 2 unhealthy, 3 error */
#define UM_EXIT_UNKNOWN	3

enum um_command
{
	UM_CMD_NONE = 0,
	UM_CMD_INIT,
	UM_CMD_STATUS,
	UM_CMD_VERIFY,
	UM_CMD_STATS,
	UM_CMD_HEALTH,
	UM_CMD_MIGRATE,
	UM_CMD_MIGRATIONS,
	UM_CMD_ROLLBACK,
	UM_CMD_BACKUP,
	UM_CMD_LIST,
	UM_CMD_RESTORE,
	UM_CMD_SAMPLE_DATA,
	UM_CMD_RESET,
	UM_CMD_DROP,
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
	const char *dir;			/* --dir DIR (backup, list) */
	const char *arg;			/* migrate DIR, rollback NAME, restore FILE */
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
 * returns -1 and writes one line (no newline) into err.  Never keeps a
 * pointer to anything but argv's strings; never allocates.
 */
extern int	um_parse_args(int argc, char **argv, struct um_options *out,
						  char *err, size_t errlen);

/* Name of a command ("sample-data"), or NULL for UM_CMD_NONE. */
extern const char *um_command_name(enum um_command cmd);

/* Usage text of the tool (cmd == UM_CMD_NONE) or of one command. */
extern const char *um_usage_text(enum um_command cmd);

#endif							/* UM_ARGS_H */
