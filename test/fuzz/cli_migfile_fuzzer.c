/*-------------------------------------------------------------------------
 *
 * cli_migfile_fuzzer.c
 *		libFuzzer target for um_split_migration() (src/cli/migfile.c), which
 *		splits a migration file into its up and "-- down" sections.
 *
 * The input is the file, in a buffer of exactly its size (AddressSanitizer
 * catches a read past it).  Checked on every input:
 *   - the result is 0 or -1, with a one-line message on -1;
 *   - on 0: both spans lie inside the buffer, the down span (when there is
 *     one) starts after the end of the up span, the up span is not all
 *     blank, and the file holds no NUL byte;
 *   - a second split gives the same spans.
 * Any violation aborts.
 *
 * test/fuzz/cli_migfile_fuzzer.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migfile.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *buf = malloc(size ? size : 1);
	struct um_migration_parts p1,
				p2;
	char		err[256];
	int			r1,
				r2;

	memcpy(buf, data, size);
	r1 = um_split_migration(buf, size, &p1, err, sizeof(err));
	if (r1 != 0 && r1 != -1)
		abort();
	if (r1 == -1 && (err[0] == '\0' || strchr(err, '\n') != NULL))
		abort();
	if (r1 == 0)
	{
		int			blank = 1;

		if (memchr(buf, '\0', size) != NULL)
			abort();
		if (p1.up_off > size || p1.up_len > size - p1.up_off)
			abort();
		if (p1.has_down &&
			(p1.down_off > size || p1.down_len > size - p1.down_off ||
			 p1.down_off < p1.up_off + p1.up_len || p1.down_len == 0))
			abort();
		if (!p1.has_down && (p1.down_off != 0 || p1.down_len != 0))
			abort();
		for (size_t i = 0; i < p1.up_len; i++)
			if (!strchr(" \t\r\n\f\v", buf[p1.up_off + i]))
				blank = 0;
		if (blank)
			abort();
	}
	r2 = um_split_migration(buf, size, &p2, err, sizeof(err));
	if (r1 != r2 || (r1 == 0 && memcmp(&p1, &p2, sizeof(p1)) != 0))
		abort();
	free(buf);
	return 0;
}
