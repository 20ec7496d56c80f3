/*-------------------------------------------------------------------------
 *
 * data_model.c
 *		Which data model the installed usrmgmt has; see data_model.h.
 *
 * src/data_model.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "catalog/namespace.h"
#include "utils/lsyscache.h"

#include "data_model.h"

/* See data_model.h: 1.1 when the table usrmgmt.user_auth exists. */
UmDataModel
um_data_model(void)
{
	Oid			nsp = get_namespace_oid(UM_SCHEMA, true);

	return OidIsValid(nsp) && OidIsValid(get_relname_relid("user_auth", nsp)) ?
		UM_MODEL_1_1 : UM_MODEL_1_0;
}
