/*-------------------------------------------------------------------------
 *
 * scram.h
 *		SCRAM-SHA-256 secrets: the key a password is hashed with, making a
 *		secret, and checking a key against a secret with the same, bounded
 *		and interruptible work whatever the secret.
 *
 * Used by the password functions (passwords.c).  The hashing itself is
 * PostgreSQL's (scram_build_secret, parse_scram_secret), so a secret made
 * here is one ALTER ROLE ... PASSWORD accepts, and the other way round.
 *
 * Bounds (doc: Passwords, Security):
 *	- what is hashed is the password after SASLprep, at most
 *	  UM_MAX_PASSWORD_BYTES bytes both before and after normalisation
 *	  (NFKC can make one character eighteen);
 *	- a stored secret's count is used up to UM_MAX_ITERATIONS;
 *	- every check costs the caller's target count of iterations (the
 *	  usrmgmt.password_iterations setting): a cheaper stored secret is
 *	  padded, an unknown user gets a dummy; padding and dummy run in
 *	  chunks with an interrupt check between them, so statement_timeout
 *	  and pg_cancel_backend stop them.  Only the hash of the stored secret
 *	  itself is one uninterruptible call of PostgreSQL's SCRAM loop.
 *
 * src/scram.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_SCRAM_H
#define USRMGMT_SCRAM_H

#include "postgres.h"

/* Longest password, in bytes, before and after SASLprep. */
#define UM_MAX_PASSWORD_BYTES 1024

/*
 * Highest iteration count made, and accepted from a stored secret (the
 * CHECK constraint admits up to 2^31-1, about an hour of CPU): a secret
 * above it is unusable, and checking it is false after the usual work.
 */
#define UM_MAX_ITERATIONS 10000000

/*
 * The key password is hashed with: the password after SASLprep, as the
 * server prepares it (as given when SASLprep does not apply).  NULL when
 * the password or its normalised form is longer than
 * UM_MAX_PASSWORD_BYTES; *bytes is then the length found too long (and
 * *normalised says whether before or after SASLprep), else the key's
 * length.
 */
extern char *um_password_key(const char *password, size_t *bytes,
							 bool *normalised);

/* A new secret of key: iterations, a fresh 16-byte random salt. */
extern char *um_secret_make(const char *key, int iterations);

/*
 * Does key (NULL: matches nothing) match secret (NULL, unparsable or
 * above UM_MAX_ITERATIONS: matches nothing)?  Costs work iterations of
 * PBKDF2 over the key whatever the secret (more only when the secret's
 * own count is higher).  *stored_iterations: the secret's count, 0 when
 * it is unusable.  Compares in constant time.
 */
extern bool um_secret_check(const char *key, const char *secret, int work,
							int *stored_iterations);

#endif							/* USRMGMT_SCRAM_H */
