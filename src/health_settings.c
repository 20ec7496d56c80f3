/*-------------------------------------------------------------------------
 *
 * health_settings.c
 *		The usrmgmt.health_* settings and the catalog invalidation counter.
 *
 * The eight thresholds of health() (doc/usrmgmt.md, "Configuration
 * (GUCs)") are defined from one table and kept in one UmThresholds, which
 * the verdict (health_verdict.c) reads.  The invalidation counter tells
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

typedef struct UmHealthGuc
{
	const char *name;
	const char *description;
	int		   *value;
	int			boot;
	int			min;
	int			max;
	int			flags;			/* unit */
} UmHealthGuc;

static const UmHealthGuc um_health_gucs[] = {
	{"usrmgmt.health_connections_warn_pct",
		"Client connections, in percent of max_connections, from which health() is degraded.",
	&um_thresholds.conn_warn_pct, 80, 1, 100, 0},
	{"usrmgmt.health_connections_crit_pct",
		"Client connections, in percent of max_connections, from which health() is unhealthy.",
	&um_thresholds.conn_crit_pct, 95, 1, 100, 0},
	{"usrmgmt.health_xact_age",
		"Age of the oldest open transaction beyond which health() is degraded (0 disables).",
	&um_thresholds.xact_age_s, 300, 0, INT_MAX, GUC_UNIT_S},
	{"usrmgmt.health_idle_in_transaction_age",
		"Time a session may sit idle in transaction before health() is degraded (0 disables).",
	&um_thresholds.idle_xact_age_s, 60, 0, INT_MAX, GUC_UNIT_S},
	{"usrmgmt.health_wraparound_warn_pct",
		"Transaction-ID age, in percent of the 2^31 wraparound limit, from which health() is degraded.",
	&um_thresholds.wrap_warn_pct, 50, 1, 100, 0},
	{"usrmgmt.health_wraparound_crit_pct",
		"Transaction-ID age, in percent of the 2^31 wraparound limit, from which health() is unhealthy.",
	&um_thresholds.wrap_crit_pct, 80, 1, 100, 0},
	{"usrmgmt.health_query_ms",
		"Duration of health()'s own probe query beyond which health() is degraded (0 disables).",
	&um_thresholds.query_ms, 1000, 0, INT_MAX, GUC_UNIT_MS},
	{"usrmgmt.health_replication_lag",
		"Replication replay lag beyond which health() is degraded (0 disables).",
	&um_thresholds.repl_lag_s, 60, 0, INT_MAX, GUC_UNIT_S},
};

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

	for (size_t i = 0; i < lengthof(um_health_gucs); i++)
	{
		const UmHealthGuc *g = &um_health_gucs[i];

		DefineCustomIntVariable(g->name, g->description, NULL, g->value,
								g->boot, g->min, g->max, PGC_SUSET, g->flags,
								NULL, NULL, NULL);
	}
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
