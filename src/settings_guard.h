/*-------------------------------------------------------------------------
 *
 * settings_guard.h
 *		What became of the usrmgmt.* settings a session SET before the
 *		library was loaded.
 *
 * Before usrmgmt.so is loaded in a backend, PostgreSQL accepts any
 * "SET usrmgmt.x = ..." as a placeholder.  When the library loads, a value
 * the role may not set (a superuser-only setting) or a name usrmgmt does
 * not define is dropped with a WARNING only, which clients such as
 * node-postgres never show; once loaded, the same SET is an error.  This
 * module notes such dropped settings while _PG_init runs and raises the
 * error the SET would have raised at the next call of a function that
 * reads settings, once.  doc/usrmgmt.md, "Settings set before the library
 * is loaded".
 *
 * src/settings_guard.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SETTINGS_GUARD_H
#define SETTINGS_GUARD_H

/* _PG_init: before any module defines its settings. */
extern void um_settings_guard_begin(void);

/* _PG_init: after every module defined them and the prefix is reserved. */
extern void um_settings_guard_end(void);

/*
 * Raise the error of a SET that was dropped at load time (42501 for a
 * setting the role may not set, 42602 for a name usrmgmt does not define),
 * once per backend; does nothing otherwise.  Called by the functions whose
 * result depends on a usrmgmt setting.
 */
extern void um_settings_guard_check(void);

#endif							/* SETTINGS_GUARD_H */
