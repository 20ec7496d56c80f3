/*-------------------------------------------------------------------------
 *
 * passwords.c
 *		Passwords: set_password(), check_password() and authenticate(), and
 *		their settings.
 *
 * usrmgmt.user_auth.password_hash (in a 1.0 database "user".password_hash;
 * user_auth.h) holds a SCRAM-SHA-256 secret in exactly the
 * format PostgreSQL stores in pg_authid.rolpassword, made and checked by
 * scram.c with PostgreSQL's own SCRAM routines, over the password after
 * SASLprep (at most 1024 bytes before and after).  Such a secret can be
 * given to ALTER ROLE ... PASSWORD as it is.
 *
 * Every check costs usrmgmt.password_iterations iterations, whatever the
 * user (unknown, inactive, locked out, without password, or with a
 * secret of fewer iterations: scram.c pads it), so the time taken does
 * not tell which users exist.  A successful authenticate() rehashes a
 * secret whose count differs from the setting, so that stored counts
 * follow the setting (as Django does).
 *
 * src/passwords.c
 *
 *-------------------------------------------------------------------------
 */
#include "sessions.h"

#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "scram.h"
#include "settings_guard.h"
#include "spi_util.h"
#include "user_auth.h"
#include "users.h"

PG_FUNCTION_INFO_V1(usrmgmt_set_password);
PG_FUNCTION_INFO_V1(usrmgmt_check_password);
PG_FUNCTION_INFO_V1(usrmgmt_authenticate);

/* GUCs */
static int	usrmgmt_password_iterations = 600000;
static int	usrmgmt_min_password_length = 8;
static int	usrmgmt_max_failed_logins = 5;

/*
 * The key a candidate password is checked with (scram.h): NULL when it is
 * too long, which matches nothing after the same work.
 */
static char *
um_candidate_key(const char *password)
{
	size_t		bytes;
	bool		normalised;

	return um_password_key(password, &bytes, &normalised);
}

/*
 * The (username, password) arguments of the three functions: 22004 when
 * either is NULL.  Returns the password; *username the username.  First,
 * the error of a usrmgmt setting SET before the library loaded and dropped
 * then (settings_guard.h): these functions read usrmgmt.password_*.
 */
static char *
um_password_args(FunctionCallInfo fcinfo, text **username)
{
	um_settings_guard_check();
	um_require_arg(fcinfo, 0, "username");
	um_require_arg(fcinfo, 1, "password");
	*username = PG_GETARG_TEXT_PP(0);
	return text_to_cstring(PG_GETARG_TEXT_PP(1));
}

/*
 * set_password(username text, password text) RETURNS void
 *
 * Stores a new SCRAM-SHA-256 secret (usrmgmt.password_iterations
 * iterations, fresh random salt) as the user's password_hash, and now()
 * as its password_changed_at.  Does not touch failed_logins.
 * Errors: 22004 an argument NULL; 22023 password longer than 1024 bytes
 * before or after SASLprep, or shorter than usrmgmt.min_password_length
 * characters after it; 42704 unknown user (or a name that breaks the
 * username rule).
 * Locking: the user row FOR SHARE (1.0: FOR NO KEY UPDATE), then its
 * user_auth row.
 */
Datum
usrmgmt_set_password(PG_FUNCTION_ARGS)
{
	text	   *username;
	char	   *key;
	size_t		bytes;
	bool		normalised;
	int			len;
	char	   *secret;
	UmUser		user;

	key = um_password_key(um_password_args(fcinfo, &username), &bytes,
						  &normalised);

	if (key == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("password for user \"%s\" is too long",
						text_to_cstring(username)),
				 normalised ?
				 errdetail("The password has %zu bytes after SASLprep normalization; at most %d are accepted.",
						   bytes, UM_MAX_PASSWORD_BYTES) :
				 errdetail("The password has %zu bytes; at most %d are accepted.",
						   bytes, UM_MAX_PASSWORD_BYTES)));
	/* counted after SASLprep: soft hyphens and the like map to nothing */
	len = pg_mbstrlen(key);
	if (len < usrmgmt_min_password_length)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("password for user \"%s\" is too short",
						text_to_cstring(username)),
				 errdetail("The password has %d characters; usrmgmt.min_password_length requires at least %d.",
						   len, usrmgmt_min_password_length)));

	secret = um_secret_make(key, usrmgmt_password_iterations);

	um_spi_connect();
	um_user_get(username, UM_USER_SHARE, &user);
	um_auth_store_secret(user.id, secret, true);
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
	char	   *key;
	UmUser		user;
	int			stored_iterations;
	bool		ok;

	key = um_candidate_key(um_password_args(fcinfo, &username));

	um_spi_connect();
	ok = um_secret_check(key,
						 um_user_find(username, UM_USER_READ, &user) ?
						 user.password_hash : NULL,
						 usrmgmt_password_iterations, &stored_iterations);
	SPI_finish();

	PG_RETURN_BOOL(ok);
}

/*
 * authenticate(username text, password text, ip_address inet DEFAULT NULL,
 *				user_agent text DEFAULT NULL) RETURNS bigint
 *
 * On a matching password: resets failed_logins, rehashes the secret when
 * its iteration count is not usrmgmt.password_iterations (a fresh salt,
 * the same password), and opens a session as login() does; returns its
 * id.  Otherwise NULL, never an error: unknown
 * user, inactive user and user without password after the same work as a
 * check; wrong password (or a user without one) also adds one to
 * failed_logins (committed with the caller's transaction; locked_at is set
 * when the count reaches usrmgmt.max_failed_logins); a user whose
 * failed_logins has reached usrmgmt.max_failed_logins (> 0) is refused,
 * after the same work but without comparing its password, until an
 * administrator calls unlock_user().  Writes no row of "user".
 * Errors: 22004 username or password NULL.
 * Locking: the user row FOR SHARE, then its user_auth row FOR NO KEY
 * UPDATE (held while hashing, so concurrent attempts on one user are
 * counted one by one; in 1.0 the user row FOR NO KEY UPDATE), then the new
 * session row.
 */
Datum
usrmgmt_authenticate(PG_FUNCTION_ARGS)
{
	text	   *username;
	char	   *key;
	UmUser		user;
	int			stored_iterations;
	int64		session_id;

	key = um_candidate_key(um_password_args(fcinfo, &username));

	um_spi_connect();

	/*
	 * Unknown, locked-out and inactive users are refused after the same
	 * work as any other check (against the dummy secret, so a locked-out
	 * user's real secret is never compared), so that none of them can be
	 * told from another by the time taken.
	 */
	if (!um_user_find(username, UM_USER_AUTH, &user) ||
		(usrmgmt_max_failed_logins > 0 &&
		 user.failed_logins >= usrmgmt_max_failed_logins) ||
		!user.is_active)
	{
		(void) um_secret_check(key, NULL, usrmgmt_password_iterations,
							   &stored_iterations);
		SPI_finish();
		PG_RETURN_NULL();
	}

	if (!um_secret_check(key, user.password_hash, usrmgmt_password_iterations,
						 &stored_iterations))
	{
		um_auth_count_failure(user.id, usrmgmt_max_failed_logins);
		SPI_finish();
		PG_RETURN_NULL();
	}

	if (user.failed_logins != 0)
		(void) um_auth_clear_failures(user.id);
	/* the secret follows the setting: rehashed at the next good login */
	if (stored_iterations != usrmgmt_password_iterations)
		um_auth_store_secret(user.id,
							 um_secret_make(key, usrmgmt_password_iterations),
							 false);
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
							"Every check costs this many iterations; a successful authenticate() rehashes a secret made with another count.",
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
