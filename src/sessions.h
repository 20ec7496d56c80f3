/*-------------------------------------------------------------------------
 *
 * sessions.h
 *		What the session functions (sessions.c) offer other features:
 *		opening a session, which authenticate() (passwords.c) does after a
 *		matching password exactly as login() does.
 *
 * src/sessions.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_SESSIONS_H
#define USRMGMT_SESSIONS_H

#include "usrmgmt.h"

/*
 * Open a session for the user named username (case-insensitively); the
 * body of login().  Returns the session id.
 * Errors: 42704 unknown user; 28000 inactive user.
 */
extern int64 usrmgmt_open_session(text *username, Datum ip, bool ip_isnull,
								  Datum user_agent, bool user_agent_isnull);

#endif							/* USRMGMT_SESSIONS_H */
