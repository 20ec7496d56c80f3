/*-------------------------------------------------------------------------
 *
 * data_model.h
 *		Which data model the installed usrmgmt has: 1.0 or 1.1.
 *
 * One library serves a database at version 1.0 (not yet updated) and one
 * at 1.1.  Where the two differ in a way the C code's SQL must follow, the
 * code asks here, per call (a syscache lookup, so an ALTER EXTENSION
 * UPDATE takes effect at once), and keeps one statement per model:
 *	1.0: usernames fold with pg_catalog.lower(); password_hash,
 *		 failed_logins and last_login_at are columns of "user".
 *	1.1: usernames fold with usrmgmt.ascii_lower(); those three live in
 *		 usrmgmt.user_auth (doc: Tables, "usrmgmt.user_auth").
 * 1.1 is recognised by the table usrmgmt.user_auth.
 *
 * src/data_model.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_DATA_MODEL_H
#define USRMGMT_DATA_MODEL_H

#include "postgres.h"

typedef enum UmDataModel
{
	UM_MODEL_1_0,
	UM_MODEL_1_1,
	UM_NUM_MODELS
} UmDataModel;

extern UmDataModel um_data_model(void);

#endif							/* USRMGMT_DATA_MODEL_H */
