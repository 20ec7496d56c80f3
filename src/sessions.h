/*-------------------------------------------------------------------------
 *
 * sessions.h
 *		State shared by sessions.c, session_triggers.c and passwords.c.
 *
 * The session functions (sessions.c) tell the triggers on online_user
 * (session_triggers.c) two things through backend-local variables that
 * they set only around their own statements:
 *
 *	- um_login_pending: login() has already locked and checked the user
 *	  row, so the BEFORE INSERT trigger need not look it up again;
 *	- um_logout_ctx: why the rows being deleted are logged out (the
 *	  'detail' of the 'logout' rows) and that their user row is known to
 *	  exist (locked by the caller).
 *
 * Both are saved and restored with PG_TRY/PG_FINALLY, so an error never
 * leaves them set.
 *
 * src/sessions.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_SESSIONS_H
#define USRMGMT_SESSIONS_H

#include "usrmgmt.h"

#include "spi_util.h"

typedef struct UmLoginPending
{
	bool		active;
	int64		user_id;		/* the user row login() locked */
	Datum		username;		/* its current username (text) */
} UmLoginPending;

typedef struct UmLogoutContext
{
	bool		active;
	const char *detail;			/* NULL: asked for by logout()/logout_user() */
} UmLogoutContext;

extern UmLoginPending um_login_pending;
extern UmLogoutContext um_logout_ctx;

/* sessions.c */
extern int	usrmgmt_session_timeout;
extern int64 usrmgmt_open_session(text *username, Datum ip, bool ip_isnull,
								  Datum user_agent, bool user_agent_isnull);
extern SPIPlanPtr um_prepare_saved(const char *sql, int nargs, Oid *argtypes);
extern void um_execute(SPIPlanPtr plan, Datum *values, const char *nulls,
					   int expected);

#endif							/* USRMGMT_SESSIONS_H */
