/*-------------------------------------------------------------------------
 *
 * change_audit.h
 *		What the change audit (change_audit.c) offers the rest of usrmgmt.
 *
 * The audit itself needs no call: its trigger fires on the audited tables.
 * reset() (migrations.c) empties the audit log with the other data tables
 * through um_change_log_reset(), which lifts the log guard for its own
 * TRUNCATE only (the audit records nothing of reset()'s TRUNCATE).
 *
 * src/change_audit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_CHANGE_AUDIT_H
#define USRMGMT_CHANGE_AUDIT_H

#include "usrmgmt.h"

/*
 * TRUNCATE usrmgmt.change_log RESTART IDENTITY past the log guard, inside
 * the caller's SPI connection; nothing when the table does not exist
 * (a database at version 1.0).
 */
extern void um_change_log_reset(void);

#endif							/* USRMGMT_CHANGE_AUDIT_H */
