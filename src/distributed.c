/*-------------------------------------------------------------------------
 *
 * distributed.c
 *		usrmgmt on Citus: is it distributed, is a trigger firing on a shard,
 *		does this node hold a user's shard, session ids that carry their
 *		user (counted per user, never reused), the per-user lock on a node;
 *		see distributed.h.
 *
 * usrmgmt.distribute() (sql/usrmgmt--1.1.sql) makes "user", server,
 * configuration and migration_history reference tables and distributes
 * online_user, user_log, change_log (and user_auth) by user_id, co-located.
 * From then on the triggers of those tables fire on the shards, on the
 * workers (and on the coordinator's placement of a reference table), and a
 * trigger on a shard may only run statements on shards of the same node
 * (Citus refuses a remote task from a trigger).  So, on a shard:
 *	- a trigger of a reference table ("user", server, configuration) fires
 *	  once per placement, on every node; what it does to a distributed
 *	  table it does only on the node that holds that user's shard
 *	  (um_user_shard_here), so exactly once;
 *	- no row of a reference table is locked from a trigger (that would
 *	  lock every placement, through the coordinator: the distributed
 *	  deadlock of issue 14); a user's sessions are serialised by a lock of
 *	  the user on the node of its shard instead (um_lock_user_here).
 *
 * src/distributed.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "data_model.h"
#include "distributed.h"
#include "spi_util.h"

/*
 * The lock of a user on a node: an advisory lock tag in a key space of its
 * own (field 4), apart from pg_advisory_lock's 1 and 2.
 */
#define UM_USER_LOCK_SPACE	0x554D

/* usrmgmt.log_guard_lifted (um_cluster_guard). */
static bool cluster_guard_lifted = false;

/* online_user's OID once it was seen distributed (it stays so). */
static Oid	distributed_online_user = InvalidOid;

static UmPlan plan_is_distributed = UM_PLAN(
	"SELECT 1 FROM pg_catalog.pg_dist_partition p"
	" WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1",
	REGCLASSOID);
static UmPlan plan_shard_here = UM_PLAN(
	"SELECT 1 FROM pg_catalog.pg_dist_placement p"
	" WHERE p.shardid OPERATOR(pg_catalog.=)"
	"       pg_catalog.get_shard_id_for_distribution_column($1, $2)"
	"   AND p.groupid OPERATOR(pg_catalog.=)"
	"       (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g)",
	REGCLASSOID, INT8OID);
/*
 * The user's session counter (um_next_session_id): the UPDATE of its
 * user_auth row, or, when it has none, the row made with the counter at 1
 * (a concurrent maker is waited for, then counted past).
 */
static UmPlan plan_session_seq = UM_PLAN(
	"UPDATE usrmgmt.user_auth"
	"   SET session_seq = session_seq OPERATOR(pg_catalog.+) 1"
	" WHERE user_id OPERATOR(pg_catalog.=) $1"
	" RETURNING session_seq",
	INT8OID);
static UmPlan plan_session_seq_new = UM_PLAN(
	"INSERT INTO usrmgmt.user_auth AS a (user_id, session_seq) VALUES ($1, 1)"
	" ON CONFLICT (user_id) DO UPDATE"
	"   SET session_seq = a.session_seq OPERATOR(pg_catalog.+) 1"
	" RETURNING a.session_seq",
	INT8OID);
/* The user's user_auth row, locked as a new session locks it. */
static UmPlan plan_lock_auth = UM_PLAN(
	"SELECT 1 FROM usrmgmt.user_auth a"
	" WHERE a.user_id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
	INT8OID);

/*
 * Is Citus installed in this database (its catalog exists)?  Asked by
 * every login, logout and session trigger; kept until pg_class changes
 * (CREATE or DROP EXTENSION citus), so a single node pays one syscache
 * lookup per backend, not per call.  -1: not known.
 */
static int	citus_present = -1;

/* See distributed.h. */
bool
um_citus_present(void)
{
	if (citus_present < 0)
		citus_present = OidIsValid(get_relname_relid("pg_dist_partition",
													 PG_CATALOG_NAMESPACE));
	return citus_present > 0;
}

/* Syscache callback: a relation changed; ask about Citus again. */
static void
um_citus_forget(Datum arg, int cacheid, uint32 hashvalue)
{
	citus_present = -1;
}

/* The owner of table relid. */
static Oid
um_table_owner(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/* usrmgmt.<name>'s OID; InvalidOid when there is none. */
static Oid
um_table_oid(const char *name)
{
	Oid			nsp = get_namespace_oid(UM_SCHEMA, true);

	return OidIsValid(nsp) ? get_relname_relid(name, nsp) : InvalidOid;
}

/*
 * 0A000 when this backend runs a query that Citus sent to a worker (its
 * connections say application_name 'citus_internal ...'): a usrmgmt
 * function called inside a query on one user's shard is pushed down with
 * it, and there Citus would refuse its statements with a message that does
 * not say what to do.
 */
static void
um_refuse_in_worker_task(void)
{
	const char *app = GetConfigOption("application_name", true, false);

	if (app != NULL && strncmp(app, "citus_internal", strlen("citus_internal")) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("usrmgmt's functions cannot run inside a query that Citus sends to a worker"),
				 errdetail("The query that calls the function reads one shard, so Citus runs it whole on that shard's worker, where the function's own statements are refused."),
				 errhint("Call the function with values: fetch the session id first, then SELECT usrmgmt.logout($1).")));
}

/* See distributed.h. */
bool
um_distributed(void)
{
	Oid			online_user;
	Datum		values[1];

	if (!um_citus_present())
		return false;
	online_user = um_table_oid("online_user");
	if (!OidIsValid(online_user))
		return false;
	if (online_user != distributed_online_user)
	{
		values[0] = ObjectIdGetDatum(online_user);
		if (um_plan_exec(&plan_is_distributed, values, NULL, true, SPI_OK_SELECT) == 0)
			return false;
		distributed_online_user = online_user;
	}
	um_refuse_in_worker_task();
	return true;
}

/* See distributed.h. */
bool
um_table_distributed(Oid relid)
{
	static Oid	known = InvalidOid;
	Datum		values[1];
	bool		found;

	if (!um_citus_present())
		return false;
	if (relid == known)
		return true;
	values[0] = ObjectIdGetDatum(relid);
	um_spi_connect();
	found = um_plan_exec(&plan_is_distributed, values, NULL, true, SPI_OK_SELECT) > 0;
	SPI_finish();
	if (found)
		known = relid;
	return found;
}

/*
 * The length of rel's name without a "_<digits>" suffix; 0 when it has
 * none.
 */
static size_t
um_shard_suffix_start(const char *name)
{
	const char *us = strrchr(name, '_');
	const char *p;

	if (us == NULL || us == name || us[1] == '\0')
		return 0;
	for (p = us + 1; *p; p++)
		if (!isdigit((unsigned char) *p))
			return 0;
	return (size_t) (us - name);
}

/* See distributed.h. */
bool
um_rel_is_shard(Relation rel)
{
	const char *name = RelationGetRelationName(rel);
	size_t		len = um_shard_suffix_start(name);
	Oid			nsp;
	char	   *base;
	bool		shard;

	if (len == 0 || !um_citus_present())
		return false;
	nsp = get_namespace_oid(UM_SCHEMA, true);
	if (!OidIsValid(nsp) || RelationGetNamespace(rel) != nsp)
		return false;
	base = pnstrdup(name, len);
	shard = OidIsValid(get_relname_relid(base, nsp));
	pfree(base);
	return shard;
}

/* See distributed.h. */
const char *
um_logical_relname(Relation rel)
{
	const char *name = RelationGetRelationName(rel);

	if (!um_rel_is_shard(rel))
		return name;
	return pnstrdup(name, um_shard_suffix_start(name));
}

/* See distributed.h. */
bool
um_user_shard_here(const char *table, int64 user_id)
{
	Oid			relid = um_table_oid(table);
	Datum		values[2];

	if (!OidIsValid(relid))
		elog(ERROR, "table \"%s.%s\" does not exist", UM_SCHEMA, table);
	values[0] = ObjectIdGetDatum(relid);
	values[1] = Int64GetDatum(user_id);
	/* as the table's owner: Citus's function wants SELECT on the table */
	return um_plan_exec_as(um_table_owner(relid), &plan_shard_here, values,
						   NULL, SPI_OK_SELECT) > 0;
}

/* See distributed.h. */
bool
um_next_session_id(int64 user_id, bool create, int64 *session_id)
{
	Datum		values[1];
	bool		isnull;
	int64		n;

	if (user_id <= 0 || user_id > UM_SESSION_MAX_USER_ID)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("user id %lld is out of range for a session on Citus",
						(long long) user_id),
				 errdetail("On Citus a session id carries its user id, which must be between 1 and %lld.",
						   (long long) UM_SESSION_MAX_USER_ID)));
	if (um_data_model() != UM_MODEL_1_1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("sessions on Citus need the table usrmgmt.user_auth"),
				 errdetail("A user's session ids are counted in its user_auth row."),
				 errhint("Update the extension: ALTER EXTENSION usrmgmt UPDATE.")));

	values[0] = Int64GetDatum(user_id);
	if (um_plan_exec(&plan_session_seq, values, NULL, false,
					 SPI_OK_UPDATE_RETURNING) == 0)
	{
		if (!create)
			return false;
		um_plan_exec(&plan_session_seq_new, values, NULL, false,
					 SPI_OK_INSERT_RETURNING);
	}
	n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
									1, &isnull));
	if (n < 1 || n > UM_SESSION_MAX_SEQ)
		ereport(ERROR,
				(errcode(ERRCODE_SEQUENCE_GENERATOR_LIMIT_EXCEEDED),
				 errmsg("user %lld has no session id left on Citus", (long long) user_id),
				 errdetail("Session number %lld is outside 1 to %lld; a session id is never given twice.",
						   (long long) n, (long long) UM_SESSION_MAX_SEQ),
				 errhint("Give the user's sessions a new account (a new user id).")));
	*session_id = (user_id << UM_SESSION_USER_SHIFT) + n;
	return true;
}

/* See distributed.h. */
int64
um_session_id_user(int64 session_id)
{
	return session_id > 0 ? session_id >> UM_SESSION_USER_SHIFT : 0;
}

/* See distributed.h. */
void
um_lock_user_here(int64 user_id)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) ((uint64) user_id >> 32),
						 (uint32) user_id, UM_USER_LOCK_SPACE);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

/* See distributed.h. */
void
um_lock_user_closing_here(int64 user_id)
{
	Datum		values[1];

	if (um_data_model() == UM_MODEL_1_1)
	{
		values[0] = Int64GetDatum(user_id);
		(void) um_plan_exec(&plan_lock_auth, values, NULL, false, SPI_OK_SELECT);
	}
	um_lock_user_here(user_id);
}

/* See distributed.h. */
void
um_cluster_guard(bool lifted)
{
	const char *saved = GetConfigOption("citus.propagate_set_commands", true, false);
	Oid			argtypes[1] = {TEXTOID};
	Datum		arg[1];

	/*
	 * Citus propagates a SET LOCAL to the workers only inside a transaction
	 * block or a DO block: hence the DO.
	 */
	(void) um_sql_exec("SELECT pg_catalog.set_config('citus.propagate_set_commands', 'local', true)",
					   0, NULL, NULL, NULL, false, SPI_OK_SELECT);
	(void) um_sql_exec(lifted ?
					   "DO $$BEGIN SET LOCAL usrmgmt.log_guard_lifted = on; END$$" :
					   "DO $$BEGIN SET LOCAL usrmgmt.log_guard_lifted = off; END$$",
					   0, NULL, NULL, NULL, false, SPI_OK_UTILITY);
	arg[0] = CStringGetTextDatum(saved != NULL ? saved : "none");
	(void) um_sql_exec("SELECT pg_catalog.set_config('citus.propagate_set_commands', $1, true)",
					   1, argtypes, arg, NULL, false, SPI_OK_SELECT);
}

/* See distributed.h. */
bool
um_cluster_guard_lifted(void)
{
	return cluster_guard_lifted;
}

/* Called once per backend from _PG_init. */
void
usrmgmt_distributed_init(void)
{
	CacheRegisterSyscacheCallback(RELNAMENSP, um_citus_forget, (Datum) 0);
	DefineCustomBoolVariable("usrmgmt.log_guard_lifted",
							 "Lets usrmgmt's own statements past the append-only guards on Citus workers (internal).",
							 "Set for one statement by purge_user_log() and reset() on Citus (doc: Scaling out with Citus).",
							 &cluster_guard_lifted,
							 false,
							 PGC_SUSET,
							 GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							 NULL, NULL, NULL);
}
