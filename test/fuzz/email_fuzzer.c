/*-------------------------------------------------------------------------
 *
 * email_fuzzer.c
 *		libFuzzer target for um_valid_email() (src/validate_core.c).
 *
 * Differential: every input is judged by the core and by two independent
 * oracles written here from the text of the rule, and the fuzzer aborts
 * when any two disagree.
 *
 *  1. The WHATWG HTML Living Standard, section "Valid e-mail address",
 *     gives the rule as a regular expression.  It is compiled once with
 *     POSIX regcomp (REG_EXTENDED, C locale, so ranges are ASCII) and
 *     applied to the NUL-terminated copy of the input.
 *  2. A hand-written splitter that follows the ABNF in the same section
 *     (1*( atext / "." ) "@" label *( "." label ), label = let-dig
 *     [ [ ldh-str ] let-dig ], at most 63 characters) by a different route
 *     from the core: it finds the single "@", then cuts the domain at each
 *     "." and checks every label on its own.
 *
 * Both oracles add SPEC §4's limits: total length <= 254 and local part
 * <= 64 bytes.  The core takes (pointer, length) and must not read past
 * the length: libFuzzer hands it a buffer of exactly that size, so
 * AddressSanitizer catches any overread.
 *
 * test/fuzz/email_fuzzer.c
 *
 *-------------------------------------------------------------------------
 */
#include <locale.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate_core.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The WHATWG expression, verbatim but for POSIX's lack of (?:...). */
static const char *const whatwg_re =
"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+"
"@[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
"(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$";

static regex_t re;
static int	re_ready;

static const char *const atext_extra = ".!#$%&'*+/=?^_`{|}~-";

static int
ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		(c >= 'A' && c <= 'Z');
}

/* one domain label: let-dig [ [ ldh-str ] let-dig ], 1..63 bytes */
static int
ref_label(const unsigned char *p, size_t n)
{
	size_t		i;

	if (n < 1 || n > 63)
		return 0;
	if (!ascii_alnum(p[0]) || !ascii_alnum(p[n - 1]))
		return 0;
	for (i = 1; i + 1 < n; i++)
		if (!ascii_alnum(p[i]) && p[i] != '-')
			return 0;
	return 1;
}

static int
ref_email(const unsigned char *p, size_t n)
{
	const unsigned char *at = NULL;
	const unsigned char *dom;
	const unsigned char *end = p + n;
	size_t		i;

	if (n > 254)
		return 0;
	for (i = 0; i < n; i++)
	{
		if (p[i] == '@')
		{
			if (at != NULL)
				return 0;		/* '@' is in neither atext nor a label */
			at = p + i;
		}
	}
	if (at == NULL || at == p || (size_t) (at - p) > 64)
		return 0;
	for (i = 0; p + i < at; i++)
		if (p[i] == '\0' || !(ascii_alnum(p[i]) ||
							  strchr(atext_extra, p[i]) != NULL))
			return 0;

	/* domain: cut at every '.', each piece must be a label */
	dom = at + 1;
	for (;;)
	{
		const unsigned char *dot = memchr(dom, '.', (size_t) (end - dom));
		const unsigned char *stop = dot ? dot : end;

		if (!ref_label(dom, (size_t) (stop - dom)))
			return 0;
		if (dot == NULL)
			return 1;
		dom = dot + 1;
	}
}

static int
regex_email(const unsigned char *p, size_t n)
{
	char	   *copy;
	int			ok;

	if (n > 254 || memchr(p, '\0', n) != NULL)
		return 0;				/* regexec would stop at a NUL: no NUL is valid */
	copy = malloc(n + 1);
	if (copy == NULL)
		abort();
	memcpy(copy, p, n);
	copy[n] = '\0';
	ok = regexec(&re, copy, 0, NULL, 0) == 0;
	if (ok)
	{
		const char *at = strchr(copy, '@');

		ok = (size_t) (at - copy) <= 64;
	}
	free(copy);
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int			core;
	int			ref;
	int			rx;

	if (!re_ready)
	{
		setlocale(LC_ALL, "C");
		if (regcomp(&re, whatwg_re, REG_EXTENDED | REG_NOSUB) != 0)
			abort();
		re_ready = 1;
	}

	core = um_valid_email((const char *) data, size);
	ref = ref_email(data, size);
	rx = regex_email(data, size);

	if (core != ref || core != rx)
	{
		fprintf(stderr, "email verdicts disagree: core %d, abnf %d, regex %d on %zu bytes \"%.*s\"\n",
				core, ref, rx, size, (int) (size > 300 ? 300 : size),
				(const char *) data);
		abort();
	}
	/* verdicts are 0 or 1, and the same on a second call */
	if ((core != 0 && core != 1) ||
		um_valid_email((const char *) data, size) != core)
		abort();
	return 0;
}
