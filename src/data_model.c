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
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "data_model.h"

/*
 * The answer, kept until pg_class or pg_namespace changes (the update
 * script creating user_auth, a DROP, a rollback of either): login() and
 * logout() ask on every call (doc: Performance).  -1: not known.
 */
static int	known_model = -1;

/* Syscache callback: a relation or a schema changed; ask again. */
static void
um_data_model_forget(Datum arg, int cacheid, uint32 hashvalue)
{
	known_model = -1;
}

/* See data_model.h: 1.1 when the table usrmgmt.user_auth exists. */
UmDataModel
um_data_model(void)
{
	Oid			nsp;

	if (known_model < 0)
	{
		nsp = get_namespace_oid(UM_SCHEMA, true);
		known_model = OidIsValid(nsp) &&
			OidIsValid(get_relname_relid("user_auth", nsp)) ?
			UM_MODEL_1_1 : UM_MODEL_1_0;
	}
	return (UmDataModel) known_model;
}

/* Called once per backend from _PG_init. */
void
usrmgmt_data_model_init(void)
{
	CacheRegisterSyscacheCallback(RELNAMENSP, um_data_model_forget, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, um_data_model_forget, (Datum) 0);
}
