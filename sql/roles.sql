--
-- roles.sql: the three role recipes of doc/usrmgmt.md §11 (SPEC §9),
-- created exactly as the manual states them, and what each may do.
--
--   regress_app      application: sessions and passwords through the
--                    functions, user rows without password_hash, reads
--                    the log, never writes it
--   regress_monitor  health, status, database_stats, metrics; no user data
--   regress_admin    everything an administrator does, short of being a
--                    superuser
--
-- Each role runs a list of calls through pg_temp.attempt() (rolled back,
-- 'ok' or the SQLSTATE); what is refused is refused with 42501.  A last
-- generic check over pg_proc: a role without grants gets 42501 from every
-- function that is not a validator.  sql/privileges.sql covers PUBLIC.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION usrmgmt;
SET usrmgmt.password_iterations = 4096;

-- Runs sql as the current role and rolls it back: 'ok' or the SQLSTATE.
CREATE FUNCTION pg_temp.attempt(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    state text;
BEGIN
    BEGIN
        EXECUTE sql;
        RAISE EXCEPTION USING ERRCODE = 'P0099';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
        IF state = 'P0099' THEN
            RETURN 'ok';
        END IF;
        RETURN state;
    END;
END
$$;

-- Data to work on: alice (password set, one open session, owns a server),
-- bob, dave (one open session).
INSERT INTO usrmgmt."user" (username, email) VALUES
    ('regress_r_alice', 'alice@example.com'), ('regress_r_bob', NULL),
    ('regress_r_dave', NULL);
SELECT usrmgmt.set_password('regress_r_alice', 'correct horse');
SELECT usrmgmt.login('regress_r_alice') AS alice_sid \gset
SELECT usrmgmt.login('regress_r_dave') > 0 AS dave_logged_in;
INSERT INTO usrmgmt.server (server_name, owner_id)
    SELECT 'regress-mc', id FROM usrmgmt."user" WHERE username = 'regress_r_alice';

--------------------------------------------------------------------------
-- The recipes, verbatim from doc/usrmgmt.md §11 (role names prefixed)
--------------------------------------------------------------------------

-- Application
CREATE ROLE regress_app;
GRANT EXECUTE ON FUNCTION
      usrmgmt.login(text, inet, text), usrmgmt.logout(bigint),
      usrmgmt.logout_user(text), usrmgmt.touch_session(bigint),
      usrmgmt.authenticate(text, text, inet, text),
      usrmgmt.set_password(text, text), usrmgmt.check_password(text, text)
   TO regress_app;
GRANT SELECT (id, username, email, first_name, last_name, is_admin, is_active,
              failed_logins, created_at, updated_at, last_login_at),
      INSERT (username, email, first_name, last_name, is_active),
      UPDATE (username, email, first_name, last_name, is_active),
      DELETE
   ON usrmgmt."user" TO regress_app;
GRANT SELECT ON usrmgmt.online_user, usrmgmt.user_log TO regress_app;
GRANT SELECT, INSERT, UPDATE, DELETE
   ON usrmgmt.server, usrmgmt.configuration TO regress_app;

-- Monitor
CREATE ROLE regress_monitor;
GRANT EXECUTE ON FUNCTION
      usrmgmt.health(), usrmgmt.status(),
      usrmgmt.database_stats(boolean), usrmgmt.metrics()
   TO regress_monitor;

-- Administrator
CREATE ROLE regress_admin;
GRANT regress_monitor TO regress_admin;
GRANT EXECUTE ON FUNCTION
      usrmgmt.login(text, inet, text), usrmgmt.logout(bigint),
      usrmgmt.logout_user(text), usrmgmt.touch_session(bigint),
      usrmgmt.expire_sessions(interval), usrmgmt.purge_user_log(timestamptz),
      usrmgmt.purge_change_log(timestamptz),
      usrmgmt.authenticate(text, text, inet, text),
      usrmgmt.set_password(text, text), usrmgmt.check_password(text, text),
      usrmgmt.validate_data_integrity(), usrmgmt.validate_schema(),
      usrmgmt.verify(),
      usrmgmt.apply_migration(text, text, text), usrmgmt.rollback_migration(text),
      usrmgmt.load_sample_data(), usrmgmt.reset(boolean)
   TO regress_admin;
GRANT SELECT, INSERT, UPDATE, DELETE
   ON usrmgmt."user", usrmgmt.online_user, usrmgmt.server, usrmgmt.configuration
   TO regress_admin;
GRANT SELECT ON usrmgmt.user_log, usrmgmt.change_log, usrmgmt.migration_history,
      usrmgmt.schema_manifest
   TO regress_admin;

--------------------------------------------------------------------------
-- What each role can execute, over pg_proc (a new function shows up here)
--------------------------------------------------------------------------

SELECT p.oid::regprocedure AS function,
       has_function_privilege('regress_app', p.oid, 'EXECUTE') AS app,
       has_function_privilege('regress_monitor', p.oid, 'EXECUTE') AS monitor,
       has_function_privilege('regress_admin', p.oid, 'EXECUTE') AS admin
  FROM pg_proc p
 WHERE p.pronamespace = 'usrmgmt'::regnamespace
   AND p.prorettype <> 'trigger'::regtype
   AND p.proname NOT LIKE 'is\_valid\_%'
 ORDER BY p.oid::regprocedure::text;

--------------------------------------------------------------------------
-- The calls every role tries
--------------------------------------------------------------------------

CREATE TEMP TABLE calls (n int PRIMARY KEY, what text, sql text);
INSERT INTO calls VALUES
 -- sessions and passwords
 (1,  'login',               $$SELECT usrmgmt.login('regress_r_bob', '192.0.2.1', 'agent')$$),
 (2,  'logout',              format('SELECT usrmgmt.logout(%s)', :alice_sid)),
 (3,  'logout_user',         $$SELECT usrmgmt.logout_user('regress_r_alice')$$),
 (4,  'touch_session',       format('SELECT usrmgmt.touch_session(%s)', :alice_sid)),
 (5,  'authenticate',        $$SELECT usrmgmt.authenticate('regress_r_alice', 'correct horse')$$),
 (6,  'set_password',        $$SELECT usrmgmt.set_password('regress_r_bob', 'battery staple')$$),
 (7,  'check_password',      $$SELECT usrmgmt.check_password('regress_r_alice', 'correct horse')$$),
 (8,  'expire_sessions',     $$SELECT usrmgmt.expire_sessions('1 hour')$$),
 (9,  'purge_user_log',      $$SELECT usrmgmt.purge_user_log('2000-01-01')$$),
 -- user rows
 (10, 'read user columns',   $$SELECT id, username, email, is_active, failed_logins, last_login_at FROM usrmgmt."user"$$),
 (11, 'read password_hash',  $$SELECT password_hash FROM usrmgmt."user"$$),
 (12, 'read user *',         $$SELECT * FROM usrmgmt."user"$$),
 (13, 'insert user',         $$INSERT INTO usrmgmt."user" (username, email) VALUES ('regress_r_carol', 'carol@example.com')$$),
 -- 14-16 fire the session triggers (they rename or close the user's
 -- sessions and write the log rows; the role needs no grant for those)
 (14, 'rename user',         $$UPDATE usrmgmt."user" SET username = 'regress_r_alice2' WHERE username = 'regress_r_alice'$$),
 (15, 'deactivate user',     $$UPDATE usrmgmt."user" SET is_active = false WHERE username = 'regress_r_alice'$$),
 (16, 'delete user',         $$DELETE FROM usrmgmt."user" WHERE username = 'regress_r_dave'$$),
 (17, 'write password_hash', $$UPDATE usrmgmt."user" SET password_hash = NULL WHERE username = 'regress_r_bob'$$),
 (18, 'reset failed_logins', $$UPDATE usrmgmt."user" SET failed_logins = 0 WHERE username = 'regress_r_bob'$$),
 (19, 'make admin',          $$UPDATE usrmgmt."user" SET is_admin = true WHERE username = 'regress_r_bob'$$),
 -- sessions and the log, directly
 (20, 'read online_user',    $$SELECT * FROM usrmgmt.online_user$$),
 (21, 'insert online_user',  $$INSERT INTO usrmgmt.online_user (user_id, username) SELECT id, username FROM usrmgmt."user" WHERE username = 'regress_r_bob'$$),
 (22, 'delete online_user',  $$DELETE FROM usrmgmt.online_user$$),
 (23, 'read user_log',       $$SELECT * FROM usrmgmt.user_log$$),
 (24, 'insert user_log',     $$INSERT INTO usrmgmt.user_log (username, action) VALUES ('regress_r_bob', 'login')$$),
 (25, 'update user_log',     $$UPDATE usrmgmt.user_log SET detail = 'x'$$),
 (26, 'delete user_log',     $$DELETE FROM usrmgmt.user_log$$),
 (27, 'truncate user_log',   $$TRUNCATE usrmgmt.user_log$$),
 -- other tables
 (28, 'write server',        $$UPDATE usrmgmt.server SET status = 'Running'$$),
 (29, 'write configuration', $$INSERT INTO usrmgmt.configuration (key, value) VALUES ('regress.k', 'v')$$),
 (30, 'read migrations',     $$SELECT * FROM usrmgmt.migration_history$$),
 (31, 'write migrations',    $$INSERT INTO usrmgmt.migration_history (migration_name) VALUES ('regress_fake')$$),
 (32, 'read manifest',       $$SELECT * FROM usrmgmt.schema_manifest$$),
 -- monitoring and integrity
 (33, 'health',              $$SELECT usrmgmt.health()$$),
 (34, 'status',              $$SELECT usrmgmt.status()$$),
 (35, 'database_stats',      $$SELECT * FROM usrmgmt.database_stats(true)$$),
 (36, 'metrics',             $$SELECT usrmgmt.metrics()$$),
 (37, 'validate_schema',     $$SELECT * FROM usrmgmt.validate_schema()$$),
 (38, 'validate_data_integrity', $$SELECT * FROM usrmgmt.validate_data_integrity()$$),
 (39, 'verify',              $$SELECT usrmgmt.verify()$$),
 -- migrations and lifecycle
 (40, 'apply_migration',     $$SELECT usrmgmt.apply_migration('regress_r_m1', 'SELECT 1', 'SELECT 2')$$),
 (41, 'rollback_migration',  $$SELECT usrmgmt.apply_migration('regress_r_m1', 'SELECT 1', 'SELECT 2'), usrmgmt.rollback_migration('regress_r_m1')$$),
 (42, 'load_sample_data',    $$SELECT usrmgmt.load_sample_data()$$),
 (43, 'reset',               $$SELECT usrmgmt.reset(confirm => true)$$),
 (44, '_refresh_manifest',   $$SELECT usrmgmt._refresh_manifest()$$),
 (45, 'set password GUC',    $$SET usrmgmt.password_iterations = 4096$$),
 (46, 'set health GUC',      $$SET usrmgmt.health_connections_warn_pct = 1$$),
 (47, 'validators',          $$SELECT usrmgmt.is_valid_email('a@b.c'), usrmgmt.is_valid_username('abc')$$),
 -- the change audit log: the administrator's to read, nobody's to write
 (48, 'read change_log',     $$SELECT * FROM usrmgmt.change_log$$),
 (49, 'update change_log',   $$UPDATE usrmgmt.change_log SET role = 'x'$$),
 (50, 'purge_change_log',    $$SELECT usrmgmt.purge_change_log('2000-01-01')$$);

CREATE TEMP TABLE outcome (n int, role text, result text);
GRANT INSERT ON outcome TO regress_app, regress_monitor, regress_admin;
GRANT SELECT ON calls TO regress_app, regress_monitor, regress_admin;

SET ROLE regress_app;
INSERT INTO outcome SELECT n, 'app', pg_temp.attempt(sql) FROM calls;
RESET ROLE;
SET ROLE regress_monitor;
INSERT INTO outcome SELECT n, 'monitor', pg_temp.attempt(sql) FROM calls;
RESET ROLE;
SET ROLE regress_admin;
INSERT INTO outcome SELECT n, 'admin', pg_temp.attempt(sql) FROM calls;
RESET ROLE;

-- 'ok' or the SQLSTATE of each call for each role
SELECT c.n, c.what,
       max(o.result) FILTER (WHERE o.role = 'app') AS app,
       max(o.result) FILTER (WHERE o.role = 'monitor') AS monitor,
       max(o.result) FILTER (WHERE o.role = 'admin') AS admin
  FROM calls c JOIN outcome o USING (n)
 GROUP BY c.n, c.what ORDER BY c.n;

-- Refusals are 42501 and nothing else: privileges are checked before the
-- append-only guard (55000) or any other rule is reached.
SELECT DISTINCT result AS refusal FROM outcome WHERE result <> 'ok' ORDER BY 1;

-- The application's reads of user rows never show password_hash, and a
-- failed authenticate is counted for it without any write privilege on
-- the column.
SET ROLE regress_app;
SELECT username, is_active FROM usrmgmt."user" ORDER BY username;
SELECT usrmgmt.authenticate('regress_r_alice', 'wrong horse') AS wrong;
SELECT username, failed_logins FROM usrmgmt."user" WHERE username = 'regress_r_alice';
-- expected: 42501, password_hash is not among the granted columns
SELECT password_hash FROM usrmgmt."user";
\echo :LAST_ERROR_SQLSTATE
-- expected: 42501, the application never writes the log
INSERT INTO usrmgmt.user_log (username, action) VALUES ('regress_r_alice', 'logout');
\echo :LAST_ERROR_SQLSTATE
-- expected: 42501, reset is the administrator's
SELECT usrmgmt.reset(confirm => true);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- The monitor sees figures, never a row: health() works and names no user.
SET ROLE regress_monitor;
SELECT (usrmgmt.health())->>'status' IN ('healthy', 'degraded', 'unhealthy') AS status,
       usrmgmt.health()::text LIKE '%regress_r_%' AS names_a_user,
       usrmgmt.metrics() LIKE '%regress_r_%' AS metrics_name_a_user;
-- expected: 42501, no user data
SELECT username FROM usrmgmt."user";
\echo :LAST_ERROR_SQLSTATE
-- expected: 42501, verify() shows rows of user data: not the monitor's
SELECT usrmgmt.verify();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

--------------------------------------------------------------------------
-- A role without grants: 42501 from every function but the validators
-- (generic over pg_proc; trigger functions cannot be called at all)
--------------------------------------------------------------------------

CREATE ROLE regress_nobody;
CREATE TEMP TABLE nobody_calls AS
SELECT p.oid::regprocedure AS fn,
       'SELECT ' || p.oid::regproc::text || '(' ||
       (SELECT coalesce(string_agg('NULL::' || format_type(t, NULL), ', ' ORDER BY i), '')
          FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS x(t, i)) || ')' AS sql
  FROM pg_proc p
 WHERE p.pronamespace = 'usrmgmt'::regnamespace
   AND p.prorettype <> 'trigger'::regtype;
GRANT SELECT ON nobody_calls TO regress_nobody;
CREATE TEMP TABLE nobody_outcome (fn regprocedure, result text);
GRANT INSERT ON nobody_outcome TO regress_nobody;
SET ROLE regress_nobody;
INSERT INTO nobody_outcome SELECT fn, pg_temp.attempt(sql) FROM nobody_calls;
RESET ROLE;
SELECT result, count(*) FROM nobody_outcome GROUP BY result ORDER BY result;
-- anything but the validators and ascii_lower() (executable by PUBLIC,
-- the case-insensitive keys use it) that did not answer 42501 is a failure
SELECT fn, result FROM nobody_outcome
 WHERE result <> '42501' AND fn::text NOT LIKE 'usrmgmt.is\_valid\_%'
   AND fn <> 'usrmgmt.ascii_lower(text)'::regprocedure
 ORDER BY fn::text;
-- and the validators answered (NULL for NULL: they are STRICT)
SELECT fn, result FROM nobody_outcome
 WHERE fn::text LIKE 'usrmgmt.is\_valid\_%' ORDER BY fn::text;

--------------------------------------------------------------------------
-- Clean up
--------------------------------------------------------------------------

DROP TABLE calls, outcome, nobody_calls, nobody_outcome;
RESET usrmgmt.password_iterations;
DROP EXTENSION usrmgmt;
DROP ROLE regress_app, regress_monitor, regress_admin, regress_nobody;
