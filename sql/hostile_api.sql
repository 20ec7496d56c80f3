--
-- hostile_api.sql: hostile arguments to every SQL function of usrmgmt.
--
-- hostile.sql covers the validators and the table columns; this file
-- covers the functions that do something: sessions, passwords, integrity,
-- health, migrations, sample data, reset, and the internal ones a
-- superuser can call.  Each function gets NULL in each position, empty
-- strings, 1 MB strings, every ASCII control character inside a name,
-- negative, zero and extreme ids, extreme intervals and timestamps, and SQL
-- fragments where a name is expected.  Each call gives its documented
-- error (SQLSTATE, SPEC §3) or result; the fragments are treated as values
-- (the tables are still there, the value is stored or named verbatim); the
-- server never restarts (pg_postmaster_start_time() compared at the end).
--
-- Layout, so that a new function is one block to add:
--   1. the hostile values (temp table hv) and the helper
--      pg_temp.attempt(sql, value), which runs a statement with the value
--      as $1, rolls it back and returns 'ok <result>' or the SQLSTATE;
--   2. a generic check over pg_proc: every function of the extension with
--      NULL in each position (section 2 lists what each one answers);
--   3. one block per function ("-- Block: usrmgmt.f(...)");
--   4. the survival check.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION usrmgmt;
SET usrmgmt.password_iterations = 4096;

SELECT pg_catalog.pg_postmaster_start_time() AS start_time \gset

--------------------------------------------------------------------------
-- 1. Hostile values and the helper
--------------------------------------------------------------------------

CREATE TEMP TABLE hv (label text PRIMARY KEY, v text);
INSERT INTO hv VALUES
    ('null', NULL),
    ('empty', ''),
    ('blank', '   '),
    ('1 MB', repeat('a', 1048576)),
    ('sql: drop table', $$'); DROP TABLE usrmgmt.user; --$$),
    ('sql: or 1=1', $$x' OR '1'='1$$),
    ('sql: quoted ident', '"user"'),
    ('sql: dollar quote', '$$; DROP TABLE usrmgmt.user; $$'),
    ('percent format', '%s%s%n%x'),
    ('backslash', E'a\\b'),
    ('non-ascii', 'ÄÖÜ✓'),
    ('wildcards', '%_%');
-- one name per ASCII control character (1-31 and 127), embedded in a
-- name that otherwise exists (regress_h_alice)
CREATE TEMP TABLE ctrl AS
    SELECT c, 'regress_h_' || chr(c) || 'alice' AS v
      FROM (SELECT generate_series(1, 31) UNION ALL SELECT 127) AS g(c);

-- Runs sql with val as $1 and rolls it back: 'ok <result>' or the SQLSTATE.
CREATE FUNCTION pg_temp.attempt(sql text, val text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    r text;
    state text;
    msg text;
BEGIN
    BEGIN
        EXECUTE sql INTO r USING val;
        RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = coalesce(r, '<null>');
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        IF state = 'P0099' THEN
            RETURN 'ok ' || left(msg, 40);
        END IF;
        RETURN state;
    END;
END
$$;

-- The users the functions work on.
INSERT INTO usrmgmt."user" (username, email) VALUES
    ('regress_h_alice', 'alice@example.com'),
    ('regress_h_bob', NULL);
INSERT INTO usrmgmt."user" (username, is_active) VALUES ('regress_h_off', false);
SELECT usrmgmt.set_password('regress_h_alice', 'correct horse');

--------------------------------------------------------------------------
-- 2. NULL in each position of every function (generic over pg_proc)
--------------------------------------------------------------------------

-- Every function of the extension, called with NULL in one position and a
-- harmless value elsewhere; the harmless values come from the types (a
-- set-returning function answers whether it returned rows).
-- Trigger functions cannot be called at all (0A000).  The answer of each
-- is listed; SPEC §3 wants 22004 where a value is required.
CREATE FUNCTION pg_temp.harmless(t regtype) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE t
        WHEN 'text'::regtype THEN $q$'regress_h_alice'$q$
        WHEN 'bigint'::regtype THEN '1'
        WHEN 'inet'::regtype THEN $q$'192.0.2.1'$q$
        WHEN 'interval'::regtype THEN $q$'1 hour'$q$
        WHEN 'timestamp with time zone'::regtype THEN $q$'2000-01-01'$q$
        WHEN 'boolean'::regtype THEN 'false'
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
SELECT fn, pos, pg_temp.attempt(sql, NULL) AS null_argument
  FROM null_calls
 WHERE fn::text NOT LIKE 'usrmgmt.is_valid_%'
 ORDER BY fn::text, pos;
-- functions without arguments, and trigger functions called directly
SELECT p.oid::regprocedure AS fn,
       pg_temp.attempt('SELECT (' || p.oid::regproc::text || '())::text IS NOT NULL', NULL) AS called
  FROM pg_proc p
 WHERE p.pronamespace = 'usrmgmt'::regnamespace AND p.pronargs = 0
 ORDER BY p.oid::regprocedure::text;

--------------------------------------------------------------------------
-- 3. One block per function
--------------------------------------------------------------------------

-- Block: usrmgmt.login(text, inet, text)
-- names: 42704 for every hostile name (unknown user, named in the message)
SELECT label, pg_temp.attempt('SELECT usrmgmt.login($1)', v) AS login
  FROM hv ORDER BY label;
-- every control character inside an existing name: unknown user
SELECT pg_temp.attempt('SELECT usrmgmt.login($1)', v) AS login_ctrl, count(*)
  FROM ctrl GROUP BY 1;
-- expected: 42704, the SQL fragment is a value, named in the message
SELECT usrmgmt.login($$'); DROP TABLE usrmgmt.user; --$$);
\echo :LAST_ERROR_SQLSTATE
-- expected: 28000, inactive user
SELECT usrmgmt.login('regress_h_off');
\echo :LAST_ERROR_SQLSTATE
-- user_agent and ip: any text is a value; stored verbatim
SELECT label, pg_temp.attempt('SELECT usrmgmt.login(''regress_h_alice'', NULL, $1) > 0', v) AS user_agent
  FROM hv ORDER BY label;
SELECT usrmgmt.login('REGRESS_H_ALICE', '::ffff:192.0.2.1', $$'); DROP TABLE usrmgmt.user; --$$) AS sid \gset
SELECT username, ip_address, user_agent FROM usrmgmt.online_user WHERE id = :sid;
SELECT action, username, user_agent FROM usrmgmt.user_log WHERE session_id = :sid;
SELECT usrmgmt.logout(:sid);
-- expected: 22P02, not an inet (rejected by the type, before the function)
SELECT usrmgmt.login('regress_h_alice', '192.0.2.1; DROP TABLE usrmgmt.user');
\echo :LAST_ERROR_SQLSTATE

-- Block: usrmgmt.logout(bigint) and usrmgmt.touch_session(bigint)
-- ids that are no session: false, never an error
SELECT id, usrmgmt.logout(id) AS logout, usrmgmt.touch_session(id) AS touch_session
  FROM unnest(ARRAY[-9223372036854775808, -1, 0, 9223372036854775807]) AS t(id);
-- expected: 22003, out of range for bigint (rejected by the type)
SELECT usrmgmt.logout('9223372036854775808');
\echo :LAST_ERROR_SQLSTATE

-- Block: usrmgmt.logout_user(text)
SELECT label, pg_temp.attempt('SELECT usrmgmt.logout_user($1)', v) AS logout_user
  FROM hv ORDER BY label;
SELECT pg_temp.attempt('SELECT usrmgmt.logout_user($1)', v) AS logout_user_ctrl, count(*)
  FROM ctrl GROUP BY 1;
-- an existing user without sessions: 0
SELECT usrmgmt.logout_user('regress_h_bob');

-- Block: usrmgmt.expire_sessions(interval)
SELECT usrmgmt.login('regress_h_bob') AS bob_sid \gset
SELECT i AS idle, pg_temp.attempt('SELECT usrmgmt.expire_sessions($1::interval)', i) AS expire_sessions
  FROM unnest(ARRAY['0', '1 microsecond', '1 hour', '1 day -1 hour', '1 mon -29 days',
                    '5000 years', '6000 years', '6739 years', '80000 months', '2400000 days',
                    '1000000 years', '178000000 years', '-1 day', '-1 microsecond',
                    '1 day -25 hours']) AS t(i);
-- expected: 22007, '-infinity' is not an interval (rejected by the type)
SELECT usrmgmt.expire_sessions('-infinity');
\echo :LAST_ERROR_SQLSTATE
-- expected: 22023, a negative interval names the value
SELECT usrmgmt.expire_sessions('-1 day');
\echo :LAST_ERROR_SQLSTATE
-- idle 0 closes every session not seen since before this statement
SELECT usrmgmt.expire_sessions('0') AS closed, usrmgmt.logout(:bob_sid) AS bob_still_open;
SELECT detail FROM usrmgmt.user_log WHERE session_id = :bob_sid AND action = 'logout';

-- Block: usrmgmt.purge_user_log(timestamptz)
-- every log row so far belongs to a closed session and is at most a few
-- seconds old: 'infinity' purges them all, the others none.
SELECT t AS older_than, pg_temp.attempt('SELECT usrmgmt.purge_user_log($1::timestamptz)', t) AS purge_user_log
  FROM unnest(ARRAY['-infinity', '4713-01-01 BC', '1970-01-01', 'infinity']) AS x(t);
-- expected: 22008, before the first day of the Julian calendar (rejected by the type)
SELECT usrmgmt.purge_user_log('4714-11-23 BC');
\echo :LAST_ERROR_SQLSTATE

-- Block: usrmgmt.set_password(text, text)
-- hostile names with a valid password: unknown user
SELECT label, pg_temp.attempt('SELECT usrmgmt.set_password($1, ''long enough'')', v) AS set_password_name
  FROM hv ORDER BY label;
SELECT pg_temp.attempt('SELECT usrmgmt.set_password($1, ''long enough'')', v) AS set_password_ctrl, count(*)
  FROM ctrl GROUP BY 1;
-- hostile passwords for an existing user: too short (22023) or stored.
-- (1 MB passwords: see the block "passwords of 1 MB" below.)
SELECT label, pg_temp.attempt('SELECT usrmgmt.set_password(''regress_h_alice'', $1) IS NULL', v) AS set_password_pw
  FROM hv WHERE label <> '1 MB' ORDER BY label;
-- a password made of control characters round-trips
BEGIN;
SELECT usrmgmt.set_password('regress_h_alice', string_agg(chr(c), '' ORDER BY c)) FROM ctrl;
SELECT usrmgmt.check_password('regress_h_alice', string_agg(chr(c), '' ORDER BY c)) AS ctrl_password_ok FROM ctrl;
SELECT usrmgmt.check_password('regress_h_alice', string_agg(chr(c), '' ORDER BY c DESC)) AS reversed_ok FROM ctrl;
ROLLBACK;
-- expected: 22023, too short; the message names the user, not the password
SELECT usrmgmt.set_password('regress_h_alice', 'short');
\echo :LAST_ERROR_SQLSTATE
-- expected: 42704, the SQL fragment is a value
SELECT usrmgmt.set_password($$'); DROP TABLE usrmgmt.user; --$$, 'long enough');
\echo :LAST_ERROR_SQLSTATE

-- Block: usrmgmt.check_password(text, text)
-- hostile names: false, never an error (no user enumeration)
SELECT label, pg_temp.attempt('SELECT usrmgmt.check_password($1, ''correct horse'')', v) AS check_name
  FROM hv ORDER BY label;
SELECT pg_temp.attempt('SELECT usrmgmt.check_password($1, ''correct horse'')', v) AS check_ctrl, count(*)
  FROM ctrl GROUP BY 1;
-- hostile passwords: false
SELECT label, pg_temp.attempt('SELECT usrmgmt.check_password(''regress_h_alice'', $1)', v) AS check_pw
  FROM hv WHERE label <> '1 MB' ORDER BY label;
SELECT usrmgmt.check_password('regress_h_alice', 'correct horse') AS right_password;

-- Block: usrmgmt.authenticate(text, text, inet, text)
-- hostile names: NULL, never an error; nothing counted anywhere
SELECT label, pg_temp.attempt('SELECT usrmgmt.authenticate($1, ''correct horse'')', v) AS auth_name
  FROM hv ORDER BY label;
SELECT pg_temp.attempt('SELECT usrmgmt.authenticate($1, ''correct horse'')', v) AS auth_ctrl, count(*)
  FROM ctrl GROUP BY 1;
-- hostile passwords: NULL (each attempt rolled back, so nothing counted)
SELECT label, pg_temp.attempt('SELECT usrmgmt.authenticate(''regress_h_alice'', $1)', v) AS auth_pw
  FROM hv WHERE label <> '1 MB' ORDER BY label;
-- hostile user agents with the right password: a session
SELECT label, pg_temp.attempt('SELECT usrmgmt.authenticate(''regress_h_alice'', ''correct horse'', NULL, $1) > 0', v) AS auth_agent
  FROM hv ORDER BY label;
SELECT username, failed_logins FROM usrmgmt."user" ORDER BY username;

-- Block: passwords of 1 MB
-- PostgreSQL's SCRAM code rehashes an over-long password once per
-- iteration, with no interrupt check, so passwords are limited to 1024
-- bytes: set_password refuses a longer one (22023), check_password and
-- authenticate answer false/NULL after the work of an ordinary check.
-- expected: 22023, too long; the message names the user, not the password
SELECT usrmgmt.set_password('regress_h_alice', repeat('p', 1048576));
\echo :LAST_ERROR_SQLSTATE
-- expected: 22023, one byte too long (a 3-byte character at the end)
SELECT usrmgmt.set_password('regress_h_alice', repeat('p', 1022) || '✓');
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SELECT usrmgmt.set_password('regress_h_alice', repeat('p', 1024));
SELECT usrmgmt.check_password('regress_h_alice', repeat('p', 1024)) AS max_length_ok,
       usrmgmt.check_password('regress_h_alice', repeat('p', 1048576)) AS mb_ok,
       usrmgmt.check_password('regress_h_nobody', repeat('p', 1048576)) AS mb_unknown_ok,
       usrmgmt.authenticate('regress_h_alice', repeat('p', 1048576)) AS mb_session;
SELECT failed_logins FROM usrmgmt."user" WHERE username = 'regress_h_alice';
ROLLBACK;
-- A secret with 2^31-1 iterations passes user_password_hash_format but
-- would pin a backend for an hour: above 10000000 it is unusable (false).
BEGIN;
UPDATE usrmgmt."user" SET password_hash = 'SCRAM-SHA-256$2147483647:rz6E4ktgKhYPl6Ijm6/l1g==$7j2uSGDTIqoCK5a/kGbV9+plY/CCBTKXTCMimNb58GY=:9D5tpQ9xpUnO+rfyps7GgERguEcSGs8Mp0dUlbmEFBA='
 WHERE username = 'regress_h_alice';
SET LOCAL statement_timeout = '60s';
SELECT usrmgmt.check_password('regress_h_alice', 'sample-password') AS huge_count_ok;
ROLLBACK;
-- expected: 22023, the iteration count is capped at 10000000
SET usrmgmt.password_iterations = 10000001;
\echo :LAST_ERROR_SQLSTATE

-- Block: usrmgmt.apply_migration(text, text, text) and rollback_migration(text)
-- hostile names with harmless SQL: the name is a value, recorded verbatim;
-- names over 255 bytes or with control characters are refused (22023)
-- before any SQL runs.
SELECT label, pg_temp.attempt('SELECT usrmgmt.apply_migration($1, ''SELECT 1'')', v) AS apply_name
  FROM hv ORDER BY label;
SELECT pg_temp.attempt('SELECT usrmgmt.apply_migration($1, ''SELECT 1'')', v) AS apply_ctrl, count(*)
  FROM ctrl GROUP BY 1;
-- hostile names to roll back: 42704 (never applied), 22023 (empty), 22004 (NULL)
SELECT label, pg_temp.attempt('SELECT usrmgmt.rollback_migration($1)', v) AS rollback_name
  FROM hv ORDER BY label;
SELECT usrmgmt.apply_migration($$'); DROP TABLE usrmgmt.user; --$$, 'SELECT 1',
                               $$'); DROP TABLE usrmgmt.user; --$$) AS applied;
SELECT migration_name, kind, down_sql FROM usrmgmt.migration_history WHERE id > 0;
-- the fragment stored as down_sql is SQL (a DBA's, by design): it fails
-- to parse, and nothing is dropped
-- expected: 42601, syntax error in the stored down_sql
SELECT usrmgmt.rollback_migration($$'); DROP TABLE usrmgmt.user; --$$);
\echo :LAST_ERROR_SQLSTATE
-- hostile up_sql: empty and comment-only SQL is applied (it does nothing)
SELECT label, pg_temp.attempt('SELECT usrmgmt.apply_migration(''regress_h_m'', $1)', v) AS apply_sql
  FROM hv WHERE label IN ('null', 'empty', 'blank') ORDER BY label;
-- expected: 2D000, a migration must not end the caller's transaction (up_sql
-- is a DBA's SQL run as the caller, by design: its one refusal of its own)
SELECT usrmgmt.apply_migration('regress_h_tx', 'COMMIT');
\echo :LAST_ERROR_SQLSTATE
-- expected: 42939, reserved prefix
SELECT usrmgmt.apply_migration('usrmgmt--9.9', 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
-- expected: 42939, an extension row cannot be rolled back
SELECT usrmgmt.rollback_migration('usrmgmt--1.0');
\echo :LAST_ERROR_SQLSTATE

-- Block: usrmgmt.reset(boolean)
-- expected: 22023 with a hint, for false and for NULL alike (NULL is no
-- confirmation)
SELECT usrmgmt.reset(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT c AS confirm, pg_temp.attempt('SELECT usrmgmt.reset($1::boolean)', c) AS reset
  FROM unnest(ARRAY[NULL, 'false', 'true']) AS t(c);

-- Block: usrmgmt.database_stats(boolean)
-- NULL: 22004 (SPEC §3); false and true: one row per data table
SELECT e AS exact, pg_temp.attempt('SELECT count(*) FROM usrmgmt.database_stats($1::boolean)', e) AS tables
  FROM unnest(ARRAY[NULL, 'false', 'true']) AS t(e);

-- Block: usrmgmt.load_sample_data(), twice, then the readers over it
SELECT usrmgmt.load_sample_data() IS NOT NULL AS loaded;
SELECT usrmgmt.load_sample_data() AS second_call;
SELECT (usrmgmt.verify())->'ok' AS verify_ok,
       (usrmgmt.health())->>'status' IN ('healthy', 'degraded', 'unhealthy') AS health,
       (usrmgmt.status())->'sessions_online' AS sessions_online,
       usrmgmt.metrics() LIKE '%usrmgmt_%' AS metrics;

-- Block: usrmgmt._schema_catalog(boolean) and usrmgmt._refresh_manifest()
-- (internal; a superuser may call them)
SELECT count(*) > 0 AS catalog_rows FROM usrmgmt._schema_catalog(true);
SELECT count(*) > 0 AS catalog_rows_live FROM usrmgmt._schema_catalog(false);
SELECT usrmgmt._refresh_manifest();
SELECT count(*) AS drift_after_refresh FROM usrmgmt.validate_schema();

--------------------------------------------------------------------------
-- 4. Survival: every table is still there, the server never restarted
--------------------------------------------------------------------------

SELECT count(*) AS usrmgmt_tables FROM pg_class
 WHERE relnamespace = 'usrmgmt'::regnamespace AND relkind = 'r';
SELECT to_regclass('usrmgmt."user"') IS NOT NULL AS user_table_exists;
SELECT pg_catalog.pg_postmaster_start_time() = :'start_time'::timestamptz AS same_postmaster;

RESET usrmgmt.password_iterations;
DROP EXTENSION usrmgmt;
