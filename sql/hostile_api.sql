--
-- hostile_api.sql: NULL in every argument position of every SQL function
-- of usrmgmt, found generically over pg_proc, and each function without
-- arguments called once (trigger functions: refused).
--
-- Each function gets NULL in one position and a harmless value elsewhere;
-- each call gives its documented error (SQLSTATE; the spec's "Errors"
-- section wants 22004 where a value is required) or result, and the server
-- never restarts (pg_postmaster_start_time() compared at the end).  A
-- function added later is covered without editing this file.
--
-- The other hostile arguments (empty strings, 1 MB strings, every ASCII
-- control character inside a name, negative, zero and extreme ids,
-- extreme intervals and timestamps, SQL fragments where a name is
-- expected) are tested with their feature: sessions.sql, passwords.sql,
-- migrations.sql, lifecycle.sql, health.sql and schema_drift.sql, each
-- with the values and users of sql/include/hostile_args.sql.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
\i sql/include/setup.sql
CREATE EXTENSION usrmgmt;
SET usrmgmt.password_iterations = 4096;

SELECT pg_catalog.pg_postmaster_start_time() AS start_time \gset

-- the users the harmless arguments name (regress_h_alice)
\i sql/include/hostile_args.sql

--------------------------------------------------------------------------
-- 1. NULL in each position of every function (generic over pg_proc)
--------------------------------------------------------------------------

-- Every function of the extension, called with NULL in one position and a
-- harmless value elsewhere; the harmless values come from the types (a
-- set-returning function answers whether it returned rows).
-- Trigger functions cannot be called at all (0A000).  The answer of each
-- is listed; the spec's "Errors" wants 22004 where a value is required.
CREATE FUNCTION pg_temp.harmless(t regtype) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE t
        WHEN 'text'::regtype THEN $q$'regress_h_alice'$q$
        WHEN 'bigint'::regtype THEN '1'
        WHEN 'bigint[]'::regtype THEN $q$'{}'$q$
        WHEN 'inet'::regtype THEN $q$'192.0.2.1'$q$
        WHEN 'interval'::regtype THEN $q$'1 hour'$q$
        WHEN 'timestamp with time zone'::regtype THEN $q$'2000-01-01'$q$
        WHEN 'boolean'::regtype THEN 'false'
        WHEN 'regclass'::regtype THEN $q$'usrmgmt.user_log'$q$
        WHEN 'regrole'::regtype THEN $q$'regress_nobody'$q$
    END
$$;
CREATE TEMP TABLE null_calls AS
SELECT p.oid::regprocedure AS fn, a.pos,
       CASE WHEN p.proretset THEN 'SELECT (count(*) > 0)::text FROM ' ELSE 'SELECT (' END ||
       p.oid::regproc::text || '(' ||
       (SELECT string_agg(CASE WHEN i = a.pos THEN 'NULL::' || format_type(t, NULL)
                               ELSE pg_temp.harmless(t) || '::' || format_type(t, NULL) END,
                          ', ' ORDER BY i)
          FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS x(t, i)) ||
       CASE WHEN p.proretset THEN ')' ELSE '))::text' END AS sql
  FROM pg_proc p,
       LATERAL generate_series(1, p.pronargs) AS a(pos)
 WHERE p.pronamespace = 'usrmgmt'::regnamespace;
-- The validators are STRICT (NULL gives NULL, hostile.sql); the rest
-- below.  apply_migration's third row: the harmless text is run as up_sql
-- and is no SQL (42601), which shows a NULL down_sql is accepted.
-- database_stats(NULL): 22004, like every other NULL argument.
SELECT fn, pos, pg_temp.attempt_result(sql, NULL) AS null_argument
  FROM null_calls
 WHERE fn::text NOT LIKE 'usrmgmt.is_valid_%'
 ORDER BY fn::text, pos;
-- functions without arguments, and trigger functions called directly
SELECT p.oid::regprocedure AS fn,
       pg_temp.attempt_result('SELECT (' || p.oid::regproc::text || '())::text IS NOT NULL', NULL) AS called
  FROM pg_proc p
 WHERE p.pronamespace = 'usrmgmt'::regnamespace AND p.pronargs = 0
 ORDER BY p.oid::regprocedure::text;

--------------------------------------------------------------------------
-- 2. Survival: every table is still there, the server never restarted
--------------------------------------------------------------------------

SELECT count(*) AS usrmgmt_tables FROM pg_class
 WHERE relnamespace = 'usrmgmt'::regnamespace AND relkind = 'r';
SELECT to_regclass('usrmgmt."user"') IS NOT NULL AS user_table_exists;
SELECT pg_catalog.pg_postmaster_start_time() = :'start_time'::timestamptz AS same_postmaster;

RESET usrmgmt.password_iterations;
DROP EXTENSION usrmgmt;
\i sql/include/cleanup.sql
