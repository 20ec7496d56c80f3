/*-------------------------------------------------------------------------
 *
 * user_ids.c
 *		User ids come from the identity: the trigger that keeps a role
 *		other than a superuser from choosing the id of a new user, and on
 *		Citus the coordinator's hooks that keep it there.
 *		Manual: "usrmgmt.user", Security, "The attack review of 1.1", and
 *		Scaling out with Citus, "New users' ids on Citus".
 *
 *	user_id_check()
 *		BEFORE INSERT FOR EACH ROW on "user".
 *	usrmgmt_user_ids_init()
 *		_PG_init's part: the planner and utility hooks (Citus only).
 *
 * The application recipe grants INSERT on the whole of "user" (an ORM maps
 * it), and INSERT is all that INSERT ... OVERRIDING SYSTEM VALUE and a
 * COPY with an id column need.  A chosen id could be a deleted user's: the
 * new account would then own the old one's history (user_log and
 * change_log rows name users by id; history outlives the user), or a
 * future one, which the identity would later give again (23505 for every
 * new user until it passes).  So, outside a superuser's session, a new
 * user's id must be the value the identity has just given this backend
 * and that no user of this backend took yet: the rule of session ids
 * (session_ids.h), asked through um_identity_id_take().  A superuser's
 * session (pg_restore, pg_dump --inserts output, a DBA's repair) brings
 * its own ids.  SECURITY DEFINER: currval() needs a privilege on the
 * sequence that the administrator recipe does not grant.
 *
 * On Citus (distributed.h) "user" is a reference table: the coordinator's
 * identity gives the id, and the trigger fires on the placements, in the
 * workers' backends (and, for a COPY, in a backend that Citus opens to the
 * coordinator itself), which cannot see that; there it lets the row pass.
 * So on Citus the rule is enforced on the coordinator before Citus routes
 * the statement, for the same sessions, with the same SQLSTATE
 * (doc: Scaling out with Citus, "New users' ids on Citus"):
 *	- a planner hook: an INSERT into "user" whose id is not the identity's
 *	  own nextval (after rewriting: only OVERRIDING SYSTEM VALUE with a
 *	  value, in VALUES or from a query, gets past GENERATED ALWAYS);
 *	- a utility hook: a COPY ... FROM into "user" with the id column (no
 *	  column list means every column).
 * The hooks exist in a backend once usrmgmt.so is loaded there: the
 * coordinator must load it at session start (session_preload_libraries,
 * which distribute() sets for the database, or shared_preload_libraries)
 * for the first statement of a connection to be checked too.  On one node
 * (no Citus) the hooks do nothing.
 *
 * src/user_ids.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "parser/parsetree.h"
#include "tcop/utility.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "distributed.h"
#include "session_ids.h"

PG_FUNCTION_INFO_V1(usrmgmt_user_id_check);

static planner_hook_type prev_planner = NULL;
static ProcessUtility_hook_type prev_process_utility = NULL;

/* The error of a new user's id not given by the identity: 55000. */
#define UM_USER_ID_NOT_GIVEN_DETAIL \
	"A user id is given once, by the identity; user_log and change_log name users by id."
#define UM_USER_ID_NOT_GIVEN_HINT \
	"Leave out the id column and OVERRIDING SYSTEM VALUE; only a superuser's session brings its own ids."

/*
 * user_id_check() RETURNS trigger
 *
 * BEFORE INSERT FOR EACH ROW on "user" (no arguments).  Returns the new row.
 * Errors: 55000 when the session user is not a superuser and the row's id
 * was not just given by the identity (OVERRIDING SYSTEM VALUE, an id
 * column in a COPY), except on a Citus shard; 39P01 when fired otherwise.
 * Locking: none.
 */
Datum
usrmgmt_user_id_check(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	int64		id;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by the trigger manager", "user_id_check")));
	td = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(td->tg_event) || td->tg_trigger->tgnargs != 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was fired by the wrong event", "user_id_check")));

	if (superuser_arg(GetSessionUserId()) || um_rel_is_shard(td->tg_relation))
		return PointerGetDatum(td->tg_trigtuple);
	if (!um_identity_id_take(td->tg_relation, td->tg_trigtuple, UM_IDS_USER,
							 false, &id))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("user id %lld was not given by the identity of usrmgmt.\"user\"",
						(long long) id),
				 errdetail(UM_USER_ID_NOT_GIVEN_DETAIL),
				 errhint(UM_USER_ID_NOT_GIVEN_HINT)));
	return PointerGetDatum(td->tg_trigtuple);
}

/*
 * Must a write of relid by this session be checked by the hooks: relid is
 * usrmgmt."user", a Citus table, and the session user no superuser?
 */
static bool
um_user_write_checked(Oid relid)
{
	Oid			nsp;

	/* Citus first: on one node this runs for every INSERT planned */
	if (!OidIsValid(relid) || !um_citus_present() ||
		superuser_arg(GetSessionUserId()))
		return false;
	nsp = get_namespace_oid(UM_SCHEMA, true);
	return OidIsValid(nsp) && relid == get_relname_relid("user", nsp) &&
		um_table_distributed(relid);
}

/* 55000 at the statement: a new user's id that the statement brings. */
static void
um_user_id_refuse(const char *how)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("a new user's id cannot be given by %s", how),
			 errdetail(UM_USER_ID_NOT_GIVEN_DETAIL),
			 errhint(UM_USER_ID_NOT_GIVEN_HINT)));
}

/* Is expr the identity's nextval (what the rewriter put for DEFAULT)? */
static bool
um_is_identity_value(Node *expr)
{
	return expr != NULL && IsA(strip_implicit_coercions(expr), NextValueExpr);
}

/*
 * Does the rewritten INSERT parse give column attnum only the identity's
 * values: a nextval, or a VALUES list with a nextval in every row?
 */
static bool
um_insert_takes_identity(Query *parse, AttrNumber attnum)
{
	ListCell   *lc;

	foreach(lc, parse->targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		Node	   *expr = strip_implicit_coercions((Node *) tle->expr);
		RangeTblEntry *rte;
		ListCell   *row;

		if (tle->resjunk || tle->resno != attnum)
			continue;
		if (um_is_identity_value(expr))
			return true;
		if (!IsA(expr, Var) || ((Var *) expr)->varlevelsup != 0)
			return false;
		rte = rt_fetch(((Var *) expr)->varno, parse->rtable);
		if (rte->rtekind != RTE_VALUES)
			return false;
		foreach(row, rte->values_lists)
		{
			List	   *values = (List *) lfirst(row);

			if (((Var *) expr)->varattno < 1 ||
				((Var *) expr)->varattno > list_length(values) ||
				!um_is_identity_value(list_nth(values, ((Var *) expr)->varattno - 1)))
				return false;
		}
		return true;
	}
	return true;					/* no id column: nothing given */
}

/*
 * The planner hook: on Citus, 55000 for an INSERT into "user" that gives
 * an id of its own (see the header).
 */
#if PG_VERSION_NUM >= 190000
#define UM_PLANNER_ES , es
static PlannedStmt *
um_user_ids_planner(Query *parse, const char *query_string, int cursor_options,
					ParamListInfo bound_params, ExplainState *es)
#else
#define UM_PLANNER_ES
static PlannedStmt *
um_user_ids_planner(Query *parse, const char *query_string, int cursor_options,
					ParamListInfo bound_params)
#endif
{
	if (parse->commandType == CMD_INSERT && parse->resultRelation > 0)
	{
		Oid			relid = rt_fetch(parse->resultRelation, parse->rtable)->relid;

		if (um_user_write_checked(relid) &&
			!um_insert_takes_identity(parse, get_attnum(relid, "id")))
			um_user_id_refuse("INSERT ... OVERRIDING SYSTEM VALUE");
	}
	if (prev_planner)
		return prev_planner(parse, query_string, cursor_options, bound_params UM_PLANNER_ES);
	return standard_planner(parse, query_string, cursor_options, bound_params UM_PLANNER_ES);
}

/* Does the COPY's column list hold "id" (no list: every column)? */
static bool
um_copy_names_id(const CopyStmt *stmt)
{
	ListCell   *lc;

	if (stmt->attlist == NIL)
		return true;
	foreach(lc, stmt->attlist)
		if (strcmp(strVal(lfirst(lc)), "id") == 0)
			return true;
	return false;
}

/*
 * The utility hook: on Citus, 55000 for a COPY ... FROM into "user" with
 * the id column (see the header).
 */
static void
um_user_ids_utility(PlannedStmt *pstmt, const char *query_string,
					bool read_only_tree, ProcessUtilityContext context,
					ParamListInfo params, QueryEnvironment *query_env,
					DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;

	if (IsA(stmt, CopyStmt) && ((CopyStmt *) stmt)->is_from &&
		((CopyStmt *) stmt)->relation != NULL &&
		um_copy_names_id((CopyStmt *) stmt) &&
		um_user_write_checked(RangeVarGetRelid(((CopyStmt *) stmt)->relation,
											   NoLock, true)))
		um_user_id_refuse("COPY with the id column");
	if (prev_process_utility)
		prev_process_utility(pstmt, query_string, read_only_tree, context,
							 params, query_env, dest, qc);
	else
		standard_ProcessUtility(pstmt, query_string, read_only_tree, context,
								params, query_env, dest, qc);
}

/* Called once per backend from _PG_init: the hooks of Citus's check. */
void
usrmgmt_user_ids_init(void)
{
	prev_planner = planner_hook;
	planner_hook = um_user_ids_planner;
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = um_user_ids_utility;
}
