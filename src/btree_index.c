/*-------------------------------------------------------------------------
 *
 * btree_index.c
 *		A btree index that can answer for one column of a table; see
 *		btree_index.h.
 *
 * src/btree_index.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "btree_index.h"

/* See btree_index.h. */
Relation
um_btree_on_column(Relation rel, AttrNumber attno, Oid keytype, Oid lt_opno)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;

	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index ix = index->rd_index;

		if (index->rd_rel->relam == BTREE_AM_OID &&
			ix->indisvalid && ix->indisready && ix->indislive && !ix->indcheckxmin &&
			ix->indnkeyatts >= 1 && ix->indkey.values[0] == attno &&
			heap_attisnull(index->rd_indextuple, Anum_pg_index_indpred, NULL) &&
			(!OidIsValid(keytype) || index->rd_opcintype[0] == keytype) &&
			(!OidIsValid(lt_opno) ||
			 get_opfamily_member(index->rd_opfamily[0], keytype, keytype,
								 BTLessStrategyNumber) == lt_opno))
		{
			list_free(indexes);
			return index;
		}
		index_close(index, AccessShareLock);
	}
	list_free(indexes);
	return NULL;
}

/* See btree_index.h. */
IndexScanDesc
um_index_beginscan(Relation heap, Relation index, Snapshot snapshot, int nkeys)
{
#if PG_VERSION_NUM >= 190000
	return index_beginscan(heap, index, snapshot, NULL, nkeys, 0, SO_NONE);
#elif PG_VERSION_NUM >= 180000
	return index_beginscan(heap, index, snapshot, NULL, nkeys, 0);
#else
	return index_beginscan(heap, index, snapshot, nkeys, 0);
#endif
}
