/*-------------------------------------------------------------------------
 *
 * casefold.c
 *		usrmgmt.ascii_lower(text): the case folding of usernames and e-mail
 *		addresses, ASCII only, the same in every collation.
 *
 * Usernames and e-mail addresses are unique case-insensitively, and users
 * are looked up by name case-insensitively.  Both rules are ASCII rules
 * (doc: Validators), so the folding is ASCII too: A-Z become a-z and every
 * other byte is kept.  pg_catalog.lower() would follow the collation
 * instead: under a Turkish locale it folds 'I' to dotless U+0131, so
 * 'admin' and 'ADMIN' both insert and login('ADMIN') opens the wrong
 * account; under any locale it folds U+0130 to 'i' and U+212A (Kelvin) to
 * 'k'.  From version 1.1 the unique indexes user_username_key and
 * user_email_key and every lookup by name use this function (users.c
 * chooses it when the installed version has it).
 *
 * Byte-wise folding is exact in every server encoding: all of them keep
 * ASCII as it is and use only bytes >= 0x80 in multibyte characters.
 * IMMUTABLE, STRICT, PARALLEL SAFE, executable by PUBLIC (an index
 * expression is executed with the privileges of whoever writes the row).
 *
 * src/casefold.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(usrmgmt_ascii_lower);

/* See usrmgmt.h.  A new value, in the current memory context. */
text *
um_ascii_lower(text *value)
{
	const char *src = VARDATA_ANY(value);
	int			len = VARSIZE_ANY_EXHDR(value);
	text	   *out = (text *) palloc(len + VARHDRSZ);
	char	   *dst = VARDATA(out);
	int			i;

	SET_VARSIZE(out, len + VARHDRSZ);
	for (i = 0; i < len; i++)
		dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? (char) (src[i] + ('a' - 'A')) : src[i];
	return out;
}

/*
 * ascii_lower(value text) returns text
 *
 * value with A-Z replaced by a-z; every other byte unchanged.  Ignores the
 * collation.  Errors: none.
 */
Datum
usrmgmt_ascii_lower(PG_FUNCTION_ARGS)
{
	text	   *in = PG_GETARG_TEXT_PP(0);
	text	   *out = um_ascii_lower(in);

	PG_FREE_IF_COPY(in, 0);
	PG_RETURN_TEXT_P(out);
}
