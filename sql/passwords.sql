-- passwords: SCRAM-SHA-256 secrets, check_password, authenticate and the
-- failed-login lockout (the spec's "Passwords"), then hostile arguments to
-- each password function.
\set VERBOSITY default
\set SHOW_CONTEXT never
\i sql/include/setup.sql
CREATE EXTENSION usrmgmt;
-- keep the tests fast; the default is 600000
SET usrmgmt.password_iterations = 4096;

INSERT INTO usrmgmt."user" (username, is_active)
    VALUES ('alice', true), ('bob', true), ('carol', false);
-- The authentication state lives in usrmgmt.user_auth, one row per user
-- that has any; this view shows it by username (0 failures without a row).
CREATE TEMP VIEW auth AS
SELECT u.id, u.username, a.password_hash, coalesce(a.failed_logins, 0) AS failed_logins,
       a.locked_at, a.password_changed_at, a.last_login_at, a.user_id IS NOT NULL AS has_row
  FROM usrmgmt."user" u LEFT JOIN usrmgmt.user_auth a ON a.user_id = u.id;
-- A superuser's direct write of a user's password_hash (the tests need
-- stored secrets that set_password() would not make).
CREATE FUNCTION pg_temp.put_hash(name text, hash text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO usrmgmt.user_auth (user_id, password_hash)
    SELECT id, hash FROM usrmgmt."user" WHERE username = name
    ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash
$$;

-- the defaults
SHOW usrmgmt.min_password_length;
SHOW usrmgmt.max_failed_logins;
RESET usrmgmt.password_iterations;
SHOW usrmgmt.password_iterations;
SET usrmgmt.password_iterations = 4096;

-- set_password stores a pg_authid-format secret with the GUC's count and a
-- fresh salt every time
SELECT usrmgmt.set_password('alice', 'correct horse');
SELECT password_hash ~ '^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$' AS format
  FROM auth WHERE username = 'alice';
SELECT password_hash AS first_hash FROM auth WHERE username = 'alice' \gset
SELECT password_changed_at AS first_change FROM auth WHERE username = 'alice' \gset
SELECT usrmgmt.set_password('ALICE', 'correct horse');
SELECT password_hash <> :'first_hash' AS new_salt,
       password_changed_at > :'first_change' AS changed_at_moved,
       failed_logins, locked_at, last_login_at
  FROM auth WHERE username = 'alice';

-- check_password
SELECT usrmgmt.check_password('alice', 'correct horse') AS right,
       usrmgmt.check_password('Alice', 'correct horse') AS any_case,
       usrmgmt.check_password('alice', 'correct horsE') AS wrong,
       usrmgmt.check_password('alice', '') AS empty,
       usrmgmt.check_password('nobody', 'correct horse') AS unknown_user,
       usrmgmt.check_password('bob', 'correct horse') AS no_password;
-- the iteration count comes from the secret, not from the GUC
SET usrmgmt.password_iterations = 5000;
SELECT usrmgmt.check_password('alice', 'correct horse') AS still_right;
SET usrmgmt.password_iterations = 4096;
-- expected error 22004: username must not be NULL
SELECT usrmgmt.check_password(NULL, 'x');
\echo :LAST_ERROR_SQLSTATE
-- expected error 22004: password must not be NULL
SELECT usrmgmt.check_password('alice', NULL);
\echo :LAST_ERROR_SQLSTATE

-- The secret is PostgreSQL's own: a role given it as its password stores
-- it as it is, and a secret made by CREATE ROLE is accepted here.
CREATE ROLE regress_pw_role LOGIN;
SELECT password_hash AS alice_hash FROM auth WHERE username = 'alice' \gset
ALTER ROLE regress_pw_role PASSWORD :'alice_hash';
SELECT rolpassword = :'alice_hash' AS same_secret FROM pg_authid WHERE rolname = 'regress_pw_role';
SET password_encryption = 'scram-sha-256';
ALTER ROLE regress_pw_role PASSWORD 'made by postgres';
SELECT pg_temp.put_hash('bob', (SELECT rolpassword FROM pg_authid WHERE rolname = 'regress_pw_role'));
SELECT usrmgmt.check_password('bob', 'made by postgres') AS server_secret_ok,
       usrmgmt.check_password('bob', 'made by postgrex') AS server_secret_wrong;
-- SASLprep as the server does it: a non-ASCII password and its NFKC twin
SELECT usrmgmt.set_password('bob', 'pässwörd①');
SELECT usrmgmt.check_password('bob', 'pässwörd①') AS same,
       usrmgmt.check_password('bob', 'pässwörd1') AS nfkc_equivalent,
       usrmgmt.check_password('bob', 'passwörd①') AS different;

-- a stored secret with an absurd iteration count is not run (it would take
-- hours): false, after the usual work
SELECT pg_temp.put_hash('bob', regexp_replace(password_hash, '^SCRAM-SHA-256\$[0-9]+:', 'SCRAM-SHA-256$999999999:'))
  FROM auth WHERE username = 'bob';
SELECT usrmgmt.check_password('bob', 'pässwörd①') AS absurd_count;
SELECT usrmgmt.set_password('bob', 'pässwörd①');

-- length rules: in characters, from usrmgmt.min_password_length
-- expected error 22023: seven characters are too short
SELECT usrmgmt.set_password('alice', 'abcdefg');
\echo :LAST_ERROR_SQLSTATE
SELECT usrmgmt.set_password('alice', 'äbcdefgh') AS eight_chars_ok;
SET usrmgmt.min_password_length = 12;
-- expected error 22023: eleven characters are now too short
SELECT usrmgmt.set_password('alice', 'abcdefghijk');
\echo :LAST_ERROR_SQLSTATE
RESET usrmgmt.min_password_length;
-- expected error 42704: there is no such user
SELECT usrmgmt.set_password('nobody', 'long enough');
\echo :LAST_ERROR_SQLSTATE
-- expected error 22004: username must not be NULL
SELECT usrmgmt.set_password(NULL, 'long enough');
\echo :LAST_ERROR_SQLSTATE
-- expected error 22004: password must not be NULL
SELECT usrmgmt.set_password('alice', NULL);
\echo :LAST_ERROR_SQLSTATE
-- expected error 23514: the table itself refuses a plain-text password
-- (terse: the detail would show the row's timestamps)
\set VERBOSITY terse
UPDATE usrmgmt.user_auth SET password_hash = 'hunter22'
 WHERE user_id = (SELECT id FROM usrmgmt."user" WHERE username = 'alice');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- authenticate: a session on success, NULL on failure.  It stamps
-- user_auth.last_login_at and writes no row of "user" (its xmin and ctid
-- stay: the hot path writes only the user's rows of online_user, user_log
-- and user_auth).
SELECT usrmgmt.set_password('alice', 'correct horse');
SELECT xmin AS user_xmin, ctid AS user_ctid FROM usrmgmt."user" WHERE username = 'alice' \gset
SELECT usrmgmt.authenticate('alice', 'correct horse', '192.0.2.9', 'app/1') AS sid \gset
SELECT :sid AS sid;
SELECT o.username, o.ip_address, o.user_agent, a.last_login_at = o.login_datetime AS stamped,
       usrmgmt.last_login(o.user_id) = o.login_datetime AS last_login_fn
  FROM usrmgmt.online_user o JOIN auth a ON a.id = o.user_id WHERE o.id = :sid;
SELECT action, session_id = :sid AS same FROM usrmgmt.user_log ORDER BY id DESC LIMIT 1;
SELECT usrmgmt.login('alice') > :sid AS login_too;
SELECT xmin = :'user_xmin' AS user_row_not_written, ctid = :'user_ctid' AS same_tuple
  FROM usrmgmt."user" WHERE username = 'alice';
-- wrong passwords count
SELECT usrmgmt.authenticate('alice', 'wrong') IS NULL AS refused;
SELECT usrmgmt.authenticate('alice', 'wrong again') IS NULL AS refused;
SELECT failed_logins, locked_at IS NOT NULL AS locked FROM auth WHERE username = 'alice';
-- a success resets the count
SELECT usrmgmt.authenticate('alice', 'correct horse') IS NOT NULL AS accepted;
SELECT failed_logins, locked_at IS NOT NULL AS locked FROM auth WHERE username = 'alice';
-- five failures lock the user out, even with the right password
SELECT count(*) FILTER (WHERE usrmgmt.authenticate('alice', 'wrong' || g) IS NULL) AS refused
  FROM generate_series(1, 5) g;
SELECT failed_logins, locked_at IS NOT NULL AS locked FROM auth WHERE username = 'alice';
SELECT usrmgmt.authenticate('alice', 'correct horse') IS NULL AS locked_out;
-- a locked-out user's attempts are not counted any more
SELECT failed_logins, locked_at IS NOT NULL AS locked FROM auth WHERE username = 'alice';
-- locked_at says when the fifth failure locked the user out
SELECT locked_at > now() - interval '1 minute' AS locked_recently FROM auth WHERE username = 'alice';
-- an administrator unlocks: unlock_user() sets the count to 0 and clears
-- locked_at (true: there was something to clear); again: false
SELECT usrmgmt.unlock_user('Alice') AS unlocked;
SELECT failed_logins, locked_at IS NOT NULL AS locked FROM auth WHERE username = 'alice';
SELECT usrmgmt.unlock_user('alice') AS unlocked_again;
SELECT usrmgmt.authenticate('alice', 'correct horse') IS NOT NULL AS accepted;
-- a user without any authentication state: nothing to clear
SELECT usrmgmt.unlock_user('carol') AS carol_unlocked, has_row FROM auth WHERE username = 'carol';
-- expected error 42704: there is no such user
SELECT usrmgmt.unlock_user('nobody');
\echo :LAST_ERROR_SQLSTATE
-- expected error 22004: username must not be NULL
SELECT usrmgmt.unlock_user(NULL);
\echo :LAST_ERROR_SQLSTATE
-- last_login(): NULL for a user who never logged in and for no user
SELECT usrmgmt.last_login(id) AS carol_last_login FROM usrmgmt."user" WHERE username = 'carol';
SELECT usrmgmt.last_login(-1) AS nobody_last_login;
-- expected error 22004: user_id must not be NULL
SELECT usrmgmt.last_login(NULL);
\echo :LAST_ERROR_SQLSTATE
-- max_failed_logins = 0: never locked out
SET usrmgmt.max_failed_logins = 0;
SELECT count(*) FILTER (WHERE usrmgmt.authenticate('alice', 'wrong' || g) IS NULL) AS refused
  FROM generate_series(1, 7) g;
SELECT usrmgmt.authenticate('alice', 'correct horse') IS NOT NULL AS accepted;
RESET usrmgmt.max_failed_logins;
-- unknown and inactive users: NULL, nothing counted, no session; a user
-- without a password: NULL, counted as a wrong password
SELECT pg_temp.put_hash('carol', :'alice_hash');
SELECT usrmgmt.authenticate('nobody', 'correct horse') IS NULL AS unknown,
       usrmgmt.authenticate('carol', 'correct horse') IS NULL AS inactive;
SELECT pg_temp.put_hash('bob', NULL);
SELECT usrmgmt.authenticate('bob', 'anything at all') IS NULL AS no_password;
SELECT username, failed_logins, locked_at IS NOT NULL AS locked FROM auth ORDER BY id;
SELECT username, count(*) AS sessions FROM usrmgmt.online_user GROUP BY 1 ORDER BY 1;
-- expected error 22004: username must not be NULL
SELECT usrmgmt.authenticate(NULL, 'x');
\echo :LAST_ERROR_SQLSTATE
-- expected error 22004: password must not be NULL
SELECT usrmgmt.authenticate('alice', NULL);
\echo :LAST_ERROR_SQLSTATE

-- Only a superuser may change the password GUCs; the application role
-- may run the functions it is granted.
CREATE ROLE regress_pw_app;
GRANT EXECUTE ON FUNCTION usrmgmt.authenticate(text, text, inet, text),
    usrmgmt.check_password(text, text), usrmgmt.set_password(text, text)
    TO regress_pw_app;
GRANT SELECT (id, username, email, is_active) ON usrmgmt."user" TO regress_pw_app;
SET ROLE regress_pw_app;
-- expected error 42501: an application cannot weaken new secrets
SET usrmgmt.password_iterations = 4096;
\echo :LAST_ERROR_SQLSTATE
-- expected error 42501: nor lift the lockout
SET usrmgmt.max_failed_logins = 0;
\echo :LAST_ERROR_SQLSTATE
-- expected error 42501: nor shorten passwords
SET usrmgmt.min_password_length = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT usrmgmt.check_password('alice', 'correct horse') AS app_can_check;
SELECT username FROM usrmgmt."user" WHERE id = 1;
-- expected error 42501: last_login() is not granted to this role
SELECT usrmgmt.last_login(1);
\echo :LAST_ERROR_SQLSTATE
-- expected error 42501: user_auth is not the application's to read
SELECT password_hash FROM usrmgmt.user_auth;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT p.proname, has_function_privilege('regress_pw_role', p.oid, 'EXECUTE') AS public_can_execute,
       p.prosecdef, p.proconfig
  FROM pg_proc p WHERE p.pronamespace = 'usrmgmt'::regnamespace
   AND p.proname IN ('set_password', 'check_password', 'authenticate', 'last_login', 'unlock_user')
  ORDER BY 1;

--------------------------------------------------------------------------
-- Hostile arguments, on a fresh install: the values (hv, ctrl) and users
-- (regress_h_*) of sql/include/hostile_args.sql; each statement through
-- pg_temp.attempt_result() of sql/include/setup.sql ('ok <result>' or
-- the SQLSTATE, rolled back)
--------------------------------------------------------------------------

DROP VIEW auth;
DROP EXTENSION usrmgmt;
CREATE EXTENSION usrmgmt;
CREATE TEMP VIEW auth AS
SELECT u.id, u.username, a.password_hash, coalesce(a.failed_logins, 0) AS failed_logins
  FROM usrmgmt."user" u LEFT JOIN usrmgmt.user_auth a ON a.user_id = u.id;
\i sql/include/hostile_args.sql

SET usrmgmt.password_iterations = 4096;

-- Block: usrmgmt.set_password(text, text)
-- hostile names with a valid password: unknown user
SELECT label, pg_temp.attempt_result('SELECT usrmgmt.set_password($1, ''long enough'')', v) AS set_password_name
  FROM hv ORDER BY label;
SELECT pg_temp.attempt_result('SELECT usrmgmt.set_password($1, ''long enough'')', v) AS set_password_ctrl, count(*)
  FROM ctrl GROUP BY 1;
-- hostile passwords for an existing user: too short (22023) or stored.
-- (1 MB passwords: see the block "passwords of 1 MB" below.)
SELECT label, pg_temp.attempt_result('SELECT usrmgmt.set_password(''regress_h_alice'', $1) IS NULL', v) AS set_password_pw
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
SELECT label, pg_temp.attempt_result('SELECT usrmgmt.check_password($1, ''correct horse'')', v) AS check_name
  FROM hv ORDER BY label;
SELECT pg_temp.attempt_result('SELECT usrmgmt.check_password($1, ''correct horse'')', v) AS check_ctrl, count(*)
  FROM ctrl GROUP BY 1;
-- hostile passwords: false
SELECT label, pg_temp.attempt_result('SELECT usrmgmt.check_password(''regress_h_alice'', $1)', v) AS check_pw
  FROM hv WHERE label <> '1 MB' ORDER BY label;
SELECT usrmgmt.check_password('regress_h_alice', 'correct horse') AS right_password;

-- Block: usrmgmt.authenticate(text, text, inet, text)
-- hostile names: NULL, never an error; nothing counted anywhere
SELECT label, pg_temp.attempt_result('SELECT usrmgmt.authenticate($1, ''correct horse'')', v) AS auth_name
  FROM hv ORDER BY label;
SELECT pg_temp.attempt_result('SELECT usrmgmt.authenticate($1, ''correct horse'')', v) AS auth_ctrl, count(*)
  FROM ctrl GROUP BY 1;
-- hostile passwords: NULL (each attempt rolled back, so nothing counted)
SELECT label, pg_temp.attempt_result('SELECT usrmgmt.authenticate(''regress_h_alice'', $1)', v) AS auth_pw
  FROM hv WHERE label <> '1 MB' ORDER BY label;
-- hostile user agents with the right password: a session
SELECT label, pg_temp.attempt_result('SELECT usrmgmt.authenticate(''regress_h_alice'', ''correct horse'', NULL, $1) > 0', v) AS auth_agent
  FROM hv ORDER BY label;
SELECT username, failed_logins FROM auth ORDER BY username;

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
SELECT failed_logins FROM auth WHERE username = 'regress_h_alice';
ROLLBACK;
-- A secret with 2^31-1 iterations passes user_auth_password_hash_format but
-- would pin a backend for an hour: above 10000000 it is unusable (false).
BEGIN;
SELECT pg_temp.put_hash('regress_h_alice', 'SCRAM-SHA-256$2147483647:rz6E4ktgKhYPl6Ijm6/l1g==$7j2uSGDTIqoCK5a/kGbV9+plY/CCBTKXTCMimNb58GY=:9D5tpQ9xpUnO+rfyps7GgERguEcSGs8Mp0dUlbmEFBA=');
SET LOCAL statement_timeout = '60s';
SELECT usrmgmt.check_password('regress_h_alice', 'sample-password') AS huge_count_ok;
ROLLBACK;
-- expected: 22023, the iteration count is capped at 10000000
SET usrmgmt.password_iterations = 10000001;
\echo :LAST_ERROR_SQLSTATE

RESET usrmgmt.password_iterations;
DROP VIEW auth;
DROP EXTENSION usrmgmt;
DROP ROLE regress_pw_app;
DROP ROLE regress_pw_role;
\i sql/include/cleanup.sql
