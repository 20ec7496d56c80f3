/*-------------------------------------------------------------------------
 *
 * distributed.h
 *		What usrmgmt's C code needs to know when it runs on Citus (doc:
 *		Scaling out with Citus): whether the installation is distributed,
 *		whether a trigger fires on a shard, whether this node holds a
 *		user's shard, the session ids that carry their user, and the
 *		per-user lock that serialises a user's sessions on its node.
 *
 * usrmgmt does not link against Citus: everything here reads Citus's
 * catalog (pg_dist_partition, pg_dist_placement, pg_dist_local_group)
 * through SPI, and only after seeing that it exists.  Without Citus every
 * function answers "not distributed" from a per-backend memo (one
 * syscache lookup per backend until pg_class changes).
 *
 * src/distributed.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_DISTRIBUTED_H
#define USRMGMT_DISTRIBUTED_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/relcache.h"

/*
 * On Citus a session id is (user_id << UM_SESSION_USER_SHIFT) + n, n the
 * user's own counter (user_auth.session_seq, on the user's shard), so that
 * logout(session_id) and touch_session(session_id) know the distribution
 * value and run on one shard, and an id is never given twice: the counter
 * only grows, under the row lock of the user's user_auth row (doc: Scaling
 * out with Citus, "Session ids on Citus").  User ids 1 .. UM_SESSION_MAX_USER_ID,
 * n 1 .. UM_SESSION_MAX_SEQ.
 */
#define UM_SESSION_USER_SHIFT	32
#define UM_SESSION_MAX_USER_ID	((INT64CONST(1) << (63 - UM_SESSION_USER_SHIFT)) - 1)
#define UM_SESSION_MAX_SEQ		((INT64CONST(1) << UM_SESSION_USER_SHIFT) - 1)

/*
 * Is usrmgmt distributed in this database (usrmgmt.online_user is a Citus
 * table)?  Needs an SPI connection.  Asked by the SQL-callable functions
 * only: when distributed, 0A000 inside a query that Citus sent to a
 * worker (a usrmgmt function called in a query on one user's shard).
 */
extern bool um_distributed(void);

/*
 * Is Citus installed in this database?  A per-backend memo kept until
 * pg_class changes: a syscache lookup once, then nothing.
 */
extern bool um_citus_present(void);

/*
 * Is the table relid a Citus table (reference or distributed)?  Connects
 * to SPI itself; a positive answer is kept for the backend.  False at
 * once where Citus is not installed.
 */
extern bool um_table_distributed(Oid relid);

/*
 * Is rel a Citus shard (or shard placement) of one of usrmgmt's tables,
 * i.e. named "<table>_<shard id>" in schema usrmgmt while <table> exists?
 * Triggers that fire on a shard run on a worker, or on the coordinator's
 * placement of a reference table.  No SPI needed.
 */
extern bool um_rel_is_shard(Relation rel);

/*
 * The table name of rel without the shard suffix: "user" for
 * "user_102008".  rel's own name when it is no shard.
 */
extern const char *um_logical_relname(Relation rel);

/*
 * Does this node hold the shard of the distributed table usrmgmt.<table>
 * for distribution value user_id?  Needs an SPI connection.
 */
extern bool um_user_shard_here(const char *table, int64 user_id);

/*
 * The next session id of user_id on a Citus shard: its counter in
 * user_auth (session_seq) taken one further on this node, under the lock
 * of the user's user_auth row (held to the end of the transaction).  When
 * the user has no user_auth row: create it (ON CONFLICT: a concurrent
 * creation is waited for) when create, else return false and take
 * nothing.  Errors: 22003 a user id outside 1 .. UM_SESSION_MAX_USER_ID;
 * 2200H the user's counter outside 1 .. UM_SESSION_MAX_SEQ (never
 * wrapped); 55000 without usrmgmt.user_auth.  Needs an SPI connection.
 */
extern bool um_next_session_id(int64 user_id, bool create, int64 *session_id);

/* The user id a session id carries on Citus. */
extern int64 um_session_id_user(int64 session_id);

/*
 * Take the transaction-level lock of user_id on this node: a session
 * inserted on a shard and a deactivation or delete of the user closing
 * its sessions on that node serialise on it (doc: Scaling out with Citus).
 */
extern void um_lock_user_here(int64 user_id);

/*
 * um_lock_user_here for a delete of the user that then deletes its
 * user_auth row: that row's lock first, then the user's lock on this
 * node, in the order a new session takes them (its session number under
 * the row lock, then um_lock_user_here), so that a login and the delete
 * of its user wait for each other instead of deadlocking.  Needs an SPI
 * connection.
 */
extern void um_lock_user_closing_here(int64 user_id);

/*
 * On Citus the 'logout' rows of a closing that runs on the workers
 * cannot learn its detail from the coordinator's memory
 * (session_context.h).  expire_sessions() therefore first marks the
 * sessions it closes with this last_seen_at, which no open session has,
 * then deletes them; the trigger on the shard writes 'expired' for it.
 */
#define UM_EXPIRED_MARK DT_NOBEGIN

/*
 * Lift (on) or restore (off) the append-only guards of user_log,
 * online_user and "user" on every node for the rest of the statement
 * that follows (session_context.h: um_exec_past_log_guard): the setting
 * usrmgmt.log_guard_lifted, SET LOCAL and propagated by Citus to the
 * workers of the transaction.  A superuser's setting (the functions that
 * lift the guard are SECURITY DEFINER, owned by the extension's owner).
 * Needs an SPI connection.
 */
extern void um_cluster_guard(bool lifted);

/* Is the guard lifted by usrmgmt.log_guard_lifted (on a worker)? */
extern bool um_cluster_guard_lifted(void);

#endif							/* USRMGMT_DISTRIBUTED_H */
