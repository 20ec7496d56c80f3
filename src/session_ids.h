/*-------------------------------------------------------------------------
 *
 * session_ids.h
 *		The rules of session ids: given by the identity, immutable, never
 *		reused (what proves a restore is restore_copy.h's).
 *
 * The session triggers (session_triggers.c) ask this module before they
 * write anything:
 *	- um_session_id_check_new(): a new session's id must be the one the
 *	  identity just gave this backend for this row (no OVERRIDING SYSTEM
 *	  VALUE, no id column in a COPY), else 55000;
 *	- um_session_id_check_update(): an UPDATE must keep the id, else 55000.
 * The trigger on new users (user_ids.c) asks the same question of a user
 * id through um_identity_id_take(), and renders its own error.
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


/* Whose ids: each kind remembers the last id it took. */
typedef enum UmIdsKind
{
	UM_IDS_SESSION,				/* usrmgmt.online_user */
	UM_IDS_USER,				/* usrmgmt."user" (user_ids.c) */
	UM_IDS_KINDS
} UmIdsKind;

/*
 * The id of the new row tuple of rel into *id; true when it is the value
 * the identity sequence of rel has just given this backend and no row of
 * this kind took yet (or when trusted), and then it is noted as taken;
 * false (nothing noted) otherwise.
 */
extern bool um_identity_id_take(Relation rel, HeapTuple tuple, UmIdsKind kind,
								bool trusted, int64 *id);

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
