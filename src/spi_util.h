/*-------------------------------------------------------------------------
 *
 * spi_util.h
 *		The one way the usrmgmt C code talks to SPI.
 *
 * Every feature file runs its SQL through these routines instead of
 * calling SPI_connect/SPI_prepare/SPI_execute* itself, so that the checks
 * (connection, expected result code, column layout of a materialized
 * result) are written once:
 *
 *	um_spi_connect()		SPI_connect, an error when it fails;
 *	UmPlan, um_plan_exec()	a statement a file declares statically (its
 *							plan table) and runs with $n parameters; the
 *							plan is prepared on first use in a backend
 *							(SPI_prepare + SPI_keepplan) and kept;
 *	um_plan_exec_as()		the same, run as another role (the extension's
 *							owner) with the caller's identity restored
 *							whatever happens;
 *	um_as_role()			any piece of work run as another role;
 *	um_call_as_definer()	a C function's whole call run as its owner, as
 *							SECURITY DEFINER runs it, without a SET of
 *							search_path (the C triggers; their SQL is
 *							qualified);
 *	um_plan_exec_crosscheck()
 *							the same, run as a foreign key's action is
 *							(references.c);
 *	um_sql_exec()			a one-off statement not worth a saved plan;
 *	um_materialize(), um_spi_to_store()
 *							a materialized set-returning function and the
 *							rows of a query appended to its tuplestore;
 *	um_require_arg()		22004 for a NULL argument of a non-STRICT
 *							SQL-callable function;
 *	um_subtransaction()		run a piece of work in a subtransaction and
 *							survive the errors the caller expects.
 *
 * Every statement given to these routines qualifies its names and
 * operators with their schema and passes every value as a $n parameter.
 *
 * src/spi_util.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_SPI_UTIL_H
#define USRMGMT_SPI_UTIL_H

#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/tuplestore.h"

/* Most parameters a statement of a plan table may take. */
#define UM_PLAN_MAX_ARGS 8

/*
 * One entry of a file's plan table: the statement, its parameter types,
 * and the saved plan (NULL until first use; never set by the caller).
 * Declared static with UM_PLAN(sql, type of $1, type of $2, ...), or
 * UM_PLAN0(sql) for a statement without parameters, e.g.
 *		static UmPlan plan_touch =
 *			UM_PLAN("UPDATE ... WHERE id OPERATOR(pg_catalog.=) $1", INT8OID);
 */
typedef struct UmPlan
{
	const char *sql;
	int			nargs;
	Oid			argtypes[UM_PLAN_MAX_ARGS];
	SPIPlanPtr	plan;
} UmPlan;

#define UM_PLAN(sql_, ...) \
	{.sql = (sql_), \
	 .nargs = (int) (sizeof((Oid[]) {__VA_ARGS__}) / sizeof(Oid)), \
	 .argtypes = {__VA_ARGS__}}
#define UM_PLAN0(sql_) {.sql = (sql_), .nargs = 0}

extern void um_spi_connect(void);

/*
 * Run the plan (prepared on first use) with values/nulls (nulls NULL: no
 * NULL parameter), read-only or not; an error unless SPI returns
 * expected.  Returns SPI_processed; the rows are in SPI_tuptable.
 */
extern uint64 um_plan_exec(UmPlan *plan, Datum *values, const char *nulls,
						   bool read_only, int expected);

/*
 * um_plan_exec (read-write) as a foreign key's action runs: under
 * REPEATABLE READ or SERIALIZABLE on the latest snapshot, cross-checked
 * against the transaction's (a serialization failure for a row the
 * transaction does not see).
 */
extern uint64 um_plan_exec_crosscheck(UmPlan *plan, Datum *values, int expected);

/*
 * body(arg) run as role: the current user switched with
 * SECURITY_LOCAL_USERID_CHANGE, as SECURITY DEFINER does, and restored
 * whatever happens.  The one place usrmgmt's C changes the current user.
 */
typedef void (*UmBody) (void *arg);
extern void um_as_role(Oid role, UmBody body, void *arg);

/* um_plan_exec (read-write) as role owner, e.g. um_function_owner(). */
extern uint64 um_plan_exec_as(Oid owner, UmPlan *plan, Datum *values,
							  const char *nulls, int expected);

/* The owner of the SQL-callable function being run (fcinfo's fn_oid). */
extern Oid	um_function_owner(FunctionCallInfo fcinfo);

/*
 * body(fcinfo) run as the owner of the function being called (fcinfo's
 * fn_oid): the current user switched with SECURITY_LOCAL_USERID_CHANGE
 * and restored whatever happens, as SECURITY DEFINER does, but with no
 * GUC nest level and no SET of search_path (so body's SQL must qualify
 * every name and operator).  When the current user already is the owner
 * (a trigger fired by usrmgmt's own SECURITY DEFINER functions), body is
 * called as it is.  The owner is looked up once per FmgrInfo.
 */
extern Datum um_call_as_definer(FunctionCallInfo fcinfo, PGFunction body);

/* A one-off statement (SPI_execute_with_args), checked as um_plan_exec. */
extern uint64 um_sql_exec(const char *sql, int nargs, Oid *argtypes,
						  Datum *values, const char *nulls, bool read_only,
						  int expected);

/*
 * Set up a materialized set-returning call; the tuplestore and *tupdesc
 * live in the per-query context, so they survive SPI_finish.
 */
extern Tuplestorestate *um_materialize(FunctionCallInfo fcinfo,
									   TupleDesc *tupdesc);

/*
 * Run a read-only query without parameters and append its rows to store;
 * its columns must match tupdesc.  Returns the number of rows added.
 */
extern uint64 um_spi_to_store(const char *sql, Tuplestorestate *store,
							  TupleDesc tupdesc);

/* 22004 when argument argno of a non-STRICT function is NULL. */
extern void um_require_arg(FunctionCallInfo fcinfo, int argno,
						   const char *argname);

/*
 * Run body(arg) in a subtransaction of its own.  NULL when it returned.
 * When it raised an error that expected(edata) accepts, the subtransaction
 * is rolled back and the error's data returned (the caller frees it with
 * FreeErrorData); any other error is re-thrown as it was.
 */
typedef void (*UmSubxactBody) (void *arg);
extern ErrorData *um_subtransaction(UmSubxactBody body, void *arg,
									bool (*expected) (const ErrorData *edata));

#endif							/* USRMGMT_SPI_UTIL_H */
