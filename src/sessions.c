/*-------------------------------------------------------------------------
 *
 * sessions.c
 *		Session logging: login/logout functions and the triggers on online_user, user and user_log.
 *
 * src/sessions.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

/* Called once per backend from _PG_init: GUCs and per-backend state. */
void
usrmgmt_sessions_init(void)
{
}
