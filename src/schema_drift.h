/*-------------------------------------------------------------------------
 *
 * schema_drift.h
 *		The schema drift check: the live catalog against the manifest.
 *
 * One set-based query (schema_drift.c) compares usrmgmt.schema_manifest
 * with usrmgmt._schema_catalog(false) and yields, for each difference,
 * the object and a machine-readable UmDriftKind with its detail
 * (health_verdict.h).  validate_schema() renders the rows as text;
 * health() caches them and judges them by kind.
 *
 * src/schema_drift.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_SCHEMA_DRIFT_H
#define USRMGMT_SCHEMA_DRIFT_H

#include "postgres.h"

#include "health_verdict.h"

/*
 * Run the drift query (SPI must be connected) and return its rows, in
 * validate_schema()'s order, as an array allocated in cxt with its
 * strings; *n is the number of rows.
 */
extern UmDrift *um_schema_drift(MemoryContext cxt, int *n);

#endif							/* USRMGMT_SCHEMA_DRIFT_H */
