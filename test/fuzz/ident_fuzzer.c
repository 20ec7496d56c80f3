/*-------------------------------------------------------------------------
 *
 * ident_fuzzer.c
 *		libFuzzer target for the identifier validators of validate_core.c:
 *		um_valid_username, um_valid_server_name, um_valid_config_key.
 *
 * The first input byte picks the validator (byte % 3: 0 username, 1 server
 * name, 2 configuration key); the rest is the value.  Each verdict is held
 * against a reference written here from SPEC §2 with strspn() over the
 * allowed set, and against the relations between the rules:
 *   - a valid username is a valid server name (same characters, 3-80 within
 *     3-150) and a valid configuration key ([A-Za-z0-9_-] within
 *     [A-Za-z0-9._-], 3-80 within 1-100);
 *   - the verdict is 0 or 1 and the same on a second call.
 * Any disagreement aborts.  The value buffer is exactly the value's length,
 * so AddressSanitizer catches a read past it.
 *
 * test/fuzz/ident_fuzzer.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate_core.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
#define KEY_CHARS NAME_CHARS "."

/* the length bounds and the allowed set, and nothing else */
static int
ref_ident(const uint8_t *p, size_t n, size_t min, size_t max, const char *set)
{
	char		buf[256];

	if (n < min || n > max)
		return 0;
	/* n <= 150 here; strspn needs a NUL-terminated copy, a NUL never passes */
	if (memchr(p, '\0', n) != NULL)
		return 0;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return strspn(buf, set) == n;
}

static void
expect(const char *rule, int got, int want, const uint8_t *p, size_t n)
{
	if (got != want)
	{
		fprintf(stderr, "%s: core %d, reference %d on %zu bytes \"%.*s\"\n",
				rule, got, want, n, (int) (n > 200 ? 200 : n), (const char *) p);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *v;
	size_t		n;
	uint8_t    *copy;
	int			user,
				server,
				key;

	if (size < 1)
		return 0;
	n = size - 1;
	/* an exactly-sized heap copy of the value: ASan sees any overread */
	copy = malloc(n ? n : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data + 1, n);
	v = (const char *) copy;

	switch (data[0] % 3)
	{
		case 0:
			user = um_valid_username(v, n);
			expect("username", user, ref_ident(copy, n, 3, 80, NAME_CHARS), copy, n);
			if (user)
			{
				expect("username => server name", um_valid_server_name(v, n), 1, copy, n);
				expect("username => config key", um_valid_config_key(v, n), 1, copy, n);
			}
			expect("username repeat", um_valid_username(v, n), user, copy, n);
			break;
		case 1:
			server = um_valid_server_name(v, n);
			expect("server name", server, ref_ident(copy, n, 3, 150, NAME_CHARS), copy, n);
			expect("server name repeat", um_valid_server_name(v, n), server, copy, n);
			break;
		default:
			key = um_valid_config_key(v, n);
			expect("config key", key, ref_ident(copy, n, 1, 100, KEY_CHARS), copy, n);
			expect("config key repeat", um_valid_config_key(v, n), key, copy, n);
			break;
	}
	free(copy);
	return 0;
}
