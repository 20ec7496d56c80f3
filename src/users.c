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
 * pg_catalog.lower().  Which one, and whether the password hash and the
 * failed logins are read from "user" (1.0) or from usrmgmt.user_auth
 * (1.1), is decided per call by the installed data model (data_model.h),
 * so one library serves both; each lookup statement exists once per model
 * (find_plans).  A name that breaks the username rule (3-80 of
 * [A-Za-z0-9_-]) matches nobody and is never looked up: lower() would
 * take 'adm\u0130n' (U+0130) or '\u212Aevin' (the Kelvin sign) for 'admin'
 * and 'kevin'.  The two errors a caller sees are written once:
 *	42704  user "<name as given>" does not exist
 *	28000  user "<stored name>" is not active
 *		   DETAIL: A deactivated user cannot log in.
 *
 * Locking (users.h, UmUserAccess): the user row FOR SHARE or FOR NO KEY
 * UPDATE, both of which conflict with a concurrent deactivation, rename or
 * delete, so under READ COMMITTED the loser of such a race re-reads the
 * row and finds it gone or inactive.  1.1 never writes the user row on
 * the hot path: login() and authenticate() hold it FOR SHARE and write
 * user_auth (user_auth.c); 1.0's login() stamps "user".last_login_at
 * (FOR NO KEY UPDATE).  um_user_for_session takes it FOR SHARE (see
 * session_triggers.c).
 *
 * src/users.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "catalog/pg_type.h"
#include "data_model.h"
#include "distributed.h"
#include "spi_util.h"
#include "users.h"
#include "utils/builtins.h"
#include "validate_core.h"

/*
 * The case-insensitive lookup by name ($1), for each data model
 * (data_model.h: the folding, and where the authentication state lives),
 * and the columns of a UmUser: id, username, is_active, password_hash,
 * failed_logins.  A statement that needs no authentication state reads
 * NULL and 0 in their place.
 */
#define UM_BY_NAME(fold, alias) \
	" WHERE " fold "(" alias "username) OPERATOR(pg_catalog.=) " fold "($1)"
#define UM_LOWER "pg_catalog.lower"
/*
 * 1.1: $1 is the name already folded, by um_ascii_lower() in C, once per
 * call: folded in the statement it would be a function of a parameter,
 * which a generic plan evaluates again for every row it reads (a small
 * user table is read sequentially).  The left side is the index's
 * expression, so the index serves it.
 */
#define UM_BY_FOLDED_NAME \
	" WHERE usrmgmt.ascii_lower(u.username) OPERATOR(pg_catalog.=) $1"
#define UM_USER_COLUMNS_1_0 "id, username, is_active, password_hash, failed_logins"
#define UM_USER_BASIC "u.id, u.username, u.is_active, NULL::pg_catalog.text, 0"

/* 1.0: the user row holds everything. */
#define UM_FIND_1_0 \
	"SELECT " UM_USER_COLUMNS_1_0 " FROM usrmgmt.\"user\"" UM_BY_NAME(UM_LOWER, "")
/* 1.1: the user row alone. */
#define UM_FIND_1_1 \
	"SELECT " UM_USER_BASIC " FROM usrmgmt.\"user\" u" UM_BY_FOLDED_NAME

/* um_user_find's statement on Citus, whatever the access (1.1 only). */
static UmPlan find_citus = UM_PLAN(UM_FIND_1_1, TEXTOID);

/* um_user_find's statements, by data model and UmUserAccess. */
static UmPlan find_plans[UM_NUM_MODELS][UM_NUM_USER_ACCESS] = {
	[UM_MODEL_1_0] = {
		[UM_USER_READ] = UM_PLAN(UM_FIND_1_0, TEXTOID),
		[UM_USER_LOCK] = UM_PLAN(UM_FIND_1_0 " FOR NO KEY UPDATE", TEXTOID),
		/* 1.0 writes the user row next: take the lock it needs */
		[UM_USER_SHARE] = UM_PLAN(UM_FIND_1_0 " FOR NO KEY UPDATE", TEXTOID),
		[UM_USER_AUTH] = UM_PLAN(UM_FIND_1_0 " FOR NO KEY UPDATE", TEXTOID),
		[UM_USER_LOGIN] = UM_PLAN(
			"UPDATE usrmgmt.\"user\" SET last_login_at = pg_catalog.now()"
			UM_BY_NAME(UM_LOWER, "") " RETURNING " UM_USER_COLUMNS_1_0,
			TEXTOID),
	},
	[UM_MODEL_1_1] = {
		[UM_USER_READ] = UM_PLAN(
			"SELECT u.id, u.username, u.is_active, a.password_hash,"
			" COALESCE(a.failed_logins, 0)"
			" FROM usrmgmt.\"user\" u LEFT JOIN usrmgmt.user_auth a"
			" ON a.user_id OPERATOR(pg_catalog.=) u.id"
			UM_BY_FOLDED_NAME, TEXTOID),
		[UM_USER_LOCK] = UM_PLAN(UM_FIND_1_1 " FOR NO KEY UPDATE OF u", TEXTOID),
		[UM_USER_SHARE] = UM_PLAN(UM_FIND_1_1 " FOR SHARE OF u", TEXTOID),
		[UM_USER_AUTH] = UM_PLAN(UM_FIND_1_1 " FOR SHARE OF u", TEXTOID),
		[UM_USER_LOGIN] = UM_PLAN(UM_FIND_1_1 " FOR SHARE OF u", TEXTOID),
	},
};

/* 1.1, UM_USER_AUTH: the user's user_auth row, locked. */
static UmPlan plan_auth_lock = UM_PLAN(
	"SELECT password_hash, failed_logins FROM usrmgmt.user_auth"
	" WHERE user_id OPERATOR(pg_catalog.=) $1 FOR NO KEY UPDATE",
	INT8OID);

static UmPlan plan_for_session = UM_PLAN(
	"SELECT " UM_USER_BASIC " FROM usrmgmt.\"user\" u"
	" WHERE u.id OPERATOR(pg_catalog.=) $1 FOR SHARE",
	INT8OID);
/* On a Citus shard: no lock of a reference table's row (distributed.h). */
static UmPlan plan_for_shard_session = UM_PLAN(
	"SELECT " UM_USER_BASIC " FROM usrmgmt.\"user\" u"
	" WHERE u.id OPERATOR(pg_catalog.=) $1",
	INT8OID);
static UmPlan plan_name = UM_PLAN(
	"SELECT username FROM usrmgmt.\"user\" WHERE id OPERATOR(pg_catalog.=) $1",
	INT8OID);
static UmPlan plan_exists = UM_PLAN(
	"SELECT 1 FROM usrmgmt.\"user\" WHERE id OPERATOR(pg_catalog.=) $1",
	INT8OID);

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
	UmDataModel model = um_data_model();
	bool		read_only = access == UM_USER_READ;
	int			expected = access == UM_USER_LOGIN && model == UM_MODEL_1_0 ?
		SPI_OK_UPDATE_RETURNING : SPI_OK_SELECT;

	UmPlan	   *plan = &find_plans[model][access];

	if (!um_plausible_name(name))
		return false;
	/*
	 * On Citus "user" is a reference table: its row is read, never locked
	 * (that would lock every node's copy through the coordinator); the
	 * user's user_auth row and its shard's triggers serialise instead
	 * (distributed.h).
	 */
	if (model == UM_MODEL_1_1 && access != UM_USER_READ && um_distributed())
		plan = &find_citus;
	values[0] = PointerGetDatum(model == UM_MODEL_1_1 ? um_ascii_lower(name) : name);
	if (um_plan_exec(plan, values, NULL, read_only, expected) == 0)
		return false;
	um_user_from_row(user);
	if (access == UM_USER_AUTH && model == UM_MODEL_1_1 &&
		um_user_by_id(&plan_auth_lock, user->id, SPI_OK_SELECT) > 0)
	{
		HeapTuple	row = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		hash = SPI_getbinval(row, desc, 1, &isnull);

		user->password_hash = isnull ? NULL : TextDatumGetCString(hash);
		user->failed_logins = DatumGetInt32(SPI_getbinval(row, desc, 2, &isnull));
	}
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
