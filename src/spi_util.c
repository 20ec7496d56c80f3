/*-------------------------------------------------------------------------
 *
 * spi_util.c
 *		The SPI routines every usrmgmt feature file uses: connect, saved
 *		plans from static plan tables, checked execution (also as the
 *		extension's owner), materialized set-returning functions, and the
 *		NULL-argument check.  See spi_util.h for what each one is for.
 *
 * An unexpected SPI result code is a bug, not a user error, so it is
 * reported with elog and the statement's text.
 *
 * src/spi_util.c
 *
 *-------------------------------------------------------------------------
 */
#include "spi_util.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

/* See spi_util.h. */
void
um_spi_connect(void)
{
	int			rc = SPI_connect();

	if (rc != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
}

/* An error unless SPI returned what the caller expected. */
static uint64
um_check_result(int rc, int expected, const char *sql)
{
	if (rc != expected)
		elog(ERROR, "usrmgmt: statement returned %s, expected %s: %s",
			 SPI_result_code_string(rc), SPI_result_code_string(expected), sql);
	return SPI_processed;
}

/* The saved plan of a plan-table entry, prepared and kept on first use. */
static SPIPlanPtr
um_plan_get(UmPlan *plan)
{
	if (plan->plan == NULL)
	{
		SPIPlanPtr	p;

		Assert(plan->nargs >= 0 && plan->nargs <= UM_PLAN_MAX_ARGS);
		p = SPI_prepare(plan->sql, plan->nargs, plan->argtypes);
		if (p == NULL)
			elog(ERROR, "SPI_prepare failed: %s: %s",
				 SPI_result_code_string(SPI_result), plan->sql);
		if (SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_keepplan failed: %s", plan->sql);
		plan->plan = p;
	}
	return plan->plan;
}

/* See spi_util.h. */
uint64
um_plan_exec(UmPlan *plan, Datum *values, const char *nulls,
			 bool read_only, int expected)
{
	int			rc = SPI_execute_plan(um_plan_get(plan), values, nulls,
									  read_only, 0);

	return um_check_result(rc, expected, plan->sql);
}

/*
 * See spi_util.h.  As ri_triggers.c runs a foreign key's statements: under
 * READ COMMITTED on a fresh snapshot as usual; under REPEATABLE READ and
 * SERIALIZABLE on the latest snapshot, with the transaction's snapshot as
 * the cross-check, so that a row the transaction cannot see but must act
 * on raises a serialization failure.
 */
uint64
um_plan_exec_crosscheck(UmPlan *plan, Datum *values, int expected)
{
	bool		xact_snapshot = IsolationUsesXactSnapshot();
	int			rc;

	rc = SPI_execute_snapshot(um_plan_get(plan), values, NULL,
							  xact_snapshot ? GetLatestSnapshot() : InvalidSnapshot,
							  xact_snapshot ? GetTransactionSnapshot() : InvalidSnapshot,
							  false, true, 0);
	return um_check_result(rc, expected, plan->sql);
}

/*
 * See spi_util.h.  What SECURITY DEFINER does: SECURITY_LOCAL_USERID_CHANGE,
 * undone in PG_FINALLY whatever happens.
 */
void
um_as_role(Oid role, UmBody body, void *arg)
{
	Oid			save_userid;
	int			save_sec_context;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(role, save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		body(arg);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec_context);
	}
	PG_END_TRY();
}

/* um_plan_exec_as's statement, run by um_as_role. */
typedef struct UmPlanExec
{
	UmPlan	   *plan;
	Datum	   *values;
	const char *nulls;
	int			rc;
} UmPlanExec;

static void
um_plan_exec_body(void *arg)
{
	UmPlanExec *e = (UmPlanExec *) arg;

	/* prepared as the owner too: name lookups need its privileges */
	e->rc = SPI_execute_plan(um_plan_get(e->plan), e->values, e->nulls, false, 0);
}

/* See spi_util.h.  What SECURITY DEFINER does for a whole function, for one statement. */
uint64
um_plan_exec_as(Oid owner, UmPlan *plan, Datum *values, const char *nulls,
				int expected)
{
	UmPlanExec	e = {plan, values, nulls, 0};

	um_as_role(owner, um_plan_exec_body, &e);
	return um_check_result(e.rc, expected, plan->sql);
}

/* um_call_as_definer's call, run by um_as_role. */
typedef struct UmCall
{
	FunctionCallInfo fcinfo;
	PGFunction	body;
	Datum		result;
} UmCall;

static void
um_call_body(void *arg)
{
	UmCall	   *c = (UmCall *) arg;

	c->result = c->body(c->fcinfo);
}

/*
 * See spi_util.h.  The owner lives in fn_extra, allocated in fn_mcxt: a
 * trigger's FmgrInfo lasts for its statement, a function's for its call
 * site, so the catalog is read once per statement, not once per row.
 */
Datum
um_call_as_definer(FunctionCallInfo fcinfo, PGFunction body)
{
	Oid		   *owner = (Oid *) fcinfo->flinfo->fn_extra;
	UmCall		c = {fcinfo, body, (Datum) 0};

	if (owner == NULL)
	{
		owner = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(Oid));
		*owner = um_function_owner(fcinfo);
		fcinfo->flinfo->fn_extra = owner;
	}
	if (GetUserId() == *owner)
		return body(fcinfo);
	um_as_role(*owner, um_call_body, &c);
	return c.result;
}

/* See spi_util.h. */
Oid
um_function_owner(FunctionCallInfo fcinfo)
{
	HeapTuple	tuple;
	Oid			owner;

	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for function %u", fcinfo->flinfo->fn_oid);
	owner = ((Form_pg_proc) GETSTRUCT(tuple))->proowner;
	ReleaseSysCache(tuple);
	return owner;
}

/* See spi_util.h. */
uint64
um_sql_exec(const char *sql, int nargs, Oid *argtypes, Datum *values,
			const char *nulls, bool read_only, int expected)
{
	int			rc = SPI_execute_with_args(sql, nargs, argtypes, values, nulls,
										   read_only, 0);

	return um_check_result(rc, expected, sql);
}

/* See spi_util.h. */
Tuplestorestate *
um_materialize(FunctionCallInfo fcinfo, TupleDesc *tupdesc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcxt;
	Tuplestorestate *store;
	TupleDesc	desc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));

	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = CreateTupleDescCopy(desc);
	store = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = desc;
	MemoryContextSwitchTo(oldcxt);

	*tupdesc = desc;
	return store;
}

/* See spi_util.h.  A column mismatch is a bug. */
uint64
um_spi_to_store(const char *sql, Tuplestorestate *store, TupleDesc tupdesc)
{
	uint64		i;
	uint64		n;

	(void) um_sql_exec(sql, 0, NULL, NULL, NULL, true, SPI_OK_SELECT);
	if (SPI_tuptable->tupdesc->natts != tupdesc->natts)
		elog(ERROR, "usrmgmt: query returns %d columns, expected %d",
			 SPI_tuptable->tupdesc->natts, tupdesc->natts);
	for (i = 0; i < (uint64) tupdesc->natts; i++)
		if (TupleDescAttr(SPI_tuptable->tupdesc, i)->atttypid !=
			TupleDescAttr(tupdesc, i)->atttypid)
			elog(ERROR, "usrmgmt: query column %d has the wrong type", (int) i + 1);

	n = SPI_processed;
	for (i = 0; i < n; i++)
		tuplestore_puttuple(store, SPI_tuptable->vals[i]);
	SPI_freetuptable(SPI_tuptable);
	return n;
}

/* See spi_util.h. */
void
um_require_arg(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"%s\" must not be null", argname)));
}

/* See spi_util.h. */
ErrorData *
um_subtransaction(UmSubxactBody body, void *arg,
				  bool (*expected) (const ErrorData *edata))
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile caught = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		body(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		if (!expected(edata))
			ReThrowError(edata);
		caught = edata;
	}
	PG_END_TRY();
	return caught;
}
