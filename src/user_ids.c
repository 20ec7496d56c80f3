/*-------------------------------------------------------------------------
 *
 * user_ids.c
 *		User ids come from the identity: the trigger that keeps a role
 *		other than a superuser from choosing the id of a new user.
 *		Manual: "usrmgmt.user", and Security, "The attack review of 1.1".
 *
 *	user_id_check()
 *		BEFORE INSERT FOR EACH ROW on "user".
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
 * workers' backends, which cannot see that; there it lets the row pass
 * (doc: Scaling out with Citus).
 *
 * src/user_ids.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "commands/trigger.h"
#include "miscadmin.h"
#include "utils/rel.h"

#include "distributed.h"
#include "session_ids.h"

PG_FUNCTION_INFO_V1(usrmgmt_user_id_check);

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
				 errdetail("A user id is given once, by the identity; user_log and change_log name users by id."),
				 errhint("Leave out the id column and OVERRIDING SYSTEM VALUE; only a superuser's session brings its own ids.")));
	return PointerGetDatum(td->tg_trigtuple);
}
