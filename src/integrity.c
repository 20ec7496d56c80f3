/*-------------------------------------------------------------------------
 *
 * integrity.c
 *		Data integrity checks (validate_data_integrity()) and verify().
 *
 * validate_data_integrity() runs a fixed list of set-based checks, one
 * query each (never a query per row), plus one query per table that
 * re-evaluates the CHECK expressions recorded in usrmgmt.schema_manifest
 * against every row of that table.  Each check runs in its own
 * subtransaction: a check that cannot run (say, a column it reads was
 * dropped) is skipped with a WARNING instead of hiding the others' results.
 *
 * verify() puts both reports, the schema's (validate_schema(), in
 * schema_drift.c) and the data's, into one jsonb value.
 *
 * src/integrity.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "data_model.h"
#include "distributed.h"
#include "jsonb_util.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(usrmgmt_validate_data_integrity);
PG_FUNCTION_INFO_V1(usrmgmt_verify);

/*
 * The fixed data checks.  Each returns (category, table_name, row_id,
 * detail) ordered by row_id.  Every name and operator is qualified.
 */
typedef struct UmCheck
{
	const char *name;
	const char *sql;
	const char *citus_sql;		/* on Citus, when sql does not run there */
} UmCheck;

#define UM_EQ " OPERATOR(pg_catalog.=) "
#define UM_NE " OPERATOR(pg_catalog.<>) "

static const UmCheck um_data_checks[] = {
	{"online_user.user_id references user",
		"SELECT 'foreign_key_violation'::text, 'online_user'::text, o.id, "
		"pg_catalog.format('user_id %s references no user (online_user_user_id_fkey)', o.user_id) "
		"FROM " UM_SCHEMA ".online_user o WHERE NOT EXISTS "
		"(SELECT 1 FROM " UM_SCHEMA ".\"user\" u WHERE u.id" UM_EQ "o.user_id) ORDER BY o.id",
		NULL},
	/* only where the reference exists: from 1.1 the log keeps deleted users' ids */
	{"user_log.user_id references user",
		"SELECT 'foreign_key_violation'::text, 'user_log'::text, l.id, "
		"pg_catalog.format('user_id %s references no user (user_log_user_id_fkey)', l.user_id) "
		"FROM " UM_SCHEMA ".user_log l WHERE l.user_id IS NOT NULL AND NOT EXISTS "
		"(SELECT 1 FROM " UM_SCHEMA ".\"user\" u WHERE u.id" UM_EQ "l.user_id) "
		"AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k "
		"WHERE k.conrelid" UM_EQ "'" UM_SCHEMA ".user_log'::pg_catalog.regclass "
		"AND k.conname" UM_EQ "'user_log_user_id_fkey') ORDER BY l.id",
		NULL},
	{"server.owner_id references user",
		"SELECT 'foreign_key_violation'::text, 'server'::text, s.id, "
		"pg_catalog.format('owner_id %s references no user (server_owner_id_fkey)', s.owner_id) "
		"FROM " UM_SCHEMA ".server s WHERE NOT EXISTS "
		"(SELECT 1 FROM " UM_SCHEMA ".\"user\" u WHERE u.id" UM_EQ "s.owner_id) ORDER BY s.id",
		NULL},
	{"configuration.updated_by references user",
		"SELECT 'foreign_key_violation'::text, 'configuration'::text, c.id, "
		"pg_catalog.format('updated_by %s references no user (configuration_updated_by_fkey)', c.updated_by) "
		"FROM " UM_SCHEMA ".configuration c WHERE c.updated_by IS NOT NULL AND NOT EXISTS "
		"(SELECT 1 FROM " UM_SCHEMA ".\"user\" u WHERE u.id" UM_EQ "c.updated_by) ORDER BY c.id",
		NULL},
	{"session username equals its user's",
		"SELECT 'data_inconsistency'::text, 'online_user'::text, o.id, "
		"pg_catalog.format('session username %s differs from the username %s of user %s', "
		"pg_catalog.quote_literal(o.username), pg_catalog.quote_literal(u.username), u.id) "
		"FROM " UM_SCHEMA ".online_user o JOIN " UM_SCHEMA ".\"user\" u ON u.id" UM_EQ "o.user_id "
		"WHERE o.username" UM_NE "u.username ORDER BY o.id",
		NULL},
	{"open sessions belong to active users",
		"SELECT 'data_inconsistency'::text, 'online_user'::text, o.id, "
		"pg_catalog.format('open session of inactive user %s', u.id) "
		"FROM " UM_SCHEMA ".online_user o JOIN " UM_SCHEMA ".\"user\" u ON u.id" UM_EQ "o.user_id "
		"WHERE NOT u.is_active ORDER BY o.id",
		NULL},
	{"open sessions have a login row",
		"SELECT 'data_inconsistency'::text, 'online_user'::text, o.id, "
		"'open session has no login row in user_log'::text "
		"FROM " UM_SCHEMA ".online_user o WHERE NOT EXISTS "
		"(SELECT 1 FROM " UM_SCHEMA ".user_log l WHERE l.session_id" UM_EQ "o.id "
		"AND l.action" UM_EQ "'login') ORDER BY o.id",
		"SELECT 'data_inconsistency'::text, 'online_user'::text, o.id, "
		"'open session has no login row in user_log'::text "
		"FROM " UM_SCHEMA ".online_user o WHERE NOT EXISTS "
		"(SELECT 1 FROM " UM_SCHEMA ".user_log l WHERE l.user_id" UM_EQ "o.user_id "
		"AND l.session_id" UM_EQ "o.id AND l.action" UM_EQ "'login') ORDER BY o.id"},
	{"open sessions have no logout row",
		"SELECT 'data_inconsistency'::text, 'online_user'::text, o.id, "
		"pg_catalog.format('open session already has a logout row (user_log %s)', l.id) "
		"FROM " UM_SCHEMA ".online_user o JOIN " UM_SCHEMA ".user_log l "
		"ON l.session_id" UM_EQ "o.id AND l.action" UM_EQ "'logout' ORDER BY o.id, l.id",
		"SELECT 'data_inconsistency'::text, 'online_user'::text, o.id, "
		"pg_catalog.format('open session already has a logout row (user_log %s)', l.id) "
		"FROM " UM_SCHEMA ".online_user o JOIN " UM_SCHEMA ".user_log l "
		"ON l.user_id" UM_EQ "o.user_id AND l.session_id" UM_EQ "o.id "
		"AND l.action" UM_EQ "'logout' ORDER BY o.id, l.id"},
	{"an open session's id is not another user's",
		"SELECT 'data_inconsistency'::text, 'online_user'::text, o.id, "
		"'session id is used by another user''s log rows'::text "
		"FROM " UM_SCHEMA ".online_user o WHERE EXISTS "
		"(SELECT 1 FROM " UM_SCHEMA ".user_log l WHERE l.session_id" UM_EQ "o.id "
		"AND l.user_id" UM_NE "o.user_id) ORDER BY o.id",
		/* on Citus a session id carries its user (distributed.h) */
		"SELECT 'data_inconsistency'::text, 'online_user'::text, o.id, "
		"'session id is used by another user''s log rows'::text "
		"FROM " UM_SCHEMA ".online_user o WHERE (o.id OPERATOR(pg_catalog.>>) "
		CppAsString2(UM_SESSION_USER_SHIFT) ")" UM_NE "o.user_id ORDER BY o.id"},
	{"a session's log rows are one user's",
		"SELECT 'data_inconsistency'::text, 'user_log'::text, l.id, "
		"'session id is used by another user''s log rows'::text "
		"FROM (SELECT x.session_id FROM " UM_SCHEMA ".user_log x "
		"       WHERE x.session_id IS NOT NULL AND x.user_id IS NOT NULL "
		"       GROUP BY x.session_id "
		"      HAVING pg_catalog.min(x.user_id)" UM_NE "pg_catalog.max(x.user_id)) d "
		"JOIN " UM_SCHEMA ".user_log l ON l.session_id" UM_EQ "d.session_id "
		"WHERE l.user_id" UM_NE "(SELECT f.user_id FROM " UM_SCHEMA ".user_log f "
		"  WHERE f.session_id" UM_EQ "d.session_id AND f.user_id IS NOT NULL "
		"  ORDER BY f.id LIMIT 1) ORDER BY l.id",
		"SELECT 'data_inconsistency'::text, 'user_log'::text, l.id, "
		"'session id is used by another user''s log rows'::text "
		"FROM " UM_SCHEMA ".user_log l WHERE l.session_id IS NOT NULL "
		"AND (l.session_id OPERATOR(pg_catalog.>>) " CppAsString2(UM_SESSION_USER_SHIFT) ")"
		UM_NE "l.user_id ORDER BY l.id"},
	{"a session has at most one logout row",
		"SELECT 'data_inconsistency'::text, 'user_log'::text, l.id, "
		"pg_catalog.format('session %s has %s logout rows; the first is user_log %s', "
		"l.session_id, d.n, d.first_id) "
		"FROM (SELECT x.session_id, pg_catalog.min(x.id) AS first_id, pg_catalog.count(*) AS n "
		"      FROM " UM_SCHEMA ".user_log x WHERE x.action" UM_EQ "'logout' "
		"      AND x.session_id IS NOT NULL GROUP BY x.session_id "
		"      HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 1) d "
		"JOIN " UM_SCHEMA ".user_log l ON l.session_id" UM_EQ "d.session_id "
		"AND l.action" UM_EQ "'logout' AND l.id" UM_NE "d.first_id ORDER BY l.id",
		"SELECT 'data_inconsistency'::text, 'user_log'::text, l.id, "
		"pg_catalog.format('session %s has %s logout rows; the first is user_log %s', "
		"l.session_id, d.n, d.first_id) "
		"FROM (SELECT x.user_id, x.session_id, pg_catalog.min(x.id) AS first_id, pg_catalog.count(*) AS n "
		"      FROM " UM_SCHEMA ".user_log x WHERE x.action" UM_EQ "'logout' "
		"      AND x.session_id IS NOT NULL GROUP BY x.user_id, x.session_id "
		"      HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 1) d "
		"JOIN " UM_SCHEMA ".user_log l ON l.user_id" UM_EQ "d.user_id "
		"AND l.session_id" UM_EQ "d.session_id "
		"AND l.action" UM_EQ "'logout' AND l.id" UM_NE "d.first_id ORDER BY l.id"},
	{"closed sessions have a logout row",
		"SELECT 'data_inconsistency'::text, 'user_log'::text, l.id, "
		"pg_catalog.format('session %s is closed but has no logout row', l.session_id) "
		"FROM " UM_SCHEMA ".user_log l WHERE l.action" UM_EQ "'login' AND l.session_id IS NOT NULL "
		"AND NOT EXISTS (SELECT 1 FROM " UM_SCHEMA ".online_user o WHERE o.id" UM_EQ "l.session_id) "
		"AND NOT EXISTS (SELECT 1 FROM " UM_SCHEMA ".user_log x WHERE x.session_id" UM_EQ "l.session_id "
		"AND x.action" UM_EQ "'logout') ORDER BY l.id",
		"SELECT 'data_inconsistency'::text, 'user_log'::text, l.id, "
		"pg_catalog.format('session %s is closed but has no logout row', l.session_id) "
		"FROM " UM_SCHEMA ".user_log l WHERE l.action" UM_EQ "'login' AND l.session_id IS NOT NULL "
		"AND NOT EXISTS (SELECT 1 FROM " UM_SCHEMA ".online_user o WHERE o.user_id" UM_EQ "l.user_id "
		"AND o.id" UM_EQ "l.session_id) "
		"AND NOT EXISTS (SELECT 1 FROM " UM_SCHEMA ".user_log x WHERE x.user_id" UM_EQ "l.user_id "
		"AND x.session_id" UM_EQ "l.session_id AND x.action" UM_EQ "'logout') ORDER BY l.id"},
	{"log rows belong to a session that existed",
		"SELECT 'orphaned_record'::text, 'user_log'::text, l.id, "
		"pg_catalog.format('logout row of session %s, which has no login row and is not open', l.session_id) "
		"FROM " UM_SCHEMA ".user_log l WHERE l.action" UM_EQ "'logout' AND l.session_id IS NOT NULL "
		"AND NOT EXISTS (SELECT 1 FROM " UM_SCHEMA ".online_user o WHERE o.id" UM_EQ "l.session_id) "
		"AND NOT EXISTS (SELECT 1 FROM " UM_SCHEMA ".user_log x WHERE x.session_id" UM_EQ "l.session_id "
		"AND x.action" UM_EQ "'login') ORDER BY l.id",
		"SELECT 'orphaned_record'::text, 'user_log'::text, l.id, "
		"pg_catalog.format('logout row of session %s, which has no login row and is not open', l.session_id) "
		"FROM " UM_SCHEMA ".user_log l WHERE l.action" UM_EQ "'logout' AND l.session_id IS NOT NULL "
		"AND NOT EXISTS (SELECT 1 FROM " UM_SCHEMA ".online_user o WHERE o.user_id" UM_EQ "l.user_id "
		"AND o.id" UM_EQ "l.session_id) "
		"AND NOT EXISTS (SELECT 1 FROM " UM_SCHEMA ".user_log x WHERE x.user_id" UM_EQ "l.user_id "
		"AND x.session_id" UM_EQ "l.session_id AND x.action" UM_EQ "'login') ORDER BY l.id"},
};

/* The checks of tables that only the 1.1 data model has (data_model.h). */
static const UmCheck um_data_checks_1_1[] = {
	{"user_auth.user_id references user",
		"SELECT 'foreign_key_violation'::text, 'user_auth'::text, a.user_id, "
		"pg_catalog.format('user_id %s references no user (user_auth_user_id_fkey)', a.user_id) "
		"FROM " UM_SCHEMA ".user_auth a WHERE NOT EXISTS "
		"(SELECT 1 FROM " UM_SCHEMA ".\"user\" u WHERE u.id" UM_EQ "a.user_id) ORDER BY a.user_id",
		NULL},
};

/*
 * One query per table that has CHECK constraints in the manifest: rows on
 * which any recorded CHECK expression is false, then, for those rows only,
 * which constraint each breaks.  The expressions are the ones the install
 * script created (pg_get_expr of conbin), so a constraint that was dropped
 * or re-added NOT VALID is still checked.  A partition (user_log_default)
 * is left out: its constraints are its parent's, checked through the
 * parent, which is also the table the recipes grant.
 */
static const char *const um_check_query_sql =
"SELECT m.table_name, pg_catalog.format("
"  'SELECT %L::text, %L::text, t.%I, %L OPERATOR(pg_catalog.||) c.name "
"  FROM (SELECT * FROM " UM_SCHEMA ".%I t WHERE %s) t "
"  CROSS JOIN LATERAL (VALUES %s) AS c(name, ok) "
"  WHERE c.ok IS FALSE ORDER BY t.%3$I, c.name', "
"  'constraint_violation', m.table_name, "
"  CASE m.table_name WHEN 'user_auth' THEN 'user_id' ELSE 'id' END, "
"  'violates ', m.table_name, "
"  pg_catalog.string_agg(pg_catalog.format('(%s) IS FALSE', m.check_expr), ' OR ' ORDER BY m.object_name), "
"  pg_catalog.string_agg(pg_catalog.format('(%L::text, (%s))', "
"      pg_catalog.substr(m.object_name, pg_catalog.length(m.table_name) OPERATOR(pg_catalog.+) 2), "
"      m.check_expr), ', ' ORDER BY m.object_name)) "
"FROM " UM_SCHEMA ".schema_manifest m "
"WHERE m.object_type" UM_EQ "'constraint' AND m.check_expr IS NOT NULL "
"  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c "
"      WHERE c.relnamespace" UM_EQ "'" UM_SCHEMA "'::pg_catalog.regnamespace "
"        AND c.relname" UM_EQ "m.table_name AND c.relispartition) "
"GROUP BY m.table_name ORDER BY m.table_name";

/*
 * Run one check in a subtransaction.  On error the subtransaction is rolled
 * back, a WARNING names the check and the error, and the caller goes on.
 */
typedef struct UmCheckRun
{
	const char *sql;
	Tuplestorestate *store;
	TupleDesc	tupdesc;
} UmCheckRun;

static void
um_check_body(void *arg)
{
	UmCheckRun *run = (UmCheckRun *) arg;

	um_spi_to_store(run->sql, run->store, run->tupdesc);
}

/*
 * Only a check that no longer fits the schema (undefined column, type
 * mismatch: class 42) is skipped.  Missing privileges, cancellation,
 * timeouts and everything else propagate.
 */
static bool
um_check_skippable(const ErrorData *edata)
{
	return ERRCODE_TO_CATEGORY(edata->sqlerrcode) ==
		ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION &&
		edata->sqlerrcode != ERRCODE_INSUFFICIENT_PRIVILEGE;
}

static void
um_run_check(const char *name, const char *sql,
			 Tuplestorestate *store, TupleDesc tupdesc)
{
	UmCheckRun	run = {sql, store, tupdesc};
	ErrorData  *edata = um_subtransaction(um_check_body, &run, um_check_skippable);

	if (edata != NULL)
	{
		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("integrity check \"%s\" skipped: %s", name, edata->message),
				 errhint("Run usrmgmt.validate_schema(): the schema this check reads has probably changed.")));
		FreeErrorData(edata);
	}
}

/*
 * validate_data_integrity() returns table(category text, table_name text,
 *                                         row_id bigint, detail text)
 *
 * Arguments: none.
 * Result: one row per finding; categories 'foreign_key_violation',
 * 'constraint_violation', 'data_inconsistency', 'orphaned_record'; row_id
 * is the id of the offending row of table_name.  Ordered by check, then
 * row id.
 * Errors: 42501 when the caller cannot read a table or the manifest
 * (SECURITY INVOKER: the findings show row ids, usernames and ids of
 * users).  A check that no longer fits the live schema (an error of class
 * 42 other than 42501) is skipped with a WARNING; other errors propagate.
 * Locking: AccessShareLock on the tables read; no row locks.
 */
Datum
usrmgmt_validate_data_integrity(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = um_materialize(fcinfo, &tupdesc);
	MemoryContext workcxt;
	MemoryContext oldcxt;
	uint64		i;
	uint64		nqueries;
	char	  **tables;
	char	  **queries;
	bool		citus;

	workcxt = AllocSetContextCreate(CurrentMemoryContext,
									"usrmgmt integrity",
									ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(workcxt);

	um_spi_connect();

	/*
	 * Build the per-table CHECK queries first: without read access to the
	 * manifest the call fails here, before any check ran.
	 */
	nqueries = um_sql_exec(um_check_query_sql, 0, NULL, NULL, NULL, true,
						   SPI_OK_SELECT);
	tables = palloc(sizeof(char *) * (nqueries + 1));
	queries = palloc(sizeof(char *) * (nqueries + 1));
	for (i = 0; i < nqueries; i++)
	{
		/* SPI_getvalue copies into the current (work) context */
		MemoryContext spicxt = MemoryContextSwitchTo(workcxt);

		tables[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		queries[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		MemoryContextSwitchTo(spicxt);
	}
	SPI_freetuptable(SPI_tuptable);

	/* on Citus, the checks' co-located forms (doc: Scaling out with Citus) */
	citus = um_distributed();
	for (i = 0; i < lengthof(um_data_checks); i++)
		um_run_check(um_data_checks[i].name,
					 citus && um_data_checks[i].citus_sql ? um_data_checks[i].citus_sql
					 : um_data_checks[i].sql,
					 store, tupdesc);
	if (um_data_model() == UM_MODEL_1_1)
		for (i = 0; i < lengthof(um_data_checks_1_1); i++)
			um_run_check(um_data_checks_1_1[i].name, um_data_checks_1_1[i].sql,
						 store, tupdesc);

	for (i = 0; i < nqueries; i++)
	{
		char	   *name = psprintf("CHECK constraints of %s", tables[i]);

		um_run_check(name, queries[i], store, tupdesc);
	}

	SPI_finish();
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(workcxt);

	return (Datum) 0;
}

/*
 * The two reports of verify(), read through the SQL-callable functions so
 * that each keeps its own rights (validate_schema() is SECURITY DEFINER).
 */
static const char *const um_verify_schema_sql =
"SELECT v.object_type, v.object_name, v.problem FROM " UM_SCHEMA ".validate_schema() v";
static const char *const um_verify_data_sql =
"SELECT v.category, v.table_name, v.row_id, v.detail "
"FROM " UM_SCHEMA ".validate_data_integrity() v";

/*
 * Run one report and add its rows to jb as an array under key, each row an
 * object keyed by column name (bigint columns as numbers, others as text,
 * NULL as null).  The builder's values, the column names among them, are
 * allocated in cxt, out of SPI's memory.  Returns the number of rows.
 */
static uint64
um_verify_report(UmJsonb *jb, MemoryContext cxt, const char *key,
				 const char *sql)
{
	uint64		n = um_sql_exec(sql, 0, NULL, NULL, NULL, true, SPI_OK_SELECT);
	TupleDesc	desc = SPI_tuptable->tupdesc;
	MemoryContext spicxt = MemoryContextSwitchTo(cxt);
	char	  **names = palloc(sizeof(char *) * desc->natts);

	for (int c = 0; c < desc->natts; c++)
		names[c] = pstrdup(NameStr(TupleDescAttr(desc, c)->attname));
	um_jsonb_begin_array(jb, key);
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];

		um_jsonb_begin_object(jb, NULL);
		for (int c = 0; c < desc->natts; c++)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(row, desc, c + 1, &isnull);

			if (isnull)
				um_jsonb_add_null(jb, names[c]);
			else if (SPI_gettypeid(desc, c + 1) == INT8OID)
				um_jsonb_add_int64(jb, names[c], DatumGetInt64(d));
			else
				um_jsonb_add_text(jb, names[c], SPI_getvalue(row, desc, c + 1));
		}
		um_jsonb_end_object(jb);
	}
	um_jsonb_end_array(jb);
	MemoryContextSwitchTo(spicxt);
	SPI_freetuptable(SPI_tuptable);
	return n;
}

/*
 * verify() returns jsonb
 *
 * Arguments: none.
 * Result: {"ok": true when both lists are empty, "schema": [validate_schema
 * rows as objects], "data": [validate_data_integrity rows as objects]}.
 * Errors: those of validate_data_integrity() (42501 without read access to
 * the tables).
 * Locking: as validate_data_integrity().
 */
Datum
usrmgmt_verify(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "usrmgmt verify",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	UmJsonb    *jb = um_jsonb_begin_object(NULL, NULL);
	uint64		findings;
	Jsonb	   *result;

	um_spi_connect();

	/*
	 * Both reports from one snapshot, taken as one read-write SPI statement
	 * would take it (after a CommandCounterIncrement), so that "ok" speaks
	 * of one moment.
	 */
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	findings = um_verify_report(jb, cxt, "schema", um_verify_schema_sql);
	findings += um_verify_report(jb, cxt, "data", um_verify_data_sql);
	PopActiveSnapshot();
	SPI_finish();

	um_jsonb_add_bool(jb, "ok", findings == 0);
	um_jsonb_end_object(jb);

	MemoryContextSwitchTo(old);
	result = um_jsonb_finish(jb);	/* in the caller's context */
	MemoryContextDelete(cxt);
	PG_RETURN_JSONB_P(result);
}
