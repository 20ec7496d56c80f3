/*-------------------------------------------------------------------------
 *
 * retention.c
 *		The settings of how long usrmgmt.user_log and usrmgmt.change_log
 *		keep their rows.
 *
 * usrmgmt.log_retention: the age after which maintain() drops a monthly
 * partition of user_log, once the whole month is older than it (doc:
 * Retention and partitions); usrmgmt.change_log_retention: the same for
 * change_log, a setting of its own because an audit trail is commonly
 * kept longer than the session history.  Time settings like PostgreSQL's
 * own (SET usrmgmt.log_retention = '400d'), in minutes; 0, the default,
 * keeps the log forever.  A negative value, or more than 100 years, is
 * refused with 22023 by the setting's range.  The partitions themselves
 * are created and dropped by usrmgmt.maintain() (PL/pgSQL in the install
 * script), which reads these settings through usrmgmt._log_retention()
 * and usrmgmt._change_log_retention(): C functions, so that calling them
 * loads the library and the settings are defined even in a backend that
 * has not used usrmgmt yet.
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
PG_FUNCTION_INFO_V1(usrmgmt_change_log_retention);

/* 100 years of minutes: longer is a mistake, not a retention policy. */
#define UM_RETENTION_MAX_MIN (100 * 365 * 24 * 60)

static int	um_log_retention_min = 0;
static int	um_change_log_retention_min = 0;

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
	DefineCustomIntVariable("usrmgmt.change_log_retention",
							"Age after which usrmgmt.maintain() drops a month of usrmgmt.change_log.",
							"0 keeps the change log forever.",
							&um_change_log_retention_min,
							0,
							0,
							UM_RETENTION_MAX_MIN,
							PGC_SUSET,
							GUC_UNIT_MIN,
							NULL, NULL, NULL);
}

/* A retention in minutes as an interval; NULL (keep forever) for 0. */
static Datum
um_retention_interval(FunctionCallInfo fcinfo, int minutes)
{
	Interval   *result;

	um_settings_guard_check();
	if (minutes == 0)
		PG_RETURN_NULL();
	result = (Interval *) palloc0(sizeof(Interval));
	result->time = (int64) minutes * USECS_PER_MINUTE;
	PG_RETURN_INTERVAL_P(result);
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
	return um_retention_interval(fcinfo, um_log_retention_min);
}

/*
 * _change_log_retention() RETURNS interval
 *
 * usrmgmt.change_log_retention likewise, with the same errors.
 */
Datum
usrmgmt_change_log_retention(PG_FUNCTION_ARGS)
{
	return um_retention_interval(fcinfo, um_change_log_retention_min);
}
