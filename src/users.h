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
 * matches nobody.  What changes a user's authentication state (password,
 * failed logins, last login) is user_auth.h.
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

/*
 * How um_user_find reaches the row.  FOR SHARE conflicts with every
 * UPDATE and DELETE of the user (a deactivation, a rename, a delete), so
 * under READ COMMITTED the loser of such a race re-reads the row and finds
 * it gone, renamed or inactive; FOR NO KEY UPDATE also conflicts with
 * FOR SHARE, so two of its holders are serialised.
 */
typedef enum UmUserAccess
{
	UM_USER_READ,				/* no lock: a read of the caller's snapshot,
								 * with the authentication state */
	UM_USER_LOCK,				/* FOR NO KEY UPDATE; no authentication state */
	UM_USER_SHARE,				/* before a write of the authentication
								 * state: 1.1 FOR SHARE; 1.0 (which writes
								 * the user row) FOR NO KEY UPDATE */
	UM_USER_AUTH,				/* FOR SHARE, and the authentication state
								 * locked: 1.1 its user_auth row FOR NO KEY
								 * UPDATE; 1.0 the user row FOR NO KEY UPDATE */
	UM_USER_LOGIN,				/* 1.1: FOR SHARE; 1.0: FOR NO KEY UPDATE by
								 * stamping last_login_at */
	UM_NUM_USER_ACCESS
} UmUserAccess;

typedef struct UmUser
{
	int64		id;
	Datum		username;		/* text: the stored (current) name */
	bool		is_active;
	char	   *password_hash;	/* NULL: no password (or not read) */
	int32		failed_logins;	/* 0 when not read */
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

#endif							/* USRMGMT_USERS_H */
