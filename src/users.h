/*-------------------------------------------------------------------------
 *
 * users.h
 *		Finding and locking a row of usrmgmt."user", and the errors about it.
 *
 * The session functions (sessions.c), the password functions
 * (passwords.c) and the session triggers (session_triggers.c) never write
 * SQL against the user table themselves: they ask this module, which
 * holds every statement that finds a user (by name, matched
 * case-insensitively as the unique index user_username_key does, or by
 * id), locks it, and raises "does not exist" (42704) and "is not active"
 * (28000) in exactly one way.  A name that breaks the username rule
 * matches nobody.
 *
 * Every routine runs inside the caller's SPI connection; the Datums and
 * strings of a UmUser live until the caller's SPI_finish.
 *
 * src/users.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_USERS_H
#define USRMGMT_USERS_H

#include "postgres.h"

/* How um_user_find reaches the row. */
typedef enum UmUserAccess
{
	UM_USER_READ,				/* no lock: a read of the caller's snapshot */
	UM_USER_LOCK,				/* FOR NO KEY UPDATE */
	UM_USER_LOGIN				/* FOR NO KEY UPDATE by stamping last_login_at */
} UmUserAccess;

typedef struct UmUser
{
	int64		id;
	Datum		username;		/* text: the stored (current) name */
	bool		is_active;
	char	   *password_hash;	/* NULL: no password */
	int32		failed_logins;
} UmUser;

/*
 * Find the user named name (case-insensitively) and reach it as access
 * says.  False when there is no such user (or, under READ COMMITTED, when
 * a concurrent rename or delete took it away while we waited).
 */
extern bool um_user_find(text *name, UmUserAccess access, UmUser *user);

/* um_user_find, with 42704 when there is no such user. */
extern void um_user_get(text *name, UmUserAccess access, UmUser *user);

/* 28000 unless the user is active (a deactivated user cannot log in). */
extern void um_user_require_active(const UmUser *user);

/*
 * The user row a new session of user id belongs to, locked FOR SHARE when
 * lock (on a Citus shard it is not: distributed.h).
 * Errors: 23503 no such user; 28000 inactive user.
 */
extern void um_user_for_session(int64 id, bool lock, UmUser *user);

/* The current username of user id; false when the row is gone. */
extern bool um_user_name(int64 id, Datum *username);

/* Does user id exist (in our snapshot)? */
extern bool um_user_exists(int64 id);

/* Store secret as the password_hash of the user named name; 42704. */
extern void um_user_set_password_hash(text *name, const char *secret);

/* Store secret as the password_hash of user id (a rehash). */
extern void um_user_store_secret(int64 id, const char *secret);

/* Count a failed authentication / clear the count, of user id. */
extern void um_user_count_failure(int64 id);
extern void um_user_clear_failures(int64 id);

#endif							/* USRMGMT_USERS_H */
