--
-- grant_recipe: usrmgmt.grant_recipe(role, recipe) and
-- usrmgmt.revoke_recipe(role, recipe) (doc/usrmgmt.md, "Privileges and
-- role recipes").
--
--   1. What grant_recipe() grants is exactly what the manual's SQL grants
--      (sql/include/recipes.sql, run for regress_app, regress_monitor and
--      regress_admin): every privilege on every table, column, sequence
--      and function of the schema (found generically), role against role.
--   2. A second call changes nothing; revoke_recipe() takes back exactly
--      what the recipe grants and nothing of another role's.
--   3. Errors: NULL arguments 22004, an unknown recipe 22023, an unknown
--      role 42704, the extension's owner as the role 22023, a caller
--      without the owner's privileges 42501 (nobody grants himself a
--      recipe).
--
\set VERBOSITY default
\set SHOW_CONTEXT never
\i sql/include/setup.sql
CREATE EXTENSION usrmgmt;
CREATE ROLE regress_gr_app;
CREATE ROLE regress_gr_monitor;
CREATE ROLE regress_gr_admin;

-- Every privilege a role holds on the objects of schema usrmgmt, but
-- EXECUTE on what PUBLIC may execute (the validators); column privileges
-- only where the table privilege is not held.
CREATE FUNCTION pg_temp.privs(r name) RETURNS TABLE(object text, privilege text)
LANGUAGE sql AS $$
    SELECT c.oid::regclass::text, p
      FROM pg_class c, unnest('{SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER}'::text[]) p
     WHERE c.relnamespace = 'usrmgmt'::regnamespace AND c.relkind IN ('r', 'p', 'v')
       AND has_table_privilege(r, c.oid, p)
    UNION ALL
    SELECT c.oid::regclass::text || '.' || a.attname, p
      FROM pg_class c
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped,
           unnest('{SELECT,INSERT,UPDATE,REFERENCES}'::text[]) p
     WHERE c.relnamespace = 'usrmgmt'::regnamespace AND c.relkind IN ('r', 'p', 'v')
       AND has_column_privilege(r, c.oid, a.attnum, p) AND NOT has_table_privilege(r, c.oid, p)
    UNION ALL
    SELECT c.oid::regclass::text, p
      FROM pg_class c, unnest('{USAGE,SELECT,UPDATE}'::text[]) p
     WHERE c.relnamespace = 'usrmgmt'::regnamespace AND c.relkind = 'S'
       AND has_sequence_privilege(r, c.oid, p)
    UNION ALL
    SELECT f.oid::regprocedure::text, 'EXECUTE'
      FROM pg_proc f
     WHERE f.pronamespace = 'usrmgmt'::regnamespace
       AND has_function_privilege(r, f.oid, 'EXECUTE')
       AND NOT has_function_privilege('regress_nobody', f.oid, 'EXECUTE')
$$;

-- The manual's recipes, verbatim
\set ECHO none
\i sql/include/recipes.sql
\set ECHO all

--------------------------------------------------------------------------
-- 1. The same privileges as the manual's SQL
--------------------------------------------------------------------------

SELECT usrmgmt.grant_recipe('regress_gr_app', 'application');
SELECT usrmgmt.grant_recipe('regress_gr_monitor', 'monitor');
SELECT usrmgmt.grant_recipe('regress_gr_admin', 'administrator');

-- differences, both ways, for each pair: none
SELECT d.recipe,
       (SELECT count(*)
          FROM ((SELECT * FROM pg_temp.privs(d.manual) EXCEPT SELECT * FROM pg_temp.privs(d.fn))
                UNION ALL
                (SELECT * FROM pg_temp.privs(d.fn) EXCEPT SELECT * FROM pg_temp.privs(d.manual))) x)
       AS differences
  FROM (VALUES ('application', 'regress_app', 'regress_gr_app'),
               ('monitor', 'regress_monitor', 'regress_gr_monitor'),
               ('administrator', 'regress_admin', 'regress_gr_admin')) AS d(recipe, manual, fn)
 ORDER BY d.recipe;
SELECT d.recipe, (SELECT count(*) FROM pg_temp.privs(d.fn)) AS privileges
  FROM (VALUES ('application', 'regress_gr_app'), ('monitor', 'regress_gr_monitor'),
               ('administrator', 'regress_gr_admin')) AS d(recipe, fn)
 ORDER BY d.recipe;

-- the application's, in full: the user table whole (an ORM maps it as it
-- is, and the application's own tables reference it), its identity
-- sequence, no user_auth
SELECT * FROM pg_temp.privs('regress_gr_app') ORDER BY 1, 2;
-- the monitor's: figures only
SELECT * FROM pg_temp.privs('regress_gr_monitor') ORDER BY 1, 2;
-- the administrator's tables (its functions: counted above)
SELECT * FROM pg_temp.privs('regress_gr_admin') WHERE privilege <> 'EXECUTE' ORDER BY 1, 2;

--------------------------------------------------------------------------
-- 2. Idempotent; revoke_recipe() takes back exactly the recipe
--------------------------------------------------------------------------

CREATE TEMP TABLE acl_before AS
SELECT c.relname::text AS object, c.relacl::text AS acl FROM pg_class c
 WHERE c.relnamespace = 'usrmgmt'::regnamespace
UNION ALL
SELECT f.oid::regprocedure::text, f.proacl::text FROM pg_proc f
 WHERE f.pronamespace = 'usrmgmt'::regnamespace;
SELECT usrmgmt.grant_recipe('regress_gr_app', 'application');
SELECT usrmgmt.grant_recipe('regress_gr_monitor', 'monitor');
SELECT usrmgmt.grant_recipe('regress_gr_admin', 'administrator');
SELECT count(*) AS acls_changed_by_a_second_call
  FROM acl_before b
  JOIN (SELECT c.relname::text AS object, c.relacl::text AS acl FROM pg_class c
         WHERE c.relnamespace = 'usrmgmt'::regnamespace
        UNION ALL
        SELECT f.oid::regprocedure::text, f.proacl::text FROM pg_proc f
         WHERE f.pronamespace = 'usrmgmt'::regnamespace) a USING (object)
 WHERE a.acl IS DISTINCT FROM b.acl;

-- Revoking the application recipe leaves regress_gr_app nothing, and the
-- manual's regress_app (same privileges, another role) all of its own.
SELECT usrmgmt.revoke_recipe('regress_gr_app', 'application');
SELECT (SELECT count(*) FROM pg_temp.privs('regress_gr_app')) AS gr_app_left,
       (SELECT count(*) FROM pg_temp.privs('regress_app')) AS app_kept;
-- a second revoke is no error
SELECT usrmgmt.revoke_recipe('regress_gr_app', 'application');
SELECT usrmgmt.revoke_recipe('regress_gr_monitor', 'monitor');
SELECT usrmgmt.revoke_recipe('regress_gr_admin', 'administrator');
SELECT (SELECT count(*) FROM pg_temp.privs('regress_gr_monitor')) AS gr_monitor_left,
       (SELECT count(*) FROM pg_temp.privs('regress_gr_admin')) AS gr_admin_left;
-- Recipes share privileges: revoking one recipe of a role that holds two
-- takes the shared ones too (the manual says so); granting the other
-- again restores it.
SELECT usrmgmt.grant_recipe('regress_gr_admin', 'administrator');
SELECT usrmgmt.grant_recipe('regress_gr_admin', 'monitor');
SELECT usrmgmt.revoke_recipe('regress_gr_admin', 'monitor');
SELECT has_function_privilege('regress_gr_admin', 'usrmgmt.health()', 'EXECUTE') AS admin_health_after_revoking_monitor;
SELECT usrmgmt.grant_recipe('regress_gr_admin', 'administrator');
SELECT has_function_privilege('regress_gr_admin', 'usrmgmt.health()', 'EXECUTE') AS admin_health_granted_again;
SELECT usrmgmt.revoke_recipe('regress_gr_admin', 'administrator');

--------------------------------------------------------------------------
-- 3. Errors
--------------------------------------------------------------------------

-- expected error 22023: no such recipe
SELECT usrmgmt.grant_recipe('regress_gr_app', 'superuser');
\echo :LAST_ERROR_SQLSTATE
-- expected error 22023: recipes are named in lower case
SELECT usrmgmt.revoke_recipe('regress_gr_app', 'Application');
\echo :LAST_ERROR_SQLSTATE
-- expected error 42704: no such role
SELECT usrmgmt.grant_recipe('regress_gr_nobody_at_all', 'application');
\echo :LAST_ERROR_SQLSTATE
-- expected error 22004: role must not be null
SELECT usrmgmt.grant_recipe(NULL, 'application');
\echo :LAST_ERROR_SQLSTATE
-- expected error 22004: recipe must not be null
SELECT usrmgmt.grant_recipe('regress_gr_app', NULL);
\echo :LAST_ERROR_SQLSTATE
-- expected error 22004
SELECT usrmgmt.revoke_recipe(NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
-- expected error 22023: the extension's owner (this superuser; its name
-- varies, so only the SQLSTATE is shown)
\set VERBOSITY sqlstate
SELECT usrmgmt.revoke_recipe(CURRENT_USER::regrole, 'application');
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE

-- A role with a recipe cannot grant itself another: no EXECUTE (42501).
SELECT usrmgmt.grant_recipe('regress_gr_admin', 'administrator');
SET ROLE regress_gr_admin;
-- expected error 42501: grant_recipe() is the owner's
SELECT usrmgmt.grant_recipe('regress_gr_admin', 'application');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- Given EXECUTE on grant_recipe(), still not: the work is _recipe_run()'s
-- (42501 from its ACL) ...
GRANT EXECUTE ON FUNCTION usrmgmt.grant_recipe(regrole, text), usrmgmt.revoke_recipe(regrole, text)
   TO regress_gr_app;
SET ROLE regress_gr_app;
-- expected error 42501: _recipe_run() is the owner's
SELECT usrmgmt.grant_recipe('regress_gr_app', 'administrator');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- ... and given EXECUTE on that too, still not: the caller needs the
-- owner's privileges (42501), and nothing is granted or revoked.
GRANT EXECUTE ON FUNCTION usrmgmt._recipe_run(regrole, text, boolean) TO regress_gr_app;
SET ROLE regress_gr_app;
-- expected error 42501: not the owner
SELECT usrmgmt.grant_recipe('regress_gr_app', 'administrator');
\echo :LAST_ERROR_SQLSTATE
-- expected error 42501: not the owner
SELECT usrmgmt.revoke_recipe('regress_gr_admin', 'administrator');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) AS gr_app_privileges FROM pg_temp.privs('regress_gr_app')
 WHERE object NOT LIKE 'usrmgmt.%recipe%(%';
SELECT has_function_privilege('regress_gr_admin', 'usrmgmt.reset(boolean)', 'EXECUTE') AS admin_kept;

--------------------------------------------------------------------------
-- Clean up
--------------------------------------------------------------------------

DROP EXTENSION usrmgmt;
DROP ROLE regress_gr_app, regress_gr_monitor, regress_gr_admin;
\i sql/include/cleanup.sql
