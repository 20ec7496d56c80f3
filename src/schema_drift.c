/*-------------------------------------------------------------------------
 *
 * schema_drift.c
 *		The schema drift check and validate_schema().
 *
 * validate_schema() holds the live catalog, as usrmgmt._schema_catalog()
 * describes it, against usrmgmt.schema_manifest, the snapshot taken by the
 * install script (see the manifest section of sql/usrmgmt--1.0.sql).  The
 * expected schema is therefore never written down twice.
 *
 * The query returns each difference as a kind (UmDriftKind) and a detail;
 * the problem text "<kind>: <detail>" is rendered from them here, at the
 * edge (doc/usrmgmt.md, "validate_schema()"), while health() judges the
 * kind (health_verdict.c).
 *
 * src/schema_drift.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "utils/builtins.h"
#include "utils/memutils.h"

#include "schema_drift.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(usrmgmt_validate_schema);

/*
 * The comparison of manifest and live catalog.  A missing table is reported
 * once, not once more for each of its columns, constraints, indexes and
 * triggers.  Objects that exist but are not in the manifest (a DBA's own
 * index, say) are not drift and are not reported.  NOT NULL is compared as
 * part of its column's definition; PostgreSQL 18 also lists it as a
 * constraint of its own (<table>_<column>_not_null, whose definition
 * pg_get_constraintdef() writes "NOT NULL <column>", as no other kind of
 * constraint begins), which an install on 18 has in its manifest: those
 * rows are skipped, so that a dropped NOT NULL or column is reported once,
 * the same on every version.  The kind column holds
 * the numbers of UmDriftKind: 0 missing, 1 altered, 2 disabled, 3 not
 * valid; a state difference (ord 3) is judged by the live state.
 */
static const char *const um_schema_drift_sql =
"WITH m AS (SELECT * FROM " UM_SCHEMA ".schema_manifest mf "
"           WHERE NOT (mf.object_type OPERATOR(pg_catalog.=) 'constraint' "
"                      AND pg_catalog.starts_with(mf.definition, 'NOT NULL '))), "
"l AS (SELECT * FROM " UM_SCHEMA "._schema_catalog(false)), "
"j AS (SELECT m.object_type, m.object_name, m.table_name, "
"             m.definition AS m_def, m.state AS m_state, "
"             l.object_name AS l_name, l.definition AS l_def, l.state AS l_state "
"        FROM m LEFT JOIN l "
"          ON l.object_type OPERATOR(pg_catalog.=) m.object_type "
"         AND l.object_name OPERATOR(pg_catalog.=) m.object_name), "
"gone AS (SELECT j.object_name FROM j "
"          WHERE j.object_type OPERATOR(pg_catalog.=) 'table' AND j.l_name IS NULL) "
"SELECT j.object_type, j.object_name, p.kind, p.detail "
"  FROM j CROSS JOIN LATERAL (VALUES "
"   (1, 0, CASE WHEN j.l_name IS NULL THEN j.m_def END), "
"   (2, 1, CASE WHEN j.l_def OPERATOR(pg_catalog.<>) j.m_def "
"               THEN 'expected ' OPERATOR(pg_catalog.||) j.m_def "
"                    OPERATOR(pg_catalog.||) ', found ' OPERATOR(pg_catalog.||) j.l_def END), "
"   (3, CASE WHEN j.object_type OPERATOR(pg_catalog.=) 'function' THEN 1 "
"            WHEN j.l_state OPERATOR(pg_catalog.=) 'disabled' THEN 2 "
"            WHEN j.l_state OPERATOR(pg_catalog.=) 'not valid' THEN 3 "
"            ELSE 1 END, "
"       CASE WHEN j.l_name IS NULL OR j.l_state IS NOT DISTINCT FROM j.m_state THEN NULL "
"            WHEN j.object_type OPERATOR(pg_catalog.=) 'function' "
"            THEN 'function body differs from the installed one' "
"            WHEN j.l_state OPERATOR(pg_catalog.=) 'disabled' "
"                 AND j.object_type OPERATOR(pg_catalog.=) 'trigger' "
"            THEN 'trigger does not fire' "
"            WHEN j.l_state OPERATOR(pg_catalog.=) 'disabled' "
"            THEN 'the triggers that enforce this foreign key are disabled' "
"            WHEN j.l_state OPERATOR(pg_catalog.=) 'not valid' "
"                 AND j.object_type OPERATOR(pg_catalog.=) 'constraint' "
"            THEN 'existing rows were not checked (NOT VALID)' "
"            WHEN j.l_state OPERATOR(pg_catalog.=) 'not valid' "
"            THEN 'index is marked invalid and is not used' "
"            ELSE 'state ' OPERATOR(pg_catalog.||) j.l_state "
"                 OPERATOR(pg_catalog.||) ', expected ' OPERATOR(pg_catalog.||) j.m_state END) "
"  ) AS p(ord, kind, detail) "
" WHERE p.detail IS NOT NULL "
"   AND (j.object_type OPERATOR(pg_catalog.=) 'table' OR j.table_name IS NULL "
"        OR j.table_name OPERATOR(pg_catalog.<>) ALL (SELECT gone.object_name FROM gone)) "
" ORDER BY j.object_type, j.object_name, p.ord";

/* A text column of the current SPI row, copied into cxt, or NULL. */
static char *
um_drift_text(uint64 row, int col, MemoryContext cxt)
{
	char	   *v = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return v ? MemoryContextStrdup(cxt, v) : NULL;
}

/* See schema_drift.h. */
UmDrift *
um_schema_drift(MemoryContext cxt, int *n)
{
	uint64		rows;
	UmDrift    *drift;

	rows = um_sql_exec(um_schema_drift_sql, 0, NULL, NULL, NULL, true,
					   SPI_OK_SELECT);
	drift = MemoryContextAllocZero(cxt, sizeof(UmDrift) * (rows + 1));
	for (uint64 i = 0; i < rows; i++)
	{
		bool		null;
		Datum		kind = SPI_getbinval(SPI_tuptable->vals[i],
										 SPI_tuptable->tupdesc, 3, &null);

		if (null || DatumGetInt32(kind) < 0 ||
			DatumGetInt32(kind) >= UM_DRIFT_KINDS)
			elog(ERROR, "usrmgmt: drift query returned an unknown kind");
		drift[i].type = um_drift_text(i, 1, cxt);
		drift[i].name = um_drift_text(i, 2, cxt);
		drift[i].kind = (UmDriftKind) DatumGetInt32(kind);
		drift[i].detail = um_drift_text(i, 4, cxt);
	}
	SPI_freetuptable(SPI_tuptable);
	*n = (int) rows;
	return drift;
}

/* A text Datum, or a null. */
static Datum
um_text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/*
 * validate_schema() returns table(object_type text, object_name text,
 *                                 problem text)
 *
 * Arguments: none.
 * Result: one row per difference between usrmgmt.schema_manifest and the
 * live catalog; problem begins with 'missing', 'altered', 'disabled' or
 * 'not valid'.  No rows on a clean install.
 * Errors: none of its own (SECURITY DEFINER: it reads only the catalog and
 * the manifest).
 * Locking: none beyond catalog reads.
 */
Datum
usrmgmt_validate_schema(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = um_materialize(fcinfo, &tupdesc);
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "usrmgmt validate_schema",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	UmDrift    *drift;
	int			n;

	um_spi_connect();
	drift = um_schema_drift(cxt, &n);
	SPI_finish();

	for (int i = 0; i < n; i++)
	{
		int			len = um_drift_problem(NULL, 0, &drift[i]);
		char	   *problem = palloc(len + 1);
		Datum		values[3];
		bool		nulls[3];

		um_drift_problem(problem, len + 1, &drift[i]);
		values[0] = um_text_or_null(drift[i].type, &nulls[0]);
		values[1] = um_text_or_null(drift[i].name, &nulls[1]);
		values[2] = um_text_or_null(problem, &nulls[2]);
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}

	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
