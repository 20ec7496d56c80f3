/*-------------------------------------------------------------------------
 *
 * cli_args_fuzzer.c
 *		libFuzzer target for the command-line parser of the usrmgmt tool,
 *		um_parse_args() in src/cli/args.c.
 *
 * The input, split at NUL bytes, is the argument vector (after argv[0],
 * at most 64 arguments), each argument in a buffer of exactly its size so
 * that AddressSanitizer catches a read past it.  Checked on every input:
 *   - the result is 0 or -1; on -1 the message is one non-empty line; on 0
 *     it is empty;
 *   - on success without --help/--version: a known command; its positional
 *     argument, when set, is one of the arguments; thresholds are finite,
 *     0 or more, and warning <= critical;
 *   - the usage text of the command exists;
 *   - a second parse gives the same result.
 * Any violation aborts.
 *
 * test/fuzz/cli_args_fuzzer.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXARGS 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *argv[MAXARGS + 2];
	int			argc = 1;
	size_t		start = 0;
	struct um_options o1,
				o2;
	char		err1[512],
				err2[512];
	int			r1,
				r2;

	argv[0] = strdup("usrmgmt");
	for (size_t i = 0; i <= size && argc <= MAXARGS; i++)
	{
		if (i == size || data[i] == 0)
		{
			size_t		n = i - start;
			char	   *a = malloc(n + 1);

			memcpy(a, data + start, n);
			a[n] = '\0';
			argv[argc++] = a;
			start = i + 1;
		}
	}
	argv[argc] = NULL;

	r1 = um_parse_args(argc, argv, &o1, err1, sizeof(err1));
	if (r1 != 0 && r1 != -1)
		abort();
	if (r1 == -1 && (err1[0] == '\0' || strchr(err1, '\n') != NULL))
		abort();
	if (r1 == 0 && err1[0] != '\0')
		abort();
	if (r1 == 0 && !o1.show_help && !o1.show_version)
	{
		int			found = 0;

		if (o1.command <= UM_CMD_NONE || o1.command >= UM_CMD__COUNT)
			abort();
		if (um_command_name(o1.command) == NULL)
			abort();
		if (o1.arg != NULL)
		{
			for (int i = 1; i < argc; i++)
				if (argv[i] == o1.arg)
					found = 1;
			if (!found || o1.arg[0] == '\0')
				abort();
		}
		if (!isfinite(o1.warn_connect_ms) || !isfinite(o1.crit_connect_ms) ||
			!isfinite(o1.warn_roundtrip_ms) || !isfinite(o1.crit_roundtrip_ms) ||
			o1.warn_connect_ms < 0 || o1.warn_roundtrip_ms < 0 ||
			o1.warn_connect_ms > o1.crit_connect_ms ||
			o1.warn_roundtrip_ms > o1.crit_roundtrip_ms)
			abort();
	}
	if (um_usage_text(r1 == 0 ? o1.command : UM_CMD_NONE) == NULL)
		abort();

	r2 = um_parse_args(argc, argv, &o2, err2, sizeof(err2));
	if (r1 != r2 || strcmp(err1, err2) != 0 ||
		(r1 == 0 && (o1.command != o2.command || o1.arg != o2.arg ||
					 o1.conninfo != o2.conninfo)))
		abort();

	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
