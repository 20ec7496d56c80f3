/*-------------------------------------------------------------------------
 *
 * user_auth.c
 *		A user's authentication state (usrmgmt.user_auth; see
 *		user_auth.h), and the two SQL functions that show or clear a part
 *		of it: last_login() and unlock_user().
 *
 * No recipe but the administrator's reads user_auth; an application learns
 * when a user last logged in from last_login(user_id), and an
 * administrator unlocks a locked-out user with unlock_user(username)
 * (doc: Passwords, "What an application sees").
 *
 * Each statement exists once per data model (data_model.h): 1.1 writes
 * user_auth, 1.0 the columns of "user".  Every name and operator is
 * schema-qualified; every value a $n parameter.
 *
 * src/user_auth.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "data_model.h"
#include "spi_util.h"
#include "user_auth.h"
#include "users.h"

PG_FUNCTION_INFO_V1(usrmgmt_last_login);
PG_FUNCTION_INFO_V1(usrmgmt_unlock_user);

/*
 * One write of the state: the UPDATE of an existing row and, in 1.1, the
 * INSERT ... ON CONFLICT that runs when there was none.  $1 is the user
 * id; the other parameters are the write's.
 */
typedef struct UmAuthWrite
{
	UmPlan		update[UM_NUM_MODELS];
	UmPlan		insert;			/* 1.1 only; sql NULL: the row must exist */
} UmAuthWrite;

#define UM_1_0_USER(set) "UPDATE usrmgmt.\"user\" SET " set \
	" WHERE id OPERATOR(pg_catalog.=) $1"
#define UM_1_1_AUTH(set) "UPDATE usrmgmt.user_auth SET " set \
	" WHERE user_id OPERATOR(pg_catalog.=) $1"
#define UM_UPSERT(columns, values, set) \
	"INSERT INTO usrmgmt.user_auth AS a (user_id, " columns ")" \
	" VALUES ($1, " values ") ON CONFLICT (user_id) DO UPDATE SET " set

/*
 * locked_at ($3, now()) once the count reaches $2 (> 0); count is the new
 * count.  now() is a parameter: Citus refuses a non-immutable function in
 * a CASE of a distributed UPDATE (doc: Scaling out with Citus).
 */
#define UM_LOCKED_AT(count, old) \
	"CASE WHEN " old " IS NULL AND $2 OPERATOR(pg_catalog.>) 0" \
	" AND " count " OPERATOR(pg_catalog.>=) $2 THEN $3 ELSE " old " END"

static UmAuthWrite write_new_secret = {
	.update = {
		[UM_MODEL_1_0] = UM_PLAN(UM_1_0_USER("password_hash = $2"), INT8OID, TEXTOID),
		[UM_MODEL_1_1] = UM_PLAN(UM_1_1_AUTH("password_hash = $2,"
											 " password_changed_at = pg_catalog.now()"),
								 INT8OID, TEXTOID),
	},
	.insert = UM_PLAN(UM_UPSERT("password_hash, password_changed_at",
								"$2, pg_catalog.now()",
								"password_hash = excluded.password_hash,"
								" password_changed_at = excluded.password_changed_at"),
					  INT8OID, TEXTOID),
};

static UmAuthWrite write_rehash = {
	.update = {
		[UM_MODEL_1_0] = UM_PLAN(UM_1_0_USER("password_hash = $2"), INT8OID, TEXTOID),
		[UM_MODEL_1_1] = UM_PLAN(UM_1_1_AUTH("password_hash = $2"), INT8OID, TEXTOID),
	},
	.insert = UM_PLAN0(NULL),
};

static UmAuthWrite write_failure = {
	.update = {
		[UM_MODEL_1_0] = UM_PLAN(UM_1_0_USER("failed_logins = failed_logins OPERATOR(pg_catalog.+) 1"),
								 INT8OID, INT4OID),
		[UM_MODEL_1_1] = UM_PLAN(UM_1_1_AUTH("failed_logins = failed_logins OPERATOR(pg_catalog.+) 1,"
											 " locked_at = " UM_LOCKED_AT("failed_logins OPERATOR(pg_catalog.+) 1",
																		  "locked_at")),
								 INT8OID, INT4OID, TIMESTAMPTZOID),
	},
	.insert = UM_PLAN(UM_UPSERT("failed_logins, locked_at",
								"1, " UM_LOCKED_AT("1", "NULL::pg_catalog.timestamptz"),
								"failed_logins = a.failed_logins OPERATOR(pg_catalog.+) 1,"
								" locked_at = " UM_LOCKED_AT("a.failed_logins OPERATOR(pg_catalog.+) 1",
															 "a.locked_at")),
					  INT8OID, INT4OID, TIMESTAMPTZOID),
};

static UmAuthWrite write_clear = {
	.update = {
		[UM_MODEL_1_0] = UM_PLAN(UM_1_0_USER("failed_logins = 0")
								 " AND failed_logins OPERATOR(pg_catalog.<>) 0",
								 INT8OID),
		[UM_MODEL_1_1] = UM_PLAN(UM_1_1_AUTH("failed_logins = 0, locked_at = NULL")
								 " AND (failed_logins OPERATOR(pg_catalog.<>) 0"
								 "      OR locked_at IS NOT NULL)",
								 INT8OID),
	},
	.insert = UM_PLAN0(NULL),
};

/* 1.0: stamped by um_user_find(UM_USER_LOGIN) already */
static UmAuthWrite write_login = {
	.update = {
		[UM_MODEL_1_0] = UM_PLAN0(NULL),
		[UM_MODEL_1_1] = UM_PLAN(UM_1_1_AUTH("last_login_at = pg_catalog.now()"), INT8OID),
	},
	.insert = UM_PLAN(UM_UPSERT("last_login_at", "pg_catalog.now()",
								"last_login_at = excluded.last_login_at"),
					  INT8OID),
};

static UmPlan plan_last_login[UM_NUM_MODELS] = {
	[UM_MODEL_1_0] = UM_PLAN("SELECT last_login_at FROM usrmgmt.\"user\""
							 " WHERE id OPERATOR(pg_catalog.=) $1", INT8OID),
	[UM_MODEL_1_1] = UM_PLAN("SELECT last_login_at FROM usrmgmt.user_auth"
							 " WHERE user_id OPERATOR(pg_catalog.=) $1", INT8OID),
};

/*
 * Run a write: the UPDATE, then, when it found no row and the write may
 * create one (1.1), the INSERT.  Returns the rows written.
 */
static uint64
um_auth_write(UmAuthWrite *w, Datum *values)
{
	UmDataModel model = um_data_model();
	uint64		n = 0;

	if (w->update[model].sql != NULL)
		n = um_plan_exec(&w->update[model], values, NULL, false, SPI_OK_UPDATE);
	if (n == 0 && model == UM_MODEL_1_1 && w->insert.sql != NULL)
		n = um_plan_exec(&w->insert, values, NULL, false, SPI_OK_INSERT);
	return n;
}

/* See user_auth.h. */
void
um_auth_store_secret(int64 id, const char *secret, bool new_password)
{
	Datum		values[2];

	values[0] = Int64GetDatum(id);
	values[1] = CStringGetTextDatum(secret);
	(void) um_auth_write(new_password ? &write_new_secret : &write_rehash, values);
}

/* See user_auth.h. */
void
um_auth_count_failure(int64 id, int max_failed)
{
	Datum		values[3];

	values[0] = Int64GetDatum(id);
	values[1] = Int32GetDatum(max_failed);
	values[2] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	(void) um_auth_write(&write_failure, values);
}

/* See user_auth.h. */
bool
um_auth_clear_failures(int64 id)
{
	Datum		values[1];

	values[0] = Int64GetDatum(id);
	return um_auth_write(&write_clear, values) > 0;
}

/* See user_auth.h. */
void
um_auth_stamp_login(int64 id)
{
	Datum		values[1];

	values[0] = Int64GetDatum(id);
	(void) um_auth_write(&write_login, values);
}

/*
 * last_login(user_id bigint) RETURNS timestamptz
 *
 * When the user last logged in (login() or a successful authenticate()):
 * user_auth.last_login_at.  NULL when the user never logged in or does
 * not exist.  SECURITY DEFINER: the caller needs no privilege on
 * user_auth, only EXECUTE (the application recipe).
 * Errors: 22004 user_id NULL.
 * Locking: none.
 */
Datum
usrmgmt_last_login(PG_FUNCTION_ARGS)
{
	Datum		values[1];
	Datum		at = (Datum) 0;
	bool		isnull = true;

	um_require_arg(fcinfo, 0, "user_id");
	values[0] = PG_GETARG_DATUM(0);

	um_spi_connect();
	if (um_plan_exec(&plan_last_login[um_data_model()], values, NULL, true,
					 SPI_OK_SELECT) > 0)
		at = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
						   &isnull);
	SPI_finish();

	if (isnull)
		PG_RETURN_NULL();
	/* timestamptz is passed by value: valid after SPI_finish */
	PG_RETURN_DATUM(at);
}

/*
 * unlock_user(username text) RETURNS boolean
 *
 * Sets the user's failed_logins back to 0 and locked_at to NULL, which
 * lifts a lockout (usrmgmt.max_failed_logins); true when there was
 * something to clear, false when there was not.  The one way to unlock a
 * user: no recipe writes user_auth.
 * Errors: 22004 username NULL; 42704 unknown user.
 * Locking: the user row FOR SHARE, then its user_auth row.
 */
Datum
usrmgmt_unlock_user(PG_FUNCTION_ARGS)
{
	UmUser		user;
	bool		cleared;

	um_require_arg(fcinfo, 0, "username");

	um_spi_connect();
	um_user_get(PG_GETARG_TEXT_PP(0), UM_USER_SHARE, &user);
	cleared = um_auth_clear_failures(user.id);
	SPI_finish();

	PG_RETURN_BOOL(cleared);
}
