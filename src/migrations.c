/*-------------------------------------------------------------------------
 *
 * migrations.c
 *		Application migrations and the data lifecycle: apply_migration(),
 *		rollback_migration(), load_sample_data() and reset().
 *
 * apply_migration() and rollback_migration() run a DBA's SQL.  That SQL
 * must run with the privileges of the caller, never with those of the
 * extension's owner, so these two functions are NOT security definer:
 * they run as the caller and switch to the owner of the function itself
 * (what SECURITY DEFINER would do) only for their own fixed, parameterised
 * bookkeeping statements on usrmgmt.migration_history.  Both serialise on
 * a lock of migration_history that only they take (um_migration_lock), so
 * that two deployers running the same migration at once apply it exactly
 * once.  rollback_migration() runs the stored down_sql as the role that
 * applied it (applied_by), never with more rights: a superuser's routine
 * rollback of an administrator's migration cannot make that administrator
 * a superuser (the review of issue 11).
 *
 * load_sample_data() and reset() are ordinary SECURITY DEFINER writers.
 * reset() is one of the two callers allowed past the user_log guard
 * (um_exec_past_log_guard, see session_context.h).
 *
 * src/migrations.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "change_audit.h"
#include "data_model.h"
#include "distributed.h"
#include "jsonb_util.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "session_context.h"
#include "spi_util.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"

#include "common/cryptohash.h"
#include "common/sha2.h"

PG_FUNCTION_INFO_V1(usrmgmt_apply_migration);
PG_FUNCTION_INFO_V1(usrmgmt_rollback_migration);
PG_FUNCTION_INFO_V1(usrmgmt_load_sample_data);
PG_FUNCTION_INFO_V1(usrmgmt_reset);

/*
 * Longest migration name, in bytes: a file name (NAME_MAX), and well below
 * what the unique index on migration_name can hold.
 */
#define UM_MAX_MIGRATION_NAME	255

/* Names that begin with this prefix belong to the extension's scripts. */
#define UM_EXTENSION_PREFIX		"usrmgmt--"

/* Error context: which migration's SQL was running. */
typedef struct UmMigrationContext
{
	const char *name;
	const char *what;			/* "applying" or "rolling back" */
} UmMigrationContext;

static void
um_migration_error_callback(void *arg)
{
	UmMigrationContext *ctx = (UmMigrationContext *) arg;

	errcontext("%s migration \"%s\"", ctx->what, ctx->name);
}

/* Hex SHA-256 of a text's bytes (database encoding), 64 chars + NUL. */
static void
um_sha256_hex(text *sql, char *hex)
{
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	static const char hexdigits[] = "0123456789abcdef";
	const uint8 *data = (const uint8 *) VARDATA_ANY(sql);
	size_t		len = VARSIZE_ANY_EXHDR(sql);
	int			i;

	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL ||
		pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, data, len) < 0 ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute SHA-256 checksum");
	pg_cryptohash_free(ctx);

	for (i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
	{
		hex[2 * i] = hexdigits[digest[i] >> 4];
		hex[2 * i + 1] = hexdigits[digest[i] & 0x0F];
	}
	hex[2 * PG_SHA256_DIGEST_LENGTH] = '\0';
}

/*
 * The bookkeeping statements on migration_history, run as the owner of the
 * function (um_plan_exec_as); every name and operator schema-qualified, so
 * the caller's search_path plays no part.
 */
static UmPlan plan_history_find = UM_PLAN(
	"SELECT kind, checksum FROM usrmgmt.migration_history"
	" WHERE migration_name OPERATOR(pg_catalog.=) $1",
	TEXTOID);
static UmPlan plan_history_insert = UM_PLAN(
	"INSERT INTO usrmgmt.migration_history"
	" (migration_name, kind, checksum, applied_by, execution_ms, down_sql)"
	" VALUES ($1, 'application', $2, $3, $4, $5)",
	TEXTOID, TEXTOID, TEXTOID, FLOAT8OID, TEXTOID);
static UmPlan plan_history_lock = UM_PLAN(
	"SELECT down_sql, applied_by FROM usrmgmt.migration_history"
	" WHERE migration_name OPERATOR(pg_catalog.=) $1"
	" AND kind OPERATOR(pg_catalog.=) 'application' FOR UPDATE",
	TEXTOID);
/* reset(): the one statement, past the user_log guard, per data model. */
static UmPlan plan_truncate[UM_NUM_MODELS] = {
	[UM_MODEL_1_0] = UM_PLAN0(
		"TRUNCATE usrmgmt.online_user, usrmgmt.user_log, usrmgmt.server,"
		" usrmgmt.configuration, usrmgmt.\"user\" RESTART IDENTITY"),
	[UM_MODEL_1_1] = UM_PLAN0(
		"TRUNCATE usrmgmt.online_user, usrmgmt.user_log, usrmgmt.server,"
		" usrmgmt.configuration, usrmgmt.user_auth, usrmgmt.\"user\""
		" RESTART IDENTITY"),
};
static UmPlan plan_history_delete = UM_PLAN(
	"DELETE FROM usrmgmt.migration_history"
	" WHERE migration_name OPERATOR(pg_catalog.=) $1"
	" AND kind OPERATOR(pg_catalog.=) 'application'",
	TEXTOID);

/*
 * Refuse NULL, empty, over-long, control-character and reserved migration
 * names, before any SQL runs.
 */
static char *
um_check_migration_name(FunctionCallInfo fcinfo)
{
	char	   *name;
	const char *c;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migration name must not be null")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("migration name must not be empty")));
	if (strlen(name) > UM_MAX_MIGRATION_NAME)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("migration name is too long"),
				 errdetail("The name has %zu bytes; at most %d are accepted.",
						   strlen(name), UM_MAX_MIGRATION_NAME)));
	for (c = name; *c; c++)
		if ((unsigned char) *c < 0x20 || *c == 0x7f)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("migration name must not contain control characters"),
					 errdetail("Character 0x%02x at byte %d.",
							   (unsigned char) *c, (int) (c - name) + 1)));
	if (strncmp(name, UM_EXTENSION_PREFIX, strlen(UM_EXTENSION_PREFIX)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_RESERVED_NAME),
				 errmsg("migration name \"%s\" is reserved for the extension's own scripts", name),
				 errhint("Names beginning with \"%s\" record install and update scripts; use ALTER EXTENSION usrmgmt UPDATE for those.",
						 UM_EXTENSION_PREFIX)));
	return name;
}

/*
 * Serialise apply_migration() and rollback_migration() until the end of
 * the transaction: SHARE UPDATE EXCLUSIVE on usrmgmt.migration_history,
 * which conflicts with itself and not with reads or writes of the table.
 * Taken here in C, without a privilege check.  Another role can hold a
 * conflicting lock only by owning the table or with UPDATE, DELETE or
 * TRUNCATE on it (LOCK TABLE), which no recipe grants; 1.0's advisory key
 * could be held by anybody (pg_advisory_lock is PUBLIC) and stalled every
 * migration.
 */
static void
um_migration_lock(void)
{
	Oid			relid;

	/*
	 * On a hot standby no such lock can be taken, and nothing can be
	 * recorded anyway: the bookkeeping fails with 25006 as any write does.
	 */
	if (RecoveryInProgress())
		return;
	relid = get_relname_relid("migration_history",
							  get_namespace_oid(UM_SCHEMA, false));
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s.migration_history\" does not exist", UM_SCHEMA)));
	LockRelationOid(relid, ShareUpdateExclusiveLock);
}

/*
 * The role whose rights a rollback's down_sql runs with: the one that
 * applied the migration (applied_by, stored by name).  42704 when that
 * role no longer exists; 42501 unless the caller is that role or a member
 * of it (a superuser is), so the caller never gains rights by rolling back
 * either.
 */
static Oid
um_migration_author(const char *name, const char *applied_by)
{
	Oid			author = get_role_oid(applied_by, true);

	if (!OidIsValid(author))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role \"%s\", which applied migration \"%s\", does not exist",
						applied_by, name),
				 errdetail("A rollback runs down_sql with the rights of the role that applied the migration."),
				 errhint("Undo it by hand with a new migration.")));
	if (!is_member_of_role(GetUserId(), author))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to roll back migration \"%s\"", name),
				 errdetail("It was applied by role \"%s\"; only that role or a member of it may roll it back.",
						   applied_by)));
	return author;
}

/* Run a migration's SQL as the current user, with an error context line. */
static double
um_run_migration_sql_here(const char *name, const char *what, const char *sql)
{
	ErrorContextCallback errcallback;
	UmMigrationContext ctx;
	instr_time	start;
	instr_time	duration;
	int			ret;

	ctx.name = name;
	ctx.what = what;
	errcallback.callback = um_migration_error_callback;
	errcallback.arg = &ctx;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	/*
	 * The DBA's own SQL: any statements, any result, so not through
	 * um_sql_exec (which expects one result code); only the refusals that
	 * SPI reports as codes are turned into errors here.
	 */
	INSTR_TIME_SET_CURRENT(start);
	ret = SPI_execute_with_args(sql, 0, NULL, NULL, NULL, false, 0);
	if (ret == SPI_ERROR_TRANSACTION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("migration \"%s\" must not contain transaction control statements", name),
				 errdetail("A migration runs inside the caller's transaction."),
				 errhint("Remove BEGIN, COMMIT, ROLLBACK and SAVEPOINT from its SQL.")));
	if (ret == SPI_ERROR_COPY)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("migration \"%s\" must not contain COPY to or from the client", name)));
	if (ret < 0)
		elog(ERROR, "SPI_execute_with_args failed: %s",
			 SPI_result_code_string(ret));
	INSTR_TIME_SET_CURRENT(duration);
	INSTR_TIME_SUBTRACT(duration, start);

	error_context_stack = errcallback.previous;
	return INSTR_TIME_GET_MILLISEC(duration);
}

/* um_run_migration_sql's work, run by um_as_role. */
typedef struct UmMigrationRun
{
	const char *name;
	const char *what;
	const char *sql;
	double		ms;
} UmMigrationRun;

static void
um_run_migration_body(void *arg)
{
	UmMigrationRun *r = (UmMigrationRun *) arg;

	r->ms = um_run_migration_sql_here(r->name, r->what, r->sql);
}

/*
 * Run a migration's SQL with an error context line: as the caller when
 * as_role is InvalidOid, else as as_role, like a SECURITY DEFINER function
 * (SET ROLE and SET SESSION AUTHORIZATION are refused inside, so the SQL
 * cannot step back out into the caller's rights).
 */
static double
um_run_migration_sql(const char *name, const char *what, const char *sql,
					 Oid as_role)
{
	UmMigrationRun r = {name, what, sql, 0};

	if (!OidIsValid(as_role))
		return um_run_migration_sql_here(name, what, sql);
	um_as_role(as_role, um_run_migration_body, &r);
	return r.ms;
}

/*
 * apply_migration(name text, up_sql text, down_sql text DEFAULT NULL)
 *		returns boolean
 *
 * Runs up_sql (any SQL, several statements allowed, no transaction control)
 * in the caller's transaction with the caller's privileges and search_path,
 * then records name, hex SHA-256 of up_sql, applied_by (current_user at the
 * call), execution_ms and down_sql in usrmgmt.migration_history.
 * Result: true when applied now; false when a migration of that name was
 * already applied with the same checksum (nothing runs).
 * Errors: 22004 name or up_sql null; 22023 name empty; 42939 name reserved
 * ("usrmgmt--..."); 42710 already applied with a different checksum (the
 * message names both); any error of up_sql itself, which aborts the call
 * and leaves no record (nothing is committed unless the whole call
 * succeeds).
 * Locking: SHARE UPDATE EXCLUSIVE on usrmgmt.migration_history
 * (um_migration_lock) until the end of the caller's transaction, so a
 * concurrent deployer waits, then sees the migration applied and gets
 * false.  Not security definer (see header).
 */
Datum
usrmgmt_apply_migration(PG_FUNCTION_ARGS)
{
	char	   *name;
	text	   *up_sql;
	char	   *up_sql_str;
	char		checksum[2 * PG_SHA256_DIGEST_LENGTH + 1];
	char	   *applied_by;
	Oid			owner;
	double		elapsed_ms;
	Datum		select_values[1];
	Datum		insert_values[5];
	char		insert_nulls[5] = {' ', ' ', ' ', ' ', ' '};
	bool		applied = true;

	name = um_check_migration_name(fcinfo);
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("up_sql of migration \"%s\" must not be null", name)));
	up_sql = PG_GETARG_TEXT_PP(1);
	up_sql_str = text_to_cstring(up_sql);
	um_sha256_hex(up_sql, checksum);
	applied_by = GetUserNameFromId(GetUserId(), false);
	owner = um_function_owner(fcinfo);

	um_migration_lock();

	um_spi_connect();

	select_values[0] = CStringGetTextDatum(name);
	if (um_plan_exec_as(owner, &plan_history_find, select_values, NULL,
						SPI_OK_SELECT) > 0)
	{
		char	   *old_checksum = SPI_getvalue(SPI_tuptable->vals[0],
												SPI_tuptable->tupdesc, 2);

		if (old_checksum == NULL || strcmp(old_checksum, checksum) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("migration \"%s\" was already applied with checksum %s, not %s",
							name, old_checksum ? old_checksum : "(none)", checksum),
					 errdetail("The SQL of an applied migration has changed since it was applied."),
					 errhint("Never edit an applied migration: write a new one, or roll this one back first.")));
		applied = false;
	}
	else
	{
		elapsed_ms = um_run_migration_sql(name, "applying", up_sql_str, InvalidOid);

		insert_values[0] = CStringGetTextDatum(name);
		insert_values[1] = CStringGetTextDatum(checksum);
		insert_values[2] = CStringGetTextDatum(applied_by);
		insert_values[3] = Float8GetDatum(elapsed_ms);
		if (PG_ARGISNULL(2))
		{
			insert_values[4] = (Datum) 0;
			insert_nulls[4] = 'n';
		}
		else
			insert_values[4] = PointerGetDatum(PG_GETARG_TEXT_PP(2));
		um_plan_exec_as(owner, &plan_history_insert, insert_values,
						insert_nulls, SPI_OK_INSERT);
	}

	SPI_finish();
	PG_RETURN_BOOL(applied);
}

/*
 * rollback_migration(name text) returns boolean
 *
 * Runs the stored down_sql of an application migration in the caller's
 * transaction with the privileges of the role that applied it (never
 * more; SET ROLE refused inside), then deletes its record.
 * Result: true (the migration was rolled back).
 * Errors: 22004 name null; 22023 name empty; 42939 name reserved (an
 * extension script's row: use ALTER EXTENSION); 42704 no migration of that
 * name, or the role that applied it no longer exists; 42501 the caller is
 * neither that role nor a member of it; 55000 the migration has no
 * down_sql; any error of down_sql itself (the record stays).
 * Locking: the migration lock of apply_migration(), then the record's row
 * lock (FOR UPDATE), until the end of the caller's transaction.
 */
Datum
usrmgmt_rollback_migration(PG_FUNCTION_ARGS)
{
	char	   *name;
	char	   *down_sql;
	Oid			owner;
	Oid			author;
	Datum		values[1];

	name = um_check_migration_name(fcinfo);
	owner = um_function_owner(fcinfo);

	um_migration_lock();

	um_spi_connect();

	values[0] = CStringGetTextDatum(name);
	if (um_plan_exec_as(owner, &plan_history_lock, values, NULL,
						SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("migration \"%s\" has not been applied", name)));
	down_sql = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (down_sql == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migration \"%s\" has no down_sql", name),
				 errdetail("It was applied without the SQL that undoes it."),
				 errhint("Undo it by hand with a new migration.")));

	author = um_migration_author(name,
								 SPI_getvalue(SPI_tuptable->vals[0],
											  SPI_tuptable->tupdesc, 2));
	um_run_migration_sql(name, "rolling back", down_sql, author);

	um_plan_exec_as(owner, &plan_history_delete, values, NULL, SPI_OK_DELETE);

	SPI_finish();
	PG_RETURN_BOOL(true);
}

/*
 * The sample data set.  Users are inserted only when no user of that name
 * or e-mail exists; everything else is attached to the sample users
 * inserted by this very call, so a second call inserts nothing.  The one
 * password hash is a SCRAM-SHA-256 secret (4096 iterations) of the
 * password "sample-password" for every sample user.
 */
/*
 * The sample names and addresses are lower-case ASCII; a stored one
 * collides when it folds to them as the unique indexes fold (ASCII only):
 * translate() does that in 1.0 and 1.1 databases alike, in every collation.
 */
#define UM_ASCII_FOLD(col) \
	"pg_catalog.translate(" col ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"

#define UM_SAMPLE_USERS_SQL(hash_column, hash_value) \
"WITH sample (username, email, first_name, last_name, is_admin, is_active, created_at) AS (" \
" VALUES" \
" ('sample_admin', 'admin@example.com', 'Ada', 'Admin', true, true, '2024-01-01 09:00:00+00'::timestamptz)," \
" ('alice', 'alice@example.com', 'Alice', 'Liddell', false, true, '2024-01-02 09:00:00+00')," \
" ('bob', 'bob@example.com', 'Bob', 'Builder', false, true, '2024-01-03 09:00:00+00')," \
" ('carol', 'carol@example.org', 'Carol', NULL, false, true, '2024-01-04 09:00:00+00')," \
" ('dave', NULL, NULL, NULL, false, true, '2024-01-05 09:00:00+00')," \
" ('eve', 'eve@example.net', 'Eve', 'Inactive', false, false, '2024-01-06 09:00:00+00'))" \
" INSERT INTO usrmgmt.\"user\"" \
" (username, email, first_name, last_name, " hash_column "is_admin, is_active," \
"  created_at, updated_at)" \
" SELECT s.username, s.email, s.first_name, s.last_name, " hash_value "s.is_admin," \
"  s.is_active, s.created_at, s.created_at" \
" FROM sample s" \
" WHERE NOT EXISTS (SELECT FROM usrmgmt.\"user\" u" \
"  WHERE " UM_ASCII_FOLD("u.username") " OPERATOR(pg_catalog.=) s.username" \
"  OR " UM_ASCII_FOLD("u.email") " OPERATOR(pg_catalog.=) s.email)" \
" ORDER BY s.created_at" \
" RETURNING id"

/*
 * The users, per data model: 1.0 with their password hash ($1), 1.1
 * without (their user_auth rows follow, um_sample_auth_sql).
 */
static const char *const um_sample_users_sql[UM_NUM_MODELS] = {
	[UM_MODEL_1_0] = UM_SAMPLE_USERS_SQL("password_hash, ", "$1, "),
	[UM_MODEL_1_1] = UM_SAMPLE_USERS_SQL("", ""),
};

/* 1.1: the password hash ($2) of the users added ($1), set when created. */
static const char *um_sample_auth_sql =
"INSERT INTO usrmgmt.user_auth (user_id, password_hash, password_changed_at)"
" SELECT u.id, $2, u.created_at FROM usrmgmt.\"user\" u"
" WHERE u.id OPERATOR(pg_catalog.=) ANY ($1)"
" ORDER BY u.id";

/* A past, closed session of alice and bob: its login and logout rows. */
static const char *um_sample_log_sql =
"INSERT INTO usrmgmt.user_log"
" (user_id, username, action, \"timestamp\", ip_address, session_id, user_agent, detail)"
" SELECT u.id, u.username, l.action, l.ts, l.ip, NULL, l.agent, l.detail"
" FROM (VALUES"
"  ('alice', 'login', '2024-02-01 10:00:00+00'::timestamptz, '192.0.2.10'::inet, 'sample-agent/1.0', NULL),"
"  ('alice', 'logout', '2024-02-01 11:00:00+00', '192.0.2.10', 'sample-agent/1.0', NULL),"
"  ('bob', 'login', '2024-02-02 10:00:00+00', '2001:db8::20', 'sample-agent/1.0', NULL),"
"  ('bob', 'logout', '2024-02-02 10:30:00+00', '2001:db8::20', 'sample-agent/1.0', 'expired'))"
"  AS l (username, action, ts, ip, agent, detail)"
" JOIN usrmgmt.\"user\" u ON u.username OPERATOR(pg_catalog.=) l.username"
" WHERE u.id OPERATOR(pg_catalog.=) ANY ($1)"
" ORDER BY l.ts";

/*
 * 1.1: the monthly partitions of user_log that the past sessions above
 * need (from the first to the last of their timestamps, as months of the
 * session's time zone), where no partition covers them yet, so that the
 * sample history does not land in the default partition (doc: Retention
 * and partitions).  Run only where _add_log_month() exists.
 */
static const char *um_sample_has_partitions_sql =
"SELECT pg_catalog.to_regprocedure('usrmgmt._add_log_month(pg_catalog.regclass, timestamptz)') IS NOT NULL";
static const char *um_sample_partitions_sql =
"SELECT usrmgmt._add_log_month('usrmgmt.user_log'::pg_catalog.regclass, m.m)"
" FROM (SELECT DISTINCT pg_catalog.date_trunc('month', t) AS m"
"        FROM pg_catalog.unnest('{2024-02-01 10:00:00+00,2024-02-02 10:30:00+00}'::timestamptz[]) t) m"
" WHERE NOT EXISTS (SELECT 1 FROM usrmgmt._log_partitions() p"
"  WHERE pg_catalog.tstzrange(p.lower_bound, p.upper_bound) OPERATOR(pg_catalog.&&)"
"        pg_catalog.tstzrange(m.m, m.m OPERATOR(pg_catalog.+) '1 month'::interval))"
" ORDER BY m.m";

/* Open sessions: plain INSERTs, as an ORM would write them. */
static const char *um_sample_sessions_sql =
"INSERT INTO usrmgmt.online_user (user_id, username, ip_address, user_agent)"
" SELECT u.id, u.username, s.ip, s.agent"
" FROM (VALUES"
"  ('sample_admin', '192.0.2.1'::inet, 'sample-agent/1.0', 1),"
"  ('alice', '192.0.2.10', 'sample-agent/1.0', 2),"
"  ('bob', '2001:db8::20', 'sample-cli/2.1', 3))"
"  AS s (username, ip, agent, ord)"
" JOIN usrmgmt.\"user\" u ON u.username OPERATOR(pg_catalog.=) s.username"
" WHERE u.id OPERATOR(pg_catalog.=) ANY ($1)"
" ORDER BY s.ord";

static const char *um_sample_servers_sql =
"INSERT INTO usrmgmt.server"
" (server_name, owner_id, port, memory_mb, status, game_mode, difficulty, created_at, updated_at)"
" SELECT s.server_name, u.id, s.port, s.memory_mb, s.status, s.game_mode, s.difficulty,"
"  '2024-01-10 12:00:00+00', '2024-01-10 12:00:00+00'"
" FROM (VALUES"
"  ('sample-survival', 'alice', 25565, 2048, 'Running', 'survival', 'normal', 1),"
"  ('sample-creative', 'alice', 25566, 1024, 'Stopped', 'creative', 'peaceful', 2),"
"  ('sample-hardcore', 'bob', 25567, 4096, 'Starting', 'adventure', 'hard', 3))"
"  AS s (server_name, username, port, memory_mb, status, game_mode, difficulty, ord)"
" JOIN usrmgmt.\"user\" u ON u.username OPERATOR(pg_catalog.=) s.username"
" LEFT JOIN usrmgmt.server x ON x.server_name OPERATOR(pg_catalog.=) s.server_name"
" WHERE u.id OPERATOR(pg_catalog.=) ANY ($1) AND x.id IS NULL"
" ORDER BY s.ord";

static const char *um_sample_configuration_sql =
"INSERT INTO usrmgmt.configuration (key, value, updated_at, updated_by)"
" SELECT c.key, c.value, '2024-01-10 12:00:00+00', u.id"
" FROM (VALUES"
"  ('site.name', 'usrmgmt sample', 1),"
"  ('site.motd', 'Welcome to the sample data set', 2),"
"  ('server.default_memory_mb', '1024', 3),"
"  ('sessions.max_per_user', '5', 4))"
"  AS c (key, value, ord)"
" JOIN usrmgmt.\"user\" u ON u.username OPERATOR(pg_catalog.=) 'sample_admin'"
" LEFT JOIN usrmgmt.configuration x ON x.key OPERATOR(pg_catalog.=) c.key"
" WHERE u.id OPERATOR(pg_catalog.=) ANY ($1) AND x.id IS NULL"
" ORDER BY c.ord";

/* Log rows of the sample users, whoever wrote them (us or the triggers). */
static const char *um_sample_log_count_sql =
"SELECT pg_catalog.count(*) FROM usrmgmt.user_log"
" WHERE user_id OPERATOR(pg_catalog.=) ANY ($1)";

#define UM_SAMPLE_PASSWORD_HASH \
	"SCRAM-SHA-256$4096:rz6E4ktgKhYPl6Ijm6/l1g==$" \
	"7j2uSGDTIqoCK5a/kGbV9+plY/CCBTKXTCMimNb58GY=:" \
	"9D5tpQ9xpUnO+rfyps7GgERguEcSGs8Mp0dUlbmEFBA="

static uint64
um_sample_insert(const char *sql, Datum ids)
{
	Oid			types[1] = {INT8ARRAYOID};

	return um_sql_exec(sql, 1, types, &ids, NULL, false, SPI_OK_INSERT);
}

/*
 * load_sample_data() returns jsonb
 *
 * Inserts the small deterministic sample data set: six users (one admin,
 * one inactive), three open sessions, the log of two past sessions (in a
 * 1.1 database with the monthly partition of user_log they need, created
 * when missing), three servers and four configuration settings.
 * Idempotent: a sample user whose username or e-mail is taken is skipped,
 * with everything that belongs to it, so a second call inserts nothing.
 * Result: {"user": n, "online_user": n, "user_log": n, "server": n,
 * "configuration": n}: the rows this call added (user_log counts every log
 * row of the users added, including those the session triggers wrote).
 * Errors: none of its own.  Locking: row locks of the inserted rows; when
 * it creates a partition, the locks of maintain()'s (doc: Retention and
 * partitions).
 * SECURITY DEFINER.
 */
Datum
usrmgmt_load_sample_data(PG_FUNCTION_ARGS)
{
	MemoryContext caller_cxt = CurrentMemoryContext;
	Oid			types[1] = {TEXTOID};
	Oid			ids_types[1] = {INT8ARRAYOID};
	Datum		values[1];
	Datum	   *id_datums;
	Datum		ids;
	uint64		nusers;
	uint64		nsessions;
	uint64		nservers;
	uint64		nconfig;
	int64		nlog;
	bool		isnull;
	uint64		i;
	UmJsonb    *jb;
	UmDataModel model;

	um_spi_connect();

	/*
	 * On Citus, one connection per worker for the whole call: the
	 * sessions' triggers on the shards must see the users just inserted
	 * (doc: Scaling out with Citus).  Undone when the function returns.
	 */
	if (um_distributed())
		(void) um_sql_exec("SELECT pg_catalog.set_config('citus.multi_shard_modify_mode', 'sequential', true)",
						   0, NULL, NULL, NULL, false, SPI_OK_SELECT);
	model = um_data_model();
	values[0] = CStringGetTextDatum(UM_SAMPLE_PASSWORD_HASH);
	nusers = um_sql_exec(um_sample_users_sql[model],
						 model == UM_MODEL_1_0 ? 1 : 0, types, values, NULL,
						 false, SPI_OK_INSERT_RETURNING);
	id_datums = palloc(sizeof(Datum) * (nusers > 0 ? nusers : 1));
	for (i = 0; i < nusers; i++)
		id_datums[i] = SPI_getbinval(SPI_tuptable->vals[i],
									 SPI_tuptable->tupdesc, 1, &isnull);
	ids = PointerGetDatum(construct_array(id_datums, (int) nusers, INT8OID,
										  sizeof(int64), FLOAT8PASSBYVAL,
										  TYPALIGN_DOUBLE));

	if (nusers > 0 &&
		um_sql_exec(um_sample_has_partitions_sql, 0, NULL, NULL, NULL, true,
					SPI_OK_SELECT) == 1 &&
		DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
								   SPI_tuptable->tupdesc, 1, &isnull)))
		(void) um_sql_exec(um_sample_partitions_sql, 0, NULL, NULL, NULL,
						   false, SPI_OK_SELECT);
	if (model == UM_MODEL_1_1)
	{
		Oid			auth_types[2] = {INT8ARRAYOID, TEXTOID};
		Datum		auth_values[2];

		auth_values[0] = ids;
		auth_values[1] = values[0];
		um_sql_exec(um_sample_auth_sql, 2, auth_types, auth_values, NULL,
					false, SPI_OK_INSERT);
	}
	um_sample_insert(um_sample_log_sql, ids);
	nsessions = um_sample_insert(um_sample_sessions_sql, ids);
	nservers = um_sample_insert(um_sample_servers_sql, ids);
	nconfig = um_sample_insert(um_sample_configuration_sql, ids);

	if (um_sql_exec(um_sample_log_count_sql, 1, ids_types, &ids, NULL, false,
					SPI_OK_SELECT) != 1)
		elog(ERROR, "usrmgmt: the sample log count returned no row");
	nlog = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
									   SPI_tuptable->tupdesc, 1, &isnull));

	SPI_finish();

	/* Build the result in the caller's context (SPI's is gone). */
	MemoryContextSwitchTo(caller_cxt);
	jb = um_jsonb_begin_object(NULL, NULL);
	um_jsonb_add_int64(jb, "user", (int64) nusers);
	um_jsonb_add_int64(jb, "online_user", (int64) nsessions);
	um_jsonb_add_int64(jb, "user_log", nlog);
	um_jsonb_add_int64(jb, "server", (int64) nservers);
	um_jsonb_add_int64(jb, "configuration", (int64) nconfig);
	um_jsonb_end_object(jb);

	PG_RETURN_JSONB_P(um_jsonb_finish(jb));
}

/*
 * reset(confirm boolean DEFAULT false) returns void
 *
 * Empties the data tables (user, user_auth, online_user, user_log, server,
 * configuration) with one TRUNCATE ... RESTART IDENTITY, then the change
 * audit log (change_audit.h; it records nothing of this TRUNCATE);
 * migration_history is kept.  No logout rows are written (TRUNCATE fires
 * no row triggers).
 * Errors: 22023 unless confirm is true; 0A000 when a table outside
 * usrmgmt has a foreign key to one of these tables.
 * Locking: ACCESS EXCLUSIVE on those tables until the end of the
 * transaction.  Lifts the user_log guard for its own TRUNCATE only.
 * SECURITY DEFINER.
 */
Datum
usrmgmt_reset(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || !PG_GETARG_BOOL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reset() deletes every user, session, log row, server and setting"),
				 errhint("Call usrmgmt.reset(confirm => true) to do it.")));

	um_spi_connect();

	(void) um_exec_past_log_guard(&plan_truncate[um_data_model()], NULL,
								  SPI_OK_UTILITY);
	um_change_log_reset();

	SPI_finish();
	PG_RETURN_VOID();
}
