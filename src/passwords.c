/*-------------------------------------------------------------------------
 *
 * passwords.c
 *		Passwords: SCRAM-SHA-256 secrets, check_password and authenticate.
 *
 * usrmgmt."user".password_hash holds a SCRAM-SHA-256 secret in exactly the
 * format PostgreSQL stores in pg_authid.rolpassword:
 *
 *	SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
 *
 * built by PostgreSQL's own scram_build_secret() (common/scram-common.h)
 * from a 16-byte salt out of pg_strong_random() and the password after
 * SASLprep (pg_saslprep), as CREATE ROLE ... PASSWORD does.  Such a secret
 * can be given to ALTER ROLE ... PASSWORD as it is.
 *
 * check_password() parses the stored secret with the server's
 * parse_scram_secret() (the iteration count comes from the secret, not
 * from the GUC), rebuilds the secret from the candidate password with the
 * stored salt and iteration count, and compares StoredKey and ServerKey in
 * constant time.  An unknown user, a user without a password or an
 * unparsable secret (or one whose iteration count is out of range) costs
 * the same work against a dummy secret with the GUC's iteration count,
 * and is simply false.
 *
 * src/passwords.c
 *
 *-------------------------------------------------------------------------
 */
#include "sessions.h"

#include "catalog/pg_type.h"
#include "common/base64.h"
#include "common/saslprep.h"
#include "common/scram-common.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "spi_util.h"
#include "users.h"

/*
 * parse_scram_secret() is the server's own parser (src/backend/libpq/
 * auth-scram.c, declared in libpq/scram.h).  That header pulls in
 * libpq/libpq-be.h and with it the GSSAPI headers, which a build host
 * need not have, so the prototype is repeated here, per version.
 */
#if PG_VERSION_NUM >= 160000
extern bool parse_scram_secret(const char *secret, int *iterations,
							   pg_cryptohash_type *hash_type, int *key_length,
							   char **salt, uint8 *stored_key, uint8 *server_key);
#else
extern bool parse_scram_secret(const char *secret, int *iterations, char **salt,
							   uint8 *stored_key, uint8 *server_key);
#endif

PG_FUNCTION_INFO_V1(usrmgmt_set_password);
PG_FUNCTION_INFO_V1(usrmgmt_check_password);
PG_FUNCTION_INFO_V1(usrmgmt_authenticate);

/* GUCs */
static int	usrmgmt_password_iterations = 600000;
static int	usrmgmt_min_password_length = 8;
static int	usrmgmt_max_failed_logins = 5;

#define UM_SALT_LEN 16

/*
 * Highest iteration count set_password() makes and check_password()
 * accepts from a stored secret.  PostgreSQL 15's SCRAM loop has no
 * interrupt check, and the CHECK constraint admits any count up to 2^31-1
 * (about an hour of CPU), so a stored secret above this is unusable:
 * check_password() is false after the work of an ordinary check.  10000000
 * is about 50 s here, 16 times the default.
 */
#define UM_MAX_ITERATIONS 10000000

/*
 * Longest password accepted, in bytes.  PostgreSQL's SCRAM code (HMAC with
 * the password as key) rehashes a password longer than the SHA-256 block
 * once per iteration, without an interrupt check: a 1 MB password costs
 * about an hour of CPU at 600000 iterations in a backend that neither
 * statement_timeout nor pg_terminate_backend can stop.  1024 bytes is far
 * beyond any passphrase (NIST SP 800-63B asks for at least 64 characters).
 */
#define UM_MAX_PASSWORD_BYTES 1024

/* PostgreSQL 16 sized SCRAM keys per hash type. */
#if PG_VERSION_NUM >= 160000
#define UM_KEY_LEN SCRAM_SHA_256_KEY_LEN
#else
#define UM_KEY_LEN SCRAM_KEY_LEN
#endif

/* PostgreSQL's scram_build_secret(): errstr since 15, hash type since 16. */
static char *
um_build_secret(const char *salt, int saltlen, int iterations, const char *password)
{
	const char *errstr = NULL;
	char	   *secret;

#if PG_VERSION_NUM >= 160000
	secret = scram_build_secret(PG_SHA256, SCRAM_SHA_256_KEY_LEN, salt, saltlen,
								iterations, password, &errstr);
#elif PG_VERSION_NUM >= 150000
	secret = scram_build_secret(salt, saltlen, iterations, password, &errstr);
#else
	secret = scram_build_secret(salt, saltlen, iterations, password);
#endif
	if (secret == NULL)
		elog(ERROR, "could not build SCRAM secret: %s",
			 errstr ? errstr : "unknown error");
	return secret;
}

/* PostgreSQL's parse_scram_secret(), which learnt hash types in 16. */
static bool
um_parse_secret(const char *secret, int *iterations, char **salt,
				uint8 *stored_key, uint8 *server_key)
{
#if PG_VERSION_NUM >= 160000
	pg_cryptohash_type hash_type;
	int			key_length;

	return parse_scram_secret(secret, iterations, &hash_type, &key_length,
							  salt, stored_key, server_key) &&
		hash_type == PG_SHA256 && key_length == SCRAM_SHA_256_KEY_LEN;
#else
	return parse_scram_secret(secret, iterations, salt, stored_key, server_key);
#endif
}

/* The password after SASLprep, as the server prepares it; else as given. */
static const char *
um_prepare_password(const char *password)
{
	char	   *prepared = NULL;

	if (pg_saslprep(password, &prepared) == SASLPREP_SUCCESS)
		return prepared;
	return password;
}

/* Constant-time comparison of two byte strings of the same length. */
static bool
um_equal_ct(const uint8 *a, const uint8 *b, int len)
{
	volatile uint8 diff = 0;
	int			i;

	for (i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/*
 * Does password match the SCRAM secret?  secret NULL (unknown user, no
 * password) or unparsable: the same work against a dummy secret with the
 * GUC's iteration count, and false.
 */
static bool
um_verify_password(const char *password, const char *secret)
{
	bool		too_long = strlen(password) > UM_MAX_PASSWORD_BYTES;

	int			iterations;
	char	   *salt_b64;
	uint8		stored_key[UM_KEY_LEN];
	uint8		server_key[UM_KEY_LEN];
	uint8		try_stored[UM_KEY_LEN];
	uint8		try_server[UM_KEY_LEN];
	int			try_iterations;
	char	   *try_salt;
	char	   *salt;
	int			saltlen;
	char	   *computed;
	bool		usable;
	bool		match;

	usable = secret != NULL &&
		um_parse_secret(secret, &iterations, &salt_b64, stored_key, server_key) &&
		iterations >= 1 && iterations <= UM_MAX_ITERATIONS;
	if (!usable)
	{
		/* 16 zero bytes of salt, all-zero keys: matches no password */
		char	   *dummy = psprintf("SCRAM-SHA-256$%d:AAAAAAAAAAAAAAAAAAAAAA==$%s=:%s=",
									 usrmgmt_password_iterations,
									 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
									 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

		if (!um_parse_secret(dummy, &iterations, &salt_b64, stored_key, server_key))
			elog(ERROR, "could not parse the dummy SCRAM secret");
	}

	saltlen = pg_b64_dec_len(strlen(salt_b64));
	salt = palloc(saltlen);
	saltlen = pg_b64_decode(salt_b64, strlen(salt_b64), salt, saltlen);
	if (saltlen < 0)
		elog(ERROR, "invalid SCRAM salt");

	/* an over-long password matches nothing: same work, on a stand-in */
	computed = um_build_secret(salt, saltlen, iterations,
							   too_long ? "" : um_prepare_password(password));
	if (!um_parse_secret(computed, &try_iterations, &try_salt, try_stored, try_server))
		elog(ERROR, "could not parse a SCRAM secret built here");

	match = um_equal_ct(stored_key, try_stored, UM_KEY_LEN) &
		um_equal_ct(server_key, try_server, UM_KEY_LEN);
	return usable && match && !too_long;
}

/*
 * The (username, password) arguments of the three functions: 22004 when
 * either is NULL.  Returns the password; *username the username.
 */
static char *
um_password_args(FunctionCallInfo fcinfo, text **username)
{
	um_require_arg(fcinfo, 0, "username");
	um_require_arg(fcinfo, 1, "password");
	*username = PG_GETARG_TEXT_PP(0);
	return text_to_cstring(PG_GETARG_TEXT_PP(1));
}

/*
 * set_password(username text, password text) RETURNS void
 *
 * Stores a new SCRAM-SHA-256 secret (usrmgmt.password_iterations
 * iterations, fresh random salt) as the user's password_hash.  Does not
 * touch failed_logins.
 * Errors: 22004 an argument NULL; 22023 password shorter than
 * usrmgmt.min_password_length characters; 42704 unknown user.
 * Locking: the user row (UPDATE).
 */
Datum
usrmgmt_set_password(PG_FUNCTION_ARGS)
{
	text	   *username;
	char	   *password;
	int			len;
	char		salt[UM_SALT_LEN];
	char	   *secret;

	password = um_password_args(fcinfo, &username);

	if (strlen(password) > UM_MAX_PASSWORD_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("password for user \"%s\" is too long",
						text_to_cstring(username)),
				 errdetail("The password has %zu bytes; at most %d are accepted.",
						   strlen(password), UM_MAX_PASSWORD_BYTES)));
	len = pg_mbstrlen(password);
	if (len < usrmgmt_min_password_length)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("password for user \"%s\" is too short",
						text_to_cstring(username)),
				 errdetail("The password has %d characters; usrmgmt.min_password_length requires at least %d.",
						   len, usrmgmt_min_password_length)));

	if (!pg_strong_random(salt, UM_SALT_LEN))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random salt")));
	secret = um_build_secret(salt, UM_SALT_LEN, usrmgmt_password_iterations,
							 um_prepare_password(password));

	um_spi_connect();
	um_user_set_password_hash(username, secret);
	SPI_finish();

	PG_RETURN_VOID();
}

/*
 * check_password(username text, password text) RETURNS boolean
 *
 * True when password matches the user's stored secret.  False, after
 * about the same work, for a wrong password, an unknown user or a user
 * without a password.  Does not look at is_active or failed_logins and
 * writes nothing.
 * Errors: 22004 an argument NULL.
 * Locking: none.
 */
Datum
usrmgmt_check_password(PG_FUNCTION_ARGS)
{
	text	   *username;
	char	   *password;
	UmUser		user;
	bool		ok;

	password = um_password_args(fcinfo, &username);

	um_spi_connect();
	ok = um_verify_password(password,
							um_user_find(username, UM_USER_READ, &user) ?
							user.password_hash : NULL);
	SPI_finish();

	PG_RETURN_BOOL(ok);
}

/*
 * authenticate(username text, password text, ip_address inet DEFAULT NULL,
 *				user_agent text DEFAULT NULL) RETURNS bigint
 *
 * On a matching password: resets failed_logins and opens a session as
 * login() does; returns its id.  Otherwise NULL, never an error: unknown
 * user, inactive user and user without password after the same work as a
 * check; wrong password also adds one to failed_logins (committed with the
 * caller's transaction); a user whose failed_logins has reached
 * usrmgmt.max_failed_logins (> 0) is refused, after the same work but
 * without comparing its password, until an administrator sets
 * failed_logins back to 0.
 * Errors: 22004 username or password NULL.
 * Locking: the user row FOR NO KEY UPDATE (held while hashing, so
 * concurrent attempts on one user are counted one by one), then the new
 * session row.
 */
Datum
usrmgmt_authenticate(PG_FUNCTION_ARGS)
{
	text	   *username;
	char	   *password;
	UmUser		user;
	int64		session_id;

	password = um_password_args(fcinfo, &username);

	um_spi_connect();

	/*
	 * Unknown, locked-out and inactive users are refused after the same
	 * work as any other check (against the dummy secret, so a locked-out
	 * user's real secret is never compared), so that none of them can be
	 * told from another by the time taken.
	 */
	if (!um_user_find(username, UM_USER_LOCK, &user) ||
		(usrmgmt_max_failed_logins > 0 &&
		 user.failed_logins >= usrmgmt_max_failed_logins) ||
		!user.is_active)
	{
		(void) um_verify_password(password, NULL);
		SPI_finish();
		PG_RETURN_NULL();
	}

	if (!um_verify_password(password, user.password_hash))
	{
		um_user_count_failure(user.id);
		SPI_finish();
		PG_RETURN_NULL();
	}

	if (user.failed_logins != 0)
		um_user_clear_failures(user.id);
	session_id = usrmgmt_open_session(username,
									  PG_GETARG_DATUM(2), PG_ARGISNULL(2),
									  PG_GETARG_DATUM(3), PG_ARGISNULL(3));
	SPI_finish();

	PG_RETURN_INT64(session_id);
}

/* Called once per backend from _PG_init: GUCs and per-backend state. */
void
usrmgmt_passwords_init(void)
{
	DefineCustomIntVariable("usrmgmt.password_iterations",
							"SCRAM-SHA-256 iteration count of secrets made by set_password().",
							"Checking a password reads the count from its secret, so changing this only affects new passwords.",
							&usrmgmt_password_iterations,
							600000,
							4096,
							UM_MAX_ITERATIONS,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("usrmgmt.min_password_length",
							"Shortest password, in characters, that set_password() accepts.",
							NULL,
							&usrmgmt_min_password_length,
							8,
							1,
							1024,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("usrmgmt.max_failed_logins",
							"Failed authenticate() calls after which a user is locked out; 0 disables the lockout.",
							NULL,
							&usrmgmt_max_failed_logins,
							5,
							0,
							1000000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
}
