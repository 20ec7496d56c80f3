/*-------------------------------------------------------------------------
 *
 * health.h
 *		What the files of health(), status(), database_stats() and
 *		metrics() share.
 *
 *	health_settings.c	the usrmgmt.health_* settings and the catalog
 *						invalidation counter (GUCs, callbacks);
 *	health_collect.c	gathers the figures (catalog, statistics views,
 *						the bounded session count, the cached schema drift)
 *						into UmHealth / UmStatus and applies the verdict;
 *	health_verdict.c	the rules, pure C (health_verdict.h);
 *	health.c, stats.c, metrics.c
 *						the SQL-callable entry points: a per-call memory
 *						context, collect, render (jsonb, rows, Prometheus
 *						text), delete the context.
 *
 * src/health.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_HEALTH_H
#define USRMGMT_HEALTH_H

#include "postgres.h"

#include "nodes/pg_list.h"

#include "health_verdict.h"

/* One data table (registered with pg_extension_config_dump). */
typedef struct UmTable
{
	char	   *name;
	int64		rows;			/* estimate (see health_collect.c) */
	int64		total_bytes;
	int64		table_bytes;
	int64		index_bytes;
	int64		seq_scan;
	int64		idx_scan;
	int64		dead_rows;
	Datum		last_vacuum;	/* timestamptz */
	bool		last_vacuum_null;
	Datum		last_analyze;	/* timestamptz */
	bool		last_analyze_null;
} UmTable;

/* Everything health() and metrics() report. */
typedef struct UmHealth
{
	UmFigures	fig;			/* what the rules read */
	bool		in_recovery;
	int64		db_size;
	int64		conn_active;
	int64		conn_idle_xact;
	int64		conn_idle;		/* state 'idle' (metrics() only) */
	UmNum		sessions;		/* unknown without online_user */
	bool		sessions_exact;
	/* replication */
	int64		standbys;		/* primary */
	char	   *receiver_status;	/* standby */
	char	   *receive_lsn;
	char	   *replay_lsn;
	UmNum		lag_bytes;
	List	   *tables;			/* of UmTable *, by name */
	/* the verdict (um_health_judge) */
	UmSeverity	status;
	UmProblem  *problems;
	int			nproblems;
} UmHealth;

/* What status() reports. */
typedef struct UmStatus
{
	char	   *version;
	int64		migrations;
	List	   *tables;			/* of UmTable * */
	UmNum		sessions;
	bool		sessions_exact;
} UmStatus;

/* health_settings.c */
extern const UmThresholds *um_health_thresholds(void);
extern uint64 um_catalog_generation(void);

/*
 * health_collect.c.  Each runs its own SPI connection and allocates in the
 * caller's current memory context (a per-call context).
 */
extern void um_health_collect(UmHealth *h);
extern void um_health_judge(UmHealth *h);
extern void um_status_collect(UmStatus *s);
extern List *um_tables_collect(bool exact);

#endif							/* USRMGMT_HEALTH_H */
