/*-------------------------------------------------------------------------
 *
 * usrmgmt.h
 *		Declarations shared by the C files of the usrmgmt extension.
 *
 * Each .c file owns one concern (validation, timestamps, sessions,
 * passwords, integrity, health, migrations) and, where it has GUCs, an
 * init function that _PG_init (usrmgmt.c) calls.  Shared plumbing has a
 * module and header of its own, included where it is used: spi_util.h
 * (SPI), jsonb_util.h (building jsonb), users.h (the user row),
 * session_context.h (what session functions tell the triggers),
 * session_ids.h (what proves a restore; session ids given once, never
 * changed), scram.h (SCRAM secrets and equal, bounded password work).
 * casefold.c holds the SQL function ascii_lower() and um_ascii_lower(),
 * the same folding for C callers.
 *
 * src/usrmgmt.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_H
#define USRMGMT_H

#include "postgres.h"
#include "fmgr.h"

#include "validate_core.h"

/* value with A-Z folded to a-z, as usrmgmt.ascii_lower() (casefold.c). */
extern text *um_ascii_lower(text *value);

/* Every name the C code writes into SQL is qualified with this schema. */
#define UM_SCHEMA "usrmgmt"

/*
 * PostgreSQL versions: 15 to 19, each built with -Werror and tested
 * (doc/usrmgmt.md, "PostgreSQL versions").  A difference between them is
 * handled under PG_VERSION_NUM in the file that calls the function
 * concerned (jsonb_util.c, scram.c), or here when every file needs it.
 */
#if PG_VERSION_NUM < 150000
#error "usrmgmt requires PostgreSQL 15 or later"
#endif

/* The varlena macros (VARDATA_ANY, VARSIZE_ANY_EXHDR): varatt.h from 16. */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * A function that never returns, written before its declaration: PostgreSQL
 * 18 replaced the trailing pg_attribute_noreturn() by a leading pg_noreturn.
 */
#if PG_VERSION_NUM >= 180000
#define UM_NORETURN pg_noreturn
#else
#define UM_NORETURN __attribute__((noreturn))
#endif

/*
 * Reserve the "usrmgmt." GUC prefix once every module has defined its
 * variables.
 */
#define UM_RESERVE_GUC_PREFIX() MarkGUCPrefixReserved("usrmgmt")

/*
 * Module initialisation, called once per backend from _PG_init.  A module
 * with nothing to set up has no init function.
 */
extern void usrmgmt_sessions_init(void);
extern void usrmgmt_passwords_init(void);
extern void usrmgmt_health_init(void);	/* health_settings.c */
extern void usrmgmt_retention_init(void);	/* retention.c */
extern void usrmgmt_maintenance_init(void); /* maintenance_worker.c */
extern void usrmgmt_distributed_init(void); /* distributed.c */
extern void usrmgmt_data_model_init(void);	/* data_model.c */
extern void usrmgmt_user_ids_init(void);	/* user_ids.c */

#endif							/* USRMGMT_H */
