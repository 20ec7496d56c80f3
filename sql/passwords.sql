-- passwords: SCRAM-SHA-256 secrets, check_password, authenticate and the
-- failed-login lockout (SPEC §6).
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION usrmgmt;
-- keep the tests fast; the default is 600000
SET usrmgmt.password_iterations = 4096;

INSERT INTO usrmgmt."user" (username, is_active)
    VALUES ('alice', true), ('bob', true), ('carol', false);

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
  FROM usrmgmt."user" WHERE username = 'alice';
SELECT password_hash AS first_hash FROM usrmgmt."user" WHERE username = 'alice' \gset
SELECT usrmgmt.set_password('ALICE', 'correct horse');
SELECT password_hash <> :'first_hash' AS new_salt FROM usrmgmt."user" WHERE username = 'alice';

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
SELECT password_hash AS alice_hash FROM usrmgmt."user" WHERE username = 'alice' \gset
ALTER ROLE regress_pw_role PASSWORD :'alice_hash';
SELECT rolpassword = :'alice_hash' AS same_secret FROM pg_authid WHERE rolname = 'regress_pw_role';
SET password_encryption = 'scram-sha-256';
ALTER ROLE regress_pw_role PASSWORD 'made by postgres';
UPDATE usrmgmt."user" SET password_hash = (SELECT rolpassword FROM pg_authid WHERE rolname = 'regress_pw_role')
    WHERE username = 'bob';
SELECT usrmgmt.check_password('bob', 'made by postgres') AS server_secret_ok,
       usrmgmt.check_password('bob', 'made by postgrex') AS server_secret_wrong;
-- SASLprep as the server does it: a non-ASCII password and its NFKC twin
SELECT usrmgmt.set_password('bob', 'pässwörd①');
SELECT usrmgmt.check_password('bob', 'pässwörd①') AS same,
       usrmgmt.check_password('bob', 'pässwörd1') AS nfkc_equivalent,
       usrmgmt.check_password('bob', 'passwörd①') AS different;

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
UPDATE usrmgmt."user" SET password_hash = 'hunter22' WHERE username = 'alice';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- authenticate: a session on success, NULL on failure
SELECT usrmgmt.set_password('alice', 'correct horse');
SELECT usrmgmt.authenticate('alice', 'correct horse', '192.0.2.9', 'app/1') AS sid \gset
SELECT :sid AS sid;
SELECT o.username, o.ip_address, o.user_agent, u.last_login_at = o.login_datetime AS stamped
  FROM usrmgmt.online_user o JOIN usrmgmt."user" u ON u.id = o.user_id WHERE o.id = :sid;
SELECT action, session_id = :sid AS same FROM usrmgmt.user_log ORDER BY id DESC LIMIT 1;
-- wrong passwords count
SELECT usrmgmt.authenticate('alice', 'wrong') IS NULL AS refused;
SELECT usrmgmt.authenticate('alice', 'wrong again') IS NULL AS refused;
SELECT failed_logins FROM usrmgmt."user" WHERE username = 'alice';
-- a success resets the count
SELECT usrmgmt.authenticate('alice', 'correct horse') IS NOT NULL AS accepted;
SELECT failed_logins FROM usrmgmt."user" WHERE username = 'alice';
-- five failures lock the user out, even with the right password
SELECT count(*) FILTER (WHERE usrmgmt.authenticate('alice', 'wrong' || g) IS NULL) AS refused
  FROM generate_series(1, 5) g;
SELECT failed_logins FROM usrmgmt."user" WHERE username = 'alice';
SELECT usrmgmt.authenticate('alice', 'correct horse') IS NULL AS locked_out;
-- a locked-out user's attempts are not counted any more
SELECT failed_logins FROM usrmgmt."user" WHERE username = 'alice';
-- an administrator resets the count
UPDATE usrmgmt."user" SET failed_logins = 0 WHERE username = 'alice';
SELECT usrmgmt.authenticate('alice', 'correct horse') IS NOT NULL AS accepted;
-- max_failed_logins = 0: never locked out
SET usrmgmt.max_failed_logins = 0;
SELECT count(*) FILTER (WHERE usrmgmt.authenticate('alice', 'wrong' || g) IS NULL) AS refused
  FROM generate_series(1, 7) g;
SELECT usrmgmt.authenticate('alice', 'correct horse') IS NOT NULL AS accepted;
RESET usrmgmt.max_failed_logins;
-- unknown and inactive users: NULL, nothing counted, no session; a user
-- without a password: NULL, counted as a wrong password
UPDATE usrmgmt."user" SET password_hash = :'alice_hash' WHERE username = 'carol';
SELECT usrmgmt.authenticate('nobody', 'correct horse') IS NULL AS unknown,
       usrmgmt.authenticate('carol', 'correct horse') IS NULL AS inactive;
UPDATE usrmgmt."user" SET password_hash = NULL WHERE username = 'bob';
SELECT usrmgmt.authenticate('bob', 'anything at all') IS NULL AS no_password;
SELECT username, failed_logins FROM usrmgmt."user" ORDER BY id;
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
-- expected error 42501: password_hash is not the application's to read
SELECT password_hash FROM usrmgmt."user";
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT p.proname, has_function_privilege('regress_pw_role', p.oid, 'EXECUTE') AS public_can_execute,
       p.prosecdef, p.proconfig
  FROM pg_proc p WHERE p.pronamespace = 'usrmgmt'::regnamespace
   AND p.proname IN ('set_password', 'check_password', 'authenticate')
  ORDER BY 1;

DROP EXTENSION usrmgmt;
DROP ROLE regress_pw_app;
DROP ROLE regress_pw_role;
