/*-------------------------------------------------------------------------
 *
 * validate.c
 *		SQL-callable validators: thin fmgr wrappers over validate_core.c.
 *
 * All six are IMMUTABLE, STRICT and PARALLEL SAFE and executable by
 * PUBLIC.  The table CHECK constraints call them, so each rule lives in
 * one place (validate_core.c).  They never raise an error: any text value,
 * of any length or content, yields true or false.
 *
 * src/validate.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "mb/pg_wchar.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(usrmgmt_is_valid_email);
PG_FUNCTION_INFO_V1(usrmgmt_is_valid_username);
PG_FUNCTION_INFO_V1(usrmgmt_is_valid_server_name);
PG_FUNCTION_INFO_V1(usrmgmt_is_valid_config_key);
PG_FUNCTION_INFO_V1(usrmgmt_is_valid_scram_secret);
PG_FUNCTION_INFO_V1(usrmgmt_is_valid_person_name);

/*
 * Apply a core rule to a text argument without copying it: the packed
 * (short-header) form is read in place, a toasted or compressed value is
 * detoasted.  A value longer than any valid one is rejected by its length
 * before its bytes are looked at.
 */
#define UM_VALIDATE_TEXT_ARG(rule) \
	do { \
		text	   *arg_ = PG_GETARG_TEXT_PP(0); \
		bool		ok_ = rule(VARDATA_ANY(arg_), VARSIZE_ANY_EXHDR(arg_)) != 0; \
		PG_FREE_IF_COPY(arg_, 0); \
		PG_RETURN_BOOL(ok_); \
	} while (0)

/*
 * is_valid_email(address text) returns boolean
 *
 * True when address is a WHATWG HTML "valid e-mail address" of at most 254
 * bytes whose local part has at most 64.  Never raises an error.
 */
Datum
usrmgmt_is_valid_email(PG_FUNCTION_ARGS)
{
	UM_VALIDATE_TEXT_ARG(um_valid_email);
}

/*
 * is_valid_username(name text) returns boolean
 *
 * True for 3-80 characters of [A-Za-z0-9_-].  Never raises an error.
 */
Datum
usrmgmt_is_valid_username(PG_FUNCTION_ARGS)
{
	UM_VALIDATE_TEXT_ARG(um_valid_username);
}

/*
 * is_valid_server_name(name text) returns boolean
 *
 * True for 3-150 characters of [A-Za-z0-9_-].  Never raises an error.
 */
Datum
usrmgmt_is_valid_server_name(PG_FUNCTION_ARGS)
{
	UM_VALIDATE_TEXT_ARG(um_valid_server_name);
}

/*
 * is_valid_config_key(key text) returns boolean
 *
 * True for 1-100 characters of [A-Za-z0-9._-].  Never raises an error.
 */
Datum
usrmgmt_is_valid_config_key(PG_FUNCTION_ARGS)
{
	UM_VALIDATE_TEXT_ARG(um_valid_config_key);
}

/*
 * is_valid_scram_secret(secret text) returns boolean
 *
 * True for a SCRAM-SHA-256 secret in the form PostgreSQL stores in
 * pg_authid: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>,
 * canonical base64, 32-byte keys.  The CHECK constraint
 * user_password_hash_format calls it, so plain text never reaches the
 * password_hash column.  Never raises an error.
 */
Datum
usrmgmt_is_valid_scram_secret(PG_FUNCTION_ARGS)
{
	UM_VALIDATE_TEXT_ARG(um_valid_scram_secret);
}

/*
 * is_valid_person_name(name text) returns boolean
 *
 * True for 1-100 characters (in the server encoding) that are not all ASCII
 * whitespace.  The CHECK constraints user_first_name_length and
 * user_last_name_length call it.  Never raises an error.
 */
Datum
usrmgmt_is_valid_person_name(PG_FUNCTION_ARGS)
{
	text	   *arg = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(arg);
	int			len = VARSIZE_ANY_EXHDR(arg);
	size_t		nchars;
	bool		ok;

	/* no character is shorter than a byte: a long value is too long */
	if (len > UM_PERSON_NAME_MAX * pg_database_encoding_max_length())
		nchars = UM_PERSON_NAME_MAX + 1;
	else
		nchars = (size_t) pg_mbstrlen_with_len(s, len);
	ok = um_valid_person_name(s, (size_t) len, nchars) != 0;
	PG_FREE_IF_COPY(arg, 0);
	PG_RETURN_BOOL(ok);
}
