/*-------------------------------------------------------------------------
 *
 * health.c
 *		Health, status, statistics and metrics.
 *
 * src/health.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

/* Called once per backend from _PG_init: GUCs and per-backend state. */
void
usrmgmt_health_init(void)
{
}
