/*-------------------------------------------------------------------------
 *
 * jsonb_util.h
 *		The one way the usrmgmt C code builds a jsonb result.
 *
 * A builder wraps PostgreSQL's pushJsonbValue() (whose signature changed
 * in PostgreSQL 19; the difference stays in jsonb_util.c): begin and end
 * objects and arrays, add keyed values (key NULL: an array element), and
 * finish into a Jsonb.  No JSON text is written and re-parsed.
 *
 *		UmJsonb    *jb = um_jsonb_begin_object(NULL);
 *		um_jsonb_add_text(jb, "status", "healthy");
 *		um_jsonb_add_int64(jb, "sessions", n);
 *		PG_RETURN_JSONB_P(um_jsonb_finish(jb));	(after the last end)
 *
 * Everything is allocated in the memory context current at each call.
 * Keys of one object must be distinct (as jsonb requires, a later
 * duplicate replaces the earlier value).
 *
 * src/jsonb_util.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_JSONB_UTIL_H
#define USRMGMT_JSONB_UTIL_H

#include "postgres.h"

#include "utils/jsonb.h"
#include "utils/numeric.h"

typedef struct UmJsonb UmJsonb;

/*
 * Start a builder with its outermost object or array.  Each is the value
 * of key in the enclosing object (key NULL: an array element; or the
 * outermost container when jb is NULL, which creates the builder).
 */
extern UmJsonb *um_jsonb_begin_object(UmJsonb *jb, const char *key);
extern UmJsonb *um_jsonb_begin_array(UmJsonb *jb, const char *key);
extern void um_jsonb_end_object(UmJsonb *jb);
extern void um_jsonb_end_array(UmJsonb *jb);

/* Scalars; key NULL inside an array.  A NULL text value is JSON null. */
extern void um_jsonb_add_text(UmJsonb *jb, const char *key, const char *value);
extern void um_jsonb_add_int64(UmJsonb *jb, const char *key, int64 value);
extern void um_jsonb_add_numeric(UmJsonb *jb, const char *key, Numeric value);

/*
 * A float8 as a JSON number with at most ndigits digits after the
 * decimal point (ndigits < 0: the shortest exact form, as float8out);
 * NaN and infinities are JSON null (JSON has no such numbers).
 */
extern void um_jsonb_add_float8(UmJsonb *jb, const char *key, double value,
								int ndigits);
extern void um_jsonb_add_bool(UmJsonb *jb, const char *key, bool value);
extern void um_jsonb_add_null(UmJsonb *jb, const char *key);

/* A jsonb value (object, array or scalar) nested as it is. */
extern void um_jsonb_add_jsonb(UmJsonb *jb, const char *key, Jsonb *value);

/* The finished value, once the outermost container has been ended. */
extern Jsonb *um_jsonb_finish(UmJsonb *jb);

#endif							/* USRMGMT_JSONB_UTIL_H */
