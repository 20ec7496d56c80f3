/*-------------------------------------------------------------------------
 *
 * distributed.c
 *		usrmgmt on Citus: is it distributed, is a trigger firing on a shard,
 *		does this node hold a user's shard, session ids that carry their
 *		user, the per-user lock on a node; see distributed.h.
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

#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

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
static UmPlan plan_next_session = UM_PLAN0(
	"SELECT pg_catalog.nextval(pg_catalog.pg_get_serial_sequence("
	"'usrmgmt.online_user', 'id'))");

/* Is Citus installed in this database (its catalog exists)? */
static bool
um_citus_present(void)
{
	return OidIsValid(get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE));
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
	return um_plan_exec(&plan_shard_here, values, NULL, true, SPI_OK_SELECT) > 0;
}

/* See distributed.h. */
int64
um_session_id_make(int64 user_id, int64 n)
{
	if (user_id <= 0 || user_id > UM_SESSION_MAX_USER_ID)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("user id %lld is out of range for a session on Citus",
						(long long) user_id),
				 errdetail("On Citus a session id carries its user id, which must be between 1 and %lld.",
						   (long long) UM_SESSION_MAX_USER_ID)));
	return (user_id << UM_SESSION_USER_SHIFT) +
		(n & ((INT64CONST(1) << UM_SESSION_USER_SHIFT) - 1));
}

/* See distributed.h. */
int64
um_next_session_id(int64 user_id)
{
	bool		isnull;

	(void) um_session_id_make(user_id, 0);	/* range check first */
	um_plan_exec(&plan_next_session, NULL, NULL, false, SPI_OK_SELECT);
	return um_session_id_make(user_id,
							  DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
														  SPI_tuptable->tupdesc,
														  1, &isnull)));
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
	DefineCustomBoolVariable("usrmgmt.log_guard_lifted",
							 "Lets usrmgmt's own statements past the append-only guards on Citus workers (internal).",
							 "Set for one statement by purge_user_log() and reset() on Citus (doc: Scaling out with Citus).",
							 &cluster_guard_lifted,
							 false,
							 PGC_SUSET,
							 GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							 NULL, NULL, NULL);
}
