/*-------------------------------------------------------------------------
 *
 * update_log_bound.c
 *		The update from 1.0 to 1.1: the CHECK that lets the 1.0 log become a
 *		partition proven through its indexes instead of a scan of the log.
 *		Manual: "Retention and partitions" ("Update from 1.0") and
 *		Performance (the update from 1.0 at 10,000,000 log rows).
 *
 *	_update_prove_log_bound()
 *		Called once by sql/usrmgmt--1.0--1.1.sql, which drops it again.
 *
 * The update attaches the 1.0 table, renamed usrmgmt.user_log_1_0, as the
 * partition FROM (MINVALUE) TO (bound) of the new partitioned user_log and
 * makes its user_id NOT NULL.  PostgreSQL scans the table for both unless
 * a validated CHECK constraint implies them, and validating the CHECK
 * user_log_1_0_bound, (user_id IS NOT NULL AND "timestamp" < bound), is
 * itself a scan of the whole log.  Both facts can be read from btree
 * indexes the 1.0 table has (user_log_user_id_idx, user_log_timestamp_idx):
 * no entry with "timestamp" >= bound, no entry with user_id IS NULL, each
 * an index scan that starts where such entries would be and costs what the
 * rows found cost (the deleted users' history, rewritten to 0 just
 * before, whose old entries are visited once), not what the log does.
 *
 * So the script adds the CHECK NOT VALID and calls this function, which
 * under ACCESS EXCLUSIVE on the table reads the constraint's expression,
 * accepts only that exact shape, proves each part through a valid,
 * non-partial btree index whose first column is the column in question
 * (for the bound: whose operator family holds the CHECK's "<"), seeing
 * the rows as VALIDATE CONSTRAINT would (the latest snapshot), and only
 * then marks the constraint validated in pg_constraint and invalidates the
 * table's relcache entry (what ALTER TABLE ... VALIDATE CONSTRAINT does
 * after its scan; without the invalidation SET NOT NULL and ATTACH
 * PARTITION would still see it not valid and scan).  When a fact cannot be
 * proven (an index is missing or not usable, a row is found), it changes
 * nothing, says why in a WARNING (an extension script shows
 * the client nothing milder) and returns false: the script then
 * validates by the ordinary scan.
 *
 * It can be misused for nothing else: it takes no argument (the table and
 * the constraint are fixed), refuses unless it runs inside ALTER EXTENSION
 * usrmgmt UPDATE as a superuser, is granted to no one, and the script drops
 * the SQL function when done (a fresh 1.1 never has it).
 *
 * src/update_log_bound.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_am.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "btree_index.h"

PG_FUNCTION_INFO_V1(usrmgmt_update_prove_log_bound);

#define LOG_1_0_TABLE	"user_log_1_0"
#define LOG_1_0_BOUND	"user_log_1_0_bound"

/* Why the bound was not proven through the indexes (WARNING text at the edge). */
typedef enum BoundProof
{
	BOUND_PROVEN,
	BOUND_ALREADY_VALID,		/* nothing to do */
	BOUND_NOT_THE_SHAPE,		/* not (user_id IS NOT NULL AND "timestamp" < c) */
	BOUND_HAS_CHILDREN,			/* VALIDATE would recurse: leave it to it */
	BOUND_NO_TIMESTAMP_INDEX,
	BOUND_NO_USER_ID_INDEX,
	BOUND_ROW_AT_OR_AFTER,		/* an index entry at or after the bound */
	BOUND_NULL_USER_ID			/* an index entry with user_id NULL */
} BoundProof;

/* The parts of the CHECK: the two columns, the "<" and its constant. */
typedef struct BoundCheck
{
	AttrNumber	user_id;
	AttrNumber	ts;
	Oid			lt_opno;
	Datum		bound;
} BoundCheck;

/*
 * Refuse unless running inside ALTER EXTENSION usrmgmt UPDATE as a
 * superuser: 55000 outside the extension's script, 42501 for anyone else.
 */
static void
require_update_script(void)
{
	if (!creating_extension ||
		CurrentExtensionObject != get_extension_oid(UM_SCHEMA, true))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s may only be called by the update script of usrmgmt",
						"usrmgmt._update_prove_log_bound()"),
				 errdetail("It marks a constraint of the 1.0 log validated without a scan.")));
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for function %s", "usrmgmt._update_prove_log_bound()")));
}

/* Is node a plain Var of attribute attno of the table (level 0)? */
static bool
is_column(Node *node, AttrNumber attno)
{
	return node != NULL && IsA(node, Var) &&
		((Var *) node)->varattno == attno && ((Var *) node)->varlevelsup == 0;
}

/*
 * Read the CHECK's expression into *check: true when it is exactly
 * (user_id IS NOT NULL AND "timestamp" < <non-null timestamptz constant>).
 */
static bool
read_bound_check(Relation rel, HeapTuple contup, BoundCheck *check)
{
	Datum		conbin;
	bool		isnull;
	Node	   *expr;
	BoolExpr   *conj;
	NullTest   *nn;
	OpExpr	   *lt;
	Const	   *c;

	check->user_id = get_attnum(RelationGetRelid(rel), "user_id");
	check->ts = get_attnum(RelationGetRelid(rel), "timestamp");
	if (check->user_id == InvalidAttrNumber || check->ts == InvalidAttrNumber)
		return false;
	conbin = SysCacheGetAttr(CONSTROID, contup, Anum_pg_constraint_conbin, &isnull);
	if (isnull)
		return false;
	expr = (Node *) stringToNode(TextDatumGetCString(conbin));
	if (!IsA(expr, BoolExpr) || ((BoolExpr *) expr)->boolop != AND_EXPR ||
		list_length(((BoolExpr *) expr)->args) != 2)
		return false;
	conj = (BoolExpr *) expr;
	nn = (NullTest *) linitial(conj->args);
	lt = (OpExpr *) lsecond(conj->args);
	if (!IsA(nn, NullTest) || nn->nulltesttype != IS_NOT_NULL || nn->argisrow ||
		!is_column((Node *) nn->arg, check->user_id))
		return false;
	if (!IsA(lt, OpExpr) || list_length(lt->args) != 2 ||
		!is_column((Node *) linitial(lt->args), check->ts) ||
		!IsA(lsecond(lt->args), Const))
		return false;
	c = (Const *) lsecond(lt->args);
	if (c->constisnull || c->consttype != TIMESTAMPTZOID ||
		exprType((Node *) linitial(lt->args)) != TIMESTAMPTZOID)
		return false;
	check->lt_opno = lt->opno;
	check->bound = c->constvalue;
	return true;
}

/* Does an index scan of index with the one key *key find a row visible to snapshot? */
static bool
index_finds_row(Relation rel, Relation index, Snapshot snapshot, ScanKey key)
{
	IndexScanDesc scan;
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	bool		found;

	scan = um_index_beginscan(rel, index, snapshot, 1);
	index_rescan(scan, key, 1, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	return found;
}

/* No row with "timestamp" >= the bound, through a btree index on "timestamp". */
static BoundProof
prove_before_bound(Relation rel, const BoundCheck *check, Snapshot snapshot)
{
	Relation	index = um_btree_on_column(rel, check->ts, TIMESTAMPTZOID, check->lt_opno);
	ScanKeyData key;
	Oid			ge;
	bool		found;

	if (index == NULL)
		return BOUND_NO_TIMESTAMP_INDEX;
	ge = get_opfamily_member(index->rd_opfamily[0], TIMESTAMPTZOID, TIMESTAMPTZOID,
							 BTGreaterEqualStrategyNumber);
	if (!OidIsValid(ge))
	{
		index_close(index, AccessShareLock);
		return BOUND_NO_TIMESTAMP_INDEX;
	}
	ScanKeyEntryInitialize(&key, 0, 1, BTGreaterEqualStrategyNumber, TIMESTAMPTZOID,
						   index->rd_indcollation[0], get_opcode(ge), check->bound);
	found = index_finds_row(rel, index, snapshot, &key);
	index_close(index, AccessShareLock);
	return found ? BOUND_ROW_AT_OR_AFTER : BOUND_PROVEN;
}

/* No row with user_id IS NULL, through a btree index on user_id. */
static BoundProof
prove_user_id_not_null(Relation rel, const BoundCheck *check, Snapshot snapshot)
{
	Relation	index = um_btree_on_column(rel, check->user_id, InvalidOid, InvalidOid);
	ScanKeyData key;
	bool		found;

	if (index == NULL)
		return BOUND_NO_USER_ID_INDEX;
	ScanKeyEntryInitialize(&key, SK_ISNULL | SK_SEARCHNULL, 1, InvalidStrategy, InvalidOid,
						   InvalidOid, InvalidOid, (Datum) 0);
	found = index_finds_row(rel, index, snapshot, &key);
	index_close(index, AccessShareLock);
	return found ? BOUND_NULL_USER_ID : BOUND_PROVEN;
}

/* Mark the constraint validated, as ALTER TABLE ... VALIDATE CONSTRAINT does. */
static void
mark_validated(Relation rel, HeapTuple contup)
{
	Relation	conrel = table_open(ConstraintRelationId, RowExclusiveLock);
	HeapTuple	copy = heap_copytuple(contup);
	Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(copy);

	con->convalidated = true;
	CatalogTupleUpdate(conrel, &copy->t_self, copy);
	InvokeObjectPostAlterHook(ConstraintRelationId, con->oid, 0);
	CacheInvalidateRelcache(rel);
	heap_freetuple(copy);
	table_close(conrel, RowExclusiveLock);
}

/* Prove the CHECK of rel through its indexes and mark it validated if so. */
static BoundProof
prove_bound(Relation rel)
{
	Oid			conoid = get_relation_constraint_oid(RelationGetRelid(rel), LOG_1_0_BOUND, false);
	HeapTuple	contup = SearchSysCacheCopy1(CONSTROID, ObjectIdGetDatum(conoid));
	Form_pg_constraint con;
	BoundCheck	check;
	BoundProof	proof;
	Snapshot	snapshot;

	if (!HeapTupleIsValid(contup))
		elog(ERROR, "cache lookup failed for constraint %u", conoid);
	con = (Form_pg_constraint) GETSTRUCT(contup);
	if (con->convalidated)
		return BOUND_ALREADY_VALID;
	if (con->contype != CONSTRAINT_CHECK || !read_bound_check(rel, contup, &check))
		return BOUND_NOT_THE_SHAPE;
	if (rel->rd_rel->relhassubclass)
		return BOUND_HAS_CHILDREN;

	/* the rows VALIDATE CONSTRAINT would check (validateCheckConstraint) */
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	proof = prove_before_bound(rel, &check, snapshot);
	if (proof == BOUND_PROVEN)
		proof = prove_user_id_not_null(rel, &check, snapshot);
	UnregisterSnapshot(snapshot);
	if (proof == BOUND_PROVEN)
		mark_validated(rel, contup);
	heap_freetuple(contup);
	return proof;
}

static const char *
proof_reason(BoundProof proof)
{
	switch (proof)
	{
		case BOUND_NOT_THE_SHAPE:
			return "the constraint is not (user_id IS NOT NULL AND \"timestamp\" < a timestamptz)";
		case BOUND_HAS_CHILDREN:
			return "the table has inheritance children";
		case BOUND_NO_TIMESTAMP_INDEX:
			return "the table has no usable btree index on \"timestamp\"";
		case BOUND_NO_USER_ID_INDEX:
			return "the table has no usable btree index on user_id";
		case BOUND_ROW_AT_OR_AFTER:
			return "an index entry at or after the bound leads to a visible row";
		case BOUND_NULL_USER_ID:
			return "an index entry with user_id NULL leads to a visible row";
		case BOUND_PROVEN:
		case BOUND_ALREADY_VALID:
			break;
	}
	return "";
}

/*
 * _update_prove_log_bound() RETURNS boolean
 *
 * No arguments: works on usrmgmt.user_log_1_0 and its NOT VALID constraint
 * user_log_1_0_bound, CHECK (user_id IS NOT NULL AND "timestamp" < c).
 * Returns true when the constraint is now validated (proven through the
 * indexes, or valid already), false with a WARNING saying why when it could
 * not be proven (nothing changed; validate it by a scan).
 * Errors: 55000 outside ALTER EXTENSION usrmgmt UPDATE; 42501 when not a
 * superuser; 42P01/42704 when the table or the constraint does not exist.
 * Locking: ACCESS EXCLUSIVE on usrmgmt.user_log_1_0 (the update holds it
 * already), ACCESS SHARE on the indexes read.
 */
Datum
usrmgmt_update_prove_log_bound(PG_FUNCTION_ARGS)
{
	RangeVar   *rv = makeRangeVar(UM_SCHEMA, LOG_1_0_TABLE, -1);
	Relation	rel;
	BoundProof	proof;

	require_update_script();
	rel = table_openrv(rv, AccessExclusiveLock);
	proof = prove_bound(rel);
	table_close(rel, NoLock);
	if (proof != BOUND_PROVEN && proof != BOUND_ALREADY_VALID)
		ereport(WARNING,
				(errmsg("validating constraint \"%s\" of %s.%s by a scan of the table",
						LOG_1_0_BOUND, UM_SCHEMA, LOG_1_0_TABLE),
				 errdetail("Not proven through its indexes: %s.", proof_reason(proof))));
	PG_RETURN_BOOL(proof == BOUND_PROVEN || proof == BOUND_ALREADY_VALID);
}
