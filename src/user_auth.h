/*-------------------------------------------------------------------------
 *
 * user_auth.h
 *		Writing and reading a user's authentication state: the password
 *		hash, the failed logins and the lockout, the last login.
 *
 * From version 1.1 the state lives in usrmgmt.user_auth, one row per user
 * that has any, written only here (doc: Tables, "usrmgmt.user_auth"); in
 * a 1.0 database, in columns of "user" (data_model.h).  The callers
 * (passwords.c, sessions.c) find and lock the user first (users.h) and
 * pass its id.  1.1 writes an existing row with one UPDATE and inserts the
 * row only when there is none (INSERT ... ON CONFLICT, so two first writes
 * for one user do not collide), so the steady state costs one statement
 * and fires no reference check.
 *
 * Every routine runs inside the caller's SPI connection.
 *
 * src/user_auth.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_USER_AUTH_H
#define USRMGMT_USER_AUTH_H

#include "postgres.h"

#include "datatype/timestamp.h"

/*
 * Store secret as the password of user id: a new password
 * (password_changed_at = now()) or, new_password false, the same password
 * rehashed.
 */
extern void um_auth_store_secret(int64 id, const char *secret, bool new_password);

/*
 * Count a failed authentication of user id; when the count reaches
 * max_failed (> 0), locked_at is set to now() (1.1).
 */
extern void um_auth_count_failure(int64 id, int max_failed);

/* Set failed_logins to 0 and locked_at to NULL; false when they were. */
extern bool um_auth_clear_failures(int64 id);

/*
 * Record a login of user id now: 1.1 sets user_auth.last_login_at; in 1.0
 * um_user_find(UM_USER_LOGIN) has stamped "user".last_login_at already.
 */
extern void um_auth_stamp_login(int64 id);

#endif							/* USRMGMT_USER_AUTH_H */
