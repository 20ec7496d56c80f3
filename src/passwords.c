/*-------------------------------------------------------------------------
 *
 * passwords.c
 *		Passwords: SCRAM-SHA-256 secrets, check_password and authenticate.
 *
 * src/passwords.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

/* Called once per backend from _PG_init: GUCs and per-backend state. */
void
usrmgmt_passwords_init(void)
{
}
