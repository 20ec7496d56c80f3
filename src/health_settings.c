/*-------------------------------------------------------------------------
 *
 * health_settings.c
 *		The usrmgmt.health_* settings and the catalog invalidation counter.
 *
 * The eight thresholds of health() (doc/usrmgmt.md, "Configuration
 * (GUCs)") are defined from two tables (percentages, times) and kept in
 * one UmThresholds, which the verdict (health_verdict.c) reads.  The invalidation counter tells
 * health_collect.c when its cached schema drift may be stale: it is bumped
 * by every relcache invalidation (DDL on a table, its columns,
 * constraints, indexes or triggers; also VACUUM and ANALYZE) and every
 * pg_proc invalidation (ALTER/DROP FUNCTION).
 *
 * src/health_settings.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include <limits.h>

#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/syscache.h"

#include "health.h"

/* The settings' values; the defaults are the boot values below. */
static UmThresholds um_thresholds = {80, 95, 300, 60, 50, 80, 1000, 60};

static uint64 um_inval_count = 1;

/*
 * The settings, from two tables: percentages (1 to 100) and times (0 to
 * INT_MAX, 0 disabling the check), each entry name, description, variable
 * and default.
 */
typedef struct UmHealthGuc
{
	const char *name;
	const char *description;
	int		   *value;
	int			boot;
	int			unit;			/* times: GUC_UNIT_S or GUC_UNIT_MS; else 0 */
} UmHealthGuc;

static const UmHealthGuc um_health_pct_gucs[] = {
	{"usrmgmt.health_connections_warn_pct", "Client connections, in percent of max_connections, from which health() is degraded.", &um_thresholds.conn_warn_pct, 80, 0},
	{"usrmgmt.health_connections_crit_pct", "Client connections, in percent of max_connections, from which health() is unhealthy.", &um_thresholds.conn_crit_pct, 95, 0},
	{"usrmgmt.health_wraparound_warn_pct", "Transaction-ID age, in percent of the 2^31 wraparound limit, from which health() is degraded.", &um_thresholds.wrap_warn_pct, 50, 0},
	{"usrmgmt.health_wraparound_crit_pct", "Transaction-ID age, in percent of the 2^31 wraparound limit, from which health() is unhealthy.", &um_thresholds.wrap_crit_pct, 80, 0},
};

static const UmHealthGuc um_health_time_gucs[] = {
	{"usrmgmt.health_xact_age", "Age of the oldest open transaction beyond which health() is degraded (0 disables).", &um_thresholds.xact_age_s, 300, GUC_UNIT_S},
	{"usrmgmt.health_idle_in_transaction_age", "Time a session may sit idle in transaction before health() is degraded (0 disables).", &um_thresholds.idle_xact_age_s, 60, GUC_UNIT_S},
	{"usrmgmt.health_query_ms", "Duration of health()'s own probe query beyond which health() is degraded (0 disables).", &um_thresholds.query_ms, 1000, GUC_UNIT_MS},
	{"usrmgmt.health_replication_lag", "Replication replay lag beyond which health() is degraded (0 disables).", &um_thresholds.repl_lag_s, 60, GUC_UNIT_S},
};

/* Define the settings of one table, each with the given range. */
static void
um_define_gucs(const UmHealthGuc *gucs, size_t n, int min, int max)
{
	for (size_t i = 0; i < n; i++)
		DefineCustomIntVariable(gucs[i].name, gucs[i].description, NULL,
								gucs[i].value, gucs[i].boot, min, max,
								PGC_SUSET, gucs[i].unit, NULL, NULL, NULL);
}

static void
um_relcache_changed(Datum arg, Oid relid)
{
	um_inval_count++;
}

static void
um_syscache_changed(Datum arg, int cacheid, uint32 hashvalue)
{
	um_inval_count++;
}

/* Called once per backend from _PG_init: the settings and the callbacks. */
void
usrmgmt_health_init(void)
{
	CacheRegisterRelcacheCallback(um_relcache_changed, (Datum) 0);
	CacheRegisterSyscacheCallback(PROCOID, um_syscache_changed, (Datum) 0);

	um_define_gucs(um_health_pct_gucs, lengthof(um_health_pct_gucs), 1, 100);
	um_define_gucs(um_health_time_gucs, lengthof(um_health_time_gucs), 0, INT_MAX);
}

/* The current values of the settings. */
const UmThresholds *
um_health_thresholds(void)
{
	return &um_thresholds;
}

/*
 * A number that changes whenever the catalog may have (never 0, so a
 * cache stamped 0 is always stale).
 */
uint64
um_catalog_generation(void)
{
	return um_inval_count;
}
