/*-------------------------------------------------------------------------
 *
 * main.c
 *		usrmgmt command-line tool: entry point and command dispatch.
 *
 * Parsing lives in args.c (no libpq), each command group in its own
 * cmd_*.c file.  Exit status: 0 success, 1 failure, 2 bad usage; health
 * and verify use 3 for errors (see args.c's usage text).
 *
 * src/cli/main.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "um.h"

int
main(int argc, char **argv)
{
	struct um_options o;
	char		err[512];
	int			rc;

	if (um_parse_args(argc, argv, &o, err, sizeof(err)) < 0)
	{
		fprintf(stderr, "usrmgmt: %s\n", err);
		/* a monitoring check reports a bad command line as UNKNOWN */
		return o.command == UM_CMD_HEALTH ? UM_EXIT_UNKNOWN : UM_EXIT_USAGE;
	}
	if (o.show_help)
	{
		fputs(um_usage_text(o.command), stdout);
		return UM_EXIT_OK;
	}
	if (o.show_version)
	{
		printf("usrmgmt %s (libpq %d)\n", UM_VERSION, PQlibVersion());
		return UM_EXIT_OK;
	}

	switch (o.command)
	{
		case UM_CMD_INIT:
			rc = cmd_init(&o);
			break;
		case UM_CMD_STATUS:
			rc = cmd_status(&o);
			break;
		case UM_CMD_VERIFY:
			rc = cmd_verify(&o);
			break;
		case UM_CMD_STATS:
			rc = cmd_stats(&o);
			break;
		case UM_CMD_HEALTH:
			rc = cmd_health(&o);
			break;
		case UM_CMD_MIGRATE:
			rc = cmd_migrate(&o);
			break;
		case UM_CMD_MIGRATIONS:
			rc = cmd_migrations(&o);
			break;
		case UM_CMD_ROLLBACK:
			rc = cmd_rollback(&o);
			break;
		case UM_CMD_BACKUP:
			rc = cmd_backup(&o);
			break;
		case UM_CMD_LIST:
			rc = cmd_list(&o);
			break;
		case UM_CMD_RESTORE:
			rc = cmd_restore(&o);
			break;
		case UM_CMD_SAMPLE_DATA:
			rc = cmd_sample_data(&o);
			break;
		case UM_CMD_RESET:
			rc = cmd_reset(&o);
			break;
		case UM_CMD_DROP:
			rc = cmd_drop(&o);
			break;
		default:
			fprintf(stderr, "usrmgmt: no command given (try \"usrmgmt --help\")\n");
			rc = UM_EXIT_USAGE;
	}
	fflush(stdout);
	return rc;
}
