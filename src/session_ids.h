/*-------------------------------------------------------------------------
 *
 * session_ids.h
 *		What proves a restore into usrmgmt.online_user, and the rules of
 *		session ids: given by the identity, immutable, never reused.
 *
 * The session triggers (session_triggers.c) ask this module before they
 * write anything:
 *	- um_session_restore(): is the row restore data (a COPY ... FROM into
 *	  online_user in a superuser's session, as pg_restore and a plain
 *	  dump's psql run it)?  Only then are rows taken as they are;
 *	- um_session_id_check_new(): a new session's id must be the one the
 *	  identity just gave this backend for this row (no OVERRIDING SYSTEM
 *	  VALUE, no id column in a COPY), else 55000;
 *	- um_session_id_check_update(): an UPDATE must keep the id, else 55000.
 *
 * src/session_ids.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_SESSION_IDS_H
#define USRMGMT_SESSION_IDS_H

#include "postgres.h"

#include "access/htup.h"
#include "utils/relcache.h"

/* Is the row being inserted into rel restore data?  See the header. */
extern bool um_session_restore(Relation rel);

/*
 * The new session row tuple of rel: 55000 unless its id is the value the
 * identity sequence has just given this backend and no session took yet.
 * trusted: the row is login()'s own INSERT, whose id is the identity's;
 * it is only noted.
 */
extern void um_session_id_check_new(Relation rel, HeapTuple tuple, bool trusted);

/* An UPDATE of a session row: 55000 when it changes the id. */
extern void um_session_id_check_update(Relation rel, HeapTuple oldtup,
									   HeapTuple newtup);

#endif							/* USRMGMT_SESSION_IDS_H */
