/*-------------------------------------------------------------------------
 *
 * restore_copy.c
 *		Is the row a trigger sees being restored from a dump?  (See
 *		restore_copy.h for the rule.)
 *
 * The answer is the same for every row of one COPY statement, so it is
 * kept for the portal, relation and role it was computed for: a restore of a
 * million rows looks at the statement once.
 *
 * src/restore_copy.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "tcop/pquery.h"
#include "utils/portal.h"

#include "distributed.h"
#include "restore_copy.h"

/* The last answer, and what it was computed for. */
static Portal cached_portal = NULL;
static TimestampTz cached_portal_created = 0;
static Oid	cached_relid = InvalidOid;
static Oid	cached_role = InvalidOid;
static bool cached_answer = false;

/* Is the active portal a COPY ... FROM into relid itself? */
static bool
um_portal_copies_into(Oid relid)
{
	ListCell   *lc;

	foreach(lc, ActivePortal->stmts)
	{
		PlannedStmt *pstmt = (PlannedStmt *) lfirst(lc);
		CopyStmt   *copy;

		if (!IsA(pstmt, PlannedStmt) || pstmt->commandType != CMD_UTILITY ||
			pstmt->utilityStmt == NULL || !IsA(pstmt->utilityStmt, CopyStmt))
			continue;
		copy = (CopyStmt *) pstmt->utilityStmt;
		if (copy->is_from && copy->relation != NULL &&
			RangeVarGetRelid(copy->relation, NoLock, true) == relid)
			return true;
	}
	return false;
}

bool
um_restoring_copy(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			role = GetSessionUserId();

	if (ActivePortal == NULL || ActivePortal->commandTag != CMDTAG_COPY)
		return false;

	/*
	 * On Citus a COPY into a shard is how the coordinator writes many rows
	 * (INSERT ... SELECT, an ORM's bulk insert, a COPY through the
	 * coordinator alike): never taken for a restore (doc: Scaling out with
	 * Citus).
	 */
	if (um_rel_is_shard(rel))
		return false;
	if (ActivePortal != cached_portal ||
		ActivePortal->creation_time != cached_portal_created ||
		relid != cached_relid || role != cached_role)
	{
		cached_answer = um_portal_copies_into(relid) &&
			superuser_arg(role);
		cached_portal = ActivePortal;
		cached_portal_created = ActivePortal->creation_time;
		cached_relid = relid;
		cached_role = role;
	}
	return cached_answer;
}
