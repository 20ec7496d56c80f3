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

#include "access/detoast.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(usrmgmt_is_valid_email);
PG_FUNCTION_INFO_V1(usrmgmt_is_valid_username);
PG_FUNCTION_INFO_V1(usrmgmt_is_valid_server_name);
PG_FUNCTION_INFO_V1(usrmgmt_is_valid_config_key);
PG_FUNCTION_INFO_V1(usrmgmt_is_valid_scram_secret);
PG_FUNCTION_INFO_V1(usrmgmt_is_valid_person_name);

/*
 * Is the first argument's raw (uncompressed) size above max_bytes?  Read
 * from the varlena or TOAST pointer header, so a huge value is rejected
 * without being detoasted or decompressed.
 */
static inline bool
um_arg_longer_than(FunctionCallInfo fcinfo, size_t max_bytes)
{
	return toast_raw_datum_size(PG_GETARG_DATUM(0)) - VARHDRSZ > max_bytes;
}

/*
 * Apply a core rule to a text argument without copying it: a value whose
 * raw size exceeds max_bytes (the longest valid value) is false at once;
 * otherwise the packed (short-header) form is read in place and a toasted
 * or compressed value is detoasted.
 */
#define UM_VALIDATE_TEXT_ARG(rule, max_bytes) \
	do { \
		text	   *arg_; \
		bool		ok_; \
		if (um_arg_longer_than(fcinfo, (max_bytes))) \
			PG_RETURN_BOOL(false); \
		arg_ = PG_GETARG_TEXT_PP(0); \
		ok_ = rule(VARDATA_ANY(arg_), VARSIZE_ANY_EXHDR(arg_)) != 0; \
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
	UM_VALIDATE_TEXT_ARG(um_valid_email, UM_EMAIL_MAX);
}

/*
 * is_valid_username(name text) returns boolean
 *
 * True for 3-80 characters of [A-Za-z0-9_-].  Never raises an error.
 */
Datum
usrmgmt_is_valid_username(PG_FUNCTION_ARGS)
{
	UM_VALIDATE_TEXT_ARG(um_valid_username, UM_USERNAME_MAX);
}

/*
 * is_valid_server_name(name text) returns boolean
 *
 * True for 3-150 characters of [A-Za-z0-9_-].  Never raises an error.
 */
Datum
usrmgmt_is_valid_server_name(PG_FUNCTION_ARGS)
{
	UM_VALIDATE_TEXT_ARG(um_valid_server_name, UM_SERVER_NAME_MAX);
}

/*
 * is_valid_config_key(key text) returns boolean
 *
 * True for 1-100 characters of [A-Za-z0-9._-].  Never raises an error.
 */
Datum
usrmgmt_is_valid_config_key(PG_FUNCTION_ARGS)
{
	UM_VALIDATE_TEXT_ARG(um_valid_config_key, UM_CONFIG_KEY_MAX);
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
	/* no upper bound: the format leaves the salt's length free */
	UM_VALIDATE_TEXT_ARG(um_valid_scram_secret, SIZE_MAX);
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
	text	   *arg;
	const char *s;
	int			len;
	size_t		nchars;
	bool		ok;

	if (um_arg_longer_than(fcinfo,
						   UM_PERSON_NAME_MAX * pg_database_encoding_max_length()))
		PG_RETURN_BOOL(false);
	arg = PG_GETARG_TEXT_PP(0);
	s = VARDATA_ANY(arg);
	len = VARSIZE_ANY_EXHDR(arg);

	/* no character is shorter than a byte: a long value is too long */
	if (len > UM_PERSON_NAME_MAX * pg_database_encoding_max_length())
		nchars = UM_PERSON_NAME_MAX + 1;
	else
		nchars = (size_t) pg_mbstrlen_with_len(s, len);
	ok = um_valid_person_name(s, (size_t) len, nchars) != 0;
	PG_FREE_IF_COPY(arg, 0);
	PG_RETURN_BOOL(ok);
}
