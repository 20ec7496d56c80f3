/*-------------------------------------------------------------------------
 *
 * change_audit.c
 *		The change audit: one row in usrmgmt.change_log per row changed in
 *		an audited table, and the log's append-only guard and purge.
 *		Manual: "Change audit".
 *
 *	change_audit(row_id_column, user_id_column)
 *		AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW, and AFTER TRUNCATE
 *		FOR EACH STATEMENT, on every audited table (user, server,
 *		configuration, user_auth).  One generic function: auditing a table
 *		is CREATE TRIGGER with the names of its row-id column and of the
 *		column holding the user the change concerns.
 *	change_log_guard()
 *		BEFORE UPDATE OR DELETE FOR EACH ROW and BEFORE TRUNCATE on
 *		change_log: 55000 unless past the log guard (purge_change_log(),
 *		reset(): the same lifted guard as user_log's).
 *	purge_change_log(older_than)
 *		Drops the partitions wholly older than older_than and deletes the
 *		older rows of the others.
 *	um_change_log_reset()
 *		reset()'s part: empties change_log (change_audit.h).
 *
 * What a row holds.  INSERT: "new" is the whole row; DELETE: "old" is the
 * whole row; UPDATE: "old" and "new" hold only the columns whose stored
 * value changed, and an UPDATE that changes nothing (updated_at,
 * user_auth.last_login_at and session_seq aside: um_ignored_columns) is
 * not recorded, so a login, which stamps last_login_at only (and on Citus
 * counts session_seq), writes no change_log row.  A column changed when NULL-ness differs or the binary
 * images differ (datum_image_eq after decompression; two on-disk TOAST
 * pointers to the same value are equal without being read): what a
 * reader of the table would see differently, so numeric 1.0 -> 1.00 or a
 * citext case change is recorded, a write of the same value is not.
 * Values are rendered by to_jsonb() (so every type has PostgreSQL's own
 * JSON form); a value larger than UM_AUDIT_MAX_VALUE bytes is recorded as
 * {"omitted": "too large", "bytes": n}, and a json value that jsonb
 * refuses (one with \u0000) as its text, so that nothing a table accepts
 * can make the audit (and so the change) fail.  A secret column
 * (password_hash) is recorded as "redacted" when it holds a value, null
 * when it is null: the log says that a password was set, changed or
 * cleared, never what it is.
 *
 * Who.  role is current_user at the time of the change; the row is
 * written as the owner of the trigger function (the extension's owner),
 * so a role that may write an audited table needs no privilege on
 * change_log.  changed_by, client_addr, application_name, txid and
 * changed_at are the log table's column defaults (session_user,
 * inet_client_addr(), application_name, pg_current_xact_id(),
 * clock_timestamp()).
 *
 * Restore.  The rows that pg_restore or pg_dump's SQL output write into
 * an audited table are not recorded: change_log's own rows come back from
 * the same dump.  A restore is recognised by what pg_dump's output sets
 * before it loads data, in a superuser's session (session user and current
 * role both superusers): row_security and check_function_bodies both off.
 *
 * Memory: every row's work (jsonb, to_jsonb, SPI) runs in a short-lived
 * context deleted before returning; the per-table column information
 * lives in the trigger's fn_extra (the statement's lifetime).
 *
 * src/change_audit.c
 *
 *-------------------------------------------------------------------------
 */
#include "change_audit.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "jsonb_util.h"
#include "session_context.h"
#include "distributed.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(usrmgmt_change_audit);
PG_FUNCTION_INFO_V1(usrmgmt_change_log_guard);
PG_FUNCTION_INFO_V1(usrmgmt_purge_change_log);

/* A value larger than this (raw bytes) is recorded by its size only. */
#define UM_AUDIT_MAX_VALUE (1024 * 1024)

/* Columns recorded as "redacted", in every audited table. */
static const char *const um_secret_columns[] = {"password_hash"};

/*
 * Columns whose change is no change, in every audited table: updated_at
 * (set by set_updated_at), user_auth.last_login_at (stamped by every
 * login; the 'login' row of user_log is its record) and
 * user_auth.session_seq (on Citus counted by every new session, whose
 * 'login' row records it).  Left out of an UPDATE's old and new; an
 * UPDATE that changes nothing else writes no row.
 */
static const char *const um_ignored_columns[] = {
	"updated_at", "last_login_at", "session_seq"
};

static UmPlan plan_log_change =
	UM_PLAN("INSERT INTO usrmgmt.change_log"
			" (table_name, operation, row_id, user_id, role, old, new)"
			" VALUES ($1, $2, $3, $4, $5, $6, $7)",
			TEXTOID, TEXTOID, INT8OID, INT8OID, TEXTOID, JSONBOID, JSONBOID);

/*
 * purge_change_log(): the partitions of change_log wholly older than $1
 * dropped (counted; waiting for their locks as long as it takes) by the
 * retention step maintain() uses (sql/usrmgmt--1.1.sql), at once rather
 * than retired as maintain() does, then the rows older than $1 of what
 * remains.
 */
static UmPlan plan_old_partitions =
	UM_PLAN("SELECT x.removed FROM usrmgmt._drop_log_partitions($1, true, '0',"
			" 'usrmgmt.change_log'::pg_catalog.regclass, NULL, false) x",
			TIMESTAMPTZOID);
static UmPlan plan_purge_rows =
	UM_PLAN("DELETE FROM usrmgmt.change_log"
			" WHERE changed_at OPERATOR(pg_catalog.<) $1",
			TIMESTAMPTZOID);
/* um_change_log_reset(), for reset() */
static UmPlan plan_reset = UM_PLAN0("TRUNCATE usrmgmt.change_log RESTART IDENTITY");

/* How one column of an audited table is recorded. */
typedef struct UmAuditColumn
{
	const char *name;			/* NULL: dropped column, skipped */
	bool		secret;			/* recorded as "redacted" */
	bool		ignored;		/* its change alone is no change */
	bool		is_json;		/* type json (or a domain over it) */
	FmgrInfo	to_jsonb;		/* to_jsonb() bound to the column's type */
} UmAuditColumn;

/* What the trigger knows about its table, kept in fn_extra. */
typedef struct UmAuditTable
{
	Oid			relid;
	Datum		table_name;		/* text */
	bool		on_shard;		/* a placement of a Citus table (distributed.h) */
	Oid			owner;			/* the trigger function's owner */
	int			row_id_att;		/* 0: none */
	int			user_id_att;	/* 0: none */
	int			natts;
	UmAuditColumn *cols;
} UmAuditTable;

/* One change, ready to be written. */
typedef struct UmChange
{
	const char *operation;
	Datum		row_id;
	bool		row_id_null;
	Datum		user_id;
	bool		user_id_null;
	Jsonb	   *old;			/* NULL: SQL NULL */
	Jsonb	   *new;
} UmChange;

/* The trigger data; 39P01 when not called by the trigger manager. */
static TriggerData *
um_called_as_trigger(FunctionCallInfo fcinfo, const char *fname)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by the trigger manager", fname)));
	return (TriggerData *) fcinfo->context;
}

UM_NORETURN static void um_audit_misconfigured(TriggerData *td, const char *detail);

static void
um_audit_misconfigured(TriggerData *td, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("trigger \"%s\" on table \"%s\" is not a valid change audit trigger",
					td->tg_trigger->tgname, RelationGetRelationName(td->tg_relation)),
			 errdetail("%s", detail),
			 errhint("Create it as AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW "
					 "or AFTER TRUNCATE FOR EACH STATEMENT, "
					 "EXECUTE FUNCTION usrmgmt.change_audit('row id column', 'user id column').")));
}

/* The attribute number of trigger argument argno, an integer column. */
static int
um_audit_key_column(TriggerData *td, int argno)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	const char *name = td->tg_trigger->tgargs[argno];
	int			attnum = SPI_fnumber(desc, name);
	Oid			type;

	if (attnum <= 0)
		um_audit_misconfigured(td, psprintf("The table has no column \"%s\".", name));
	type = TupleDescAttr(desc, attnum - 1)->atttypid;
	if (type != INT8OID && type != INT4OID && type != INT2OID)
		um_audit_misconfigured(td, psprintf("Column \"%s\" is not an integer column.", name));
	return attnum;
}

/*
 * to_jsonb() as a call of to_jsonb(column) would run it: the function
 * finds its argument's type in the call expression.
 */
static void
um_bind_to_jsonb(FmgrInfo *flinfo, Form_pg_attribute att, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Node	   *arg = (Node *) makeNullConst(att->atttypid, att->atttypmod,
											 att->attcollation);
	FuncExpr   *call = makeFuncExpr(F_TO_JSONB, JSONBOID, list_make1(arg),
									InvalidOid, att->attcollation,
									COERCE_EXPLICIT_CALL);

	fmgr_info_cxt(F_TO_JSONB, flinfo, cxt);
	fmgr_info_set_expr((Node *) call, flinfo);
	MemoryContextSwitchTo(old);
}

/* Is the column named name one of um_ignored_columns? */
static bool
um_ignored_column(const char *name)
{
	int			s;

	for (s = 0; s < (int) lengthof(um_ignored_columns); s++)
		if (strcmp(name, um_ignored_columns[s]) == 0)
			return true;
	return false;
}

/* The trigger's table description, built once per statement. */
static UmAuditTable *
um_audit_table(FunctionCallInfo fcinfo, TriggerData *td)
{
	UmAuditTable *t = (UmAuditTable *) fcinfo->flinfo->fn_extra;
	Relation	rel = td->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	MemoryContext cxt = fcinfo->flinfo->fn_mcxt;
	MemoryContext old;
	int			i;

	if (t != NULL && t->relid == RelationGetRelid(rel) && t->natts == desc->natts)
		return t;

	if (td->tg_trigger->tgnargs != 2)
		um_audit_misconfigured(td, "It must have two arguments: the row id column and the user id column.");

	old = MemoryContextSwitchTo(cxt);
	t = palloc0(sizeof(UmAuditTable));
	t->relid = RelationGetRelid(rel);
	t->table_name = CStringGetTextDatum(um_logical_relname(rel));
	t->on_shard = um_rel_is_shard(rel);
	t->owner = um_function_owner(fcinfo);
	t->row_id_att = um_audit_key_column(td, 0);
	t->user_id_att = um_audit_key_column(td, 1);
	t->natts = desc->natts;
	t->cols = palloc0(sizeof(UmAuditColumn) * desc->natts);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		UmAuditColumn *col = &t->cols[i];
		int			s;

		if (att->attisdropped)
			continue;
		col->name = pstrdup(NameStr(att->attname));
		for (s = 0; s < (int) lengthof(um_secret_columns); s++)
			if (strcmp(col->name, um_secret_columns[s]) == 0)
				col->secret = true;
		col->ignored = um_ignored_column(col->name);
		col->is_json = getBaseType(att->atttypid) == JSONOID;
		if (!col->secret)
			um_bind_to_jsonb(&col->to_jsonb, att, cxt);
	}
	MemoryContextSwitchTo(old);

	fcinfo->flinfo->fn_extra = t;
	return t;
}

/*
 * Same stored value?  Binary images, after decompression; two on-disk
 * TOAST pointers to the same value (an UPDATE that left it alone) are
 * equal without reading it.
 */
static bool
um_same_value(Datum a, Datum b, Form_pg_attribute att)
{
	if (att->attlen == -1)
	{
		struct varlena *va = (struct varlena *) DatumGetPointer(a);
		struct varlena *vb = (struct varlena *) DatumGetPointer(b);

		if (VARATT_IS_EXTERNAL_ONDISK(va) && VARATT_IS_EXTERNAL_ONDISK(vb))
		{
			struct varatt_external pa;
			struct varatt_external pb;

			VARATT_EXTERNAL_GET_POINTER(pa, va);
			VARATT_EXTERNAL_GET_POINTER(pb, vb);
			if (pa.va_valueid == pb.va_valueid && pa.va_toastrelid == pb.va_toastrelid)
				return true;
		}
	}
	return datum_image_eq(a, b, att->attbyval, att->attlen);
}

/* Add column col of tup to the object being built. */
static void
um_add_column(UmJsonb *jb, UmAuditColumn *col, Form_pg_attribute att,
			  Datum value, bool isnull)
{
	Size		size = att->attlen == -1 && !isnull ? toast_raw_datum_size(value) : 0;
	char	   *json = col->is_json && !isnull && size <= UM_AUDIT_MAX_VALUE ?
		TextDatumGetCString(value) : NULL;

	if (isnull)
		um_jsonb_add_null(jb, col->name);
	else if (col->secret)
		um_jsonb_add_text(jb, col->name, "redacted");
	else if (size > UM_AUDIT_MAX_VALUE)
	{
		um_jsonb_begin_object(jb, col->name);
		um_jsonb_add_text(jb, "omitted", "too large");
		um_jsonb_add_int64(jb, "bytes", (int64) size);
		um_jsonb_end_object(jb);
	}
	else if (json != NULL && strstr(json, "\\u0000") != NULL)
		um_jsonb_add_text(jb, col->name, json); /* valid json, not jsonb */
	else
		um_jsonb_add_jsonb(jb, col->name,
						   DatumGetJsonbP(FunctionCall1(&col->to_jsonb, value)));
}

/* The whole row (INSERT, DELETE). */
static Jsonb *
um_row_json(UmAuditTable *t, TupleDesc desc, HeapTuple tup)
{
	UmJsonb    *jb = um_jsonb_begin_object(NULL, NULL);
	int			i;

	for (i = 0; i < t->natts; i++)
	{
		bool		isnull;
		Datum		value;

		if (t->cols[i].name == NULL)
			continue;
		value = heap_getattr(tup, i + 1, desc, &isnull);
		um_add_column(jb, &t->cols[i], TupleDescAttr(desc, i), value, isnull);
	}
	um_jsonb_end_object(jb);
	return um_jsonb_finish(jb);
}

/*
 * Did column i (0-based) change from oldtup to newtup?  Its old and new
 * values into *ov and *onull, *nv and *nnull.
 */
static bool
um_column_changed(TupleDesc desc, int i, HeapTuple oldtup, HeapTuple newtup,
				  Datum *ov, bool *onull, Datum *nv, bool *nnull)
{
	*ov = heap_getattr(oldtup, i + 1, desc, onull);
	*nv = heap_getattr(newtup, i + 1, desc, nnull);
	return !(*onull == *nnull &&
			 (*onull || um_same_value(*ov, *nv, TupleDescAttr(desc, i))));
}

/*
 * Did an UPDATE change nothing but the ignored columns?  Decided from the
 * tuple descriptor alone, before the table description is built: every
 * login's stamp of user_auth.last_login_at takes this way out and costs a
 * few comparisons (doc: Performance).
 */
static bool
um_update_changes_nothing(TriggerData *td)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Datum		ov;
		Datum		nv;
		bool		onull;
		bool		nnull;

		if (att->attisdropped || um_ignored_column(NameStr(att->attname)))
			continue;
		if (um_column_changed(desc, i, td->tg_trigtuple, td->tg_newtuple,
							  &ov, &onull, &nv, &nnull))
			return false;
	}
	return true;
}

/*
 * The changed columns of an UPDATE into ch->old and ch->new; false when
 * nothing changed (updated_at aside).
 */
static bool
um_update_json(UmAuditTable *t, TupleDesc desc, HeapTuple oldtup,
			   HeapTuple newtup, UmChange *ch)
{
	UmJsonb    *jo = NULL;
	UmJsonb    *jn = NULL;
	int			i;

	for (i = 0; i < t->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		UmAuditColumn *col = &t->cols[i];
		bool		onull;
		bool		nnull;
		Datum		ov;
		Datum		nv;

		if (col->name == NULL || col->ignored ||
			!um_column_changed(desc, i, oldtup, newtup, &ov, &onull, &nv, &nnull))
			continue;
		if (jo == NULL)
		{
			jo = um_jsonb_begin_object(NULL, NULL);
			jn = um_jsonb_begin_object(NULL, NULL);
		}
		um_add_column(jo, col, att, ov, onull);
		um_add_column(jn, col, att, nv, nnull);
	}
	if (jo == NULL)
		return false;
	um_jsonb_end_object(jo);
	um_jsonb_end_object(jn);
	ch->old = um_jsonb_finish(jo);
	ch->new = um_jsonb_finish(jn);
	return true;
}

/* An integer key column as int8; *isnull when it is NULL. */
static Datum
um_key_value(HeapTuple tup, TupleDesc desc, int attnum, bool *isnull)
{
	Datum		v = heap_getattr(tup, attnum, desc, isnull);

	if (*isnull)
		return (Datum) 0;
	switch (TupleDescAttr(desc, attnum - 1)->atttypid)
	{
		case INT2OID:
			return Int64GetDatum((int64) DatumGetInt16(v));
		case INT4OID:
			return Int64GetDatum((int64) DatumGetInt32(v));
		default:
			return v;
	}
}

/* Write ch as the owner of the trigger function. */
static void
um_write_change(UmAuditTable *t, UmChange *ch)
{
	Datum		values[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};

	values[0] = t->table_name;
	values[1] = CStringGetTextDatum(ch->operation);
	values[2] = ch->row_id;
	if (ch->row_id_null)
		nulls[2] = 'n';
	values[3] = ch->user_id;
	if (ch->user_id_null)
		nulls[3] = 'n';
	values[4] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
	values[5] = PointerGetDatum(ch->old);
	if (ch->old == NULL)
		nulls[5] = 'n';
	values[6] = PointerGetDatum(ch->new);
	if (ch->new == NULL)
		nulls[6] = 'n';

	um_spi_connect();

	/*
	 * On Citus the trigger fires on every placement of a reference table:
	 * the row is written once, by the node that holds the change_log shard
	 * of the user (0 for no user: the distribution column has no NULL).
	 */
	if (t->on_shard)
	{
		if (ch->user_id_null)
		{
			values[3] = Int64GetDatum(0);
			nulls[3] = ' ';
		}
		if (!um_user_shard_here("change_log", DatumGetInt64(values[3])))
		{
			SPI_finish();
			return;
		}
	}
	(void) um_plan_exec_as(t->owner, &plan_log_change, values, nulls, SPI_OK_INSERT);
	SPI_finish();
}

/*
 * Is this statement part of a restore (pg_restore, or pg_dump's SQL output
 * run by psql)?  See the header comment.  The session user must be a
 * superuser too, not only the current role: any role may turn both
 * settings off, and inside usrmgmt's SECURITY DEFINER functions
 * (set_password(), authenticate(), unlock_user(), the reference triggers)
 * the current role is the extension's owner (the attack review of 1.1).
 */
static bool
um_restoring(void)
{
	return !row_security && !check_function_bodies && superuser() &&
		superuser_arg(GetSessionUserId());
}

/*
 * The change of a row event into ch; false when there is none to record
 * (an UPDATE that changed nothing but updated_at).
 */
static bool
um_row_change(UmAuditTable *t, TriggerData *td, UmChange *ch)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	HeapTuple	keytup;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		ch->operation = "INSERT";
		ch->new = um_row_json(t, desc, td->tg_trigtuple);
		keytup = td->tg_trigtuple;
	}
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		ch->operation = "DELETE";
		ch->old = um_row_json(t, desc, td->tg_trigtuple);
		keytup = td->tg_trigtuple;
	}
	else
	{
		ch->operation = "UPDATE";
		if (!um_update_json(t, desc, td->tg_trigtuple, td->tg_newtuple, ch))
			return false;
		keytup = td->tg_newtuple;
	}

	ch->row_id = um_key_value(keytup, desc, t->row_id_att, &ch->row_id_null);
	ch->user_id = um_key_value(keytup, desc, t->user_id_att, &ch->user_id_null);
	/* a user id set to NULL (ON DELETE SET NULL): the user it concerned */
	if (ch->user_id_null && TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		ch->user_id = um_key_value(td->tg_trigtuple, desc, t->user_id_att,
								   &ch->user_id_null);
	return true;
}

/*
 * change_audit(row_id_column text, user_id_column text) RETURNS trigger
 *
 * AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW: one change_log row per
 * changed row (none for an UPDATE that changed nothing but updated_at);
 * AFTER TRUNCATE FOR EACH STATEMENT: one row for the table.  Arguments
 * (trigger arguments): the integer columns holding the row's id and the
 * id of the user the change concerns.  Nothing is recorded for a restore
 * or for reset()'s TRUNCATE (which empties change_log as well).
 * Errors: 39P01 when fired otherwise or with wrong arguments; any error
 * writing the log row aborts the change with it.
 * Locking: none beyond the INSERT into change_log.
 */
Datum
usrmgmt_change_audit(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	UmAuditTable *t;
	UmChange	ch = {0};
	MemoryContext row_cxt;
	MemoryContext old;

	td = um_called_as_trigger(fcinfo, "change_audit");
	if (!TRIGGER_FIRED_AFTER(td->tg_event) ||
		(TRIGGER_FIRED_BY_TRUNCATE(td->tg_event) != 0) ==
		(TRIGGER_FIRED_FOR_ROW(td->tg_event) != 0))
		um_audit_misconfigured(td, "It was fired by the wrong event.");

	if (um_restoring() ||
		(TRIGGER_FIRED_BY_TRUNCATE(td->tg_event) && um_log_guard_lifted()))
		return PointerGetDatum(NULL);

	/* nothing to record: the trigger's arguments checked as um_audit_table */
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) && um_update_changes_nothing(td))
	{
		if (td->tg_trigger->tgnargs != 2)
			um_audit_misconfigured(td, "It must have two arguments: the row id column and the user id column.");
		(void) um_audit_key_column(td, 0);
		(void) um_audit_key_column(td, 1);
		return PointerGetDatum(NULL);
	}

	t = um_audit_table(fcinfo, td);

	row_cxt = AllocSetContextCreate(CurrentMemoryContext, "change_audit row",
									ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(row_cxt);
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
	{
		ch.operation = "TRUNCATE";
		ch.row_id_null = ch.user_id_null = true;
		um_write_change(t, &ch);
	}
	else if (um_row_change(t, td, &ch))
		um_write_change(t, &ch);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(row_cxt);

	return PointerGetDatum(NULL);
}

/*
 * change_log_guard() RETURNS trigger
 *
 * BEFORE UPDATE OR DELETE FOR EACH ROW and BEFORE TRUNCATE FOR EACH
 * STATEMENT on change_log (and each of its partitions for TRUNCATE): the
 * log is append-only, for a superuser too.
 * Errors: 55000, unless purge_change_log() or reset() has lifted the log
 * guard; 39P01 when fired otherwise.
 */
Datum
usrmgmt_change_log_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	bool		isnull;

	td = um_called_as_trigger(fcinfo, "change_log_guard");
	if (!TRIGGER_FIRED_BEFORE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"change_log_guard\" was fired by the wrong event")));

	if (um_log_guard_lifted())
	{
		if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
			return PointerGetDatum(td->tg_newtuple);
		return PointerGetDatum(td->tg_trigtuple);	/* NULL for TRUNCATE */
	}

	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot truncate usrmgmt.%s", RelationGetRelationName(td->tg_relation)),
				 errdetail("The change audit log is append-only."),
				 errhint("Use usrmgmt.purge_change_log() to remove old rows.")));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("cannot %s row %lld of usrmgmt.change_log",
					TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? "update" : "delete",
					(long long) DatumGetInt64(heap_getattr(td->tg_trigtuple,
														   SPI_fnumber(RelationGetDescr(td->tg_relation), "id"),
														   RelationGetDescr(td->tg_relation),
														   &isnull))),
			 errdetail("The change audit log is append-only."),
			 errhint("Use usrmgmt.purge_change_log() to remove old rows.")));
	return (Datum) 0;			/* keep compiler quiet */
}

/*
 * purge_change_log(older_than timestamptz) RETURNS bigint
 *
 * Removes the change_log rows with changed_at before older_than: drops the
 * monthly partitions wholly older (no VACUUM left to do), deletes the
 * older rows of the partition that straddles the cut and of the default
 * partition.  Returns the number of rows removed.  The only way, besides
 * reset(), past the append-only guard.  SECURITY DEFINER.
 * Errors: 22004 older_than NULL.
 * Locking: ACCESS EXCLUSIVE on change_log while a partition is dropped
 * (until the end of the transaction); the deleted rows.
 */
Datum
usrmgmt_purge_change_log(PG_FUNCTION_ARGS)
{
	Datum		values[1];
	int64		n;
	bool		isnull;

	um_require_arg(fcinfo, 0, "older_than");
	values[0] = PG_GETARG_DATUM(0);

	um_spi_connect();
	/* DROP fires no trigger: the guard need not be lifted for it */
	(void) um_plan_exec(&plan_old_partitions, values, NULL, false, SPI_OK_SELECT);
	n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	n += (int64) um_exec_past_log_guard(&plan_purge_rows, values, SPI_OK_DELETE);
	SPI_finish();

	PG_RETURN_INT64(n);
}

/*
 * See change_audit.h.  A no-op in a database still at version 1.0 (no
 * change_log), which the same library serves until it is updated.
 */
void
um_change_log_reset(void)
{
	if (!OidIsValid(RangeVarGetRelid(makeRangeVar(UM_SCHEMA, "change_log", -1),
									 NoLock, true)))
		return;
	(void) um_exec_past_log_guard(&plan_reset, NULL, SPI_OK_UTILITY);
}
