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
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
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

static void
check_name(const char *s, size_t len, size_t nchars, int expected)
{
	int			got = um_valid_person_name(s, len, nchars);

	if (got == expected)
		passed++;
	else
	{
		failed++;
		printf("FAIL um_valid_person_name(\"%.*s\", %zu, %zu) = %d, expected %d\n",
			   (int) (len > 80 ? 80 : len), s ? s : "", len, nchars, got, expected);
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

static void
test_person_name(void)
{
	/* length is the caller's character count; blank is ASCII whitespace */
	check_name("A", 1, 1, 1);
	check_name(" Mary Ann ", 10, 10, 1);
	check_name("\tx", 2, 2, 1);
	check_name("", 0, 0, 0);
	check_name(" ", 1, 1, 0);
	check_name(" \t\n\v\f\r", 6, 6, 0);
	check_name("\xc3\xa9", 2, 1, 1);	/* one two-byte character */
	check_name("\xe3\x80\x80", 3, 1, 1);	/* U+3000 is not ASCII blank */
	check_name(rep('n', 100), 100, 100, 1);
	check_name(rep('n', 101), 101, 101, 0);
	check_name(rep(' ', 100), 100, 100, 0);
	check_name("ab", 2, 0, 0);
	check_name(NULL, 0, 1, 0);
}

/* a secret made by PostgreSQL 15 (CREATE ROLE ... PASSWORD, pg_authid) */
static const char real_secret[] =
"SCRAM-SHA-256$4096:sj/JLRwbbH0NqFVt5b7p7Q==$"
"t+hZZrBkFJgLxyKCJ7vyDjaqH9KsNfqlxIL2lSbzPYc=:"
"Mxum9KThpa7sFjLSIzREJi7wGrYd4ZiszMraWntmw3s=";

#define KEY44 "t+hZZrBkFJgLxyKCJ7vyDjaqH9KsNfqlxIL2lSbzPYc="

static void
test_scram(void)
{
	char		buf[512];
	size_t		n = strlen(real_secret);

	CHECK(um_valid_scram_secret, real_secret, 1);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$1:AA==$" KEY44 ":" KEY44, 1);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$2147483647:c2FsdA==$" KEY44 ":" KEY44, 1);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$600000:AAAA$" KEY44 ":" KEY44, 1);
	/* iterations */
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$2147483648:c2FsdA==$" KEY44 ":" KEY44, 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$99999999999:c2FsdA==$" KEY44 ":" KEY44, 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$0:c2FsdA==$" KEY44 ":" KEY44, 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$04096:c2FsdA==$" KEY44 ":" KEY44, 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$:c2FsdA==$" KEY44 ":" KEY44, 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$-1:c2FsdA==$" KEY44 ":" KEY44, 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$4O96:c2FsdA==$" KEY44 ":" KEY44, 0);
	/* prefix */
	CHECK(um_valid_scram_secret, "scram-sha-256$4096:c2FsdA==$" KEY44 ":" KEY44, 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-1$4096:c2FsdA==$" KEY44 ":" KEY44, 0);
	CHECK(um_valid_scram_secret, " SCRAM-SHA-256$4096:c2FsdA==$" KEY44 ":" KEY44, 0);
	/* salt: empty, unpadded, bad digit, non-canonical padding bits */
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$4096:$" KEY44 ":" KEY44, 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$4096:c2FsdA$" KEY44 ":" KEY44, 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$4096:c2F*dA==$" KEY44 ":" KEY44, 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$4096:c2FsdB==$" KEY44 ":" KEY44, 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$4096:====$" KEY44 ":" KEY44, 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$4096:A===$" KEY44 ":" KEY44, 0);
	/* keys: 31 or 33 bytes, unpadded, non-canonical, missing, extra part */
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$4096:c2FsdA==$"
		  "t+hZZrBkFJgLxyKCJ7vyDjaqH9KsNfqlxIL2lSbzPY==:" KEY44, 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$4096:c2FsdA==$" KEY44 ":"
		  "Mxum9KThpa7sFjLSIzREJi7wGrYd4ZiszMraWntmw3sA", 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$4096:c2FsdA==$" KEY44 ":"
		  "Mxum9KThpa7sFjLSIzREJi7wGrYd4ZiszMraWntmw3t=", 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$4096:c2FsdA==$" KEY44, 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$4096:c2FsdA==$" KEY44 ":" KEY44 ":", 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$4096:c2FsdA==$" KEY44 ":" KEY44 "\n", 0);
	CHECK(um_valid_scram_secret, "SCRAM-SHA-256$4096:c2FsdA==$" KEY44 "$" KEY44, 0);
	/* other hash formats and plain text */
	CHECK(um_valid_scram_secret, "md5f1a6c1e8c6bcd2b7e8a5d4c3f2e1d0c9", 0);
	CHECK(um_valid_scram_secret, "$2b$12$abcdefghijklmnopqrstuuJ1Yk4cHdqE2e2e2e2e2e2e2e2e2e2e2", 0);
	CHECK(um_valid_scram_secret, "correct horse battery staple", 0);
	CHECK(um_valid_scram_secret, "", 0);
	CHECK_LEN(um_valid_scram_secret, NULL, 0, 0);

	/* every proper prefix of a valid secret is refused */
	for (size_t k = 0; k < n; k++)
		CHECK_LEN(um_valid_scram_secret, real_secret, k, 0);
	/* a NUL or a high byte anywhere is refused */
	for (size_t k = 0; k < n; k++)
	{
		memcpy(buf, real_secret, n);
		buf[k] = '\0';
		CHECK_LEN(um_valid_scram_secret, buf, n, 0);
		buf[k] = (char) 0xc3;
		CHECK_LEN(um_valid_scram_secret, buf, n, 0);
	}
}

/*
 * Differential test: um_valid_email against the WHATWG regular expression
 * (POSIX ERE, C library, C locale) plus the two length limits, over every
 * string of up to 6 characters from a small alphabet and over 200,000
 * pseudo-random strings (a fixed LCG seed, so the run is reproducible)
 * that include long runs to reach the 63/64 label and 64/65 local limits.
 */
static const char whatwg_ere[] =
"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
"(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$";

static regex_t whatwg_re;
static int	diff_valid;

static void
check_against_regex(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);
	int			expected;

	expected = regexec(&whatwg_re, s, 0, NULL, 0) == 0 &&
		len <= UM_EMAIL_MAX && at != NULL && (size_t) (at - s) <= UM_EMAIL_LOCAL_MAX;
	diff_valid += expected;
	CHECK_LEN(um_valid_email, s, len, expected);
}

static unsigned long lcg_state = 20260101UL;

static unsigned int
lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned int) (lcg_state >> 33);
}

static void
test_email_differential(void)
{
	static const char small[] = "a1-.@_\"";
	static const char wide[] = "aZ09-.@_+!~\"[] ()\\,;:<>\xc3\xa9\t";
	char		buf[400];
	size_t		k = strlen(small);
	int			before = passed + failed;

	if (regcomp(&whatwg_re, whatwg_ere, REG_EXTENDED | REG_NOSUB) != 0)
	{
		printf("FAIL regcomp of the WHATWG regex\n");
		failed++;
		return;
	}

	/* exhaustive: every string of length 0-6 over a1-.@_" */
	for (size_t len = 0; len <= 6; len++)
	{
		size_t		total = 1;

		for (size_t i = 0; i < len; i++)
			total *= k;
		for (size_t idx = 0; idx < total; idx++)
		{
			size_t		v = idx;

			for (size_t i = 0; i < len; i++)
			{
				buf[i] = small[v % k];
				v /= k;
			}
			buf[len] = '\0';
			check_against_regex(buf, len);
		}
	}

	/* random: runs of one character, so long labels and parts appear */
	for (int t = 0; t < 200000; t++)
	{
		size_t		len = 0;
		size_t		target = lcg() % 300;

		while (len < target)
		{
			char		c = wide[lcg() % (sizeof(wide) - 1)];
			size_t		run = (lcg() % 4 == 0) ? 1 + lcg() % 70 : 1;

			/* favour the characters valid addresses are made of */
			if (lcg() % 3)
				c = "a-.@"[lcg() % 4];
			if (c == '@' || c == '.')
				run = 1;
			while (run-- > 0 && len < target)
				buf[len++] = c;
		}
		buf[len] = '\0';
		check_against_regex(buf, len);
	}
	regfree(&whatwg_re);
	printf("email differential test: %d cases, %d of them valid\n",
		   passed + failed - before, diff_valid);
}

int
main(void)
{
	test_identifiers();
	test_email();
	test_person_name();
	test_scram();
	test_email_differential();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
