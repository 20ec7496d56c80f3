/*-------------------------------------------------------------------------
 *
 * test_validate.c
 *		Plain C unit test of the validator core (src/validate_core.c).
 *
 * No server and no PostgreSQL headers: it links validate_core.c alone.
 * Each case states the input (with an explicit length, so embedded NUL and
 * high bytes are covered) and the expected verdict.  Prints one line per
 * failure and a closing "N passed, N failed" line; exits 1 on any failure.
 *
 * test/unit/test_validate.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "validate_core.h"

static int	passed;
static int	failed;

static void
check(const char *rule, int (*fn) (const char *, size_t),
	  const char *s, size_t len, int expected)
{
	int			got = fn(s, len);

	if (got == expected)
		passed++;
	else
	{
		failed++;
		printf("FAIL %s(\"%.*s\", %zu) = %d, expected %d\n",
			   rule, (int) (len > 80 ? 80 : len), s, len, got, expected);
	}
}

#define CHECK(fn, s, expected) check(#fn, fn, (s), strlen(s), (expected))
#define CHECK_LEN(fn, s, len, expected) check(#fn, fn, (s), (len), (expected))

/* a string of n copies of c, in a static buffer */
static const char *
rep(char c, size_t n)
{
	static char buf[1024];

	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static void
test_identifiers(void)
{
	char		buf[512];

	/* username: 3..80 of [A-Za-z0-9_-] */
	CHECK(um_valid_username, "abc", 1);
	CHECK(um_valid_username, "ab", 0);
	CHECK(um_valid_username, "", 0);
	CHECK(um_valid_username, "A_b-9", 1);
	CHECK(um_valid_username, "a.b", 0);
	CHECK(um_valid_username, "a b", 0);
	CHECK(um_valid_username, "ab@", 0);
	CHECK(um_valid_username, "j\xc3\xa9r", 0);	/* UTF-8 e-acute */
	CHECK_LEN(um_valid_username, "ab\0c", 4, 0);
	CHECK(um_valid_username, rep('x', 80), 1);
	CHECK(um_valid_username, rep('x', 81), 0);
	CHECK_LEN(um_valid_username, NULL, 0, 0);

	/* server name: 3..150 of [A-Za-z0-9_-] */
	CHECK(um_valid_server_name, "mc1", 1);
	CHECK(um_valid_server_name, "mc", 0);
	CHECK(um_valid_server_name, rep('s', 150), 1);
	CHECK(um_valid_server_name, rep('s', 151), 0);
	CHECK(um_valid_server_name, "my.server", 0);

	/* configuration key: 1..100 of [A-Za-z0-9._-] */
	CHECK(um_valid_config_key, "a", 1);
	CHECK(um_valid_config_key, "", 0);
	CHECK(um_valid_config_key, "app.max-users_2", 1);
	CHECK(um_valid_config_key, "a/b", 0);
	CHECK(um_valid_config_key, "a:b", 0);
	CHECK(um_valid_config_key, rep('k', 100), 1);
	CHECK(um_valid_config_key, rep('k', 101), 0);

	/* every byte outside the class is refused, every byte inside accepted */
	for (int c = 1; c < 256; c++)
	{
		int			in_class = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '-';

		snprintf(buf, sizeof(buf), "ab%c", c);
		CHECK_LEN(um_valid_username, buf, 3, in_class);
		CHECK_LEN(um_valid_config_key, buf, 3, in_class || c == '.');
	}
}

static void
test_email(void)
{
	char		buf[512];

	CHECK(um_valid_email, "user@example.com", 1);
	CHECK(um_valid_email, "user@localhost", 1);
	CHECK(um_valid_email, "a@b", 1);
	CHECK(um_valid_email, ".user.@example.com", 1);	/* WHATWG allows dots anywhere */
	CHECK(um_valid_email, "a..b@example.com", 1);
	CHECK(um_valid_email, "!#$%&'*+/=?^_`{|}~-@example.com", 1);
	CHECK(um_valid_email, "a@b-c.d", 1);
	CHECK(um_valid_email, "a@1.2.3.4", 1);	/* digits are labels */
	CHECK(um_valid_email, "", 0);
	CHECK(um_valid_email, "@example.com", 0);
	CHECK(um_valid_email, "user@", 0);
	CHECK(um_valid_email, "user", 0);
	CHECK(um_valid_email, "a@b@c", 0);
	CHECK(um_valid_email, "a@-b.com", 0);
	CHECK(um_valid_email, "a@b-.com", 0);
	CHECK(um_valid_email, "a@b.com-", 0);
	CHECK(um_valid_email, "a@.b.com", 0);
	CHECK(um_valid_email, "a@b..com", 0);
	CHECK(um_valid_email, "a@b.com.", 0);
	CHECK(um_valid_email, "a@b_c.com", 0);
	CHECK(um_valid_email, "\"a\"@b.com", 0);	/* no quoted strings */
	CHECK(um_valid_email, "a@[127.0.0.1]", 0);	/* no IP literals */
	CHECK(um_valid_email, "a b@c.com", 0);
	CHECK(um_valid_email, "a(b)@c.com", 0);
	CHECK(um_valid_email, "j\xc3\xa9@example.com", 0);
	CHECK(um_valid_email, "a@b\xc3\xa9.com", 0);
	CHECK_LEN(um_valid_email, "a@b\0.com", 8, 0);
	CHECK_LEN(um_valid_email, NULL, 0, 0);

	/* label of 63 accepted, 64 refused */
	snprintf(buf, sizeof(buf), "a@%s.com", rep('l', 63));
	CHECK(um_valid_email, buf, 1);
	snprintf(buf, sizeof(buf), "a@%s.com", rep('l', 64));
	CHECK(um_valid_email, buf, 0);

	/* local part of 64 accepted, 65 refused */
	snprintf(buf, sizeof(buf), "%s@b.com", rep('u', 64));
	CHECK(um_valid_email, buf, 1);
	snprintf(buf, sizeof(buf), "%s@b.com", rep('u', 65));
	CHECK(um_valid_email, buf, 0);

	/* total of 254 accepted, 255 refused: 64 + 1 + 63.63.61 (189) = 254 */
	snprintf(buf, sizeof(buf), "%s@", rep('u', 64));
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s.", rep('a', 63));
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s.", rep('b', 63));
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s", rep('c', 61));
	CHECK_LEN(um_valid_email, buf, 254, 1);
	strcat(buf, "c");
	CHECK_LEN(um_valid_email, buf, 255, 0);
}

int
main(void)
{
	test_identifiers();
	test_email();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
