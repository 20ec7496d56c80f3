/*-------------------------------------------------------------------------
 *
 * maintenance_worker.c
 *		The background worker that runs usrmgmt.maintain() by itself, and
 *		its settings.  Manual: "Retention and partitions", "Configuration
 *		(GUCs)".
 *
 * With usrmgmt in shared_preload_libraries, _PG_init registers one
 * background worker, "usrmgmt maintenance".  It connects to
 * usrmgmt.maintenance_database as the bootstrap superuser and calls
 * usrmgmt.maintain() there when it starts and then every
 * usrmgmt.maintenance_interval; maintain() is SECURITY DEFINER, so the
 * partitions are the extension owner's whoever calls it.  Not the
 * database owner: maintain() is not executable by PUBLIC, and the owner
 * of a database need not be trusted with it.  The superuser session runs
 * nothing but a catalog look-up and SELECT usrmgmt.maintain(), with
 * search_path pg_catalog, pg_temp and every name and operator qualified.  Each run is one
 * transaction of its own: its locks (maintain()'s, each waited for at most
 * its lock_timeout of 5 s) are released when it ends, statement_timeout
 * (as configured for the worker's session) bounds it, and an error is
 * logged and leaves the worker waiting for the next run.  A run that
 * retired an expired month (its "dropped", of user_log or change_log, not
 * empty) is followed at once by a second one, in a transaction of its own,
 * which frees the retired month's storage while holding no lock on the log.
 *
 * A good citizen:
 *	- a database without usrmgmt, or with a version older than 1.1 (no
 *	  maintain()), is skipped; that is logged once, when it becomes so,
 *	  not at every run;
 *	- SIGHUP re-reads the configuration (a new interval takes effect at
 *	  once, counted from the start of the last run; 0 stops the runs; a new
 *	  database, see below);
 *	- SIGTERM ends it at once, a run in progress rolled back; after an
 *	  exit other than the server's shutdown (a crash, pg_terminate_backend)
 *	  the postmaster starts it again after UM_MAINTENANCE_RESTART_S;
 *	- it starts only once recovery has finished: never on a hot standby,
 *	  and on a standby that is promoted, from the promotion;
 *	- pg_stat_activity shows it with backend_type and application_name
 *	  "usrmgmt maintenance", active while a run goes on and idle between.
 *
 * The settings:
 *	usrmgmt.maintenance_interval: seconds (units accepted: '1h'); default
 *		1 h; 0 = no runs; at most 7 days (PGC_SIGHUP);
 *	usrmgmt.maintenance_database: the database to maintain; default
 *		'postgres' (PGC_SIGHUP; a worker is connected to one database, so
 *		on a change it exits and the postmaster starts it again, connected
 *		to the new one, after UM_MAINTENANCE_RESTART_S).
 * Both are defined in every backend, so that a wrong value in ALTER SYSTEM
 * is refused (22023) even where the worker does not run.  A database that
 * does not exist makes the worker fail at its start (FATAL, logged), and
 * the postmaster tries again after UM_MAINTENANCE_RESTART_S.
 *
 * src/maintenance_worker.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "spi_util.h"

PGDLLEXPORT void usrmgmt_maintenance_main(Datum main_arg);

/* The worker's name: bgw_name, bgw_type and its application_name. */
#define UM_MAINTENANCE_NAME "usrmgmt maintenance"

/* The longest interval: 7 days (longer would let the months run short). */
#define UM_MAINTENANCE_INTERVAL_MAX (7 * 24 * 60 * 60)

/* Seconds the postmaster waits before starting the worker again. */
#define UM_MAINTENANCE_RESTART_S 60

static int	um_maintenance_interval_s = 60 * 60;
static char *um_maintenance_database = NULL;

/* What the last look at the database found; logged when it changes. */
typedef enum UmMaintState
{
	UM_MAINT_UNKNOWN,			/* not looked yet */
	UM_MAINT_NO_EXTENSION,		/* usrmgmt not installed */
	UM_MAINT_OLD_VERSION,		/* installed, but without maintain() */
	UM_MAINT_READY				/* maintain() called */
} UmMaintState;

static UmMaintState um_maint_state = UM_MAINT_UNKNOWN;

/* The database this worker is connected to. */
static char um_maint_connected_db[NAMEDATALEN];

/*
 * usrmgmt.maintenance_database: a database name, so not empty and shorter
 * than NAMEDATALEN (22023 otherwise).
 */
static bool
um_check_maintenance_database(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0')
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("usrmgmt.maintenance_database must name a database");
		return false;
	}
	if (strlen(*newval) >= NAMEDATALEN)
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("usrmgmt.maintenance_database is longer than a database name can be");
		GUC_check_errdetail("A database name has at most %d bytes.", NAMEDATALEN - 1);
		return false;
	}
	return true;
}

/*
 * Defines the settings and, while shared_preload_libraries are loaded,
 * registers the worker.  Called by _PG_init.
 */
void
usrmgmt_maintenance_init(void)
{
	BackgroundWorker worker;

	DefineCustomIntVariable("usrmgmt.maintenance_interval",
							"Time between two runs of usrmgmt.maintain() by the background worker.",
							"0 stops the runs.  The worker runs only with usrmgmt in shared_preload_libraries.",
							&um_maintenance_interval_s,
							60 * 60,
							0,
							UM_MAINTENANCE_INTERVAL_MAX,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomStringVariable("usrmgmt.maintenance_database",
							   "Database in which the background worker runs usrmgmt.maintain().",
							   NULL,
							   &um_maintenance_database,
							   "postgres",
							   PGC_SIGHUP,
							   0,
							   um_check_maintenance_database, NULL, NULL);

	if (!process_shared_preload_libraries_in_progress)
		return;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = UM_MAINTENANCE_RESTART_S;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "usrmgmt");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "usrmgmt_maintenance_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, UM_MAINTENANCE_NAME);
	snprintf(worker.bgw_type, BGW_MAXLEN, UM_MAINTENANCE_NAME);
	RegisterBackgroundWorker(&worker);
}

/*
 * Which state the database is in: usrmgmt's version, and whether it has
 * maintain().  Inside the run's transaction and SPI connection.
 */
static UmMaintState
um_maint_look(char **version)
{
	bool		isnull;

	*version = NULL;
	if (um_sql_exec("SELECT e.extversion::pg_catalog.text,"
					"       pg_catalog.to_regprocedure('usrmgmt.maintain(timestamptz)') IS NOT NULL"
					"  FROM pg_catalog.pg_extension e"
					" WHERE e.extname OPERATOR(pg_catalog.=) 'usrmgmt'",
					0, NULL, NULL, NULL, true, SPI_OK_SELECT) == 0)
		return UM_MAINT_NO_EXTENSION;
	*version = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)))
		return UM_MAINT_OLD_VERSION;
	return UM_MAINT_READY;
}

/* Logs a change of state, once. */
static void
um_maint_report_state(UmMaintState state, const char *version)
{
	if (state == um_maint_state)
		return;
	um_maint_state = state;
	if (state == UM_MAINT_NO_EXTENSION)
		ereport(LOG,
				(errmsg("usrmgmt maintenance: database \"%s\" has no usrmgmt extension, skipping it",
						um_maintenance_database),
				 errhint("Runs start once CREATE EXTENSION usrmgmt has run there.")));
	else if (state == UM_MAINT_OLD_VERSION)
		ereport(LOG,
				(errmsg("usrmgmt maintenance: database \"%s\" has usrmgmt %s, which has no maintain(), skipping it",
						um_maintenance_database, version),
				 errhint("Runs start once ALTER EXTENSION usrmgmt UPDATE has run there.")));
	else
		ereport(LOG,
				(errmsg("usrmgmt maintenance: maintaining usrmgmt %s in database \"%s\"",
						version, um_maintenance_database)));
}

/*
 * One run, inside a transaction: look at the database, call maintain()
 * when it can, and log its report (at LOG when it changed something or
 * needs attention, else at DEBUG1).  Sets *retired to whether the run
 * retired a month (whose storage a second run frees).
 */
static void
um_maint_run_in_xact(bool *retired)
{
	UmMaintState state;
	char	   *version;
	char	   *report;
	bool		isnull;
	bool		quiet;

	*retired = false;

	um_spi_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	state = um_maint_look(&version);
	um_maint_report_state(state, version);
	if (state == UM_MAINT_READY)
	{
		(void) um_sql_exec("SELECT m::pg_catalog.text,"
						   "       (m OPERATOR(pg_catalog.->>) 'ok')::boolean"
						   "   AND m OPERATOR(pg_catalog.->) 'moved' OPERATOR(pg_catalog.=) '0'"
						   "   AND m OPERATOR(pg_catalog.->) 'created' OPERATOR(pg_catalog.=) '[]'"
						   "   AND m OPERATOR(pg_catalog.->) 'dropped' OPERATOR(pg_catalog.=) '[]'"
						   "   AND m OPERATOR(pg_catalog.->) 'emptied' OPERATOR(pg_catalog.=) '[]'"
						   "   AND m OPERATOR(pg_catalog.#>) '{change_log,moved}' OPERATOR(pg_catalog.=) '0'"
						   "   AND m OPERATOR(pg_catalog.#>) '{change_log,created}' OPERATOR(pg_catalog.=) '[]'"
						   "   AND m OPERATOR(pg_catalog.#>) '{change_log,dropped}' OPERATOR(pg_catalog.=) '[]'"
						   "   AND m OPERATOR(pg_catalog.->) 'freed' OPERATOR(pg_catalog.=) '[]',"
						   "       m OPERATOR(pg_catalog.->) 'dropped' OPERATOR(pg_catalog.<>) '[]'"
						   "    OR m OPERATOR(pg_catalog.#>) '{change_log,dropped}' OPERATOR(pg_catalog.<>) '[]'"
						   "  FROM usrmgmt.maintain() m",
						   0, NULL, NULL, NULL, false, SPI_OK_SELECT);
		report = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		quiet = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		*retired = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
		ereport(quiet ? DEBUG1 : LOG,
				(errmsg("usrmgmt maintenance: %s", report)));
	}
	SPI_finish();
	PopActiveSnapshot();
}

/*
 * One run in a transaction of its own, bounded by statement_timeout.  An
 * error is logged and the transaction rolled back; the worker goes on.
 * Returns whether the run retired a month (false after an error).
 */
static bool
um_maint_run(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool retired = false;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	pgstat_report_activity(STATE_RUNNING, "SELECT usrmgmt.maintain()");
	if (StatementTimeout > 0)
		enable_timeout_after(STATEMENT_TIMEOUT, StatementTimeout);
	PG_TRY();
	{
		bool		r;

		um_maint_run_in_xact(&r);
		disable_timeout(STATEMENT_TIMEOUT, false);
		CommitTransactionCommand();
		retired = r;
	}
	PG_CATCH();
	{
		HOLD_INTERRUPTS();
		MemoryContextSwitchTo(cxt);
		disable_all_timeouts(false);
		QueryCancelPending = false;
		EmitErrorReport();
		AbortCurrentTransaction();
		FlushErrorState();
		RESUME_INTERRUPTS();
	}
	PG_END_TRY();
	(void) pgstat_report_stat(true);
	pgstat_report_activity(STATE_IDLE, NULL);
	return retired;
}

/*
 * The worker's main function (bgw_function_name).  Runs until SIGTERM or
 * the postmaster's death.
 */
void
usrmgmt_maintenance_main(Datum main_arg)
{
	TimestampTz last_run = 0;	/* start of the last run; 0: none yet */
	int			interval_s;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	pqsignal(SIGINT, StatementCancelHandler);	/* statement_timeout */
	BackgroundWorkerUnblockSignals();

	BackgroundWorkerInitializeConnection(um_maintenance_database, NULL, 0);
	strlcpy(um_maint_connected_db, um_maintenance_database, NAMEDATALEN);
	SetConfigOption("application_name", UM_MAINTENANCE_NAME, PGC_USERSET, PGC_S_SESSION);
	/* a superuser's session: nothing of the database's schemas shadows */
	SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_SESSION);
	pgstat_report_activity(STATE_IDLE, NULL);

	interval_s = um_maintenance_interval_s;
	ereport(LOG,
			(errmsg("usrmgmt maintenance: started in database \"%s\", every %d s",
					um_maintenance_database, interval_s)));

	for (;;)
	{
		long		timeout_ms = -1;
		int			events = WL_LATCH_SET | WL_EXIT_ON_PM_DEATH;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			if (strcmp(um_maintenance_database, um_maint_connected_db) != 0)
			{
				ereport(LOG,
						(errmsg("usrmgmt maintenance: usrmgmt.maintenance_database is now \"%s\", restarting",
								um_maintenance_database)));
				proc_exit(1);	/* the postmaster starts it again */
			}
			if (um_maintenance_interval_s != interval_s)
			{
				interval_s = um_maintenance_interval_s;
				ereport(LOG,
						(errmsg("usrmgmt maintenance: now every %d s", interval_s)));
			}
		}

		if (interval_s > 0)
		{
			TimestampTz current = GetCurrentTimestamp();
			TimestampTz next = TimestampTzPlusMilliseconds(last_run, (int64) interval_s * 1000);

			if (last_run == 0 || current >= next)
			{
				last_run = current;
				/* a month retired: a second run frees it (see above) */
				if (um_maint_run())
					(void) um_maint_run();
				next = TimestampTzPlusMilliseconds(last_run, (int64) interval_s * 1000);
				current = GetCurrentTimestamp();
			}
			timeout_ms = (long) TimestampDifferenceMilliseconds(current, next);
			events |= WL_TIMEOUT;
		}

		(void) WaitLatch(MyLatch, events, timeout_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
