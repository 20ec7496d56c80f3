/*-------------------------------------------------------------------------
 *
 * users.c
 *		Finding and locking a row of usrmgmt."user", and the errors about
 *		it; see users.h.
 *
 * A user is named case-insensitively, folded as the unique index
 * user_username_key folds it, so the lookup uses that index and finds at
 * most one row: from version 1.1 usrmgmt.ascii_lower(), which folds A-Z
 * only whatever the collation (casefold.c), in a 1.0 database
 * pg_catalog.lower().  Which one is decided per call by whether the
 * installed version has ascii_lower(), so one library serves both; each
 * lookup statement exists once per folding (UM_BY_NAME).  A name that
 * breaks the username rule (3-80 of [A-Za-z0-9_-]) matches nobody and is
 * never looked up: lower() would take 'adm\u0130n' (U+0130) or
 * '\u212Aevin' (the Kelvin sign) for 'admin' and 'kevin'.  The two errors
 * a caller sees are written once:
 *	42704  user "<name as given>" does not exist
 *	28000  user "<stored name>" is not active
 *		   DETAIL: A deactivated user cannot log in.
 *
 * Locking: UM_USER_LOCK and UM_USER_LOGIN take the row FOR NO KEY UPDATE
 * (the second by the UPDATE of last_login_at), which conflicts with a
 * concurrent deactivation, rename or delete, so under READ COMMITTED the
 * loser of such a race re-reads the row and finds it gone or inactive;
 * um_user_for_session takes it FOR SHARE (see session_triggers.c).
 *
 * src/users.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "spi_util.h"
#include "users.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
#include "validate_core.h"

/*
 * The case-insensitive lookup by name ($1), for each folding, and the
 * columns of a UmUser.
 */
typedef enum UmFold
{
	UM_FOLD_LOWER,				/* 1.0: pg_catalog.lower() */
	UM_FOLD_ASCII,				/* 1.1 and later: usrmgmt.ascii_lower() */
	UM_NUM_FOLDS
} UmFold;

#define UM_BY_NAME(fold) \
	" WHERE " fold "(username) OPERATOR(pg_catalog.=) " fold "($1)"
#define UM_LOWER "pg_catalog.lower"
#define UM_ASCII "usrmgmt.ascii_lower"
#define UM_USER_COLUMNS "id, username, is_active, password_hash, failed_logins"

#define UM_FIND_READ(fold) UM_PLAN( \
	"SELECT " UM_USER_COLUMNS " FROM usrmgmt.\"user\"" UM_BY_NAME(fold), \
	TEXTOID)
#define UM_FIND_LOCK(fold) UM_PLAN( \
	"SELECT " UM_USER_COLUMNS " FROM usrmgmt.\"user\"" UM_BY_NAME(fold) \
	" FOR NO KEY UPDATE", \
	TEXTOID)
#define UM_FIND_LOGIN(fold) UM_PLAN( \
	"UPDATE usrmgmt.\"user\" SET last_login_at = pg_catalog.now()" UM_BY_NAME(fold) \
	" RETURNING " UM_USER_COLUMNS, \
	TEXTOID)
#define UM_SET_HASH(fold) UM_PLAN( \
	"UPDATE usrmgmt.\"user\" SET password_hash = $2" UM_BY_NAME(fold), \
	TEXTOID, TEXTOID)

/* um_user_find's statements, by folding and UmUserAccess. */
static UmPlan find_plans[UM_NUM_FOLDS][3] = {
	[UM_FOLD_LOWER] = {
		[UM_USER_READ] = UM_FIND_READ(UM_LOWER),
		[UM_USER_LOCK] = UM_FIND_LOCK(UM_LOWER),
		[UM_USER_LOGIN] = UM_FIND_LOGIN(UM_LOWER),
	},
	[UM_FOLD_ASCII] = {
		[UM_USER_READ] = UM_FIND_READ(UM_ASCII),
		[UM_USER_LOCK] = UM_FIND_LOCK(UM_ASCII),
		[UM_USER_LOGIN] = UM_FIND_LOGIN(UM_ASCII),
	},
};

static UmPlan set_hash_plans[UM_NUM_FOLDS] = {
	[UM_FOLD_LOWER] = UM_SET_HASH(UM_LOWER),
	[UM_FOLD_ASCII] = UM_SET_HASH(UM_ASCII),
};

static UmPlan plan_for_session = UM_PLAN(
	"SELECT " UM_USER_COLUMNS " FROM usrmgmt.\"user\""
	" WHERE id OPERATOR(pg_catalog.=) $1 FOR SHARE",
	INT8OID);
/* On a Citus shard: no lock of a reference table's row (distributed.h). */
static UmPlan plan_for_shard_session = UM_PLAN(
	"SELECT " UM_USER_COLUMNS " FROM usrmgmt.\"user\""
	" WHERE id OPERATOR(pg_catalog.=) $1",
	INT8OID);
static UmPlan plan_name = UM_PLAN(
	"SELECT username FROM usrmgmt.\"user\" WHERE id OPERATOR(pg_catalog.=) $1",
	INT8OID);
static UmPlan plan_exists = UM_PLAN(
	"SELECT 1 FROM usrmgmt.\"user\" WHERE id OPERATOR(pg_catalog.=) $1",
	INT8OID);
static UmPlan plan_count_failure = UM_PLAN(
	"UPDATE usrmgmt.\"user\""
	" SET failed_logins = failed_logins OPERATOR(pg_catalog.+) 1"
	" WHERE id OPERATOR(pg_catalog.=) $1",
	INT8OID);
static UmPlan plan_store_secret = UM_PLAN(
	"UPDATE usrmgmt.\"user\" SET password_hash = $2"
	" WHERE id OPERATOR(pg_catalog.=) $1",
	INT8OID, TEXTOID);
static UmPlan plan_clear_failures = UM_PLAN(
	"UPDATE usrmgmt.\"user\" SET failed_logins = 0"
	" WHERE id OPERATOR(pg_catalog.=) $1",
	INT8OID);

/*
 * The folding of the installed version: ascii_lower() when
 * usrmgmt.ascii_lower(text) exists (1.1 and later).  A syscache lookup per
 * call, so an ALTER EXTENSION UPDATE takes effect at once.
 */
static UmFold
um_fold(void)
{
	Oid			argtypes[1] = {TEXTOID};
	Oid			nsp = get_namespace_oid(UM_SCHEMA, true);

	return OidIsValid(nsp) &&
		OidIsValid(GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
								   CStringGetDatum("ascii_lower"),
								   PointerGetDatum(buildoidvector(argtypes, 1)),
								   ObjectIdGetDatum(nsp))) ?
		UM_FOLD_ASCII : UM_FOLD_LOWER;
}

/* Can name be a username at all (3-80 of [A-Za-z0-9_-])? */
static bool
um_plausible_name(text *name)
{
	return um_valid_username(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name)) != 0;
}

/* 42704, naming the user as the caller gave it. */
static void
um_user_not_found(text *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("user \"%s\" does not exist", text_to_cstring(name))));
}

/* The first row of SPI_tuptable (UM_USER_COLUMNS) as a UmUser. */
static void
um_user_from_row(UmUser *user)
{
	HeapTuple	row = SPI_tuptable->vals[0];
	TupleDesc	desc = SPI_tuptable->tupdesc;
	bool		isnull;
	Datum		hash;

	user->id = DatumGetInt64(SPI_getbinval(row, desc, 1, &isnull));
	user->username = SPI_getbinval(row, desc, 2, &isnull);
	user->is_active = DatumGetBool(SPI_getbinval(row, desc, 3, &isnull));
	hash = SPI_getbinval(row, desc, 4, &isnull);
	user->password_hash = isnull ? NULL : TextDatumGetCString(hash);
	user->failed_logins = DatumGetInt32(SPI_getbinval(row, desc, 5, &isnull));
}

/* Run a statement whose only parameter is a user id; rows found. */
static uint64
um_user_by_id(UmPlan *plan, int64 id, int expected)
{
	Datum		values[1];

	values[0] = Int64GetDatum(id);
	return um_plan_exec(plan, values, NULL, false, expected);
}

/* See users.h. */
bool
um_user_find(text *name, UmUserAccess access, UmUser *user)
{
	Datum		values[1];
	bool		read_only = access == UM_USER_READ;
	int			expected = access == UM_USER_LOGIN ? SPI_OK_UPDATE_RETURNING
		: SPI_OK_SELECT;

	if (!um_plausible_name(name))
		return false;
	values[0] = PointerGetDatum(name);
	if (um_plan_exec(&find_plans[um_fold()][access], values, NULL, read_only,
					 expected) == 0)
		return false;
	um_user_from_row(user);
	return true;
}

/* See users.h. */
void
um_user_get(text *name, UmUserAccess access, UmUser *user)
{
	if (!um_user_find(name, access, user))
		um_user_not_found(name);
}

/* See users.h. */
void
um_user_require_active(const UmUser *user)
{
	if (!user->is_active)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("user \"%s\" is not active",
						TextDatumGetCString(user->username)),
				 errdetail("A deactivated user cannot log in.")));
}

/* See users.h. */
void
um_user_for_session(int64 id, bool lock, UmUser *user)
{
	if (um_user_by_id(lock ? &plan_for_session : &plan_for_shard_session,
					  id, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("user with id %lld does not exist", (long long) id),
				 errdetail("A session must belong to an existing user.")));
	um_user_from_row(user);
	um_user_require_active(user);
}

/* See users.h. */
bool
um_user_name(int64 id, Datum *username)
{
	bool		isnull;

	if (um_user_by_id(&plan_name, id, SPI_OK_SELECT) == 0)
		return false;
	*username = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
							  1, &isnull);
	return true;
}

/* See users.h. */
bool
um_user_exists(int64 id)
{
	return um_user_by_id(&plan_exists, id, SPI_OK_SELECT) > 0;
}

/* See users.h. */
void
um_user_set_password_hash(text *name, const char *secret)
{
	Datum		values[2];

	if (!um_plausible_name(name))
		um_user_not_found(name);
	values[0] = PointerGetDatum(name);
	values[1] = CStringGetTextDatum(secret);
	if (um_plan_exec(&set_hash_plans[um_fold()], values, NULL, false,
					 SPI_OK_UPDATE) == 0)
		um_user_not_found(name);
}

/* See users.h. */
void
um_user_store_secret(int64 id, const char *secret)
{
	Datum		values[2];

	values[0] = Int64GetDatum(id);
	values[1] = CStringGetTextDatum(secret);
	(void) um_plan_exec(&plan_store_secret, values, NULL, false, SPI_OK_UPDATE);
}

/* See users.h. */
void
um_user_count_failure(int64 id)
{
	(void) um_user_by_id(&plan_count_failure, id, SPI_OK_UPDATE);
}

/* See users.h. */
void
um_user_clear_failures(int64 id)
{
	(void) um_user_by_id(&plan_clear_failures, id, SPI_OK_UPDATE);
}
