/*-------------------------------------------------------------------------
 *
 * retention_keep.c
 *		_log_kept_logins(): the 'login' rows of a user_log partition that
 *		the retention drop must keep, those of sessions still open or
 *		closed at or after the cut (finding 9 of issue 9: open sessions =
 *		logins - logouts over the retained log; doc: Retention and
 *		partitions).
 *
 * _drop_log_partitions() asks it for each partition it is about to drop
 * or empty.  The rows that show a session closed at or after the cut lie
 * in the partitions after it; a query of user_log for them plans over
 * every partition and its six indexes, a cost that grows with the number
 * of partitions and dwarfed the DROP TABLE itself (doc: Performance,
 * "Dropping the oldest month").  Here each later partition is probed
 * through its session_id index alone (a heap scan where it has none),
 * without planning.  On Citus the rows are on the workers: there the
 * probe is the query it replaces, sent through Citus.
 *
 * src/retention_keep.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "access/genam.h"
#include "access/nbtree.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "btree_index.h"
#include "distributed.h"
#include "log_partitions.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(usrmgmt_log_kept_logins);

/* Add session id id to the bigint array being built in ids. */
static void
um_ids_add(ArrayBuildState *ids, int64 id)
{
	accumArrayResult(ids, Int64GetDatum(id), false, INT8OID, CurrentMemoryContext);
}

/*
 * The session ids of the rows of partition part (opened here with
 * AccessShareLock; skipped when it is gone) with lo <= session_id <= hi
 * and "timestamp" >= cut, added to ids; read with snapshot.
 */
static void
um_probe_partition(Oid part, int64 lo, int64 hi, TimestampTz cut,
				   Snapshot snapshot, ArrayBuildState *ids)
{
	Relation	heap = try_table_open(part, AccessShareLock);
	AttrNumber	sess_att;
	AttrNumber	ts_att;
	Relation	index;
	TupleTableSlot *slot;

	if (heap == NULL)
		return;
	sess_att = get_attnum(part, "session_id");
	ts_att = get_attnum(part, "timestamp");
	if (sess_att == InvalidAttrNumber || ts_att == InvalidAttrNumber)
		elog(ERROR, "usrmgmt: partition %s of user_log lacks session_id or \"timestamp\"",
			 RelationGetRelationName(heap));
	slot = table_slot_create(heap, NULL);
	index = um_btree_on_column(heap, sess_att, INT8OID, InvalidOid);
	if (index != NULL)
	{
		ScanKeyData keys[2];
		IndexScanDesc scan;

		ScanKeyInit(&keys[0], 1, BTGreaterEqualStrategyNumber, F_INT8GE, Int64GetDatum(lo));
		ScanKeyInit(&keys[1], 1, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum(hi));
		scan = um_index_beginscan(heap, index, snapshot, 2);
		index_rescan(scan, keys, 2, NULL, 0);
		while (index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			bool		isnull;
			Datum		ts = slot_getattr(slot, ts_att, &isnull);

			CHECK_FOR_INTERRUPTS();
			if (!isnull && DatumGetTimestampTz(ts) >= cut)
				um_ids_add(ids, DatumGetInt64(slot_getattr(slot, sess_att, &isnull)));
		}
		index_endscan(scan);
		index_close(index, AccessShareLock);
	}
	else
	{
#if PG_VERSION_NUM >= 190000
		TableScanDesc scan = table_beginscan(heap, snapshot, 0, NULL, SO_NONE);
#else
		TableScanDesc scan = table_beginscan(heap, snapshot, 0, NULL);
#endif

		while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
		{
			bool		ts_null;
			bool		sess_null;
			Datum		ts = slot_getattr(slot, ts_att, &ts_null);
			Datum		sess = slot_getattr(slot, sess_att, &sess_null);

			CHECK_FOR_INTERRUPTS();
			if (!ts_null && !sess_null && DatumGetTimestampTz(ts) >= cut &&
				DatumGetInt64(sess) >= lo && DatumGetInt64(sess) <= hi)
				um_ids_add(ids, DatumGetInt64(sess));
		}
		table_endscan(scan);
	}
	ExecDropSingleTupleTableSlot(slot);
	table_close(heap, AccessShareLock);
}

/*
 * The session ids in [lo, hi] of user_log rows at or after cut: those of
 * the partitions that reach past cut and of the default partition (a
 * partition that ends at or before cut holds no such row), each probed
 * alone.  Reading them needs SELECT on user_log, as the query would.
 */
static void
um_probe_later_rows(int64 lo, int64 hi, TimestampTz cut, ArrayBuildState *ids)
{
	Oid			log = get_relname_relid("user_log", get_namespace_oid(UM_SCHEMA, false));
	AclResult	acl;
	Snapshot	snapshot;
	Oid			deflt;
	ListCell   *lc;

	if (!OidIsValid(log))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s.user_log\" does not exist", UM_SCHEMA)));
	acl = pg_class_aclcheck(log, GetUserId(), ACL_SELECT);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_TABLE, "user_log");
	/* taken after online_user was read (see usrmgmt_log_kept_logins) */
	snapshot = RegisterSnapshot(GetTransactionSnapshot());
	foreach(lc, um_log_partitions(log))
	{
		UmLogPartition *p = (UmLogPartition *) lfirst(lc);

		if (!p->has_upper || p->upper > cut)
			um_probe_partition(p->relid, lo, hi, cut, snapshot, ids);
	}
	deflt = get_default_partition_oid(log);
	if (OidIsValid(deflt))
		um_probe_partition(deflt, lo, hi, cut, snapshot, ids);
	UnregisterSnapshot(snapshot);
}

/* The session ids of a partition, lowest and highest; false if none. */
static bool
um_session_range(const char *part, int64 *lo, int64 *hi)
{
	char	   *sql = psprintf("SELECT pg_catalog.min(session_id), pg_catalog.max(session_id) FROM ONLY %s",
							   part);
	bool		isnull;

	(void) um_sql_exec(sql, 0, NULL, NULL, NULL, true, SPI_OK_SELECT);
	*lo = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull)
		return false;
	*hi = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	return true;
}

/* The single bigint[] (or NULL) that a query returned, copied to cxt. */
static Datum
um_array_result(MemoryContext cxt, bool *isnull)
{
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, isnull);
	MemoryContext old;

	if (*isnull)
		return (Datum) 0;
	old = MemoryContextSwitchTo(cxt);
	d = PointerGetDatum(DatumGetArrayTypePCopy(d));
	MemoryContextSwitchTo(old);
	return d;
}

/*
 * _log_kept_logins(part regclass, cut timestamptz) RETURNS bigint[]
 *
 * Arguments: a partition of usrmgmt.user_log wholly older than cut, which
 * the caller holds in ACCESS EXCLUSIVE mode; cut, the retention's cut.
 * Result: the session ids of part's 'login' rows whose session is still
 * open (its row in usrmgmt.online_user) or has a row of user_log at or
 * after cut (closed then); NULL when there are none.  Errors: 22004 for
 * a NULL argument (not STRICT, so that a call with NULL is refused for
 * want of EXECUTE like any other); 42P01 for a relation that does not
 * exist; 42501 without SELECT on user_log or online_user.  Locking:
 * AccessShareLock on online_user and on each partition of user_log that
 * reaches past cut and its session_id index (those a query of user_log
 * for the rows at or after cut would lock).  online_user is read before
 * the log, so that a session closed in between is seen open (kept) rather
 * than neither open nor closed.  Internal: revoked from PUBLIC.
 */
Datum
usrmgmt_log_kept_logins(PG_FUNCTION_ARGS)
{
	Oid			part;
	TimestampTz cut;
	MemoryContext caller = CurrentMemoryContext;
	char	   *relname;
	char	   *name;
	int64		lo;
	int64		hi;
	Datum		result = (Datum) 0;
	bool		isnull = true;

	um_require_arg(fcinfo, 0, "part");
	um_require_arg(fcinfo, 1, "cut");
	part = PG_GETARG_OID(0);
	cut = PG_GETARG_TIMESTAMPTZ(1);
	relname = get_rel_name(part);
	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", part)));
	name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(part)), relname);
	um_spi_connect();
	if (um_session_range(name, &lo, &hi))
	{
		Oid			types[3] = {INT8OID, INT8OID, TIMESTAMPTZOID};
		Datum		values[3] = {Int64GetDatum(lo), Int64GetDatum(hi), TimestampTzGetDatum(cut)};

		if (um_distributed())
		{
			(void) um_sql_exec(psprintf("SELECT pg_catalog.array_agg(l.session_id) FROM ONLY %s l"
										" WHERE l.action OPERATOR(pg_catalog.=) 'login'"
										"   AND l.session_id OPERATOR(pg_catalog.=) ANY (ARRAY("
										"       SELECT o.id FROM " UM_SCHEMA ".online_user o"
										"        WHERE o.id OPERATOR(pg_catalog.>=) $1 AND o.id OPERATOR(pg_catalog.<=) $2"
										"       UNION"
										"       SELECT x.session_id FROM " UM_SCHEMA ".user_log x"
										"        WHERE x.\"timestamp\" OPERATOR(pg_catalog.>=) $3"
										"          AND x.session_id OPERATOR(pg_catalog.>=) $1"
										"          AND x.session_id OPERATOR(pg_catalog.<=) $2))", name),
							   3, types, values, NULL, true, SPI_OK_SELECT);
			result = um_array_result(caller, &isnull);
		}
		else
		{
			ArrayBuildState *ids = initArrayResult(INT8OID, CurrentMemoryContext, false);
			uint64		i;
			bool		null_id;
			Datum		arg;

			/* open sessions first, then the rows after cut */
			(void) um_sql_exec("SELECT o.id FROM " UM_SCHEMA ".online_user o"
							   " WHERE o.id OPERATOR(pg_catalog.>=) $1 AND o.id OPERATOR(pg_catalog.<=) $2",
							   2, types, values, NULL, true, SPI_OK_SELECT);
			for (i = 0; i < SPI_processed; i++)
				um_ids_add(ids, DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
															 SPI_tuptable->tupdesc, 1, &null_id)));
			SPI_freetuptable(SPI_tuptable);
			um_probe_later_rows(lo, hi, cut, ids);
			if (ids->nelems > 0)
			{
				arg = makeArrayResult(ids, CurrentMemoryContext);
				(void) um_sql_exec(psprintf("SELECT pg_catalog.array_agg(l.session_id) FROM ONLY %s l"
											" WHERE l.action OPERATOR(pg_catalog.=) 'login'"
											"   AND l.session_id OPERATOR(pg_catalog.=) ANY ($1)", name),
								   1, (Oid[]) {INT8ARRAYOID}, &arg, NULL, true, SPI_OK_SELECT);
				result = um_array_result(caller, &isnull);
			}
		}
	}
	SPI_finish();
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}
