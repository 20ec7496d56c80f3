/*-------------------------------------------------------------------------
 *
 * sessions.c
 *		Session logging: login(), logout(), logout_user(), touch_session(),
 *		expire_sessions() and purge_user_log().
 *
 * A session is a row of usrmgmt.online_user; its id is the session id.
 * The 'login' and 'logout' rows of usrmgmt.user_log are written by the
 * triggers on online_user (session_triggers.c), never here, so that an ORM
 * inserting or deleting sessions directly is logged the same way.  These
 * functions only decide the locking and tell the triggers why a session
 * ends (session_context.h).  The user row is found and locked by users.c.
 *
 * Locking, the same in every function so that no two of them can
 * deadlock: the user row first, then the user's sessions.
 *	- login() locks the user row FOR SHARE (and writes last_login_at into
 *	  the user's user_auth row, never "user"; a 1.0 database: it updates
 *	  "user".last_login_at, FOR NO KEY UPDATE): it conflicts with a
 *	  concurrent deactivation (an UPDATE), a rename and a DELETE of that
 *	  user, so under READ COMMITTED a login that loses the race re-reads the
 *	  row and fails with 42704 (deleted or renamed) or 28000 (deactivated),
 *	  never with a foreign-key error.  Two logins of one user share the user
 *	  row and are serialised by its user_auth row.
 *	- logout() locks the user row FOR KEY SHARE before deleting the
 *	  session: that conflicts only with a DELETE of the user, whose cascade
 *	  would otherwise wait for our session row while we wait for its user
 *	  row (the 'logout' row's foreign key).
 *	- logout_user() and expire_sessions(), which delete several sessions
 *	  of a user, lock the user rows FOR NO KEY UPDATE (expire_sessions() in
 *	  id order): two bulk deleters of one user's sessions (these two, a
 *	  deactivation, a DELETE of the user) never hold some of its sessions
 *	  each while waiting for the others.
 *
 * On Citus (distributed.h; doc: Scaling out with Citus) no "user" row is
 * locked: a session id carries its user, so logout() and touch_session()
 * run on that user's shard alone, and the triggers on the shard serialise
 * a user's new sessions with its deactivation or delete.
 *
 * Every statement is an entry of the plan table below (spi_util.h: prepared
 * once per backend) with $n parameters and schema-qualified names,
 * operators and types, so that no search_path has anything to resolve in
 * them.
 *
 * Privileges.  login(), logout() and touch_session(), the calls an
 * application makes on every sign-in, sign-out and request, run their
 * work as their function's owner, switched to in C (um_call_as_definer,
 * spi_util.h) as the session triggers do: what SECURITY DEFINER does,
 * without its SET search_path, which on PostgreSQL 15 costs a GUC nest
 * level saved and restored and the search path recomputed twice per call,
 * 3.5 % of a login+logout cycle (doc: Performance).  They are executable
 * only by the roles granted them, as before.  sql/search_path_api.sql
 * runs them under a hostile search_path with look-alikes of every name
 * they use.  The other functions here are SECURITY DEFINER with
 * search_path = pg_catalog, pg_temp.
 *
 * src/sessions.c
 *
 *-------------------------------------------------------------------------
 */
#include "sessions.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "distributed.h"
#include "session_context.h"
#include "settings_guard.h"
#include "spi_util.h"
#include "user_auth.h"
#include "users.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(usrmgmt_login);
PG_FUNCTION_INFO_V1(usrmgmt_logout);
PG_FUNCTION_INFO_V1(usrmgmt_logout_user);
PG_FUNCTION_INFO_V1(usrmgmt_touch_session);
PG_FUNCTION_INFO_V1(usrmgmt_expire_sessions);
PG_FUNCTION_INFO_V1(usrmgmt_purge_user_log);
PG_FUNCTION_INFO_V1(usrmgmt_purge_user_log_partitions);

/*
 * expire_sessions(): an idle interval longer than the age of the first
 * representable timestamp plus this margin closes nothing (now() - idle
 * would be out of range).  The margin covers the difference between
 * interval_cmp's 30-day months and calendar months.
 */
#define UM_IDLE_MARGIN	(INT64CONST(366000) * USECS_PER_DAY)

/* GUC usrmgmt.session_timeout, in seconds. */
static int	usrmgmt_session_timeout = 30 * 60;

/* The plan table: every statement of this file. */
static UmPlan plan_login_insert = UM_PLAN(
	"INSERT INTO usrmgmt.online_user (user_id, username, ip_address, user_agent)"
	" VALUES ($1, $2, $3, $4) RETURNING id",
	INT8OID, TEXTOID, INETOID, TEXTOID);

/*
 * logout(): the sub-select locks the user row FOR KEY SHARE before the
 * DELETE locks the session row: the user row first, as everywhere.  When
 * the user is being deleted, this waits and then finds nothing.
 */
static UmPlan plan_logout = UM_PLAN(
	"DELETE FROM usrmgmt.online_user o"
	" WHERE o.id OPERATOR(pg_catalog.=) $1"
	"   AND EXISTS (SELECT 1 FROM usrmgmt.\"user\" u"
	"               WHERE u.id OPERATOR(pg_catalog.=) o.user_id"
	"               FOR KEY SHARE)",
	INT8OID);
/*
 * On Citus (distributed.h): the session id carries the user id ($2), so
 * that the statement runs on the one shard of that user; no lock on the
 * reference table "user" (the shard's trigger serialises with a delete).
 */
static UmPlan plan_logout_dist = UM_PLAN(
	"DELETE FROM usrmgmt.online_user o"
	" WHERE o.user_id OPERATOR(pg_catalog.=) $2"
	"   AND o.id OPERATOR(pg_catalog.=) $1",
	INT8OID, INT8OID);
static UmPlan plan_touch_dist = UM_PLAN(
	"UPDATE usrmgmt.online_user SET last_seen_at = pg_catalog.now()"
	" WHERE user_id OPERATOR(pg_catalog.=) $2"
	"   AND id OPERATOR(pg_catalog.=) $1",
	INT8OID, INT8OID);
/*
 * Citus: every idle session, on every shard: marked (UM_EXPIRED_MARK,
 * distributed.h), then deleted, each in one statement.
 */
static UmPlan plan_expire_mark = UM_PLAN(
	"UPDATE usrmgmt.online_user SET last_seen_at = '-infinity'"
	" WHERE last_seen_at OPERATOR(pg_catalog.<)"
	"       (pg_catalog.now() OPERATOR(pg_catalog.-) $1)",
	INTERVALOID);
static UmPlan plan_expire_dist = UM_PLAN0(
	"DELETE FROM usrmgmt.online_user"
	" WHERE last_seen_at OPERATOR(pg_catalog.=) '-infinity'");
static UmPlan plan_touch = UM_PLAN(
	"UPDATE usrmgmt.online_user SET last_seen_at = pg_catalog.now()"
	" WHERE id OPERATOR(pg_catalog.=) $1",
	INT8OID);
static UmPlan plan_expire_lock = UM_PLAN(
	"SELECT u.id FROM usrmgmt.\"user\" u"
	" WHERE u.id OPERATOR(pg_catalog.=) ANY ("
	"   SELECT o.user_id FROM usrmgmt.online_user o"
	"   WHERE o.last_seen_at OPERATOR(pg_catalog.<)"
	"         (pg_catalog.now() OPERATOR(pg_catalog.-) $1))"
	" ORDER BY u.id FOR NO KEY UPDATE OF u",
	INTERVALOID);
static UmPlan plan_expire_delete = UM_PLAN(
	"DELETE FROM usrmgmt.online_user"
	" WHERE last_seen_at OPERATOR(pg_catalog.<)"
	"       (pg_catalog.now() OPERATOR(pg_catalog.-) $1)"
	"   AND user_id OPERATOR(pg_catalog.=) ANY ($2)",
	INTERVALOID, INT8ARRAYOID);
static UmPlan plan_purge = UM_PLAN(
	"DELETE FROM usrmgmt.user_log l"
	" WHERE l.\"timestamp\" OPERATOR(pg_catalog.<) $1"
	"   AND ((l.session_id IS NULL"
	"         AND l.user_id OPERATOR(pg_catalog.<>) ALL ($2)) OR ("
	"     l.session_id IS NOT NULL"
	"     AND NOT EXISTS (SELECT 1 FROM usrmgmt.online_user o"
	"                 WHERE o.id OPERATOR(pg_catalog.=) l.session_id)"
	"     AND NOT EXISTS (SELECT 1 FROM usrmgmt.user_log k"
	"                 WHERE k.session_id OPERATOR(pg_catalog.=) l.session_id"
	"                   AND k.\"timestamp\" OPERATOR(pg_catalog.>=) $1)))",
	TIMESTAMPTZOID, INT8ARRAYOID);
/* 1.1: the users whose rows without a session id purge must keep. */
static UmPlan plan_unbalanced_users = UM_PLAN(
	"SELECT usrmgmt._log_unbalanced_users($1)",
	TIMESTAMPTZOID);
/*
 * plan_purge on Citus: a session's rows are those of its user, so every
 * correlation holds user_id (the distribution column) as well.
 */
static UmPlan plan_purge_dist = UM_PLAN(
	"DELETE FROM usrmgmt.user_log l"
	" WHERE l.\"timestamp\" OPERATOR(pg_catalog.<) $1"
	"   AND ((l.session_id IS NULL"
	"         AND l.user_id OPERATOR(pg_catalog.<>) ALL ($2)) OR ("
	"     l.session_id IS NOT NULL"
	"     AND NOT EXISTS (SELECT 1 FROM usrmgmt.online_user o"
	"                 WHERE o.user_id OPERATOR(pg_catalog.=) l.user_id"
	"                   AND o.id OPERATOR(pg_catalog.=) l.session_id)"
	"     AND NOT EXISTS (SELECT 1 FROM usrmgmt.user_log k"
	"                 WHERE k.user_id OPERATOR(pg_catalog.=) l.user_id"
	"                   AND k.session_id OPERATOR(pg_catalog.=) l.session_id"
	"                   AND k.\"timestamp\" OPERATOR(pg_catalog.>=) $1)))",
	TIMESTAMPTZOID, INT8ARRAYOID);
/* 1.1: the partitions wholly older than the cut (sql/usrmgmt--1.1.sql). */
static UmPlan plan_drop_partitions = UM_PLAN(
	"SELECT x.removed FROM usrmgmt._drop_log_partitions($1, true, '0',"
	" 'usrmgmt.user_log', $2, false) x",
	TIMESTAMPTZOID, INT8ARRAYOID);

/* How um_run_on_arg runs its statement. */
typedef enum UmRunKind
{
	UM_RUN_PLAIN,				/* as it is */
	UM_RUN_CLOSING,				/* closing sessions (logout rows, no detail) */
	UM_RUN_PAST_LOG_GUARD		/* past the user_log guard */
} UmRunKind;

/*
 * The body of the functions that run one statement with their one
 * argument: 22004 when it is NULL (named argname), else plan's rows.
 * dist_plan (or NULL) is the statement on Citus, whose $2 is the user id
 * that the argument, a session id, carries.
 */
static uint64
um_run_on_arg(FunctionCallInfo fcinfo, const char *argname, UmPlan *plan,
			  UmPlan *dist_plan, UmRunKind kind, int expected)
{
	Datum		values[2];
	uint64		n;

	um_require_arg(fcinfo, 0, argname);
	values[0] = PG_GETARG_DATUM(0);

	um_spi_connect();
	if (dist_plan != NULL && um_distributed())
	{
		plan = dist_plan;
		values[1] = Int64GetDatum(um_session_id_user(DatumGetInt64(values[0])));
	}
	if (kind == UM_RUN_CLOSING)
		n = um_delete_sessions(plan, values, NULL);
	else if (kind == UM_RUN_PAST_LOG_GUARD)
		n = um_exec_past_log_guard(plan, values, expected);
	else
		n = um_plan_exec(plan, values, NULL, false, expected);
	SPI_finish();
	return n;
}

/*
 * Open a session for a user named case-insensitively: the body of login(),
 * shared with authenticate() (passwords.c).  Returns the session id.
 * Errors: 42704 unknown user, 28000 inactive user.
 */
int64
usrmgmt_open_session(text *username, Datum ip, bool ip_isnull,
					 Datum user_agent, bool user_agent_isnull)
{
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	bool		isnull;
	UmUser		user;
	int64		session_id;

	um_spi_connect();

	/* Lock the user row (FOR SHARE) and stamp last_login_at (user_auth). */
	um_user_get(username, UM_USER_LOGIN, &user);
	um_user_require_active(&user);
	um_auth_stamp_login(user.id);

	/*
	 * Insert the session as a login: the BEFORE INSERT trigger takes the
	 * checked username instead of reading the user row again; the AFTER
	 * INSERT trigger writes the 'login' row.
	 */
	values[0] = Int64GetDatum(user.id);
	values[1] = user.username;
	values[2] = ip;
	nulls[2] = ip_isnull ? 'n' : ' ';
	values[3] = user_agent;
	nulls[3] = user_agent_isnull ? 'n' : ' ';
	um_insert_login(&plan_login_insert, values, nulls, user.id, user.username);

	session_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											 SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return session_id;
}

/*
 * login(username text, ip_address inet DEFAULT NULL,
 *		 user_agent text DEFAULT NULL) RETURNS bigint
 *
 * Opens a session for the user (username matched case-insensitively),
 * sets its last_login_at (user_auth) and returns the session id; the
 * trigger writes the 'login' row.  Writes no row of "user".
 * Errors: 22004 username NULL; 42704 unknown user; 28000 inactive user.
 * Locking: the user row FOR SHARE, then its user_auth row, then the new
 * session row.
 */
static Datum
login_body(PG_FUNCTION_ARGS)
{
	um_require_arg(fcinfo, 0, "username");
	PG_RETURN_INT64(usrmgmt_open_session(PG_GETARG_TEXT_PP(0),
										 PG_GETARG_DATUM(1), PG_ARGISNULL(1),
										 PG_GETARG_DATUM(2), PG_ARGISNULL(2)));
}

/* As the function's owner (um_call_as_definer): see the header comment. */
Datum
usrmgmt_login(PG_FUNCTION_ARGS)
{
	return um_call_as_definer(fcinfo, login_body);
}

/*
 * logout(session_id bigint) RETURNS boolean
 *
 * Closes the session; true when this call closed it, false when it was
 * not open (never opened, already closed, or closed by a concurrent
 * logout: only the DELETE that removes the row writes the 'logout' row).
 * Errors: 22004 session_id NULL.
 * Locking: the session's user row FOR KEY SHARE, then the session row.
 */
static Datum
logout_body(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(um_run_on_arg(fcinfo, "session_id", &plan_logout,
								 &plan_logout_dist, UM_RUN_CLOSING,
								 SPI_OK_DELETE) > 0);
}

/* As the function's owner (um_call_as_definer): see the header comment. */
Datum
usrmgmt_logout(PG_FUNCTION_ARGS)
{
	return um_call_as_definer(fcinfo, logout_body);
}

/*
 * logout_user(username text) RETURNS integer
 *
 * Closes every open session of the user; returns how many.
 * Errors: 22004 username NULL; 42704 unknown user.
 * Locking: the user row FOR NO KEY UPDATE, then its session rows.
 */
Datum
usrmgmt_logout_user(PG_FUNCTION_ARGS)
{
	UmUser		user;
	uint64		n;

	um_require_arg(fcinfo, 0, "username");

	um_spi_connect();
	um_user_get(PG_GETARG_TEXT_PP(0), UM_USER_LOCK, &user);
	n = um_close_user_sessions(user.id, NULL);
	SPI_finish();

	PG_RETURN_INT32((int32) n);
}

/*
 * touch_session(session_id bigint) RETURNS boolean
 *
 * Sets the session's last_seen_at to now(); false when it is not open.
 * Errors: 22004 session_id NULL.
 * Locking: the session row.
 */
static Datum
touch_session_body(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(um_run_on_arg(fcinfo, "session_id", &plan_touch,
								 &plan_touch_dist, UM_RUN_PLAIN,
								 SPI_OK_UPDATE) > 0);
}

/* As the function's owner (um_call_as_definer): see the header comment. */
Datum
usrmgmt_touch_session(PG_FUNCTION_ARGS)
{
	return um_call_as_definer(fcinfo, touch_session_body);
}

/*
 * expire_sessions(idle interval DEFAULT NULL) RETURNS integer
 *
 * Closes every session whose last_seen_at is older than now() - idle
 * (NULL: the GUC usrmgmt.session_timeout); the 'logout' rows get detail
 * 'expired'.  Returns how many were closed.
 * Errors: with idle NULL, the error of a usrmgmt SET that the library's
 * load dropped (settings_guard.h: 42602, 42501), once; 22023 negative idle (as a whole: '1 day -1 hour' is 23 hours).
 * An interval longer than any timestamp can be old closes nothing.
 * Locking: the users concerned FOR NO KEY UPDATE in id order, then their idle
 * sessions.  A session touched meanwhile is re-checked and kept.
 */
Datum
usrmgmt_expire_sessions(PG_FUNCTION_ARGS)
{
	Interval   *idle;
	Datum		values[2];
	Datum	   *ids;
	uint64		i;
	uint64		nusers;
	uint64		n = 0;
	bool		isnull;
	Interval   *zero;
	Interval   *longest;

	if (PG_ARGISNULL(0))
	{
		um_settings_guard_check();	/* a SET dropped at load: its error */
		idle = (Interval *) palloc0(sizeof(Interval));
		idle->time = (int64) usrmgmt_session_timeout * USECS_PER_SEC;
	}
	else
		idle = PG_GETARG_INTERVAL_P(0);

	zero = (Interval *) palloc0(sizeof(Interval));
	if (DatumGetInt32(DirectFunctionCall2(interval_cmp, IntervalPGetDatum(idle),
										  IntervalPGetDatum(zero))) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("idle interval \"%s\" must not be negative",
						DatumGetCString(DirectFunctionCall1(interval_out,
															IntervalPGetDatum(idle))))));

	longest = DatumGetIntervalP(DirectFunctionCall2(timestamp_mi,
													TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
													TimestampTzGetDatum(MIN_TIMESTAMP + UM_IDLE_MARGIN)));
	if (DatumGetInt32(DirectFunctionCall2(interval_cmp, IntervalPGetDatum(idle),
										  IntervalPGetDatum(longest))) > 0)
		PG_RETURN_INT32(0);

	um_spi_connect();
	values[0] = IntervalPGetDatum(idle);
	if (um_distributed())
	{
		(void) um_plan_exec(&plan_expire_mark, values, NULL, false, SPI_OK_UPDATE);
		n = um_delete_sessions(&plan_expire_dist, values, "expired");
		SPI_finish();
		PG_RETURN_INT32((int32) n);
	}
	nusers = um_plan_exec(&plan_expire_lock, values, NULL, false, SPI_OK_SELECT);
	if (nusers > 0)
	{
		ids = (Datum *) palloc(sizeof(Datum) * nusers);
		for (i = 0; i < nusers; i++)
			ids[i] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
								   1, &isnull);
		values[1] = PointerGetDatum(construct_array(ids, (int) nusers, INT8OID,
													sizeof(int64), FLOAT8PASSBYVAL,
													TYPALIGN_DOUBLE));
		n = um_delete_sessions(&plan_expire_delete, values, "expired");
	}
	SPI_finish();

	PG_RETURN_INT32((int32) n);
}

/*
 * purge_user_log(older_than timestamptz) RETURNS bigint
 *
 * Deletes the user_log rows older than older_than, except the rows of a
 * session that is still open or has a row at or after older_than, so that
 * every session left in the log keeps both its 'login' and its 'logout'
 * row (logins minus logouts stays equal to the open sessions).  Returns
 * how many rows were deleted.  The only way, besides reset(), past the
 * append-only guard.
 * Errors: 22004 older_than NULL.
 * Locking: the deleted log rows.
 */
Datum
usrmgmt_purge_user_log(PG_FUNCTION_ARGS)
{
	Datum		values[2];
	uint64		n;

	um_require_arg(fcinfo, 0, "older_than");
	values[0] = PG_GETARG_DATUM(0);
	/* 1.0 purges every row without a session id (1.1 keeps unbalanced ones) */
	values[1] = PointerGetDatum(construct_empty_array(INT8OID));

	um_spi_connect();
	n = um_exec_past_log_guard(&plan_purge, values, SPI_OK_DELETE);
	SPI_finish();
	PG_RETURN_INT64((int64) n);
}

/*
 * purge_user_log(older_than timestamptz) RETURNS bigint, from version 1.1
 * (the log is partitioned; the 1.0 function above serves a database not
 * yet updated).
 *
 * The same rows go as in 1.0, except that rows without a session id go
 * only where they balance per user (usrmgmt._log_unbalanced_users(): as
 * many 'login' as 'logout' rows older than the cut), decided once before
 * any row goes; and every partition wholly older than
 * older_than goes at once (DROP TABLE; or TRUNCATE, putting back the
 * 'login' rows that must stay): usrmgmt._drop_log_partitions() (PL/pgSQL,
 * sql/usrmgmt--1.1.sql).  Rows are deleted one by one only in the
 * partition that straddles older_than, the default partition and the 1.0
 * partition.  Returns how many rows went (counted).
 * Errors: 22004 older_than NULL.
 * Locking: ACCESS EXCLUSIVE on each partition dropped and on user_log for
 * the drop (waiting as long as it takes: an administrator's call); the
 * deleted rows.
 */
Datum
usrmgmt_purge_user_log_partitions(PG_FUNCTION_ARGS)
{
	Datum		values[2];
	bool		isnull;
	int64		removed;

	um_require_arg(fcinfo, 0, "older_than");
	values[0] = PG_GETARG_DATUM(0);

	um_spi_connect();
	/* decided once, before any row goes; the drop is given the same */
	um_plan_exec(&plan_unbalanced_users, values, NULL, true, SPI_OK_SELECT);
	values[1] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	values[1] = PointerGetDatum(DatumGetArrayTypePCopy(values[1]));
	um_plan_exec(&plan_drop_partitions, values, NULL, false, SPI_OK_SELECT);
	removed = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 1, &isnull));
	removed += (int64) um_exec_past_log_guard(um_distributed() ? &plan_purge_dist : &plan_purge,
											  values, SPI_OK_DELETE);
	SPI_finish();
	PG_RETURN_INT64(removed);
}

/* Called once per backend from _PG_init: GUCs and per-backend state. */
void
usrmgmt_sessions_init(void)
{
	DefineCustomIntVariable("usrmgmt.session_timeout",
							"Idle time after which expire_sessions(NULL) closes a session.",
							"Used by usrmgmt.expire_sessions() when called without an interval.",
							&usrmgmt_session_timeout,
							30 * 60,
							1,
							INT_MAX / 2,
							PGC_USERSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);
}
