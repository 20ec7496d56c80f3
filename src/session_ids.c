/*-------------------------------------------------------------------------
 *
 * session_ids.c
 *		What proves a restore into usrmgmt.online_user, and the rules of
 *		session ids; see session_ids.h.
 *
 * Restore.  pg_restore and a plain dump's psql load online_user with
 * COPY ... FROM, and those rows must be taken as they are (the log's rows
 * come from the same dump).  The review of issue 11 showed that any COPY
 * was enough: an administrator COPYed in a session for an inactive user,
 * named anything, under a closed session's id, with no 'login' row.  A
 * restore needs a superuser (the manual: Backup and restore for DBAs), so
 * what proves one is a COPY ... FROM into this very table (the active
 * portal's statement, as before) in a session whose session user is a
 * superuser (pg_restore --role=X still restores as itself).  Any other
 * COPY is treated as the INSERT it is.
 *
 * Session ids.  The id is the session's identity in the log: it must
 * never be renumbered nor reused.  GENERATED ALWAYS stops a plain INSERT
 * from giving one, but INSERT ... OVERRIDING SYSTEM VALUE, COPY with an
 * id column and UPDATE ... SET id = DEFAULT do not.  So outside a restore
 * a new row's id must be the value the identity sequence has just given
 * this backend (currval, read in a subtransaction because it is an error
 * before the first nextval) and that no session of this backend has taken
 * yet (last_taken): a value never handed to anybody else, used once.
 * last_taken names the sequence and its storage (relfilenode), because
 * reset()'s RESTART IDENTITY gives the sequence new storage and hands out
 * the same values again to a table it has just emptied.  An UPDATE must
 * keep the id.
 *
 * User ids (1.1).  The same test of a fresh id, with its own last_taken,
 * serves the trigger that keeps a non-superuser from choosing the id of a
 * new user (user_ids.c): um_identity_id_take().
 *
 * src/session_ids.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/fmgrprotos.h"
#include "utils/rel.h"

#include "session_ids.h"
#include "spi_util.h"

/* The last id this backend accepted as the identity's, per kind of id. */
typedef struct UmTakenId
{
	Oid			seqoid;			/* InvalidOid: none yet */
	Oid			filenode;		/* the sequence's storage when taken */
	int64		id;
} UmTakenId;

static UmTakenId last_taken[UM_IDS_KINDS];

/* The identity sequence of the table last asked about, cached by its OID. */
static Oid	cached_relid = InvalidOid;
static Oid	cached_seqoid = InvalidOid;

/* currval() of one sequence, run in a subtransaction by um_currval(). */
typedef struct UmCurrval
{
	Oid			seqoid;
	int64		value;
} UmCurrval;

static void
um_currval_body(void *arg)
{
	UmCurrval  *c = (UmCurrval *) arg;

	c->value = DatumGetInt64(DirectFunctionCall1(currval_oid,
												 ObjectIdGetDatum(c->seqoid)));
}

/* currval()'s own error before this backend's first nextval(). */
static bool
um_currval_undefined(const ErrorData *edata)
{
	return edata->sqlerrcode == ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
}

/*
 * currval() of sequence seqoid in this backend; false when this backend
 * has not called nextval() on it (any other error is re-thrown).
 */
static bool
um_currval(Oid seqoid, int64 *value)
{
	UmCurrval	c = {seqoid, 0};
	ErrorData  *edata = um_subtransaction(um_currval_body, &c, um_currval_undefined);

	if (edata != NULL)
	{
		FreeErrorData(edata);
		return false;
	}
	*value = c.value;
	return true;
}

/*
 * The identity sequence of rel's column attnum (InvalidOid: none), and
 * the sequence's relfilenode.
 */
static Oid
um_identity_sequence(Relation rel, AttrNumber attnum, Oid *filenode)
{
	Relation	seqrel = NULL;

	if (cached_relid == RelationGetRelid(rel) && OidIsValid(cached_seqoid))
		seqrel = try_relation_open(cached_seqoid, AccessShareLock);
	if (seqrel == NULL)
	{
		cached_relid = RelationGetRelid(rel);
#if PG_VERSION_NUM >= 170000
		cached_seqoid = getIdentitySequence(rel, attnum, true);
#else
		cached_seqoid = getIdentitySequence(RelationGetRelid(rel), attnum, true);
#endif
		if (!OidIsValid(cached_seqoid))
			return InvalidOid;
		seqrel = relation_open(cached_seqoid, AccessShareLock);
	}
#if PG_VERSION_NUM >= 160000
	*filenode = seqrel->rd_locator.relNumber;
#else
	*filenode = seqrel->rd_node.relNode;
#endif
	relation_close(seqrel, AccessShareLock);
	return cached_seqoid;
}

/* The id column of rel (online_user, "user") and its value in tuple. */
static int64
um_session_id(Relation rel, HeapTuple tuple, AttrNumber *attnum)
{
	bool		isnull;
	Datum		id;

	*attnum = SPI_fnumber(RelationGetDescr(rel), "id");
	if (*attnum <= 0)
		elog(ERROR, "table \"%s\" has no column \"id\"", RelationGetRelationName(rel));
	id = heap_getattr(tuple, *attnum, RelationGetDescr(rel), &isnull);
	return isnull ? 0 : DatumGetInt64(id);
}

/* See session_ids.h. */
bool
um_identity_id_take(Relation rel, HeapTuple tuple, UmIdsKind kind, bool trusted,
					int64 *id)
{
	AttrNumber	attnum;
	Oid			filenode = InvalidOid;
	Oid			seqoid;
	int64		given;
	UmTakenId  *taken = &last_taken[kind];

	*id = um_session_id(rel, tuple, &attnum);
	seqoid = um_identity_sequence(rel, attnum, &filenode);
	if (!trusted &&
		(!OidIsValid(seqoid) || !um_currval(seqoid, &given) || given != *id ||
		 (taken->seqoid == seqoid && taken->filenode == filenode &&
		  taken->id == *id)))
		return false;
	taken->seqoid = seqoid;
	taken->filenode = filenode;
	taken->id = *id;
	return true;
}

/* See session_ids.h. */
void
um_session_id_check_new(Relation rel, HeapTuple tuple, bool trusted)
{
	int64		id;

	if (!um_identity_id_take(rel, tuple, UM_IDS_SESSION, trusted, &id))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("session id %lld was not given by the identity of usrmgmt.online_user",
						(long long) id),
				 errdetail("A session id is given once, by the identity, and never reused."),
				 errhint("Leave out the id column and OVERRIDING SYSTEM VALUE; only a restore (COPY by a superuser) brings its own ids.")));
}

/* See session_ids.h. */
void
um_session_id_check_update(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	AttrNumber	attnum;
	int64		oldid = um_session_id(rel, oldtup, &attnum);
	int64		newid = um_session_id(rel, newtup, &attnum);

	if (oldid != newid)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("session id %lld cannot be changed", (long long) oldid),
				 errdetail("A session id is given once, by the identity, and never changes.")));
}
