/*-------------------------------------------------------------------------
 *
 * scram.c
 *		SCRAM-SHA-256 secrets: the key a password is hashed with, making a
 *		secret, and checking a key against one with equal, bounded and
 *		interruptible work; see scram.h.
 *
 * A secret is PostgreSQL's own, in the format of pg_authid.rolpassword:
 *
 *	SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
 *
 * built by scram_build_secret() (common/scram-common.h) and read by the
 * server's parse_scram_secret().  Checking rebuilds the secret from the
 * key with the stored salt and count and compares StoredKey and ServerKey
 * in constant time.
 *
 * Equal work.  The review of issue 11 measured 2.8 ms for a known user
 * whose secret had 4096 iterations (load_sample_data(), or copied from
 * pg_authid) against 471 ms for an unknown user checked with the
 * setting's 600000: the time told which users exist.  Now every check
 * costs the caller's target count: the stored secret's own hash, then
 * PBKDF2 padding up to the target; an unknown user, a user without
 * password or an unusable secret costs the target in dummy work.  A
 * stored count above the target cannot be padded down: authenticate()
 * rehashes a secret to the target on the next successful login, in both
 * directions (passwords.c), so every secret converges.
 *
 * Bounded work.  HMAC rehashes a key longer than the SHA-256 block once
 * per iteration, so the cost grows with the key: the key is capped at
 * UM_MAX_PASSWORD_BYTES after SASLprep (341 x U+FDFA is 1023 bytes but
 * 11,253 after NFKC).  PostgreSQL's SCRAM loop has no interrupt check, so
 * the padding and the dummy work run in chunks of UM_WORK_CHUNK
 * iterations with CHECK_FOR_INTERRUPTS() between them.
 *
 * src/scram.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "common/base64.h"
#include "common/saslprep.h"
#include "common/scram-common.h"
#include "miscadmin.h"

#include "scram.h"

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

#define UM_SALT_LEN 16

/*
 * Iterations of padding or dummy work between two interrupt checks: about
 * 10 ms of CPU here.
 */
#define UM_WORK_CHUNK 16384

/* PostgreSQL 16 sized SCRAM keys per hash type. */
#if PG_VERSION_NUM >= 160000
#define UM_KEY_LEN SCRAM_SHA_256_KEY_LEN
#else
#define UM_KEY_LEN SCRAM_KEY_LEN
#endif

/*
 * PostgreSQL's scram_build_secret(): errstr since 15, hash type since 16,
 * the salt as uint8 bytes since 18.
 */
static char *
um_build_secret(const char *salt, int saltlen, int iterations, const char *key)
{
	const char *errstr = NULL;
	char	   *secret;

#if PG_VERSION_NUM >= 180000
	secret = scram_build_secret(PG_SHA256, SCRAM_SHA_256_KEY_LEN,
								(const uint8 *) salt, saltlen,
								iterations, key, &errstr);
#elif PG_VERSION_NUM >= 160000
	secret = scram_build_secret(PG_SHA256, SCRAM_SHA_256_KEY_LEN, salt, saltlen,
								iterations, key, &errstr);
#else
	secret = scram_build_secret(salt, saltlen, iterations, key, &errstr);
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
 * iterations of PBKDF2-HMAC-SHA-256 over key, for their cost only, in
 * chunks with an interrupt check before each.
 */
static void
um_hash_work(const char *key, int iterations)
{
	static const char zero_salt[UM_SALT_LEN] = {0};

	while (iterations > 0)
	{
		int			n = Min(iterations, UM_WORK_CHUNK);

		CHECK_FOR_INTERRUPTS();
		pfree(um_build_secret(zero_salt, UM_SALT_LEN, n, key));
		iterations -= n;
	}
	CHECK_FOR_INTERRUPTS();
}

/* See scram.h. */
char *
um_password_key(const char *password, size_t *bytes, bool *normalised)
{
	char	   *prepared = NULL;
	const char *key = password;

	*normalised = false;
	*bytes = strlen(password);
	if (*bytes > UM_MAX_PASSWORD_BYTES)
		return NULL;
	if (pg_saslprep(password, &prepared) == SASLPREP_SUCCESS)
	{
		key = prepared;
		*normalised = true;
		*bytes = strlen(prepared);
		if (*bytes > UM_MAX_PASSWORD_BYTES)
			return NULL;
	}
	return pstrdup(key);
}

/* See scram.h. */
char *
um_secret_make(const char *key, int iterations)
{
	char		salt[UM_SALT_LEN];

	if (!pg_strong_random(salt, UM_SALT_LEN))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random salt")));
	return um_build_secret(salt, UM_SALT_LEN, iterations, key);
}

/* See scram.h. */
bool
um_secret_check(const char *key, const char *secret, int work,
				int *stored_iterations)
{
	const char *hashed = key ? key : "";	/* an over-long key: a stand-in */
	int			iterations = 0;
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
	bool		match = false;

	if (secret != NULL &&
		um_parse_secret(secret, &iterations, &salt_b64, stored_key, server_key) &&
		iterations >= 1 && iterations <= UM_MAX_ITERATIONS)
	{
		saltlen = pg_b64_dec_len(strlen(salt_b64));
		salt = palloc(saltlen);
		/* pg_b64_decode() writes uint8 bytes since 18 */
		saltlen = pg_b64_decode(salt_b64, strlen(salt_b64), (void *) salt, saltlen);
		if (saltlen < 0)
			elog(ERROR, "invalid SCRAM salt");

		CHECK_FOR_INTERRUPTS();
		computed = um_build_secret(salt, saltlen, iterations, hashed);
		if (!um_parse_secret(computed, &try_iterations, &try_salt,
							 try_stored, try_server))
			elog(ERROR, "could not parse a SCRAM secret built here");
		match = um_equal_ct(stored_key, try_stored, UM_KEY_LEN) &
			um_equal_ct(server_key, try_server, UM_KEY_LEN);
	}
	else
		iterations = 0;			/* unusable: all of the work is dummy */

	/* pad up to the target: the same work for every user */
	um_hash_work(hashed, work - iterations);

	ereport(DEBUG1,
			(errmsg_internal("usrmgmt password check: %d iterations, %zu-byte key",
							 Max(work, iterations), strlen(hashed))));
	*stored_iterations = iterations;
	return match && key != NULL;
}
