/*-------------------------------------------------------------------------
 *
 * session_context.h
 *		What a session function tells the triggers on online_user about
 *		the statement it runs.
 *
 * The triggers (session_triggers.c) fire for every INSERT and DELETE on
 * usrmgmt.online_user, whoever runs it.  When the statement comes from one
 * of the session functions (sessions.c) or from the deactivation trigger,
 * the triggers are told, only for the length of that statement:
 *
 *	- a login: the user row is already locked and checked, so the BEFORE
 *	  INSERT trigger takes its username instead of reading the row again;
 *	- a closing: why the sessions end (the 'detail' of their 'logout'
 *	  rows) and that their user row is known to exist;
 *	- past the guard: purge_user_log() and reset() may delete, update or
 *	  truncate usrmgmt.user_log (and truncate online_user), which the
 *	  guard triggers refuse to everyone else.  No SQL-visible setting can
 *	  lift the guard.
 *
 * The state behind this is private to session_context.c and always
 * restored with PG_TRY/PG_FINALLY, so an error never leaves it set.
 *
 * src/session_context.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_SESSION_CONTEXT_H
#define USRMGMT_SESSION_CONTEXT_H

#include "spi_util.h"

/*
 * Run plan, an INSERT ... RETURNING into online_user of one session of
 * user user_id (locked and checked by the caller; username its current
 * name), as a login.
 */
extern void um_insert_login(UmPlan *plan, Datum *values, const char *nulls,
							int64 user_id, Datum username);

/*
 * Run plan, a DELETE from online_user, as a closing with this detail
 * (NULL: asked for by logout()/logout_user()); returns the rows deleted.
 */
extern uint64 um_delete_sessions(UmPlan *plan, Datum *values,
								 const char *detail);

/*
 * Close every session of user user_id (whose row the caller has locked)
 * with this detail (NULL: logout_user()); returns how many.
 */
extern uint64 um_close_user_sessions(int64 user_id, const char *detail);

/*
 * Run plan (values: its parameters) past the user_log guard; returns the
 * rows processed.  Only purge_user_log() and reset() call this.
 */
extern uint64 um_exec_past_log_guard(UmPlan *plan, Datum *values,
									 int expected);

/*
 * For the BEFORE INSERT trigger: is this row the pending login of
 * user_id?  If so, sets *username and clears the pending login.
 */
extern bool um_take_login(int64 user_id, Datum *username);

/*
 * For the AFTER DELETE trigger: is a closing under way?  If so, sets
 * *detail (possibly NULL).
 */
extern bool um_closing_detail(const char **detail);

/* For the guard triggers: is a statement past the guard running? */
extern bool um_log_guard_lifted(void);

#endif							/* USRMGMT_SESSION_CONTEXT_H */
