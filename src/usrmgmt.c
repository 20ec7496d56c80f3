/*-------------------------------------------------------------------------
 *
 * usrmgmt.c
 *		Module entry point of the usrmgmt extension.
 *
 * _PG_init only calls each module's init (GUCs, per-backend state; the
 * maintenance worker registers itself while shared_preload_libraries are
 * loaded) and then reserves the "usrmgmt." GUC prefix, so that a misspelt setting such
 * as usrmgmt.session_timout is an error rather than a silent placeholder.
 * Around them, settings_guard.c notes the usrmgmt settings this session
 * SET before the library was loaded and that the load dropped.
 *
 * src/usrmgmt.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "utils/guc.h"

#include "settings_guard.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	um_settings_guard_begin();
	usrmgmt_sessions_init();
	usrmgmt_passwords_init();
	usrmgmt_health_init();
	usrmgmt_retention_init();
	usrmgmt_maintenance_init();
	usrmgmt_distributed_init();
	usrmgmt_data_model_init();
	usrmgmt_user_ids_init();

	UM_RESERVE_GUC_PREFIX();
	um_settings_guard_end();
}
