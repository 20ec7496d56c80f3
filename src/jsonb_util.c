/*-------------------------------------------------------------------------
 *
 * jsonb_util.c
 *		A jsonb builder on top of pushJsonbValue(); see jsonb_util.h.
 *
 * This is the only file that calls pushJsonbValue(), so the only one that
 * knows that PostgreSQL 19 replaced its JsonbParseState ** argument (and
 * JsonbValue * result) by a JsonbInState holding both.
 *
 * src/jsonb_util.c
 *
 *-------------------------------------------------------------------------
 */
#include "jsonb_util.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

struct UmJsonb
{
#if PG_VERSION_NUM >= 190000
	JsonbInState state;			/* parse stack and, when done, the result */
#else
	JsonbParseState *state;		/* parse stack */
	JsonbValue *result;			/* the outermost value, when done */
#endif
	int			depth;			/* containers begun and not yet ended */
};

/* pushJsonbValue, whatever its signature. */
static void
um_push(UmJsonb *jb, JsonbIteratorToken seq, JsonbValue *value)
{
#if PG_VERSION_NUM >= 190000
	pushJsonbValue(&jb->state, seq, value);
#else
	JsonbValue *res = pushJsonbValue(&jb->state, seq, value);

	if (jb->depth == 0)
		jb->result = res;
#endif
}

/* Push the key of the next value, or nothing for an array element. */
static void
um_push_key(UmJsonb *jb, const char *key)
{
	JsonbValue	k;

	if (key == NULL)
		return;
	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	um_push(jb, WJB_KEY, &k);
}

/* Push a scalar as the value of key (or as an array element). */
static void
um_push_scalar(UmJsonb *jb, const char *key, JsonbValue *value)
{
	um_push_key(jb, key);
	um_push(jb, key != NULL ? WJB_VALUE : WJB_ELEM, value);
}

static UmJsonb *
um_begin(UmJsonb *jb, const char *key, JsonbIteratorToken seq)
{
	if (jb == NULL)
		jb = palloc0(sizeof(UmJsonb));
	else
		um_push_key(jb, key);
	jb->depth++;
	um_push(jb, seq, NULL);
	return jb;
}

static void
um_end(UmJsonb *jb, JsonbIteratorToken seq)
{
	if (jb->depth <= 0)
		elog(ERROR, "usrmgmt: jsonb builder has no open container");
	jb->depth--;
	um_push(jb, seq, NULL);
}

/* See jsonb_util.h. */
UmJsonb *
um_jsonb_begin_object(UmJsonb *jb, const char *key)
{
	return um_begin(jb, key, WJB_BEGIN_OBJECT);
}

/* See jsonb_util.h. */
UmJsonb *
um_jsonb_begin_array(UmJsonb *jb, const char *key)
{
	return um_begin(jb, key, WJB_BEGIN_ARRAY);
}

/* See jsonb_util.h. */
void
um_jsonb_end_object(UmJsonb *jb)
{
	um_end(jb, WJB_END_OBJECT);
}

/* See jsonb_util.h. */
void
um_jsonb_end_array(UmJsonb *jb)
{
	um_end(jb, WJB_END_ARRAY);
}

/* See jsonb_util.h. */
void
um_jsonb_add_text(UmJsonb *jb, const char *key, const char *value)
{
	JsonbValue	v = {.type = jbvNull};

	if (value != NULL)
	{
		v.type = jbvString;
		v.val.string.val = (char *) value;
		v.val.string.len = strlen(value);
	}
	um_push_scalar(jb, key, &v);
}

/* See jsonb_util.h. */
void
um_jsonb_add_numeric(UmJsonb *jb, const char *key, Numeric value)
{
	JsonbValue	v = {.type = jbvNumeric, .val.numeric = value};

	um_push_scalar(jb, key, &v);
}

/* See jsonb_util.h. */
void
um_jsonb_add_int64(UmJsonb *jb, const char *key, int64 value)
{
	um_jsonb_add_numeric(jb, key, int64_to_numeric(value));
}

/*
 * See jsonb_util.h.  With ndigits >= 0 the number is what printf's
 * "%.*f" writes, so the digits are the same as in a text rendering.
 */
void
um_jsonb_add_float8(UmJsonb *jb, const char *key, double value, int ndigits)
{
	Numeric		n;

	if (isnan(value) || isinf(value))
	{
		um_jsonb_add_null(jb, key);
		return;
	}
	if (ndigits >= 0)
		n = DatumGetNumeric(DirectFunctionCall3(numeric_in,
												CStringGetDatum(psprintf("%.*f", ndigits, value)),
												ObjectIdGetDatum(InvalidOid),
												Int32GetDatum(-1)));
	else
		n = DatumGetNumeric(DirectFunctionCall1(float8_numeric,
												Float8GetDatum(value)));
	um_jsonb_add_numeric(jb, key, n);
}

/* See jsonb_util.h. */
void
um_jsonb_add_bool(UmJsonb *jb, const char *key, bool value)
{
	JsonbValue	v = {.type = jbvBool, .val.boolean = value};

	um_push_scalar(jb, key, &v);
}

/* See jsonb_util.h. */
void
um_jsonb_add_null(UmJsonb *jb, const char *key)
{
	JsonbValue	v = {.type = jbvNull};

	um_push_scalar(jb, key, &v);
}

/*
 * See jsonb_util.h.  A container is pushed as jbvBinary, which
 * pushJsonbValue unpacks; a scalar jsonb (a one-element raw-scalar array
 * inside) is pushed as its scalar.
 */
void
um_jsonb_add_jsonb(UmJsonb *jb, const char *key, Jsonb *value)
{
	JsonbValue	v;

	if (JB_ROOT_IS_SCALAR(value))
	{
		if (!JsonbExtractScalar(&value->root, &v))
			elog(ERROR, "usrmgmt: jsonb scalar expected");
	}
	else
	{
		v.type = jbvBinary;
		v.val.binary.data = &value->root;
		v.val.binary.len = VARSIZE(value) - VARHDRSZ;
	}
	um_push_scalar(jb, key, &v);
}

/* See jsonb_util.h. */
Jsonb *
um_jsonb_finish(UmJsonb *jb)
{
	JsonbValue *result;

#if PG_VERSION_NUM >= 190000
	result = jb->state.result;
#else
	result = jb->result;
#endif
	if (jb->depth != 0 || result == NULL)
		elog(ERROR, "usrmgmt: jsonb builder finished with open containers");
	return JsonbValueToJsonb(result);
}
