/*-------------------------------------------------------------------------
 *
 * cli_migfile_fuzzer.c
 *		libFuzzer target for the command-line tool's migration-file
 *		splitter, um_split_migration() (src/cli/migfile.c).
 *
 * The input is the file's content, in an exactly-sized heap buffer
 * (AddressSanitizer catches a read past it; the buffer is not
 * NUL-terminated, as the contract takes a length).  Checks, from the
 * contract in src/cli/migfile.h:
 *   - it returns 0 or -1; on -1 err holds one non-empty line;
 *   - on 0 both sections lie inside the buffer, the up section is not
 *     empty, the down section (when present) follows the up section and
 *     neither overlaps the other;
 *   - an input with a NUL byte is refused;
 *   - the result is the same on a second call.
 *
 * test/fuzz/cli_migfile_fuzzer.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migfile.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *buf = malloc(size ? size : 1);
	struct um_migration_parts p1;
	struct um_migration_parts p2;
	char		err[128];
	char		err2[128];
	int			rc1;
	int			rc2;

	if (buf == NULL)
		abort();
	memcpy(buf, data, size);

	err[0] = '\0';
	rc1 = um_split_migration(buf, size, &p1, err, sizeof(err));
	if (rc1 != 0 && rc1 != -1)
		abort();
	if (rc1 == -1 && (err[0] == '\0' || strchr(err, '\n') != NULL))
	{
		fprintf(stderr, "bad error line \"%s\"\n", err);
		abort();
	}
	if (memchr(data, '\0', size) != NULL && rc1 == 0)
	{
		fprintf(stderr, "a NUL byte was accepted\n");
		abort();
	}
	if (rc1 == 0)
	{
		if (p1.up_len == 0 || p1.up_off > size || p1.up_len > size - p1.up_off)
			abort();
		if (p1.has_down &&
			(p1.down_off > size || p1.down_len > size - p1.down_off ||
			 p1.down_off < p1.up_off + p1.up_len))
		{
			fprintf(stderr, "down section [%zu,+%zu) vs up [%zu,+%zu) in %zu bytes\n",
					p1.down_off, p1.down_len, p1.up_off, p1.up_len, size);
			abort();
		}
	}

	rc2 = um_split_migration(buf, size, &p2, err2, sizeof(err2));
	if (rc2 != rc1 ||
		(rc1 == 0 && (p1.up_off != p2.up_off || p1.up_len != p2.up_len ||
					  p1.has_down != p2.has_down ||
					  (p1.has_down && (p1.down_off != p2.down_off ||
									   p1.down_len != p2.down_len)))) ||
		(rc1 != 0 && strcmp(err, err2) != 0))
		abort();

	free(buf);
	return 0;
}
