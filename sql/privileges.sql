--
-- privileges.sql: what PUBLIC and a role with no grants can do (SPEC §9).
--
-- Nothing in schema usrmgmt is granted to PUBLIC but USAGE on the schema
-- and EXECUTE on the four validators.  The checks over pg_proc and
-- pg_class are generic: a function, table or sequence added later is
-- covered without editing this file (a new function executable by PUBLIC,
-- or a SECURITY DEFINER function without the fixed search_path, shows up
-- as a row where none is expected).  The role recipes (application,
-- monitor, administrator; doc/usrmgmt.md §11) get their own blocks here.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION usrmgmt;

-- The functions meant for PUBLIC: the validators (the CHECK constraints
-- call them, so every role that writes a table needs them).  This list is
-- the only thing to edit when a validator is added.
CREATE TEMP TABLE public_functions (f regprocedure PRIMARY KEY);
INSERT INTO public_functions VALUES
    ('usrmgmt.is_valid_email(text)'),
    ('usrmgmt.is_valid_username(text)'),
    ('usrmgmt.is_valid_server_name(text)'),
    ('usrmgmt.is_valid_config_key(text)'),
    ('usrmgmt.is_valid_person_name(text)'),     -- user_first/last_name_length
    ('usrmgmt.is_valid_scram_secret(text)'),    -- user_password_hash_format
    ('usrmgmt.ascii_lower(text)');              -- the case-insensitive keys (1.1)

CREATE FUNCTION pg_temp.public_can_execute(p oid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1
          FROM pg_catalog.pg_proc f,
               LATERAL pg_catalog.aclexplode(coalesce(f.proacl,
                           pg_catalog.acldefault('f', f.proowner))) AS a
         WHERE f.oid = p AND a.grantee = 0 AND a.privilege_type = 'EXECUTE')
$$;
-- Every function of schema usrmgmt (found generically) that PUBLIC can
-- execute but is not in the list: a failure.
SELECT p.oid::regprocedure AS unexpected_public_function
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace = 'usrmgmt'::regnamespace
   AND pg_temp.public_can_execute(p.oid)
   AND p.oid NOT IN (SELECT f FROM public_functions);
-- and every listed function is executable by PUBLIC
SELECT f AS listed_but_not_public FROM public_functions
 WHERE NOT pg_temp.public_can_execute(f);

-- Every SECURITY DEFINER function pins search_path = pg_catalog, pg_temp.
SELECT p.oid::regprocedure AS definer_without_fixed_search_path, p.proconfig
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace = 'usrmgmt'::regnamespace
   AND p.prosecdef
   AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false);

-- No table, view or sequence grants anything to PUBLIC.
SELECT c.oid::regclass AS relation_granted_to_public, a.privilege_type
  FROM pg_catalog.pg_class c,
       LATERAL pg_catalog.aclexplode(c.relacl) AS a
 WHERE c.relnamespace = 'usrmgmt'::regnamespace
   AND a.grantee = 0;
-- PUBLIC may use the schema but not create in it.
SELECT a.privilege_type AS schema_privilege_of_public
  FROM pg_catalog.pg_namespace n,
       LATERAL pg_catalog.aclexplode(n.nspacl) AS a
 WHERE n.nspname = 'usrmgmt' AND a.grantee = 0;

--------------------------------------------------------------------------
-- A role with no grants at all
--------------------------------------------------------------------------

CREATE ROLE regress_nobody;

-- Run sql as the current role, roll it back, return the SQLSTATE or 'ok'.
CREATE FUNCTION pg_temp.attempt(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    state text;
BEGIN
    BEGIN
        EXECUTE sql;
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'ok';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
        RETURN CASE WHEN state = 'P0001' THEN 'ok' ELSE state END;
    END;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.attempt(text) TO regress_nobody;
GRANT SELECT ON public_functions TO regress_nobody;

SET ROLE regress_nobody;

-- The validators work for anybody.
SELECT usrmgmt.is_valid_email('a@b.c') AS email, usrmgmt.is_valid_username('abc') AS username,
       usrmgmt.is_valid_server_name('mc1') AS server_name, usrmgmt.is_valid_config_key('k') AS config_key;

-- Every table (found generically) refuses every kind of access with 42501
-- (the UPDATE sets its first column to DEFAULT, which any column allows).
SELECT c.relname AS table_name,
       pg_temp.attempt(format('SELECT 1 FROM %s LIMIT 1', c.oid::regclass)) AS "select",
       pg_temp.attempt(format('INSERT INTO %s DEFAULT VALUES', c.oid::regclass)) AS "insert",
       pg_temp.attempt(format('UPDATE %s SET %I = DEFAULT', c.oid::regclass,
                              (SELECT a.attname FROM pg_catalog.pg_attribute a
                                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                                ORDER BY a.attnum LIMIT 1))) AS "update",
       pg_temp.attempt(format('DELETE FROM %s', c.oid::regclass)) AS "delete",
       pg_temp.attempt(format('TRUNCATE %s', c.oid::regclass)) AS "truncate"
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace = 'usrmgmt'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
 ORDER BY c.relname;

-- Every sequence likewise.
SELECT c.relname AS sequence_name,
       pg_temp.attempt(format('SELECT pg_catalog.nextval(%L)', c.oid::regclass)) AS "nextval",
       pg_temp.attempt(format('SELECT pg_catalog.setval(%L, 1)', c.oid::regclass)) AS "setval",
       pg_temp.attempt(format('SELECT last_value FROM %s', c.oid::regclass)) AS "select"
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace = 'usrmgmt'::regnamespace AND c.relkind = 'S'
 ORDER BY c.relname;

-- Of all functions in usrmgmt (found generically), this role can execute
-- the listed ones and nothing else.
SELECT p.oid::regprocedure AS unexpected_executable_by_nobody
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace = 'usrmgmt'::regnamespace
   AND pg_catalog.has_function_privilege(p.oid, 'EXECUTE')
   AND p.oid NOT IN (SELECT f FROM public_functions);

-- One refusal in full.
-- expected: 42501, regress_nobody has no SELECT on usrmgmt.user
SELECT password_hash FROM usrmgmt."user";
\echo :LAST_ERROR_SQLSTATE
-- expected: 42501, set_updated_at() is revoked from PUBLIC
SELECT usrmgmt.set_updated_at();
\echo :LAST_ERROR_SQLSTATE
-- expected: 42501, PUBLIC has no CREATE on schema usrmgmt
CREATE TABLE usrmgmt.regress_planted (a int);
\echo :LAST_ERROR_SQLSTATE
-- expected: 42501, nor may it plant a function there
CREATE FUNCTION usrmgmt.lower(text) RETURNS text LANGUAGE sql AS 'SELECT $1';
\echo :LAST_ERROR_SQLSTATE

RESET ROLE;

--------------------------------------------------------------------------
-- Clean up
--------------------------------------------------------------------------

DROP FUNCTION pg_temp.attempt(text);
DROP FUNCTION pg_temp.public_can_execute(oid);
DROP TABLE public_functions;
DROP ROLE regress_nobody;
DROP EXTENSION usrmgmt;
