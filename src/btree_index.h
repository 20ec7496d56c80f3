/*-------------------------------------------------------------------------
 *
 * btree_index.h
 *		Finding a btree index that can answer for one column of a table,
 *		for the C code that reads facts through an index instead of
 *		scanning the table: the retention drop's probe of session ids
 *		(retention_keep.c) and the update's proof of the 1.0 log's bound
 *		(update_log_bound.c); and beginning a scan of it on every server
 *		version.
 *
 * src/btree_index.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef USRMGMT_BTREE_INDEX_H
#define USRMGMT_BTREE_INDEX_H

#include "access/genam.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"

/*
 * A btree index of rel that every snapshot may use (valid, ready, live,
 * no xmin horizon: indcheckxmin false), not partial, whose first key
 * column is the plain column attno; with keytype valid, of that type's
 * operator class; with lt_opno valid as well, whose operator family holds
 * lt_opno as its "<" for two keytype values.  Opened with AccessShareLock,
 * or NULL when rel has none.
 */
extern Relation um_btree_on_column(Relation rel, AttrNumber attno,
								   Oid keytype, Oid lt_opno);

/*
 * index_beginscan() of heap through index with nkeys scan keys and no
 * ORDER BY keys, whatever the server version's signature (18 added the
 * instrumentation argument, 19 the scan flags).
 */
extern IndexScanDesc um_index_beginscan(Relation heap, Relation index,
										Snapshot snapshot, int nkeys);

#endif							/* USRMGMT_BTREE_INDEX_H */
