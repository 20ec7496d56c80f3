/*-------------------------------------------------------------------------
 *
 * main.c
 *		usrmgmt command-line tool: entry point and command dispatch.
 *
 * Parsing lives in args.c (no libpq), each command group in its own
 * cmd_*.c file; which handler runs and how its outcome becomes the exit
 * status is the command table's (cmdlist.h) business.
 *
 * src/cli/main.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "um.h"

/*
 * The tool's version is the extension's: the Makefile passes the control
 * file's default_version as -DUM_VERSION (see "Upgrades and version
 * discipline" in doc/usrmgmt.md), so there is no second copy here.
 */
#ifndef UM_VERSION
#error "UM_VERSION is not defined: build with src/cli/Makefile, which reads it from usrmgmt.control"
#endif

typedef int (*um_handler) (struct um_run *r);

static const um_handler handlers[UM_CMD__COUNT] = {
#define UM_COMMAND(id, name, handler, ...) [UM_CMD_##id] = handler,
#include "cmdlist.h"
#undef UM_COMMAND
};

int
main(int argc, char **argv)
{
	struct um_options o;
	struct um_run r;
	char		err[512];
	int			outcome;

	if (um_parse_args(argc, argv, &o, err, sizeof(err)) < 0)
	{
		fprintf(stderr, "usrmgmt: %s\n", err);
		if (um_reports_errors_on_stdout(o.command))
			um_print_unknown(&o, err);
		return um_usage_exit_code(o.command);
	}
	if (o.show_help)
	{
		um_print_usage(stdout, o.command);
		return UM_EXIT_OK;
	}
	if (o.show_version)
	{
		printf("usrmgmt %s (libpq %d)\n", UM_VERSION, PQlibVersion());
		return UM_EXIT_OK;
	}

	if (handlers[o.command] == NULL)
	{
		fprintf(stderr, "usrmgmt: no command given (try \"usrmgmt --help\")\n");
		return UM_EXIT_USAGE;
	}
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.cmd = um_command_name(o.command);
	outcome = handlers[o.command](&r);
	if (r.conn != NULL)
		PQfinish(r.conn);
	if (outcome == UM_ERROR && um_reports_errors_on_stdout(o.command))
		um_print_unknown(&o, um_last_error()[0] ? um_last_error() : "error");

	/* output that could not be written is a failure (full disk, closed pipe) */
	if (fflush(stdout) != 0 && outcome != UM_ERROR)
	{
		fprintf(stderr, "usrmgmt: could not write the output\n");
		outcome = UM_ERROR;
	}
	return um_exit_code(o.command, outcome);
}
