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
