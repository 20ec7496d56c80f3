/*-------------------------------------------------------------------------
 *
 * retention.c
 *		The setting of how long usrmgmt.user_log keeps its rows.
 *
 * usrmgmt.log_retention: the age after which maintain() drops a monthly
 * partition of user_log, once the whole month is older than it (doc:
 * Retention and partitions).  A time setting like PostgreSQL's own
 * (SET usrmgmt.log_retention = '400d'), in minutes; 0, the default, keeps
 * the log forever.  A negative value, or more than 100 years, is refused
 * with 22023 by the setting's range.  The partitions themselves are
 * created and dropped by usrmgmt.maintain() (PL/pgSQL in the install
 * script), which reads this setting through usrmgmt._log_retention(): a
 * C function, so that calling it loads the library and the setting is
 * defined even in a backend that has not used usrmgmt yet.
 *
 * src/retention.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "datatype/timestamp.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "settings_guard.h"

PG_FUNCTION_INFO_V1(usrmgmt_log_retention);

/* 100 years of minutes: longer is a mistake, not a retention policy. */
#define UM_RETENTION_MAX_MIN (100 * 365 * 24 * 60)

static int	um_log_retention_min = 0;

void
usrmgmt_retention_init(void)
{
	DefineCustomIntVariable("usrmgmt.log_retention",
							"Age after which usrmgmt.maintain() drops a month of usrmgmt.user_log.",
							"0 keeps the log forever.",
							&um_log_retention_min,
							0,
							0,
							UM_RETENTION_MAX_MIN,
							PGC_SUSET,
							GUC_UNIT_MIN,
							NULL, NULL, NULL);
}

/*
 * _log_retention() RETURNS interval
 *
 * usrmgmt.log_retention as an interval (of hours and minutes: exact, like
 * the setting), NULL when it is 0 (keep forever).  Errors: only that of a
 * usrmgmt setting SET before the library loaded and dropped then
 * (settings_guard.h).
 */
Datum
usrmgmt_log_retention(PG_FUNCTION_ARGS)
{
	Interval   *result;

	um_settings_guard_check();
	if (um_log_retention_min == 0)
		PG_RETURN_NULL();
	result = (Interval *) palloc0(sizeof(Interval));
	result->time = (int64) um_log_retention_min * USECS_PER_MINUTE;
	PG_RETURN_INTERVAL_P(result);
}
