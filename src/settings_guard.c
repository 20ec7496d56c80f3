/*-------------------------------------------------------------------------
 *
 * settings_guard.c
 *		Settings a session SET before the library was loaded, and dropped
 *		when it loaded: noted at load, reported as the error the SET
 *		would have raised had the library been loaded.
 *
 * _PG_init calls um_settings_guard_begin() before the modules define their
 * settings: it notes every "usrmgmt." placeholder that a SET of this
 * session made (source PGC_S_SESSION).  um_settings_guard_end(), after the
 * settings are defined and the prefix reserved, keeps those that did not
 * survive: PostgreSQL removed the placeholder (an unknown name under a
 * reserved prefix) or did not apply its value (the role that SET it may
 * not set the parameter).  um_settings_guard_check() then raises the
 * first of them as an error, once.  Rules: doc/usrmgmt.md, "Settings set
 * before the library is loaded".
 *
 * src/settings_guard.c
 *
 *-------------------------------------------------------------------------
 */
#include "usrmgmt.h"

#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/memutils.h"

#include "settings_guard.h"

/* A placeholder noted at load. */
typedef struct UmPendingSet
{
	char	   *name;
	char	   *value;
	bool		removed;		/* the name is not a usrmgmt setting */
} UmPendingSet;

static List *um_pending = NIL;	/* of UmPendingSet, in TopMemoryContext */

/* The settings of this backend whose name begins with "usrmgmt.". */
static List *
um_usrmgmt_settings(void)
{
	struct config_generic **vars;
	int			nvars;
	List	   *result = NIL;

#if PG_VERSION_NUM >= 160000
	vars = get_guc_variables(&nvars);
#else
	vars = get_guc_variables();
	nvars = GetNumConfigOptions();
#endif
	for (int i = 0; i < nvars; i++)
	{
		if (pg_strncasecmp(vars[i]->name, "usrmgmt.", 8) == 0)
			result = lappend(result, vars[i]);
	}
	return result;
}

void
um_settings_guard_begin(void)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
	List	   *vars = um_usrmgmt_settings();
	ListCell   *lc;

	foreach(lc, vars)
	{
		struct config_generic *var = (struct config_generic *) lfirst(lc);
		const char *value;
		UmPendingSet *p;

		if (!(var->flags & GUC_CUSTOM_PLACEHOLDER) ||
			var->source != PGC_S_SESSION)
			continue;
		value = GetConfigOption(var->name, true, false);
		p = (UmPendingSet *) palloc0(sizeof(UmPendingSet));
		p->name = pstrdup(var->name);
		p->value = pstrdup(value ? value : "");
		um_pending = lappend(um_pending, p);
	}
	list_free(vars);
	MemoryContextSwitchTo(old);
}

void
um_settings_guard_end(void)
{
	MemoryContext old;
	List	   *vars;
	List	   *dropped = NIL;
	ListCell   *lc;

	if (um_pending == NIL)
		return;
	old = MemoryContextSwitchTo(TopMemoryContext);
	vars = um_usrmgmt_settings();
	foreach(lc, um_pending)
	{
		UmPendingSet *p = (UmPendingSet *) lfirst(lc);
		struct config_generic *now = NULL;
		ListCell   *lv;

		foreach(lv, vars)
		{
			struct config_generic *var = (struct config_generic *) lfirst(lv);

			if (pg_strcasecmp(var->name, p->name) == 0)
				now = var;
		}
		if (now == NULL)
			p->removed = true;
		else if (now->source == PGC_S_SESSION)
			continue;			/* applied: the role may set it */
		dropped = lappend(dropped, p);
	}
	list_free(vars);
	list_free(um_pending);
	um_pending = dropped;
	MemoryContextSwitchTo(old);
}

void
um_settings_guard_check(void)
{
	UmPendingSet *p;

	if (um_pending == NIL)
		return;
	p = (UmPendingSet *) linitial(um_pending);
	um_pending = NIL;			/* reported once */
	if (p->removed)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid configuration parameter name \"%s\"", p->name),
				 errdetail("It was SET in this session before the usrmgmt library was loaded, and \"usrmgmt\" is a reserved prefix: PostgreSQL removed it when the library loaded.")));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to set parameter \"%s\"", p->name),
			 errdetail("The value \"%s\" was SET in this session before the usrmgmt library was loaded; PostgreSQL did not apply it when the library loaded.",
					   p->value),
			 errhint("Only a superuser, or a role granted SET on the parameter, may set it. Load usrmgmt at session start (session_preload_libraries) to have such a SET refused at once.")));
}
