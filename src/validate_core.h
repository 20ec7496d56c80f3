/*-------------------------------------------------------------------------
 *
 * validate_core.h
 *		The validation rules of usrmgmt in plain C.
 *
 * Nothing here depends on PostgreSQL, so the unit test (test/unit) and the
 * fuzzers (test/fuzz) call these functions directly.  Every function takes
 * a pointer and a byte length (the input need not be NUL-terminated and
 * may contain any byte) and returns 1 when the value is valid, else 0.
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_VALIDATE_CORE_H
#define USRMGMT_VALIDATE_CORE_H

#include <stddef.h>

/*
 * Length limits of the spec's sections "Schema (version 1.0)" and
 * "Validation", in bytes (all valid values are ASCII).
 */
#define UM_USERNAME_MIN			3
#define UM_USERNAME_MAX			80
#define UM_SERVER_NAME_MIN		3
#define UM_SERVER_NAME_MAX		150
#define UM_CONFIG_KEY_MIN		1
#define UM_CONFIG_KEY_MAX		100
#define UM_EMAIL_MAX			254
#define UM_EMAIL_LOCAL_MAX		64
#define UM_EMAIL_LABEL_MAX		63
#define UM_PERSON_NAME_MAX		100 /* characters, not bytes */
#define UM_SCRAM_KEY_LEN		32	/* SHA-256 digest: StoredKey, ServerKey */

/*
 * WHATWG HTML "valid e-mail address" (the input type=email rule):
 *   1*( atext / "." ) "@" label *( "." label )
 * where a label is 1-63 of [A-Za-z0-9-] starting and ending with a letter
 * or digit; plus a total length of at most 254 and a local part of at most
 * 64.  No quoted strings, no IP literals, ASCII only.
 */
extern int	um_valid_email(const char *s, size_t len);

/* 3-80 characters of [A-Za-z0-9_-]. */
extern int	um_valid_username(const char *s, size_t len);

/* 3-150 characters of [A-Za-z0-9_-]. */
extern int	um_valid_server_name(const char *s, size_t len);

/* 1-100 characters of [A-Za-z0-9._-]. */
extern int	um_valid_config_key(const char *s, size_t len);

/*
 * A first or last name: 1-100 characters (nchars, counted by the caller in
 * the server encoding) and not blank, i.e. at least one byte that is not
 * ASCII whitespace (space, \t, \n, \v, \f, \r).  Any other character,
 * multibyte ones included, counts as not blank, so the verdict never
 * depends on the locale.
 */
extern int	um_valid_person_name(const char *s, size_t len, size_t nchars);

/*
 * A SCRAM-SHA-256 secret in the form PostgreSQL stores in pg_authid:
 *   SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
 * iterations 1-2147483647 in decimal without leading zero; salt canonical
 * padded base64 of at least one byte; StoredKey and ServerKey canonical
 * padded base64 of exactly 32 bytes (44 characters).
 */
extern int	um_valid_scram_secret(const char *s, size_t len);

#endif							/* USRMGMT_VALIDATE_CORE_H */
