/*-------------------------------------------------------------------------
 *
 * validate_core.c
 *		Plain-C core of the usrmgmt validators (no PostgreSQL dependency).
 *
 * The rules are byte-oriented on purpose: every valid value is pure ASCII,
 * so any byte of 0x80 or above (a multibyte character in any server
 * encoding) makes the value invalid, and length in bytes equals length in
 * characters for every value that can pass.  Character classes are tested
 * with explicit ranges, never <ctype.h>, so the locale cannot change a
 * verdict.
 *
 * src/validate_core.c
 *
 *-------------------------------------------------------------------------
 */
#include "validate_core.h"

static int
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9');
}

/* atext of RFC 5322 as WHATWG lists it, plus "." for the local part. */
static int
is_local_char(unsigned char c)
{
	if (is_alnum(c))
		return 1;
	switch (c)
	{
		case '.':
		case '!':
		case '#':
		case '$':
		case '%':
		case '&':
		case '\'':
		case '*':
		case '+':
		case '/':
		case '=':
		case '?':
		case '^':
		case '_':
		case '`':
		case '{':
		case '|':
		case '}':
		case '~':
		case '-':
			return 1;
		default:
			return 0;
	}
}

/* len bytes, each of [A-Za-z0-9_-] (plus '.' when allow_dot), within bounds */
static int
valid_identifier(const char *s, size_t len, size_t min, size_t max,
				 int allow_dot)
{
	size_t		i;

	if (s == NULL || len < min || len > max)
		return 0;
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (!(is_alnum(c) || c == '_' || c == '-' || (allow_dot && c == '.')))
			return 0;
	}
	return 1;
}

int
um_valid_username(const char *s, size_t len)
{
	return valid_identifier(s, len, UM_USERNAME_MIN, UM_USERNAME_MAX, 0);
}

int
um_valid_server_name(const char *s, size_t len)
{
	return valid_identifier(s, len, UM_SERVER_NAME_MIN, UM_SERVER_NAME_MAX, 0);
}

int
um_valid_config_key(const char *s, size_t len)
{
	return valid_identifier(s, len, UM_CONFIG_KEY_MIN, UM_CONFIG_KEY_MAX, 1);
}

int
um_valid_email(const char *s, size_t len)
{
	size_t		at;
	size_t		i;
	size_t		label_len;

	if (s == NULL || len == 0 || len > UM_EMAIL_MAX)
		return 0;

	/* local part: one or more local characters up to the first '@' */
	for (at = 0; at < len && s[at] != '@'; at++)
	{
		if (!is_local_char((unsigned char) s[at]))
			return 0;
	}
	if (at == 0 || at == len || at > UM_EMAIL_LOCAL_MAX)
		return 0;

	/*
	 * Domain: labels separated by single dots.  A label is 1-63 of
	 * [A-Za-z0-9-] and neither begins nor ends with '-'.  A second '@', an
	 * empty label (leading, trailing or doubled dot) or any other byte fails.
	 */
	label_len = 0;
	for (i = at + 1; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c == '.')
		{
			if (label_len == 0 || s[i - 1] == '-')
				return 0;
			label_len = 0;
		}
		else if (is_alnum(c) || c == '-')
		{
			if (label_len == 0 && c == '-')
				return 0;
			if (++label_len > UM_EMAIL_LABEL_MAX)
				return 0;
		}
		else
			return 0;
	}
	/* the last label must be non-empty and must not end with '-' */
	return label_len > 0 && s[len - 1] != '-';
}

int
um_valid_person_name(const char *s, size_t len, size_t nchars)
{
	size_t		i;

	if (s == NULL || nchars < 1 || nchars > UM_PERSON_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
	{
		switch (s[i])
		{
			case ' ':
			case '\t':
			case '\n':
			case '\v':
			case '\f':
			case '\r':
				break;
			default:
				return 1;
		}
	}
	return 0;
}

/*
 * The value of each base64 digit plus one; 0 for every other byte.  A
 * table, because the SCRAM check runs once per row on COPY and a chain of
 * range tests showed up in profiles.
 */
static const unsigned char b64_digit[256] = {
	['A'] = 1 + 0, ['B'] = 1 + 1, ['C'] = 1 + 2, ['D'] = 1 + 3, ['E'] = 1 + 4, ['F'] = 1 + 5,
	['G'] = 1 + 6, ['H'] = 1 + 7, ['I'] = 1 + 8, ['J'] = 1 + 9, ['K'] = 1 + 10, ['L'] = 1 + 11,
	['M'] = 1 + 12, ['N'] = 1 + 13, ['O'] = 1 + 14, ['P'] = 1 + 15, ['Q'] = 1 + 16, ['R'] = 1 + 17,
	['S'] = 1 + 18, ['T'] = 1 + 19, ['U'] = 1 + 20, ['V'] = 1 + 21, ['W'] = 1 + 22, ['X'] = 1 + 23,
	['Y'] = 1 + 24, ['Z'] = 1 + 25, ['a'] = 1 + 26, ['b'] = 1 + 27, ['c'] = 1 + 28, ['d'] = 1 + 29,
	['e'] = 1 + 30, ['f'] = 1 + 31, ['g'] = 1 + 32, ['h'] = 1 + 33, ['i'] = 1 + 34, ['j'] = 1 + 35,
	['k'] = 1 + 36, ['l'] = 1 + 37, ['m'] = 1 + 38, ['n'] = 1 + 39, ['o'] = 1 + 40, ['p'] = 1 + 41,
	['q'] = 1 + 42, ['r'] = 1 + 43, ['s'] = 1 + 44, ['t'] = 1 + 45, ['u'] = 1 + 46, ['v'] = 1 + 47,
	['w'] = 1 + 48, ['x'] = 1 + 49, ['y'] = 1 + 50, ['z'] = 1 + 51, ['0'] = 1 + 52, ['1'] = 1 + 53,
	['2'] = 1 + 54, ['3'] = 1 + 55, ['4'] = 1 + 56, ['5'] = 1 + 57, ['6'] = 1 + 58, ['7'] = 1 + 59,
	['8'] = 1 + 60, ['9'] = 1 + 61, ['+'] = 1 + 62, ['/'] = 1 + 63,
};

/* the value of a base64 digit, or -1 */
static inline int
b64_value(unsigned char c)
{
	return (int) b64_digit[c] - 1;
}

/*
 * The number of bytes that len bytes of canonical padded base64 decode to,
 * or -1 when they are not that: a length that is a multiple of 4, digits of
 * the standard alphabet, "=" only as the last one or two characters, and
 * zero bits where the padding leaves the last digit unused (so each byte
 * string has exactly one encoding).
 */
static long
b64_decoded_len(const char *s, size_t len)
{
	size_t		pad = 0;
	size_t		i;
	int			last;

	if (len == 0 || len % 4 != 0)
		return -1;
	if (s[len - 1] == '=')
		pad = (s[len - 2] == '=') ? 2 : 1;
	for (i = 0; i < len - pad; i++)
	{
		if (b64_value((unsigned char) s[i]) < 0)
			return -1;
	}
	last = b64_value((unsigned char) s[len - pad - 1]);
	if ((pad == 1 && (last & 0x03) != 0) || (pad == 2 && (last & 0x0f) != 0))
		return -1;
	return (long) (len / 4 * 3 - pad);
}

/* the first index at or after from holding c, or len when there is none */
static size_t
find_byte(const char *s, size_t from, size_t len, char c)
{
	while (from < len && s[from] != c)
		from++;
	return from;
}

int
um_valid_scram_secret(const char *s, size_t len)
{
	static const char prefix[] = "SCRAM-SHA-256$";
	const size_t prefix_len = sizeof(prefix) - 1;
	size_t		colon1;
	size_t		dollar;
	size_t		colon2;
	size_t		i;
	unsigned long iterations = 0;

	if (s == NULL || len < prefix_len)
		return 0;
	for (i = 0; i < prefix_len; i++)
	{
		if (s[i] != prefix[i])
			return 0;
	}

	/* iterations: 1-10 digits, no leading zero, at most 2147483647 */
	colon1 = find_byte(s, prefix_len, len, ':');
	if (colon1 == prefix_len || colon1 - prefix_len > 10 || colon1 == len ||
		s[prefix_len] == '0')
		return 0;
	for (i = prefix_len; i < colon1; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return 0;
		iterations = iterations * 10 + (unsigned long) (s[i] - '0');
	}
	if (iterations > 2147483647UL)
		return 0;

	/* salt, then StoredKey:ServerKey; the base64 alphabet has no '$' or ':' */
	dollar = find_byte(s, colon1 + 1, len, '$');
	if (dollar == len || b64_decoded_len(s + colon1 + 1, dollar - colon1 - 1) < 1)
		return 0;
	colon2 = find_byte(s, dollar + 1, len, ':');
	if (colon2 == len ||
		b64_decoded_len(s + dollar + 1, colon2 - dollar - 1) != UM_SCRAM_KEY_LEN ||
		b64_decoded_len(s + colon2 + 1, len - colon2 - 1) != UM_SCRAM_KEY_LEN)
		return 0;
	return 1;
}
