/*-------------------------------------------------------------------------
 *
 * users.c
 *		Finding and locking a row of usrmgmt."user", and the errors about
 *		it; see users.h.
 *
 * A user is named case-insensitively: pg_catalog.lower(username) is what
 * the unique index user_username_key holds, so the lookup below uses that
 * index and finds at most one row.  The lookup is written once
 * (UM_BY_NAME) and so are the two errors a caller sees:
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

#include "catalog/pg_type.h"
#include "spi_util.h"
#include "users.h"
#include "utils/builtins.h"

/* The case-insensitive lookup by name ($1), and the columns of a UmUser. */
#define UM_BY_NAME \
	" WHERE pg_catalog.lower(username) OPERATOR(pg_catalog.=) pg_catalog.lower($1)"
#define UM_USER_COLUMNS "id, username, is_active, password_hash, failed_logins"

/* um_user_find's statements, by UmUserAccess. */
static UmPlan find_plans[] = {
	[UM_USER_READ] = UM_PLAN(
		"SELECT " UM_USER_COLUMNS " FROM usrmgmt.\"user\"" UM_BY_NAME,
		TEXTOID),
	[UM_USER_LOCK] = UM_PLAN(
		"SELECT " UM_USER_COLUMNS " FROM usrmgmt.\"user\"" UM_BY_NAME
		" FOR NO KEY UPDATE",
		TEXTOID),
	[UM_USER_LOGIN] = UM_PLAN(
		"UPDATE usrmgmt.\"user\" SET last_login_at = pg_catalog.now()" UM_BY_NAME
		" RETURNING " UM_USER_COLUMNS,
		TEXTOID),
};

static UmPlan plan_set_hash = UM_PLAN(
	"UPDATE usrmgmt.\"user\" SET password_hash = $2" UM_BY_NAME,
	TEXTOID, TEXTOID);
static UmPlan plan_for_session = UM_PLAN(
	"SELECT " UM_USER_COLUMNS " FROM usrmgmt.\"user\""
	" WHERE id OPERATOR(pg_catalog.=) $1 FOR SHARE",
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
static UmPlan plan_clear_failures = UM_PLAN(
	"UPDATE usrmgmt.\"user\" SET failed_logins = 0"
	" WHERE id OPERATOR(pg_catalog.=) $1",
	INT8OID);

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

	values[0] = PointerGetDatum(name);
	if (um_plan_exec(&find_plans[access], values, NULL, read_only, expected) == 0)
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
um_user_for_session(int64 id, UmUser *user)
{
	if (um_user_by_id(&plan_for_session, id, SPI_OK_SELECT) == 0)
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

	values[0] = PointerGetDatum(name);
	values[1] = CStringGetTextDatum(secret);
	if (um_plan_exec(&plan_set_hash, values, NULL, false, SPI_OK_UPDATE) == 0)
		um_user_not_found(name);
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
