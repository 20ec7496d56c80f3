-- migrations: apply_migration() and rollback_migration() (the spec's
-- "Migrations and lifecycle"), then hostile arguments to both.
\set VERBOSITY default
\set SHOW_CONTEXT never
\i sql/include/setup.sql
CREATE EXTENSION usrmgmt;

-- A deployer role with its own schema (the role without the grant is
-- regress_nobody of sql/include/setup.sql).
CREATE ROLE regress_migr_deployer;
CREATE SCHEMA regress_migr AUTHORIZATION regress_migr_deployer;
GRANT EXECUTE ON FUNCTION usrmgmt.apply_migration(text, text, text),
    usrmgmt.rollback_migration(text) TO regress_migr_deployer;

-- Neither function is security definer (up_sql runs as the caller); both
-- are revoked from PUBLIC.
SELECT p.proname, p.prosecdef, p.proconfig,
       pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE') AS public_exec
  FROM pg_proc p
 WHERE p.pronamespace = 'usrmgmt'::regnamespace
   AND p.proname IN ('apply_migration', 'rollback_migration')
 ORDER BY 1;

SET ROLE regress_migr_deployer;
SET search_path = regress_migr;

-- Applies: true; up_sql ran with the caller's search_path and privileges.
SELECT usrmgmt.apply_migration('001_create_widget',
    'CREATE TABLE widget (id int PRIMARY KEY, made_by text DEFAULT current_user);
     INSERT INTO widget (id) VALUES (1), (2);',
    'DROP TABLE regress_migr.widget;');
SELECT * FROM regress_migr.widget ORDER BY id;
-- The same SQL again: false, nothing runs (no duplicate key error).
SELECT usrmgmt.apply_migration('001_create_widget',
    'CREATE TABLE widget (id int PRIMARY KEY, made_by text DEFAULT current_user);
     INSERT INTO widget (id) VALUES (1), (2);',
    'DROP TABLE regress_migr.widget;');
-- Changed SQL under an applied name: 42710, the message names both checksums.
SELECT usrmgmt.apply_migration('001_create_widget',
    'CREATE TABLE widget (id bigint PRIMARY KEY);');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
RESET search_path;

-- The record: hex SHA-256 of up_sql, the caller, a duration, down_sql.
SELECT id, migration_name, kind,
       checksum = pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
           'CREATE TABLE widget (id int PRIMARY KEY, made_by text DEFAULT current_user);
     INSERT INTO widget (id) VALUES (1), (2);', 'UTF8')), 'hex') AS checksum_ok,
       applied_by, execution_ms >= 0 AS timed, down_sql
  FROM usrmgmt.migration_history ORDER BY id;

-- up_sql runs with the caller's privileges, not the owner's: the deployer
-- may not write usrmgmt tables, so this fails with 42501 and records nothing.
SET ROLE regress_migr_deployer;
SELECT usrmgmt.apply_migration('002_sneaky',
    'DELETE FROM usrmgmt.migration_history;');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) AS sneaky_records FROM usrmgmt.migration_history
 WHERE migration_name = '002_sneaky';

-- A role without the grant cannot call it at all (42501).
SET ROLE regress_nobody;
SELECT usrmgmt.apply_migration('003_nobody', 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Failure atomicity: up_sql creates a table, then fails (22012); neither
-- the table nor a record remains.
SELECT usrmgmt.apply_migration('004_fails',
    'CREATE TABLE regress_migr.half_done (x int); SELECT 1 / 0;');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_catalog.to_regclass('regress_migr.half_done') AS half_done,
       (SELECT count(*) FROM usrmgmt.migration_history
         WHERE migration_name = '004_fails') AS records;
-- The same when the caller catches the error: its subtransaction takes the
-- partial change and the record away together.
DO $$
BEGIN
    PERFORM usrmgmt.apply_migration('004_fails',
        'CREATE TABLE regress_migr.half_done (x int); SELECT 1 / 0;');
EXCEPTION WHEN division_by_zero THEN
    RAISE NOTICE 'caught: %', SQLERRM;
END $$;
SELECT pg_catalog.to_regclass('regress_migr.half_done') AS half_done,
       (SELECT count(*) FROM usrmgmt.migration_history
         WHERE migration_name = '004_fails') AS records;
-- Transaction control is refused inside up_sql (2D000): it runs in the
-- caller's transaction.
SELECT usrmgmt.apply_migration('005_commits', 'CREATE TABLE regress_migr.c (x int); COMMIT;');
\echo :LAST_ERROR_SQLSTATE

-- The migration lock (SHARE UPDATE EXCLUSIVE on migration_history, which
-- only the extension's owner can take: no advisory lock, which anybody
-- could hold) is held until the end of the caller's transaction.
BEGIN;
SELECT usrmgmt.apply_migration('006_in_tx', 'SELECT 1', NULL);
SELECT locktype, relation::regclass, mode, granted
  FROM pg_catalog.pg_locks
 WHERE pid = pg_catalog.pg_backend_pid()
   AND (locktype = 'advisory' OR mode = 'ShareUpdateExclusiveLock');
ROLLBACK;
SELECT count(*) AS in_tx_records FROM usrmgmt.migration_history
 WHERE migration_name = '006_in_tx';

-- Bad arguments.
-- null name: 22004
SELECT usrmgmt.apply_migration(NULL, 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
-- null up_sql: 22004
SELECT usrmgmt.apply_migration('007_null', NULL);
\echo :LAST_ERROR_SQLSTATE
-- empty name: 22023
SELECT usrmgmt.apply_migration('', 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
-- names of the extension's own scripts are reserved: 42939
SELECT usrmgmt.apply_migration('usrmgmt--1.0', 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE

-- Rollback.
-- unknown migration: 42704
SELECT usrmgmt.rollback_migration('999_unknown');
\echo :LAST_ERROR_SQLSTATE
-- the install script's row: 42939
SELECT usrmgmt.rollback_migration('usrmgmt--1.0');
\echo :LAST_ERROR_SQLSTATE
-- null name: 22004
SELECT usrmgmt.rollback_migration(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT usrmgmt.apply_migration('008_no_down', 'CREATE TABLE regress_migr.no_down (x int)');
-- no down_sql: 55000
SELECT usrmgmt.rollback_migration('008_no_down');
\echo :LAST_ERROR_SQLSTATE
-- a failing down_sql (22012) keeps the record and undoes its own changes
SELECT usrmgmt.apply_migration('009_bad_down', 'SELECT 1',
    'DROP TABLE regress_migr.no_down; SELECT 1 / 0;');
SELECT usrmgmt.rollback_migration('009_bad_down');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_catalog.to_regclass('regress_migr.no_down') AS no_down,
       (SELECT count(*) FROM usrmgmt.migration_history
         WHERE migration_name = '009_bad_down') AS records;

-- The deployer rolls back its migration: down_sql runs, the record goes.
SET ROLE regress_migr_deployer;
SELECT usrmgmt.rollback_migration('001_create_widget');
RESET ROLE;
SELECT pg_catalog.to_regclass('regress_migr.widget') AS widget;
-- Now it can be applied again, with new SQL.
SET ROLE regress_migr_deployer;
SELECT usrmgmt.apply_migration('001_create_widget', 'CREATE TABLE regress_migr.widget (id bigint)');
RESET ROLE;
SELECT migration_name, kind, applied_by, down_sql IS NULL AS no_down
  FROM usrmgmt.migration_history ORDER BY id;

DROP SCHEMA regress_migr CASCADE;

--------------------------------------------------------------------------
-- Hostile arguments, on a fresh install: the values (hv, ctrl) and users
-- (regress_h_*) of sql/include/hostile_args.sql; each statement through
-- pg_temp.attempt_result() of sql/include/setup.sql ('ok <result>' or
-- the SQLSTATE, rolled back)
--------------------------------------------------------------------------

DROP EXTENSION usrmgmt;
CREATE EXTENSION usrmgmt;
\i sql/include/hostile_args.sql

-- Block: usrmgmt.apply_migration(text, text, text) and rollback_migration(text)
-- hostile names with harmless SQL: the name is a value, recorded verbatim;
-- names over 255 bytes or with control characters are refused (22023)
-- before any SQL runs.
SELECT label, pg_temp.attempt_result('SELECT usrmgmt.apply_migration($1, ''SELECT 1'')', v) AS apply_name
  FROM hv ORDER BY label;
SELECT pg_temp.attempt_result('SELECT usrmgmt.apply_migration($1, ''SELECT 1'')', v) AS apply_ctrl, count(*)
  FROM ctrl GROUP BY 1;
-- hostile names to roll back: 42704 (never applied), 22023 (empty), 22004 (NULL)
SELECT label, pg_temp.attempt_result('SELECT usrmgmt.rollback_migration($1)', v) AS rollback_name
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
SELECT label, pg_temp.attempt_result('SELECT usrmgmt.apply_migration(''regress_h_m'', $1)', v) AS apply_sql
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

DROP EXTENSION usrmgmt;
DROP ROLE regress_migr_deployer;
\i sql/include/cleanup.sql
