/*-------------------------------------------------------------------------
 *
 * references.c
 *		The references from usrmgmt's tables to usrmgmt."user", kept by
 *		triggers rather than declarative foreign keys (doc: Restore).
 *
 * Every table of usrmgmt is extension configuration: pg_dump dumps its
 * rows, but records no order between the TABLE DATA entries of two
 * configuration tables, so pg_restore -j loads them in parallel.  A
 * declarative foreign key from server, configuration, online_user or
 * user_auth to "user" then rejects every row that arrives before its user;
 * pg_restore reports "errors ignored" and the table stays empty.  Each of
 * these references is therefore kept by triggers with the rule, the name,
 * the SQLSTATE (23503) and the messages of the foreign key it replaces:
 *
 *	reference_check(column, constraint)
 *		BEFORE INSERT OR UPDATE OF column ON the referencing table: the user
 *		row must exist, and is locked FOR KEY SHARE as the foreign key's
 *		check does, so a concurrent DELETE of the user waits and then sees
 *		the new row.  online_user has no such trigger: its BEFORE trigger
 *		(session_triggers.c) already reads and locks the user.
 *	user_references()
 *		AFTER DELETE OR UPDATE OF id ON "user": the actions of the table
 *		below, in its order (RESTRICT first); an UPDATE that changes a
 *		referenced id is refused (NO ACTION).  Under REPEATABLE READ and
 *		SERIALIZABLE the statements run as the foreign key's own do: on
 *		the latest snapshot, cross-checked against the transaction's, so a
 *		row committed meanwhile raises a serialization failure rather than
 *		being missed.
 *
 * On Citus the triggers fire on each node's placement of "user" and on the
 * shards (distributed.h): they lock no row of a reference table, cascade
 * only on the node that holds the user's shard, and SET NULL in the node's
 * own placement of configuration.
 *
 * Restore: rows a superuser loads by COPY FROM into the table itself
 * (restore_copy.h) are taken as they are, since their user may arrive later
 * in a parallel restore.  validate_data_integrity() reports any row whose
 * user is missing (category foreign_key_violation).
 *
 * src/references.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "distributed.h"
#include "restore_copy.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(usrmgmt_reference_check);
PG_FUNCTION_INFO_V1(usrmgmt_user_references);

typedef enum UmRefAction
{
	UM_REF_RESTRICT,			/* refuse to delete a referenced user */
	UM_REF_CASCADE,				/* delete the referencing rows */
	UM_REF_SET_NULL				/* set the referencing column to NULL */
} UmRefAction;

/*
 * One reference to "user"(id): the referencing table, the foreign key it
 * replaces, what a DELETE of the user does, and its statements (the
 * referencing column is written into them).
 */
typedef struct UmReference
{
	const char *table;
	const char *constraint;		/* the name of the foreign key it replaces */
	UmRefAction on_delete;
	UmPlan		find;			/* one referencing row, locked */
	UmPlan		act;			/* CASCADE / SET NULL; unused for RESTRICT */
	UmPlan		shard_find;		/* on a Citus shard: find, without a lock */
} UmReference;

#define UM_REF_FIND(t, c) \
	UM_PLAN("SELECT 1 FROM " UM_SCHEMA "." t " x WHERE x." c \
			" OPERATOR(pg_catalog.=) $1 LIMIT 1 FOR KEY SHARE OF x", INT8OID)
#define UM_REF_SHARD_FIND(t, c) \
	UM_PLAN("SELECT 1 FROM " UM_SCHEMA "." t " x WHERE x." c \
			" OPERATOR(pg_catalog.=) $1 LIMIT 1", INT8OID)

static UmReference references[] = {
	{"server", "server_owner_id_fkey", UM_REF_RESTRICT,
		UM_REF_FIND("server", "owner_id"), UM_PLAN0(NULL),
		UM_REF_SHARD_FIND("server", "owner_id")},
	{"online_user", "online_user_user_id_fkey", UM_REF_CASCADE,
		UM_REF_FIND("online_user", "user_id"),
		UM_PLAN("DELETE FROM " UM_SCHEMA ".online_user x"
				" WHERE x.user_id OPERATOR(pg_catalog.=) $1", INT8OID),
		UM_REF_SHARD_FIND("online_user", "user_id")},
	{"user_auth", "user_auth_user_id_fkey", UM_REF_CASCADE,
		UM_REF_FIND("user_auth", "user_id"),
		UM_PLAN("DELETE FROM " UM_SCHEMA ".user_auth x"
				" WHERE x.user_id OPERATOR(pg_catalog.=) $1", INT8OID),
		UM_REF_SHARD_FIND("user_auth", "user_id")},
	{"configuration", "configuration_updated_by_fkey", UM_REF_SET_NULL,
		UM_REF_FIND("configuration", "updated_by"),
		UM_PLAN("UPDATE " UM_SCHEMA ".configuration x SET updated_by = NULL"
				" WHERE x.updated_by OPERATOR(pg_catalog.=) $1", INT8OID),
		UM_REF_SHARD_FIND("configuration", "updated_by")},
};

/*
 * On Citus, the placement of configuration on this node: SET NULL is done
 * by the trigger of each placement of "user" on its own node's placement of
 * configuration (a reference table cannot be written through Citus from a
 * trigger on a shard).
 */
static UmPlan plan_local_configuration = UM_PLAN0(
	"SELECT pg_catalog.format('%I.%I', " "'" UM_SCHEMA "',"
	"       'configuration_' OPERATOR(pg_catalog.||) s.shardid)"
	"  FROM pg_catalog.pg_dist_shard s"
	" WHERE s.logicalrelid OPERATOR(pg_catalog.=) '" UM_SCHEMA ".configuration'::pg_catalog.regclass");

static UmPlan plan_user_lock = UM_PLAN(
	"SELECT 1 FROM " UM_SCHEMA ".\"user\" x"
	" WHERE x.id OPERATOR(pg_catalog.=) $1 FOR KEY SHARE OF x", INT8OID);
static UmPlan plan_user_shard = UM_PLAN(
	"SELECT 1 FROM " UM_SCHEMA ".\"user\" x"
	" WHERE x.id OPERATOR(pg_catalog.=) $1", INT8OID);

static TriggerData *
um_ref_trigger_data(FunctionCallInfo fcinfo, const char *fname, int nargs)
{
	TriggerData *td;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by the trigger manager", fname)));
	td = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		TRIGGER_FIRED_BY_TRUNCATE(td->tg_event) ||
		td->tg_trigger->tgnargs != nargs)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was fired by the wrong event", fname)));
	return td;
}

/* The int8 column of tuple; false when it is NULL. */
static bool
um_ref_value(Relation rel, HeapTuple tuple, const char *column, int64 *value)
{
	int			attnum = SPI_fnumber(RelationGetDescr(rel), column);
	bool		isnull;
	Datum		d;

	if (attnum <= 0)
		elog(ERROR, "column \"%s\" of \"%s\" not found", column,
			 RelationGetRelationName(rel));
	d = heap_getattr(tuple, attnum, RelationGetDescr(rel), &isnull);
	if (!isnull)
		*value = DatumGetInt64(d);
	return !isnull;
}

/*
 * reference_check(column text, constraint text) RETURNS trigger
 *
 * BEFORE INSERT OR UPDATE OF column, FOR EACH ROW.  Returns the new row.
 * Errors: 23503 when the user the column names does not exist.  Locks that
 * user row FOR KEY SHARE.  A NULL value, an UPDATE that keeps the value
 * and a restored row (restore_copy.h) are not looked up.
 */
Datum
usrmgmt_reference_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = um_ref_trigger_data(fcinfo, "reference_check", 2);
	Relation	rel = td->tg_relation;
	const char *column = td->tg_trigger->tgargs[0];
	const char *constraint = td->tg_trigger->tgargs[1];
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(td->tg_event);
	HeapTuple	newtup = is_update ? td->tg_newtuple : td->tg_trigtuple;
	int64		user_id;
	int64		old_id;
	Datum		values[1];
	uint64		found;

	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || TRIGGER_FIRED_BY_DELETE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was fired by the wrong event", "reference_check")));
	if (!um_ref_value(rel, newtup, column, &user_id))
		return PointerGetDatum(newtup);
	if (is_update)
	{
		if (um_ref_value(rel, td->tg_trigtuple, column, &old_id) && old_id == user_id)
			return PointerGetDatum(newtup);
	}
	else if (um_restoring_copy(rel))
		return PointerGetDatum(newtup);

	um_spi_connect();
	values[0] = Int64GetDatum(user_id);
	/* on a Citus shard no reference row is locked (distributed.h) */
	found = um_plan_exec(um_rel_is_shard(rel) ? &plan_user_shard : &plan_user_lock,
						 values, NULL, false, SPI_OK_SELECT);
	SPI_finish();
	if (found == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("insert or update on table \"%s\" violates foreign key constraint \"%s\"",
						RelationGetRelationName(rel), constraint),
				 errdetail("Key (%s)=(" INT64_FORMAT ") is not present in table \"%s\".",
						   column, user_id, "user"),
				 errtableconstraint(rel, constraint)));
	return PointerGetDatum(newtup);
}

/* 23503: user id is still referenced by ref (a RESTRICT, or a changed id). */
static void
um_ref_still_referenced(Relation user_rel, const UmReference *ref, int64 id)
{
	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("update or delete on table \"%s\" violates foreign key constraint \"%s\" on table \"%s\"",
					um_logical_relname(user_rel), ref->constraint, ref->table),
			 errdetail("Key (id)=(" INT64_FORMAT ") is still referenced from table \"%s\".",
					   id, ref->table),
			 errtableconstraint(user_rel, ref->constraint)));
}

/*
 * user_references() on a placement of the reference table "user" (Citus,
 * distributed.h), for user id: it fires on every node.  RESTRICT and the
 * checks of a changed id read without locks; CASCADE deletes the sessions
 * on the node of the user's shard only, under the user's lock there; SET
 * NULL writes this node's placement of configuration.
 */
static void
um_shard_user_references(Relation rel, int64 id, bool is_delete)
{
	Datum		values[1];
	size_t		i;

	values[0] = Int64GetDatum(id);
	for (i = 0; i < lengthof(references); i++)
	{
		UmReference *ref = &references[i];
		bool		here = ref->on_delete != UM_REF_CASCADE ||
			um_user_shard_here(ref->table, id);

		if (!here)
			continue;
		if (!is_delete || ref->on_delete == UM_REF_RESTRICT)
		{
			if (um_plan_exec(&ref->shard_find, values, NULL, true, SPI_OK_SELECT) > 0)
				um_ref_still_referenced(rel, ref, id);
		}
		else if (ref->on_delete == UM_REF_CASCADE)
		{
			um_lock_user_closing_here(id);
			um_plan_exec(&ref->act, values, NULL, false, SPI_OK_DELETE);
		}
		else
		{
			bool		isnull;
			char	   *placement;
			Oid			argtypes[1] = {INT8OID};

			if (um_plan_exec(&plan_local_configuration, NULL, NULL, true,
							 SPI_OK_SELECT) == 0)
				continue;
			placement = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0],
														  SPI_tuptable->tupdesc,
														  1, &isnull));
			(void) um_sql_exec(psprintf("UPDATE %s x SET updated_by = NULL"
										" WHERE x.updated_by OPERATOR(pg_catalog.=) $1",
										placement),
							   1, argtypes, values, NULL, false, SPI_OK_UPDATE);
		}
	}
}

/*
 * user_references() RETURNS trigger
 *
 * AFTER DELETE OR UPDATE OF id ON "user", FOR EACH ROW.  DELETE: 23503 when
 * a server is owned by the user (server_owner_id_fkey, RESTRICT); then
 * deletes its sessions (online_user_user_id_fkey, CASCADE: their 'logout'
 * rows say 'user deleted') and its user_auth row (user_auth_user_id_fkey,
 * CASCADE), and clears configuration.updated_by (SET NULL).
 * UPDATE that changes the id: 23503 when anything refers to the old id.
 * Locks the referencing rows it reads (FOR KEY SHARE) or writes.
 */
Datum
usrmgmt_user_references(PG_FUNCTION_ARGS)
{
	TriggerData *td = um_ref_trigger_data(fcinfo, "user_references", 0);
	Relation	rel = td->tg_relation;
	bool		is_delete = TRIGGER_FIRED_BY_DELETE(td->tg_event);
	int64		id;
	int64		new_id;
	Datum		values[1];
	size_t		i;

	if (!TRIGGER_FIRED_AFTER(td->tg_event) || TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was fired by the wrong event", "user_references")));
	if (!um_ref_value(rel, td->tg_trigtuple, "id", &id))
		return PointerGetDatum(NULL);
	if (!is_delete && um_ref_value(rel, td->tg_newtuple, "id", &new_id) && new_id == id)
		return PointerGetDatum(NULL);

	um_spi_connect();
	if (um_rel_is_shard(rel))
	{
		um_shard_user_references(rel, id, is_delete);
		SPI_finish();
		return PointerGetDatum(NULL);
	}
	values[0] = Int64GetDatum(id);
	for (i = 0; i < lengthof(references); i++)
	{
		UmReference *ref = &references[i];

		if (!is_delete || ref->on_delete == UM_REF_RESTRICT)
		{
			if (um_plan_exec_crosscheck(&ref->find, values, SPI_OK_SELECT) > 0)
				um_ref_still_referenced(rel, ref, id);
		}
		else
			um_plan_exec_crosscheck(&ref->act, values,
									ref->on_delete == UM_REF_CASCADE ? SPI_OK_DELETE : SPI_OK_UPDATE);
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}
