/*-------------------------------------------------------------------------
 *
 * session_context.c
 *		The backend-local state by which the session functions tell the
 *		triggers on online_user about their own statements; see
 *		session_context.h.  No other file touches these variables.
 *
 * src/session_context.c
 *
 *-------------------------------------------------------------------------
 */
#include "session_context.h"

#include "distributed.h"

/* A login in progress: the user row the caller locked and checked. */
static struct
{
	bool		active;
	int64		user_id;
	Datum		username;		/* text */
}			pending_login = {false, 0, (Datum) 0};

/* A closing in progress, and the detail of its 'logout' rows. */
static struct
{
	bool		active;
	const char *detail;
}			closing = {false, NULL};

/* Raised by um_exec_past_log_guard around its statement. */
static int	log_guard_lifted = 0;

static UmPlan plan_close_user = UM_PLAN(
	"DELETE FROM usrmgmt.online_user WHERE user_id OPERATOR(pg_catalog.=) $1",
	INT8OID);

/* See session_context.h. */
void
um_insert_login(UmPlan *plan, Datum *values, const char *nulls,
				int64 user_id, Datum username)
{
	PG_TRY();
	{
		pending_login.active = true;
		pending_login.user_id = user_id;
		pending_login.username = username;
		um_plan_exec(plan, values, nulls, false, SPI_OK_INSERT_RETURNING);
	}
	PG_FINALLY();
	{
		pending_login.active = false;
	}
	PG_END_TRY();
}

/* See session_context.h.  Nested closings restore the outer one. */
uint64
um_delete_sessions(UmPlan *plan, Datum *values, const char *detail)
{
	bool		saved_active = closing.active;
	const char *saved_detail = closing.detail;
	volatile uint64 n = 0;

	PG_TRY();
	{
		closing.active = true;
		closing.detail = detail;
		n = um_plan_exec(plan, values, NULL, false, SPI_OK_DELETE);
	}
	PG_FINALLY();
	{
		closing.active = saved_active;
		closing.detail = saved_detail;
	}
	PG_END_TRY();
	return n;
}

/* See session_context.h. */
uint64
um_close_user_sessions(int64 user_id, const char *detail)
{
	Datum		values[1];

	values[0] = Int64GetDatum(user_id);
	return um_delete_sessions(&plan_close_user, values, detail);
}

/* See session_context.h. */
uint64
um_exec_past_log_guard(UmPlan *plan, Datum *values, int expected)
{
	volatile uint64 n = 0;
	bool		cluster = um_distributed();

	/* on Citus the statement runs on the workers: lift it there too */
	if (cluster)
		um_cluster_guard(true);
	log_guard_lifted++;
	PG_TRY();
	{
		n = um_plan_exec(plan, values, NULL, false, expected);
	}
	PG_FINALLY();
	{
		log_guard_lifted--;
	}
	PG_END_TRY();
	if (cluster)
		um_cluster_guard(false);
	return n;
}

/* See session_context.h. */
bool
um_take_login(int64 user_id, Datum *username)
{
	if (!pending_login.active || pending_login.user_id != user_id)
		return false;
	pending_login.active = false;
	*username = pending_login.username;
	return true;
}

/* See session_context.h. */
bool
um_closing_detail(const char **detail)
{
	if (!closing.active)
		return false;
	*detail = closing.detail;
	return true;
}

/* See session_context.h. */
bool
um_log_guard_lifted(void)
{
	return log_guard_lifted > 0 || um_cluster_guard_lifted();
}
