--
-- privileges.sql: who may do what in schema usrmgmt.
--
--   1. PUBLIC: nothing in schema usrmgmt is granted to PUBLIC but USAGE on
--      the schema and EXECUTE on the validators.  The checks over pg_proc
--      and pg_class are generic: a function, table or sequence added later
--      is covered without editing this file (a new function executable by
--      PUBLIC, or a SECURITY DEFINER function without the fixed
--      search_path, shows up as a row where none is expected).
--   2. A role with no grants (regress_nobody): 42501 from every table,
--      sequence and function but the validators, found generically.
--   3. The three role recipes of doc/usrmgmt.md, "Privileges and role
--      recipes" (the spec's "Privileges"), created exactly as the manual
--      states them, and what each may do:
--        regress_app      application: sessions and passwords through the
--                         functions, the user table whole (no secret in
--                         it: user_auth is not its to read), reads the
--                         log, never writes it
--        regress_monitor  health, status, database_stats, metrics; no user
--                         data
--        regress_admin    everything an administrator does, short of
--                         being a superuser
--      Each role runs a list of calls through pg_temp.attempt() of
--      include/setup.sql (rolled back, 'ok' or the SQLSTATE); what is
--      refused is refused with 42501.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
\i sql/include/setup.sql
CREATE EXTENSION usrmgmt;
SET usrmgmt.password_iterations = 4096;

--------------------------------------------------------------------------
-- 1. PUBLIC
--------------------------------------------------------------------------

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
    ('usrmgmt.ascii_lower(text)');              -- 1.1: user_username_key, user_email_key

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

-- login(), logout() and touch_session() switch to their owner in C
-- instead (src/sessions.c, "Privileges"): C functions without SECURITY
-- DEFINER or any setting, executable by the roles granted them only.
SELECT p.oid::regprocedure AS owner_switched_in_c, l.lanname, p.prosecdef, p.proconfig,
       pg_temp.public_can_execute(p.oid) AS public_can_execute
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
 WHERE p.oid IN ('usrmgmt.login(text, inet, text)'::regprocedure,
                 'usrmgmt.logout(bigint)'::regprocedure,
                 'usrmgmt.touch_session(bigint)'::regprocedure)
 ORDER BY 1::text;

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
-- 2. A role with no grants at all
--------------------------------------------------------------------------

-- regress_nobody comes from sql/include/setup.sql; it may read the list.
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
SELECT username FROM usrmgmt."user";
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

-- Every function (generic over pg_proc; trigger functions cannot be
-- called at all), called with NULL arguments: 42501 from every function
-- but the validators.
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
-- anything but the functions for PUBLIC (the validators, ascii_lower) that
-- did not answer 42501 is a failure
SELECT fn, result FROM nobody_outcome
 WHERE result <> '42501' AND fn NOT IN (SELECT f FROM public_functions)
 ORDER BY fn::text;
-- and those answered (NULL for NULL: they are STRICT)
SELECT fn, result FROM nobody_outcome
 WHERE fn::text LIKE 'usrmgmt.is\_valid\_%' OR fn = 'usrmgmt.ascii_lower(text)'::regprocedure
 ORDER BY fn::text;

--------------------------------------------------------------------------
-- 3. The role recipes, verbatim from doc/usrmgmt.md, "Privileges and role
-- recipes" (role names prefixed)
--------------------------------------------------------------------------

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

\i sql/include/recipes.sql

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
 (10, 'read user columns',   $$SELECT id, username, email, is_active, created_at FROM usrmgmt."user"$$),
 (11, 'read user_auth',      $$SELECT password_hash, failed_logins, last_login_at FROM usrmgmt.user_auth$$),
 (12, 'read user *',         $$SELECT * FROM usrmgmt."user"$$),
 (13, 'insert user',         $$INSERT INTO usrmgmt."user" (username, email) VALUES ('regress_r_carol', 'carol@example.com')$$),
 -- 14-16 fire the session triggers (they rename or close the user's
 -- sessions and write the log rows; the role needs no grant for those)
 (14, 'rename user',         $$UPDATE usrmgmt."user" SET username = 'regress_r_alice2' WHERE username = 'regress_r_alice'$$),
 (15, 'deactivate user',     $$UPDATE usrmgmt."user" SET is_active = false WHERE username = 'regress_r_alice'$$),
 (16, 'delete user',         $$DELETE FROM usrmgmt."user" WHERE username = 'regress_r_dave'$$),
 (17, 'write password_hash', $$UPDATE usrmgmt.user_auth SET password_hash = NULL$$),
 (18, 'reset failed_logins', $$UPDATE usrmgmt.user_auth SET failed_logins = 0$$),
 (19, 'make admin',          $$UPDATE usrmgmt."user" SET is_admin = true WHERE username = 'regress_r_bob'$$),
 -- sessions and the log, directly
 (20, 'read online_user',    $$SELECT * FROM usrmgmt.online_user$$),
 (21, 'insert online_user',  $$INSERT INTO usrmgmt.online_user (user_id, username) SELECT id, username FROM usrmgmt."user" WHERE username = 'regress_r_bob'$$),
 (22, 'delete online_user',  $$DELETE FROM usrmgmt.online_user$$),
 (23, 'read user_log',       $$SELECT * FROM usrmgmt.user_log$$),
 (24, 'insert user_log',     $$INSERT INTO usrmgmt.user_log (user_id, username, action) VALUES (1, 'regress_r_bob', 'login')$$),
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
 -- 1.1: the authentication state, the ORM's view of "user", the recipes
 (48, 'unlock_user',         $$SELECT usrmgmt.unlock_user('regress_r_bob')$$),
 (49, 'last_login',          $$SELECT usrmgmt.last_login(1)$$),
 (50, 'insert user, every column', $$INSERT INTO usrmgmt."user" (username, email, first_name, last_name, is_admin, is_active, created_at, updated_at) VALUES ('regress_r_orm', NULL, NULL, NULL, false, true, now(), now())$$),
 (51, 'reference user',      $$CREATE TABLE regress_r_apps.data (user_id bigint REFERENCES usrmgmt."user" (id))$$),
 (52, 'user id sequence',    $$SELECT nextval('usrmgmt.user_id_seq') > 0$$),
 (53, 'delete user_auth',    $$DELETE FROM usrmgmt.user_auth$$),
 (54, 'grant_recipe',        $$SELECT usrmgmt.grant_recipe('regress_nobody', 'administrator')$$),
 (55, 'revoke_recipe',       $$SELECT usrmgmt.revoke_recipe('regress_app', 'application')$$);

-- the application's own schema, where its tables reference "user" (51)
CREATE SCHEMA regress_r_apps;
GRANT CREATE, USAGE ON SCHEMA regress_r_apps TO regress_app, regress_monitor, regress_admin;
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

-- The application maps "user" whole (SELECT *: no secret in it), and a
-- failed authenticate is counted for it in user_auth, which it can
-- neither read nor write.
SET ROLE regress_app;
SELECT * FROM usrmgmt."user" WHERE false;
SELECT username, is_active FROM usrmgmt."user" ORDER BY username;
SELECT usrmgmt.authenticate('regress_r_alice', 'wrong horse') AS wrong;
-- expected: 42501, user_auth is no application's to read
SELECT failed_logins FROM usrmgmt.user_auth;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT u.username, a.failed_logins FROM usrmgmt.user_auth a JOIN usrmgmt."user" u ON u.id = a.user_id
 WHERE u.username = 'regress_r_alice';
SET ROLE regress_app;
-- expected: 42501, the application never writes the log
INSERT INTO usrmgmt.user_log (user_id, username, action) VALUES (1, 'regress_r_alice', 'logout');
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
-- Clean up
--------------------------------------------------------------------------

DROP TABLE public_functions, nobody_calls, nobody_outcome, calls, outcome;
DROP SCHEMA regress_r_apps;
DROP FUNCTION pg_temp.public_can_execute(oid);
RESET usrmgmt.password_iterations;
DROP EXTENSION usrmgmt;
\i sql/include/cleanup.sql
