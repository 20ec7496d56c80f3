/*-------------------------------------------------------------------------
 *
 * timestamps.c
 *		The trigger that keeps updated_at current.
 *
 * usrmgmt.set_updated_at() is a BEFORE UPDATE ... FOR EACH ROW trigger on
 * usrmgmt.user, usrmgmt.server and usrmgmt.configuration.  It sets the
 * column named updated_at to the transaction's start time (now()), whatever
 * value the UPDATE gave it, so the column cannot be back-dated by a client.
 * It is not fired by INSERT or COPY, so restored rows keep their values.
 *
 * src/timestamps.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(usrmgmt_set_updated_at);

/*
 * set_updated_at() returns trigger
 *
 * Arguments: none (the column is always updated_at).
 * Result: the new row with updated_at = now().
 * Errors: 39P01 when not called as a row-level BEFORE UPDATE trigger;
 * 42703 when the table has no timestamptz column named updated_at.
 */
Datum
usrmgmt_set_updated_at(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc;
	int			attnum;
	Datum		value;
	bool		isnull = false;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("usrmgmt.set_updated_at() must be fired BEFORE UPDATE FOR EACH ROW")));

	tupdesc = RelationGetDescr(trigdata->tg_relation);
	attnum = SPI_fnumber(tupdesc, "updated_at");
	if (attnum <= 0 || TupleDescAttr(tupdesc, attnum - 1)->atttypid != TIMESTAMPTZOID)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("table \"%s\" has no timestamptz column \"updated_at\"",
						RelationGetRelationName(trigdata->tg_relation))));

	value = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());

	return PointerGetDatum(heap_modify_tuple_by_cols(trigdata->tg_newtuple,
													 tupdesc, 1, &attnum,
													 &value, &isnull));
}
