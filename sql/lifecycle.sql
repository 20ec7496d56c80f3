-- lifecycle: load_sample_data() and reset() (the spec's "Migrations and
-- lifecycle"), then hostile arguments to both.
\set VERBOSITY default
\set SHOW_CONTEXT never
\i sql/include/setup.sql
CREATE EXTENSION usrmgmt;

-- Both write, so both are security definer with a fixed search_path and
-- revoked from PUBLIC.
SELECT p.proname, p.prosecdef, p.proconfig,
       pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE') AS public_exec
  FROM pg_proc p
 WHERE p.pronamespace = 'usrmgmt'::regnamespace
   AND p.proname IN ('load_sample_data', 'reset')
 ORDER BY 1;

SET ROLE regress_nobody;
-- not granted: 42501
SELECT usrmgmt.load_sample_data();
\echo :LAST_ERROR_SQLSTATE
-- not granted: 42501
SELECT usrmgmt.reset(confirm => true);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- The sample data: the rows added per table.
SELECT usrmgmt.load_sample_data();

-- It exercises every table, with data that passes every constraint.
SELECT u.id, u.username, u.email, u.first_name, u.last_name, u.is_admin, u.is_active,
       a.failed_logins, u.created_at, u.updated_at = u.created_at AS untouched,
       a.password_hash LIKE 'SCRAM-SHA-256$4096:%' AS has_password,
       a.password_changed_at = u.created_at AS password_set_at_creation,
       a.locked_at, a.last_login_at
  FROM usrmgmt."user" u LEFT JOIN usrmgmt.user_auth a ON a.user_id = u.id ORDER BY u.id;
SELECT id, user_id, username, ip_address, user_agent,
       login_datetime > pg_catalog.now() - interval '1 hour' AS opened_recently
  FROM usrmgmt.online_user ORDER BY id;
SELECT id, user_id, username, action, "timestamp", ip_address, user_agent, detail
  FROM usrmgmt.user_log WHERE "timestamp" < '2025-01-01' ORDER BY id;
SELECT s.id, s.server_name, u.username AS owner, s.port, s.memory_mb, s.status,
       s.game_mode, s.difficulty
  FROM usrmgmt.server s JOIN usrmgmt."user" u ON u.id = s.owner_id ORDER BY s.id;
SELECT c.id, c.key, c.value, u.username AS updated_by
  FROM usrmgmt.configuration c JOIN usrmgmt."user" u ON u.id = c.updated_by ORDER BY c.id;

-- Idempotent: a second call adds nothing and changes nothing.
CREATE TEMP TABLE before AS
SELECT 'user' AS t, md5(string_agg(x::text, ',' ORDER BY x.id)) AS sum FROM usrmgmt."user" x
UNION ALL SELECT 'online_user', md5(string_agg(x::text, ',' ORDER BY x.id)) FROM usrmgmt.online_user x
UNION ALL SELECT 'user_log', md5(string_agg(x::text, ',' ORDER BY x.id)) FROM usrmgmt.user_log x
UNION ALL SELECT 'server', md5(string_agg(x::text, ',' ORDER BY x.id)) FROM usrmgmt.server x
UNION ALL SELECT 'configuration', md5(string_agg(x::text, ',' ORDER BY x.id)) FROM usrmgmt.configuration x;
SELECT usrmgmt.load_sample_data();
SELECT b.t, b.sum = a.sum AS unchanged
  FROM before b JOIN (
SELECT 'user' AS t, md5(string_agg(x::text, ',' ORDER BY x.id)) AS sum FROM usrmgmt."user" x
UNION ALL SELECT 'online_user', md5(string_agg(x::text, ',' ORDER BY x.id)) FROM usrmgmt.online_user x
UNION ALL SELECT 'user_log', md5(string_agg(x::text, ',' ORDER BY x.id)) FROM usrmgmt.user_log x
UNION ALL SELECT 'server', md5(string_agg(x::text, ',' ORDER BY x.id)) FROM usrmgmt.server x
UNION ALL SELECT 'configuration', md5(string_agg(x::text, ',' ORDER BY x.id)) FROM usrmgmt.configuration x
  ) a USING (t) ORDER BY 1;
DROP TABLE before;

-- A sample user whose name is already taken (case-insensitively) is
-- skipped with everything that belongs to it.
SELECT usrmgmt.reset(confirm => true);
INSERT INTO usrmgmt."user" (username) VALUES ('ALICE');
SELECT usrmgmt.load_sample_data();
SELECT count(*) AS alice_servers FROM usrmgmt.server s
  JOIN usrmgmt."user" u ON u.id = s.owner_id WHERE u.username = 'ALICE';

-- An application migration, to show that reset() keeps migration_history.
SELECT usrmgmt.apply_migration('001_noop', 'SELECT 1');

-- reset() refuses without confirm => true: 22023 with a hint.
SELECT usrmgmt.reset();
\echo :LAST_ERROR_SQLSTATE
-- confirm => false: 22023
SELECT usrmgmt.reset(false);
\echo :LAST_ERROR_SQLSTATE
-- confirm => NULL: 22023
SELECT usrmgmt.reset(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS users_still_there FROM usrmgmt."user";

-- reset(confirm => true) empties every data table and restarts identities.
SELECT usrmgmt.reset(confirm => true);
SELECT (SELECT count(*) FROM usrmgmt."user") AS users,
       (SELECT count(*) FROM usrmgmt.online_user) AS sessions,
       (SELECT count(*) FROM usrmgmt.user_log) AS log_rows,
       (SELECT count(*) FROM usrmgmt.server) AS servers,
       (SELECT count(*) FROM usrmgmt.configuration) AS settings,
       (SELECT count(*) FROM usrmgmt.user_auth) AS auth_rows;
SELECT migration_name, kind FROM usrmgmt.migration_history ORDER BY id;
INSERT INTO usrmgmt."user" (username) VALUES ('regress_first') RETURNING id;
-- reset() inside a transaction that rolls back changes nothing.
BEGIN;
SELECT usrmgmt.reset(confirm => true);
ROLLBACK;
SELECT username FROM usrmgmt."user";
-- Sample data loads again after a reset, from id 1.
SELECT usrmgmt.reset(confirm => true);
SELECT usrmgmt.load_sample_data();
SELECT min(id), max(id) FROM usrmgmt."user";

-- A table outside the extension that references usrmgmt.user blocks the
-- TRUNCATE: 0A000, nothing is emptied.
CREATE TABLE regress_life_ref (user_id bigint REFERENCES usrmgmt."user" (id));
SELECT usrmgmt.reset(confirm => true);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS users_kept FROM usrmgmt."user";
DROP TABLE regress_life_ref;

--------------------------------------------------------------------------
-- Hostile arguments, on a fresh install: the values (hv, ctrl) and users
-- (regress_h_*) of sql/include/hostile_args.sql; each statement through
-- pg_temp.attempt_result() of sql/include/setup.sql ('ok <result>' or
-- the SQLSTATE, rolled back)
--------------------------------------------------------------------------

DROP EXTENSION usrmgmt;
CREATE EXTENSION usrmgmt;
\i sql/include/hostile_args.sql

-- Block: usrmgmt.reset(boolean)
-- expected: 22023 with a hint, for false and for NULL alike (NULL is no
-- confirmation)
SELECT usrmgmt.reset(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT c AS confirm, pg_temp.attempt_result('SELECT usrmgmt.reset($1::boolean)', c) AS reset
  FROM unnest(ARRAY[NULL, 'false', 'true']) AS t(c);

-- Block: usrmgmt.load_sample_data(), twice, then the readers over it
SELECT usrmgmt.load_sample_data() IS NOT NULL AS loaded;
SELECT usrmgmt.load_sample_data() AS second_call;
SELECT (usrmgmt.verify())->'ok' AS verify_ok,
       (usrmgmt.health())->>'status' IN ('healthy', 'degraded', 'unhealthy') AS health,
       (usrmgmt.status())->'sessions_online' AS sessions_online,
       usrmgmt.metrics() LIKE '%usrmgmt_%' AS metrics;

DROP EXTENSION usrmgmt;
\i sql/include/cleanup.sql
