/*-------------------------------------------------------------------------
 *
 * session_triggers.c
 *		The C triggers that keep usrmgmt.online_user and usrmgmt.user_log
 *		true whatever path the data takes (login() or an ORM).
 *
 *	online_user_before_write	BEFORE INSERT OR UPDATE ON online_user
 *		INSERT: refuses an id the identity did not give (55000), fills
 *		username from the user row, which it locks FOR SHARE (so the insert
 *		serialises with a deactivation or delete of that user) and refuses
 *		an inactive user (28000).  UPDATE: refuses to change the id or to
 *		move a session to another user (55000), keeps username equal to
 *		the user's.
 *	online_user_after_insert	AFTER INSERT ON online_user: the 'login' row.
 *	online_user_after_delete	AFTER DELETE ON online_user: the 'logout'
 *		row; detail from the caller (session_context.h), or 'user deleted'
 *		when the user row no longer exists (the cascade of references.c; with
 *		user_id NULL where user_log.user_id may be NULL, as in the 1.0 schema,
 *		whose foreign key would refuse the id of a deleted user).
 *	user_sync_sessions			AFTER UPDATE ON user (WHEN username changed or
 *		is_active went false): closes the sessions of a deactivated user
 *		('user deactivated'), renames the open sessions of a renamed one.
 *	user_log_guard				BEFORE UPDATE OR DELETE ON user_log: 55000
 *		unless past the guard (session_context.h), except, in the 1.0
 *		schema, the FK's own SET NULL.
 *	refuse_truncate				BEFORE TRUNCATE ON user_log, online_user and
 *		"user": 55000 unless past the guard.
 *
 * On Citus (distributed.h; doc: Scaling out with Citus) these triggers
 * fire on the shards: a new session locks its user on the node of its
 * shard instead of the user row, reads the user without a lock and gets
 * an id that carries its user and the user's next session number;
 * user_sync_sessions acts only on the node that holds the user's
 * sessions; a 'logout' row says 'expired' for a session
 * expire_sessions() marked.
 *
 * Privileges.  A trigger runs as the role whose statement fired it, so
 * the four that read "user" or write online_user and user_log run their
 * work as their function's owner (um_call_as_definer, spi_util.h): an
 * application that may rename, deactivate or delete a user, or insert a
 * session as an ORM does, needs no privilege on online_user or user_log
 * for what follows from it.  That is what SECURITY DEFINER does, but
 * without its SET search_path: a GUC nest level saved and restored per
 * row, about 14 % of a login+logout cycle (doc: Performance).  The SQL
 * they run qualifies every name, operator and type, so the caller's
 * search_path has nothing to resolve (sql/search_path.sql checks it with
 * look-alikes, the direct INSERT, UPDATE and DELETE of an ORM included).
 *
 * The user row is found and locked through users.h; what the session
 * functions say about their own statements comes from session_context.h.
 * The only SQL written here inserts the log rows and renames sessions.
 *
 * Restore: rows that a superuser's COPY ... FROM statement (pg_dump's
 * data, pg_restore) inserts into online_user are taken as they are: no
 * username lookup, no 'login' row (the log's own rows are restored from
 * the same dump).  Any other COPY is an INSERT like any other.  Outside a
 * restore a session's id is the identity's, once, and never changes.
 * restore_copy.c decides what is a restore,
 * session_ids.c what is a valid id.
 *
 * src/session_triggers.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "distributed.h"
#include "restore_copy.h"
#include "session_context.h"
#include "session_ids.h"
#include "spi_util.h"
#include "users.h"

PG_FUNCTION_INFO_V1(usrmgmt_online_user_before_write);
PG_FUNCTION_INFO_V1(usrmgmt_online_user_after_insert);
PG_FUNCTION_INFO_V1(usrmgmt_online_user_after_delete);
PG_FUNCTION_INFO_V1(usrmgmt_user_sync_sessions);
PG_FUNCTION_INFO_V1(usrmgmt_user_log_guard);
PG_FUNCTION_INFO_V1(usrmgmt_refuse_truncate);

/* The plan table: the log rows and the rename of open sessions. */
static UmPlan plan_log = UM_PLAN(
	"INSERT INTO usrmgmt.user_log"
	" (user_id, username, action, session_id, ip_address, user_agent, detail)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7)",
	INT8OID, TEXTOID, TEXTOID, INT8OID, INETOID, TEXTOID, TEXTOID);
static UmPlan plan_rename_user = UM_PLAN(
	"UPDATE usrmgmt.online_user SET username = $2"
	" WHERE user_id OPERATOR(pg_catalog.=) $1"
	"   AND username OPERATOR(pg_catalog.<>) $2",
	INT8OID, TEXTOID);

/* The FK SET NULL check's memo: a user id seen gone in this command. */
static TransactionId gone_xid = InvalidTransactionId;
static CommandId gone_cid = InvalidCommandId;
static int64 gone_user_id = 0;

/* When a trigger function must be fired (um_trigger_data). */
typedef enum UmFiring
{
	UM_BEFORE_ROW,
	UM_AFTER_ROW,
	UM_ANY_TIMING				/* TRUNCATE: statement level, either timing */
} UmFiring;

/* A set of operations: UM_ON(TRIGGER_EVENT_INSERT) | ... */
#define UM_ON(op) (1 << (op))

/*
 * The trigger data, once we know we were fired as expected: when, and by
 * one of the operations in ops.  Errors: 39P01.
 */
static TriggerData *
um_trigger_data(FunctionCallInfo fcinfo, const char *fname, UmFiring firing,
				int ops)
{
	TriggerData *td;
	TriggerEvent ev;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by the trigger manager", fname)));
	td = (TriggerData *) fcinfo->context;
	ev = td->tg_event;
	if ((firing == UM_BEFORE_ROW &&
		 !(TRIGGER_FIRED_BEFORE(ev) && TRIGGER_FIRED_FOR_ROW(ev))) ||
		(firing == UM_AFTER_ROW &&
		 !(TRIGGER_FIRED_AFTER(ev) && TRIGGER_FIRED_FOR_ROW(ev))) ||
		!(ops & UM_ON(ev & TRIGGER_EVENT_OPMASK)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was fired by the wrong event", fname)));
	return td;
}

/* Column number by name; can't-happen error when the table lacks it. */
static int
um_attnum(Relation rel, const char *name)
{
	int			attnum = SPI_fnumber(RelationGetDescr(rel), name);

	if (attnum <= 0)
		elog(ERROR, "table \"%s\" has no column \"%s\"",
			 RelationGetRelationName(rel), name);
	return attnum;
}

static Datum
um_get(HeapTuple tuple, Relation rel, const char *name, bool *isnull)
{
	return heap_getattr(tuple, um_attnum(rel, name), RelationGetDescr(rel), isnull);
}

/*
 * The new session row on a Citus shard (distributed.h): the user is
 * locked on this node and read without a row lock, username filled in,
 * and the id replaced by one that carries the user id and the user's next
 * session number, whoever wrote the row (login() or an ORM, through the
 * coordinator).  The number is taken first, under the user's user_auth
 * row lock, which login() holds already: that lock, then the user's lock
 * on this node, as login() takes them.  Errors: 23503 no such user; 28000
 * inactive user; 22003 a user id too large, 2200H no session number left
 * (um_next_session_id).
 */
static HeapTuple
um_shard_session_insert(Relation rel, HeapTuple newtup, int64 user_id)
{
	UmUser		user;
	int64		id;
	int			cols[2];
	Datum		vals[2];
	bool		nulls[2] = {false, false};

	um_spi_connect();
	if (!um_next_session_id(user_id, false, &id))
	{
		/* no user_auth row yet: say "no such user" before making one */
		um_user_for_session(user_id, false, &user);
		(void) um_next_session_id(user_id, true, &id);
	}
	um_lock_user_here(user_id);
	um_user_for_session(user_id, false, &user);
	vals[0] = Int64GetDatum(id);
	vals[1] = SPI_datumTransfer(user.username, false, -1);
	SPI_finish();
	cols[0] = um_attnum(rel, "id");
	cols[1] = um_attnum(rel, "username");
	return heap_modify_tuple_by_cols(newtup, RelationGetDescr(rel), 2, cols,
									 vals, nulls);
}

/*
 * online_user_before_write() RETURNS trigger
 *
 * BEFORE INSERT OR UPDATE ON online_user FOR EACH ROW.
 * INSERT: username := the user's username; the user row is locked FOR
 * SHARE (unless login() already holds it).  Errors: 55000 an id not given
 * by the identity (OVERRIDING SYSTEM VALUE, a COPY's id column); 23503 no
 * such user; 28000 inactive user.  Restore data (a superuser's COPY) is
 * left as it is.
 * UPDATE: 55000 when id or user_id changes; username := the user's
 * username when an UPDATE changes it.
 */
static Datum
online_user_before_write_body(PG_FUNCTION_ARGS)
{
	TriggerData *td = um_trigger_data(fcinfo, "online_user_before_write",
									  UM_BEFORE_ROW,
									  UM_ON(TRIGGER_EVENT_INSERT) |
									  UM_ON(TRIGGER_EVENT_UPDATE));
	Relation	rel = td->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	HeapTuple	newtup;
	int			att_user_id = um_attnum(rel, "user_id");
	int			att_username = um_attnum(rel, "username");
	Datum		user_id;
	bool		isnull;
	Datum		name;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		newtup = td->tg_trigtuple;
		user_id = heap_getattr(newtup, att_user_id, desc, &isnull);
		if (isnull)
			return PointerGetDatum(newtup); /* NOT NULL refuses it */
		if (um_rel_is_shard(rel))
			return PointerGetDatum(um_shard_session_insert(rel, newtup,
														   DatumGetInt64(user_id)));

		/* login() has locked and checked this user: take its username. */
		if (um_take_login(DatumGetInt64(user_id), &name))
			um_session_id_check_new(rel, newtup, true);
		else
		{
			UmUser		user;

			if (um_restoring_copy(rel))
				return PointerGetDatum(newtup);
			um_session_id_check_new(rel, newtup, false);

			um_spi_connect();
			um_user_for_session(DatumGetInt64(user_id), true, &user);
			name = SPI_datumTransfer(user.username, false, -1);
			SPI_finish();
		}
		isnull = false;
		return PointerGetDatum(heap_modify_tuple_by_cols(newtup, desc, 1,
														 &att_username, &name,
														 &isnull));
	}
	else
	{
		HeapTuple	oldtup = td->tg_trigtuple;
		bool		oldnull;
		Datum		oldval;
		Datum		newval;

		newtup = td->tg_newtuple;
		um_session_id_check_update(rel, oldtup, newtup);
		oldval = heap_getattr(oldtup, att_user_id, desc, &oldnull);
		newval = heap_getattr(newtup, att_user_id, desc, &isnull);
		if (isnull || DatumGetInt64(oldval) != DatumGetInt64(newval))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("session %lld cannot be moved to another user",
							(long long) DatumGetInt64(um_get(oldtup, rel, "id", &oldnull))),
					 errhint("Log the session out and open a new one for the other user.")));

		oldval = heap_getattr(oldtup, att_username, desc, &oldnull);
		newval = heap_getattr(newtup, att_username, desc, &isnull);
		if (!isnull && datumIsEqual(oldval, newval, false, -1))
			return PointerGetDatum(newtup);

		/* username changed (the rename trigger or a client): re-read it */
		um_spi_connect();
		user_id = heap_getattr(newtup, att_user_id, desc, &isnull);
		if (!um_user_name(DatumGetInt64(user_id), &name))
			name = oldval;		/* the user is being deleted: keep it */
		else
			name = SPI_datumTransfer(name, false, -1);
		SPI_finish();
		isnull = false;
		return PointerGetDatum(heap_modify_tuple_by_cols(newtup, desc, 1,
														 &att_username, &name,
														 &isnull));
	}
}

/* As the function's owner (um_call_as_definer): see the header comment. */
Datum
usrmgmt_online_user_before_write(PG_FUNCTION_ARGS)
{
	return um_call_as_definer(fcinfo, online_user_before_write_body);
}

/*
 * May usrmgmt.user_log.user_id be NULL?  Only in the 1.0 schema, whose
 * foreign key (ON DELETE SET NULL) refuses the id of a deleted user; from
 * 1.1 the log keeps it (NOT NULL, no foreign key).  Asked only when a
 * deleted user's session is logged out.
 */
static bool
um_log_user_id_nullable(void)
{
	Oid			relid = get_relname_relid("user_log",
										  get_namespace_oid(UM_SCHEMA, false));
	HeapTuple	att;
	bool		nullable = false;

	if (!OidIsValid(relid))
		return false;
	att = SearchSysCacheAttName(relid, "user_id");
	if (HeapTupleIsValid(att))
	{
		nullable = !((Form_pg_attribute) GETSTRUCT(att))->attnotnull;
		ReleaseSysCache(att);
	}
	return nullable;
}

/*
 * On a Citus shard, the detail of a closing the coordinator asked for:
 * 'expired' for a session expire_sessions() marked (UM_EXPIRED_MARK);
 * NULL otherwise.
 */
static const char *
um_shard_closing_detail(Relation rel, HeapTuple tup)
{
	bool		isnull;
	Datum		seen;

	if (!um_rel_is_shard(rel))
		return NULL;
	seen = um_get(tup, rel, "last_seen_at", &isnull);
	return !isnull && DatumGetTimestampTz(seen) == UM_EXPIRED_MARK ? "expired" : NULL;
}

/*
 * Write the log row of the session row tup: its user_id, username, id,
 * ip_address and user_agent, and action.  A 'login' row has no detail.
 * A 'logout' row's detail is the closing's (session_context.h); for a
 * DELETE from elsewhere it is NULL while the user exists, else 'user
 * deleted' (the cascade of references.c), with user_id NULL in the 1.0
 * schema (um_log_user_id_nullable).
 */
static void
um_write_log_row(Relation rel, HeapTuple tup, bool logout)
{
	Datum		values[7];
	char		nulls[7];
	bool		isnull;
	const char *detail = NULL;

	memset(nulls, ' ', sizeof(nulls));
	values[0] = um_get(tup, rel, "user_id", &isnull);
	values[1] = um_get(tup, rel, "username", &isnull);
	values[2] = CStringGetTextDatum(logout ? "logout" : "login");
	values[3] = um_get(tup, rel, "id", &isnull);
	values[4] = um_get(tup, rel, "ip_address", &isnull);
	nulls[4] = isnull ? 'n' : ' ';
	values[5] = um_get(tup, rel, "user_agent", &isnull);
	nulls[5] = isnull ? 'n' : ' ';

	um_spi_connect();
	if (logout && !um_closing_detail(&detail) &&
		(detail = um_shard_closing_detail(rel, tup)) == NULL &&
		!um_user_exists(DatumGetInt64(values[0])))
	{
		detail = "user deleted";
		if (um_log_user_id_nullable())
			nulls[0] = 'n';
	}
	values[6] = detail ? CStringGetTextDatum(detail) : (Datum) 0;
	nulls[6] = detail ? ' ' : 'n';
	um_plan_exec(&plan_log, values, nulls, false, SPI_OK_INSERT);
	SPI_finish();
}

/*
 * online_user_after_insert() RETURNS trigger
 *
 * AFTER INSERT ON online_user FOR EACH ROW: writes the 'login' row of the
 * new session (user_id, username, session_id, ip_address, user_agent).
 * Nothing for restore data (a superuser's COPY).
 */
static Datum
online_user_after_insert_body(PG_FUNCTION_ARGS)
{
	TriggerData *td = um_trigger_data(fcinfo, "online_user_after_insert",
									  UM_AFTER_ROW, UM_ON(TRIGGER_EVENT_INSERT));

	if (!um_restoring_copy(td->tg_relation))
		um_write_log_row(td->tg_relation, td->tg_trigtuple, false);
	return PointerGetDatum(NULL);
}

/* As the function's owner (um_call_as_definer): see the header comment. */
Datum
usrmgmt_online_user_after_insert(PG_FUNCTION_ARGS)
{
	return um_call_as_definer(fcinfo, online_user_after_insert_body);
}

/*
 * online_user_after_delete() RETURNS trigger
 *
 * AFTER DELETE ON online_user FOR EACH ROW: writes the 'logout' row of the
 * closed session.  detail: as set by the closing function (NULL for
 * logout()/logout_user(), 'expired', 'user deactivated'); for a DELETE
 * from elsewhere, NULL while the user exists, else 'user deleted' with
 * user_id NULL (the foreign key's ON DELETE CASCADE).
 */
static Datum
online_user_after_delete_body(PG_FUNCTION_ARGS)
{
	TriggerData *td = um_trigger_data(fcinfo, "online_user_after_delete",
									  UM_AFTER_ROW, UM_ON(TRIGGER_EVENT_DELETE));

	um_write_log_row(td->tg_relation, td->tg_trigtuple, true);
	return PointerGetDatum(NULL);
}

/* As the function's owner (um_call_as_definer): see the header comment. */
Datum
usrmgmt_online_user_after_delete(PG_FUNCTION_ARGS)
{
	return um_call_as_definer(fcinfo, online_user_after_delete_body);
}

/*
 * user_sync_sessions() RETURNS trigger
 *
 * AFTER UPDATE ON "user" FOR EACH ROW WHEN (the username changed or
 * is_active went from true to false).
 * Deactivation: deletes the user's sessions, logged with detail
 * 'user deactivated'.  Rename: sets username of the user's open sessions
 * (the log keeps the old name in its past rows).
 * Locking: the user row is already locked by the UPDATE; then the
 * sessions.
 */
static Datum
user_sync_sessions_body(PG_FUNCTION_ARGS)
{
	TriggerData *td = um_trigger_data(fcinfo, "user_sync_sessions",
									  UM_AFTER_ROW, UM_ON(TRIGGER_EVENT_UPDATE));
	Relation	rel = td->tg_relation;
	HeapTuple	oldtup;
	HeapTuple	newtup;
	bool		isnull;
	bool		old_active;
	bool		new_active;
	Datum		old_name;
	Datum		new_name;
	Datum		values[2];

	oldtup = td->tg_trigtuple;
	newtup = td->tg_newtuple;
	old_active = DatumGetBool(um_get(oldtup, rel, "is_active", &isnull));
	new_active = DatumGetBool(um_get(newtup, rel, "is_active", &isnull));
	old_name = um_get(oldtup, rel, "username", &isnull);
	new_name = um_get(newtup, rel, "username", &isnull);
	values[0] = um_get(newtup, rel, "id", &isnull);

	um_spi_connect();
	/* On Citus: only the node of the user's shard, under the user's lock. */
	if (um_rel_is_shard(rel))
	{
		if (!um_user_shard_here("online_user", DatumGetInt64(values[0])))
		{
			SPI_finish();
			return PointerGetDatum(NULL);
		}
		um_lock_user_here(DatumGetInt64(values[0]));
	}
	if (old_active && !new_active)
		um_close_user_sessions(DatumGetInt64(values[0]), "user deactivated");
	else if (!datumIsEqual(old_name, new_name, false, -1))
	{
		values[1] = new_name;
		um_plan_exec(&plan_rename_user, values, NULL, false, SPI_OK_UPDATE);
	}
	SPI_finish();

	return PointerGetDatum(NULL);
}

/* As the function's owner (um_call_as_definer): see the header comment. */
Datum
usrmgmt_user_sync_sessions(PG_FUNCTION_ARGS)
{
	return um_call_as_definer(fcinfo, user_sync_sessions_body);
}

/*
 * Is this user_log UPDATE the foreign key's own ON DELETE SET NULL: only
 * user_id changes, to NULL, and the user it pointed to no longer exists?
 * Only in the 1.0 schema: from 1.1 the log has no foreign key and its
 * user_id is NOT NULL, so the guard makes no exception.
 */
static bool
um_is_fk_set_null(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			att_user_id = um_attnum(rel, "user_id");
	bool		oldnull;
	bool		newnull;
	Datum		olduser;
	int			i;
	bool		gone;

	olduser = heap_getattr(oldtup, att_user_id, desc, &oldnull);
	(void) heap_getattr(newtup, att_user_id, desc, &newnull);
	if (oldnull || !newnull || !um_log_user_id_nullable())
		return false;

	for (i = 1; i <= desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i - 1);
		Datum		a;
		Datum		b;

		if (att->attisdropped || i == att_user_id)
			continue;
		a = heap_getattr(oldtup, i, desc, &oldnull);
		b = heap_getattr(newtup, i, desc, &newnull);
		if (oldnull != newnull)
			return false;
		if (!oldnull && !datumIsEqual(a, b, att->attbyval, att->attlen))
			return false;
	}

	if (gone_xid == GetCurrentTransactionIdIfAny() &&
		gone_cid == GetCurrentCommandId(false) &&
		gone_user_id == DatumGetInt64(olduser))
		return true;

	um_spi_connect();
	gone = !um_user_exists(DatumGetInt64(olduser));
	SPI_finish();
	if (gone)
	{
		gone_xid = GetCurrentTransactionIdIfAny();
		gone_cid = GetCurrentCommandId(false);
		gone_user_id = DatumGetInt64(olduser);
	}
	return gone;
}

/*
 * user_log_guard() RETURNS trigger
 *
 * BEFORE UPDATE OR DELETE ON user_log FOR EACH ROW: the log is
 * append-only.  Errors: 55000, unless purge_user_log() or reset() runs
 * its statement past the guard, or the UPDATE is the foreign key's
 * ON DELETE SET NULL of a deleted user.
 */
Datum
usrmgmt_user_log_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = um_trigger_data(fcinfo, "user_log_guard", UM_BEFORE_ROW,
									  UM_ON(TRIGGER_EVENT_UPDATE) |
									  UM_ON(TRIGGER_EVENT_DELETE));
	Relation	rel = td->tg_relation;
	bool		isnull;
	int64		id;

	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		if (um_log_guard_lifted() ||
			um_is_fk_set_null(rel, td->tg_trigtuple, td->tg_newtuple))
			return PointerGetDatum(td->tg_newtuple);
	}
	else if (um_log_guard_lifted())
		return PointerGetDatum(td->tg_trigtuple);

	id = DatumGetInt64(um_get(td->tg_trigtuple, rel, "id", &isnull));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("cannot %s row %lld of usrmgmt.user_log",
					TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? "update" : "delete",
					(long long) id),
			 errdetail("The login/logout audit log is append-only."),
			 errhint("Use usrmgmt.purge_user_log() to remove old rows.")));
	return (Datum) 0;			/* keep compiler quiet */
}

/*
 * refuse_truncate() RETURNS trigger
 *
 * BEFORE TRUNCATE ON user_log, online_user and "user" FOR EACH STATEMENT.
 * Errors: 55000 unless reset() runs its TRUNCATE past the guard
 * (truncating online_user would close sessions without 'logout' rows;
 * truncating "user" would leave the rows that refer to it, references.c).
 */
Datum
usrmgmt_refuse_truncate(PG_FUNCTION_ARGS)
{
	TriggerData *td = um_trigger_data(fcinfo, "refuse_truncate", UM_ANY_TIMING,
									  UM_ON(TRIGGER_EVENT_TRUNCATE));

	if (um_log_guard_lifted())
		return PointerGetDatum(NULL);

	if (strcmp(RelationGetRelationName(td->tg_relation), "user") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot truncate usrmgmt.\"user\""),
				 errdetail("Sessions, servers and settings refer to its rows."),
				 errhint("Delete the users instead, or use usrmgmt.reset(confirm => true).")));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("cannot truncate usrmgmt.%s", RelationGetRelationName(td->tg_relation)),
			 errdetail("Truncating it would lose login/logout history."),
			 errhint("Use usrmgmt.purge_user_log(), usrmgmt.expire_sessions() or usrmgmt.reset(confirm => true).")));
	return (Datum) 0;			/* keep compiler quiet */
}
