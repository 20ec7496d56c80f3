/*-------------------------------------------------------------------------
 *
 * cli_args_fuzzer.c
 *		libFuzzer target for the command-line tool's argument parser,
 *		um_parse_args() (src/cli/args.c).
 *
 * The input is split at NUL bytes into at most 32 arguments, each copied
 * into its own exactly-sized heap buffer (AddressSanitizer then catches a
 * read past any of them), after argv[0] = "usrmgmt".  The checks are the
 * parser's documented contract (src/cli/args.h):
 *   - it returns 0 or -1; on -1 err holds one line (NUL-terminated, no
 *     newline, not empty); it never writes past errlen (err is given a
 *     small buffer followed by a guard that must stay intact);
 *   - on 0 the command is in range and has a name; every string it returns
 *     (conninfo, dir, arg) points into one of the argv strings;
 *   - it does not modify argv, and a second parse gives the same result.
 *
 * test/fuzz/cli_args_fuzzer.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS	32
#define ERR_LEN		96

static int
points_into(const char *p, char **argv, const size_t *lens, int argc)
{
	int			i;

	if (p == NULL)
		return 1;
	for (i = 0; i < argc; i++)
		if (p >= argv[i] && p <= argv[i] + lens[i])
			return 1;
	return 0;
}

static void
check_err(int rc, const char *err)
{
	if (rc != 0 && rc != -1)
	{
		fprintf(stderr, "um_parse_args returned %d\n", rc);
		abort();
	}
	if (memchr(err, '\0', ERR_LEN) == NULL)
		abort();				/* not terminated within errlen */
	if (rc == -1 && (err[0] == '\0' || strchr(err, '\n') != NULL))
	{
		fprintf(stderr, "bad error line \"%s\"\n", err);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *argv[MAX_ARGS + 2];
	char	   *saved[MAX_ARGS + 2];
	size_t		lens[MAX_ARGS + 2];
	int			argc = 1;
	size_t		start = 0;
	size_t		i;
	struct um_options o1;
	struct um_options o2;
	char		errbuf[ERR_LEN + 8];
	char		err2[ERR_LEN];
	int			rc1;
	int			rc2;

	argv[0] = strdup("usrmgmt");
	lens[0] = strlen(argv[0]);
	for (i = 0; i <= size && argc <= MAX_ARGS; i++)
	{
		if (i == size || data[i] == '\0')
		{
			size_t		n = i - start;

			argv[argc] = malloc(n + 1);
			if (argv[argc] == NULL)
				abort();
			memcpy(argv[argc], data + start, n);
			argv[argc][n] = '\0';
			lens[argc] = n;
			argc++;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	for (i = 0; i < (size_t) argc; i++)
		saved[i] = argv[i];

	memset(errbuf, 0x5a, sizeof(errbuf));
	rc1 = um_parse_args(argc, argv, &o1, errbuf, ERR_LEN);
	for (i = ERR_LEN; i < sizeof(errbuf); i++)
		if (errbuf[i] != 0x5a)
			abort();			/* wrote past errlen */
	check_err(rc1, errbuf);

	if (rc1 == 0)
	{
		if ((int) o1.command < 0 || o1.command >= UM_CMD__COUNT)
			abort();
		if (o1.command != UM_CMD_NONE && um_command_name(o1.command) == NULL)
			abort();
		if (!points_into(o1.conninfo, argv, lens, argc) ||
			!points_into(o1.dir, argv, lens, argc) ||
			!points_into(o1.arg, argv, lens, argc))
		{
			fprintf(stderr, "a returned string does not point into argv\n");
			abort();
		}
	}

	/* argv unchanged: same pointers, same contents */
	for (i = 0; i < (size_t) argc; i++)
		if (argv[i] != saved[i] || strlen(argv[i]) != lens[i])
			abort();

	rc2 = um_parse_args(argc, argv, &o2, err2, sizeof(err2));
	if (rc2 != rc1 || (rc1 == 0 && memcmp(&o1, &o2, sizeof(o1)) != 0) ||
		(rc1 != 0 && strcmp(errbuf, err2) != 0))
		abort();

	for (i = 0; i < (size_t) argc; i++)
		free(argv[i]);
	return 0;
}
