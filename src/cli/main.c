/*-------------------------------------------------------------------------
 *
 * main.c
 *		usrmgmt command-line tool: entry point and command dispatch.
 *
 * src/cli/main.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "libpq-fe.h"

int
main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0)
	{
		printf("usage: usrmgmt [-d CONNINFO] [-v] [--json] COMMAND [ARGS]\n");
		return argc < 2 ? 1 : 0;
	}
	fprintf(stderr, "usrmgmt: unknown command \"%s\"\n", argv[1]);
	return 1;
}
