--
-- constraints: every rule of the usrmgmt 1.0 tables at its boundaries:
-- the named CHECK constraints (23514), NOT NULL (23502), the foreign keys
-- and their ON DELETE rules (23503), case-insensitive uniqueness (23505)
-- and the updated_at trigger.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE EXTENSION usrmgmt;

-- A CHECK violation's DETAIL repeats the whole failing row, timestamps
-- included, so the CHECK sections run terse: the message still names the
-- constraint, and the SQLSTATE is echoed after each refusal.
\set VERBOSITY terse

------------------------------------------------------------------------
-- user.username: user_username_format, 3-80 of [A-Za-z0-9_-]
------------------------------------------------------------------------
-- 3 and 80 characters, every allowed character class
INSERT INTO usrmgmt."user" (username) VALUES ('abc') RETURNING id, username;
INSERT INTO usrmgmt."user" (username) VALUES (repeat('u', 80)) RETURNING id, char_length(username);
INSERT INTO usrmgmt."user" (username) VALUES ('Az09_-') RETURNING id, username;
-- expected error: 23514 user_username_format, 2 characters
INSERT INTO usrmgmt."user" (username) VALUES ('ab');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_username_format, 81 characters
INSERT INTO usrmgmt."user" (username) VALUES (repeat('u', 81));
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_username_format, empty
INSERT INTO usrmgmt."user" (username) VALUES ('');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_username_format, a dot
INSERT INTO usrmgmt."user" (username) VALUES ('user.name');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_username_format, a space
INSERT INTO usrmgmt."user" (username) VALUES ('user name');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_username_format, an at sign
INSERT INTO usrmgmt."user" (username) VALUES ('user@host');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_username_format, a non-ASCII letter
INSERT INTO usrmgmt."user" (username) VALUES ('jérôme');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_username_format, a trailing newline
INSERT INTO usrmgmt."user" (username) VALUES (E'alice\n');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23502, username is NOT NULL
INSERT INTO usrmgmt."user" (username) VALUES (NULL);
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- user.first_name / last_name: 1-100 characters, not blank; NULL allowed
------------------------------------------------------------------------
INSERT INTO usrmgmt."user" (username, first_name, last_name)
    VALUES ('name_1', 'A', 'B') RETURNING id, first_name, last_name;
INSERT INTO usrmgmt."user" (username, first_name, last_name)
    VALUES ('name_100', repeat('f', 100), repeat('l', 100))
    RETURNING id, char_length(first_name), char_length(last_name);
-- the limit counts characters, not bytes: 100 two-byte letters pass
INSERT INTO usrmgmt."user" (username, first_name, last_name)
    VALUES ('name_100_utf8', repeat('é', 100), repeat('ß', 100))
    RETURNING id, char_length(first_name), octet_length(first_name);
-- inner and surrounding spaces are fine as long as something is not blank
INSERT INTO usrmgmt."user" (username, first_name, last_name)
    VALUES ('name_spaces', ' Mary Ann ', E'\tvan der Berg')
    RETURNING id, first_name, last_name;
INSERT INTO usrmgmt."user" (username, first_name, last_name)
    VALUES ('name_null', NULL, NULL) RETURNING id, first_name, last_name;
-- blank means ASCII whitespace only, whatever the locale: a name made of
-- an ideographic space (U+3000) or a no-break space (U+00A0) is not blank
INSERT INTO usrmgmt."user" (username, first_name, last_name)
    VALUES ('name_unicode_space', E'\u3000', E'\u00a0')
    RETURNING id, octet_length(first_name), octet_length(last_name);
-- expected error: 23514 user_first_name_length, empty
INSERT INTO usrmgmt."user" (username, first_name) VALUES ('fn_0', '');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_first_name_length, 101 characters
INSERT INTO usrmgmt."user" (username, first_name) VALUES ('fn_101', repeat('f', 101));
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_first_name_length, 101 two-byte characters
INSERT INTO usrmgmt."user" (username, first_name) VALUES ('fn_101u', repeat('é', 101));
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_first_name_length, blank: spaces
INSERT INTO usrmgmt."user" (username, first_name) VALUES ('fn_sp', '   ');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_first_name_length, blank: a tab
INSERT INTO usrmgmt."user" (username, first_name) VALUES ('fn_tab', E'\t');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_first_name_length, blank: newlines and CR
INSERT INTO usrmgmt."user" (username, first_name) VALUES ('fn_nl', E'\n\r\n');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_last_name_length, empty
INSERT INTO usrmgmt."user" (username, last_name) VALUES ('ln_0', '');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_last_name_length, 101 characters
INSERT INTO usrmgmt."user" (username, last_name) VALUES ('ln_101', repeat('l', 101));
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_last_name_length, blank: mixed whitespace,
-- all six ASCII whitespace characters.  The vertical tab is chr(11): E'\v'
-- is a vertical tab only from PostgreSQL 17 (before, a plain 'v').
INSERT INTO usrmgmt."user" (username, last_name)
    VALUES ('ln_ws', E' \t\n\r\f' || chr(11) || ' ');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- user.email: user_email_format (is_valid_email, see email.sql); NULL allowed
------------------------------------------------------------------------
INSERT INTO usrmgmt."user" (username, email) VALUES ('mail_ok', 'Mail.OK@Example.com') RETURNING id, email;
-- expected error: 23514 user_email_format, no @
INSERT INTO usrmgmt."user" (username, email) VALUES ('mail_bad1', 'not-an-email');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_email_format, a quoted local part
INSERT INTO usrmgmt."user" (username, email) VALUES ('mail_bad2', '"a b"@example.com');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_email_format, empty
INSERT INTO usrmgmt."user" (username, email) VALUES ('mail_bad3', '');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- user_auth.password_hash: user_auth_password_hash_format, only a
-- SCRAM-SHA-256 secret (user_auth is written by usrmgmt's functions; a
-- superuser writes it directly here to test the constraints)
------------------------------------------------------------------------
INSERT INTO usrmgmt."user" (username)
    VALUES ('pw_scram'), ('pw_scram2'), ('pw_plain'), ('pw_md5'), ('pw_short'), ('pw_iter0'),
           ('fails_neg');
-- a secret made by PostgreSQL itself for a role (pg_authid.rolpassword)
INSERT INTO usrmgmt.user_auth (user_id, password_hash)
    SELECT id, 'SCRAM-SHA-256$4096:sj/JLRwbbH0NqFVt5b7p7Q==$t+hZZrBkFJgLxyKCJ7vyDjaqH9KsNfqlxIL2lSbzPYc=:Mxum9KThpa7sFjLSIzREJi7wGrYd4ZiszMraWntmw3s='
      FROM usrmgmt."user" WHERE username = 'pw_scram'
    RETURNING user_id, left(password_hash, 19);
-- and one made now by the server's own SCRAM code
SET password_encryption = 'scram-sha-256';
CREATE ROLE regress_usrmgmt_pw PASSWORD 'correct horse battery staple';
INSERT INTO usrmgmt.user_auth (user_id, password_hash)
    SELECT u.id, a.rolpassword FROM usrmgmt."user" u, pg_authid a
     WHERE u.username = 'pw_scram2' AND a.rolname = 'regress_usrmgmt_pw'
    RETURNING user_id, left(password_hash, 19);
DROP ROLE regress_usrmgmt_pw;
-- expected error: 23514 user_auth_password_hash_format, plain text
INSERT INTO usrmgmt.user_auth (user_id, password_hash)
    SELECT id, 'correct horse battery staple' FROM usrmgmt."user" WHERE username = 'pw_plain';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_auth_password_hash_format, an MD5 hash
INSERT INTO usrmgmt.user_auth (user_id, password_hash)
    SELECT id, 'md5' || md5('secretalice') FROM usrmgmt."user" WHERE username = 'pw_md5';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_auth_password_hash_format, a truncated secret
INSERT INTO usrmgmt.user_auth (user_id, password_hash)
    SELECT id, 'SCRAM-SHA-256$4096:sj/JLRwbbH0NqFVt5b7p7Q==$t+hZZrBkFJgLxyKCJ7vyDjaqH9KsNfqlxIL2lSbzPYc=:Mxum9KThpa7sFjLSIzREJi7wGrYd4Zisz'
      FROM usrmgmt."user" WHERE username = 'pw_short';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_auth_password_hash_format, iteration count 0
INSERT INTO usrmgmt.user_auth (user_id, password_hash)
    SELECT id, 'SCRAM-SHA-256$0:sj/JLRwbbH0NqFVt5b7p7Q==$t+hZZrBkFJgLxyKCJ7vyDjaqH9KsNfqlxIL2lSbzPYc=:Mxum9KThpa7sFjLSIzREJi7wGrYd4ZiszMraWntmw3s='
      FROM usrmgmt."user" WHERE username = 'pw_iter0';
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- user_auth.failed_logins: user_auth_failed_logins_nonnegative
------------------------------------------------------------------------
-- expected error: 23514 user_auth_failed_logins_nonnegative
INSERT INTO usrmgmt.user_auth (user_id, failed_logins)
    SELECT id, -1 FROM usrmgmt."user" WHERE username = 'fails_neg';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23503 user_auth_user_id_fkey, no such user
INSERT INTO usrmgmt.user_auth (user_id) VALUES (999999);
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23505 user_auth_pkey, one row per user
INSERT INTO usrmgmt.user_auth (user_id)
    SELECT id FROM usrmgmt."user" WHERE username = 'pw_scram';
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Case-insensitive uniqueness of username and email (23505); NULL e-mail
-- addresses do not collide.  Full error detail from here on.
------------------------------------------------------------------------
\set VERBOSITY default
INSERT INTO usrmgmt."user" (username, email) VALUES ('Alice', 'Alice@Example.com') RETURNING id;
-- expected error: 23505 user_username_key, same name in other case
INSERT INTO usrmgmt."user" (username) VALUES ('aLICE');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23505 user_email_key, same address in other case
INSERT INTO usrmgmt."user" (username, email) VALUES ('alice2', 'alice@EXAMPLE.COM');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23505 user_username_key, a rename into a clash
UPDATE usrmgmt."user" SET username = 'ALICE' WHERE username = 'abc';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO usrmgmt."user" (username, email) VALUES ('nomail1', NULL), ('nomail2', NULL), ('nomail3', NULL);
SELECT count(*) AS users_without_email FROM usrmgmt."user" WHERE email IS NULL AND username LIKE 'nomail%';

------------------------------------------------------------------------
-- server: owner, name, port, memory, status, game mode, difficulty
------------------------------------------------------------------------
\set VERBOSITY terse
INSERT INTO usrmgmt."user" (username) VALUES ('owner1'), ('owner2');
INSERT INTO usrmgmt.server (server_name, owner_id)
    SELECT 'srv', id FROM usrmgmt."user" WHERE username = 'owner1'
    RETURNING server_name, port, memory_mb, status, game_mode, difficulty;
-- name: 3 and 150 characters pass, 2 and 151 fail, so does a dot or space
INSERT INTO usrmgmt.server (server_name, owner_id)
    SELECT repeat('s', 150), id FROM usrmgmt."user" WHERE username = 'owner1'
    RETURNING char_length(server_name);
INSERT INTO usrmgmt.server (server_name, owner_id)
    SELECT 'Mc_Srv-9', id FROM usrmgmt."user" WHERE username = 'owner1'
    RETURNING server_name;
-- expected error: 23514 server_name_format, 2 characters
INSERT INTO usrmgmt.server (server_name, owner_id) SELECT 'sv', id FROM usrmgmt."user" WHERE username = 'owner1';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 server_name_format, 151 characters
INSERT INTO usrmgmt.server (server_name, owner_id) SELECT repeat('s', 151), id FROM usrmgmt."user" WHERE username = 'owner1';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 server_name_format, a dot
INSERT INTO usrmgmt.server (server_name, owner_id) SELECT 'my.server', id FROM usrmgmt."user" WHERE username = 'owner1';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 server_name_format, a space
INSERT INTO usrmgmt.server (server_name, owner_id) SELECT 'my server', id FROM usrmgmt."user" WHERE username = 'owner1';
\echo :LAST_ERROR_SQLSTATE
-- server names are unique as written (case-sensitive): 'SRV' is another name
INSERT INTO usrmgmt.server (server_name, owner_id)
    SELECT 'SRV', id FROM usrmgmt."user" WHERE username = 'owner1' RETURNING server_name;
\set VERBOSITY default
-- expected error: 23505 server_name_key, the same name again
INSERT INTO usrmgmt.server (server_name, owner_id) SELECT 'srv', id FROM usrmgmt."user" WHERE username = 'owner2';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse

-- port 1024 and 65535 pass; 1023 and 65536 fail
UPDATE usrmgmt.server SET port = 1024 WHERE server_name = 'srv' RETURNING port;
UPDATE usrmgmt.server SET port = 65535 WHERE server_name = 'srv' RETURNING port;
-- expected error: 23514 server_port_range, 1023
UPDATE usrmgmt.server SET port = 1023 WHERE server_name = 'srv';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 server_port_range, 65536
UPDATE usrmgmt.server SET port = 65536 WHERE server_name = 'srv';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23502, port is NOT NULL
UPDATE usrmgmt.server SET port = NULL WHERE server_name = 'srv';
\echo :LAST_ERROR_SQLSTATE

-- memory 512 and 32768 pass; 511 and 32769 fail
UPDATE usrmgmt.server SET memory_mb = 512 WHERE server_name = 'srv' RETURNING memory_mb;
UPDATE usrmgmt.server SET memory_mb = 32768 WHERE server_name = 'srv' RETURNING memory_mb;
-- expected error: 23514 server_memory_range, 511
UPDATE usrmgmt.server SET memory_mb = 511 WHERE server_name = 'srv';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 server_memory_range, 32769
UPDATE usrmgmt.server SET memory_mb = 32769 WHERE server_name = 'srv';
\echo :LAST_ERROR_SQLSTATE

-- status: each value passes
UPDATE usrmgmt.server SET status = 'Running' WHERE server_name = 'srv' RETURNING status;
UPDATE usrmgmt.server SET status = 'Starting' WHERE server_name = 'srv' RETURNING status;
UPDATE usrmgmt.server SET status = 'Stopping' WHERE server_name = 'srv' RETURNING status;
UPDATE usrmgmt.server SET status = 'Stopped' WHERE server_name = 'srv' RETURNING status;
-- expected error: 23514 server_status_valid, wrong case
UPDATE usrmgmt.server SET status = 'running' WHERE server_name = 'srv';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 server_status_valid, upper case
UPDATE usrmgmt.server SET status = 'STOPPED' WHERE server_name = 'srv';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 server_status_valid, trailing space
UPDATE usrmgmt.server SET status = 'Running ' WHERE server_name = 'srv';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 server_status_valid, not a status
UPDATE usrmgmt.server SET status = 'Paused' WHERE server_name = 'srv';
\echo :LAST_ERROR_SQLSTATE

-- game mode: each value passes
UPDATE usrmgmt.server SET game_mode = 'creative' WHERE server_name = 'srv' RETURNING game_mode;
UPDATE usrmgmt.server SET game_mode = 'adventure' WHERE server_name = 'srv' RETURNING game_mode;
UPDATE usrmgmt.server SET game_mode = 'spectator' WHERE server_name = 'srv' RETURNING game_mode;
UPDATE usrmgmt.server SET game_mode = 'survival' WHERE server_name = 'srv' RETURNING game_mode;
-- expected error: 23514 server_game_mode_valid, wrong case
UPDATE usrmgmt.server SET game_mode = 'Survival' WHERE server_name = 'srv';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 server_game_mode_valid, not a mode
UPDATE usrmgmt.server SET game_mode = 'hardcore' WHERE server_name = 'srv';
\echo :LAST_ERROR_SQLSTATE

-- difficulty: each value passes
UPDATE usrmgmt.server SET difficulty = 'peaceful' WHERE server_name = 'srv' RETURNING difficulty;
UPDATE usrmgmt.server SET difficulty = 'easy' WHERE server_name = 'srv' RETURNING difficulty;
UPDATE usrmgmt.server SET difficulty = 'hard' WHERE server_name = 'srv' RETURNING difficulty;
UPDATE usrmgmt.server SET difficulty = 'normal' WHERE server_name = 'srv' RETURNING difficulty;
-- expected error: 23514 server_difficulty_valid, wrong case
UPDATE usrmgmt.server SET difficulty = 'Hard' WHERE server_name = 'srv';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 server_difficulty_valid, not a difficulty
UPDATE usrmgmt.server SET difficulty = 'extreme' WHERE server_name = 'srv';
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- configuration: key 1-100 of [A-Za-z0-9._-], unique; value not empty
------------------------------------------------------------------------
INSERT INTO usrmgmt.configuration (key, value) VALUES ('k', 'v') RETURNING key, value;
INSERT INTO usrmgmt.configuration (key, value) VALUES (repeat('k', 100), 'v') RETURNING char_length(key);
INSERT INTO usrmgmt.configuration (key, value) VALUES ('App.max-users_2', '10') RETURNING key, value;
-- only the empty value is refused: a space is a value
INSERT INTO usrmgmt.configuration (key, value) VALUES ('motd', ' ') RETURNING key, value;
-- expected error: 23514 configuration_key_format, empty key
INSERT INTO usrmgmt.configuration (key, value) VALUES ('', 'v');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 configuration_key_format, 101 characters
INSERT INTO usrmgmt.configuration (key, value) VALUES (repeat('k', 101), 'v');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 configuration_key_format, a slash
INSERT INTO usrmgmt.configuration (key, value) VALUES ('app/name', 'v');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 configuration_key_format, a colon
INSERT INTO usrmgmt.configuration (key, value) VALUES ('app:name', 'v');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 configuration_key_format, a space
INSERT INTO usrmgmt.configuration (key, value) VALUES ('app name', 'v');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 configuration_key_format, non-ASCII
INSERT INTO usrmgmt.configuration (key, value) VALUES ('clé', 'v');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 configuration_value_nonempty
INSERT INTO usrmgmt.configuration (key, value) VALUES ('empty', '');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23502, value is NOT NULL
INSERT INTO usrmgmt.configuration (key, value) VALUES ('null', NULL);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- expected error: 23505 configuration_key_key
INSERT INTO usrmgmt.configuration (key, value) VALUES ('k', 'again');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse

------------------------------------------------------------------------
-- user_log.action: user_log_action_valid, 'login' or 'logout'
------------------------------------------------------------------------
INSERT INTO usrmgmt.user_log (user_id, username, action) VALUES (1, 'log_in', 'login') RETURNING username, action;
INSERT INTO usrmgmt.user_log (user_id, username, action) VALUES (1, 'log_out', 'logout') RETURNING username, action;
-- expected error: 23514 user_log_action_valid, wrong case
INSERT INTO usrmgmt.user_log (user_id, username, action) VALUES (1, 'log_bad', 'Login');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_log_action_valid, not an action
INSERT INTO usrmgmt.user_log (user_id, username, action) VALUES (1, 'log_bad', 'logoff');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 user_log_action_valid, empty
INSERT INTO usrmgmt.user_log (user_id, username, action) VALUES (1, 'log_bad', '');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- migration_history: name, kind, checksum
------------------------------------------------------------------------
INSERT INTO usrmgmt.migration_history (migration_name, checksum, execution_ms)
    VALUES ('001_init', repeat('0123456789abcdef', 4), 1.5)
    RETURNING id, migration_name, kind;
-- expected error: 23514 migration_history_name_nonempty
INSERT INTO usrmgmt.migration_history (migration_name) VALUES ('');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 migration_history_kind_valid
INSERT INTO usrmgmt.migration_history (migration_name, kind) VALUES ('002', 'Application');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 migration_history_checksum_format, upper-case hex
INSERT INTO usrmgmt.migration_history (migration_name, checksum) VALUES ('003', repeat('0123456789ABCDEF', 4));
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 migration_history_checksum_format, 63 digits
INSERT INTO usrmgmt.migration_history (migration_name, checksum) VALUES ('004', left(repeat('0123456789abcdef', 4), 63));
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23514 migration_history_execution_ms_nonnegative
INSERT INTO usrmgmt.migration_history (migration_name, execution_ms) VALUES ('005', -0.1);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- expected error: 23505 migration_history_name_key
INSERT INTO usrmgmt.migration_history (migration_name) VALUES ('001_init');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Foreign keys: refusals (23503)
------------------------------------------------------------------------
-- expected error: 23503 server_owner_id_fkey, no such user
INSERT INTO usrmgmt.server (server_name, owner_id) VALUES ('orphan', 999999);
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23503 server_owner_id_fkey, moving a server to no user
UPDATE usrmgmt.server SET owner_id = 999999 WHERE server_name = 'srv';
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23503 configuration_updated_by_fkey
INSERT INTO usrmgmt.configuration (key, value, updated_by) VALUES ('by_nobody', 'v', 999999);
\echo :LAST_ERROR_SQLSTATE
-- 1.1: the log has no foreign key (history keeps the id of a deleted user):
-- a row for an id no user has is taken
INSERT INTO usrmgmt.user_log (user_id, username, action) VALUES (999999, 'ghost', 'login')
    RETURNING user_id, username;
-- expected error: 23502, but a log row needs a user id
\set VERBOSITY terse
INSERT INTO usrmgmt.user_log (username, action) VALUES ('ghost', 'login');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- expected error: 23503 online_user_user_id_fkey
INSERT INTO usrmgmt.online_user (user_id, username) VALUES (999999, 'ghost');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 23502, a session needs a user (terse: the DETAIL would
-- show the row's timestamps)
\set VERBOSITY terse
INSERT INTO usrmgmt.online_user (user_id, username) VALUES (NULL, 'ghost');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

------------------------------------------------------------------------
-- Foreign keys: ON DELETE rules
------------------------------------------------------------------------
INSERT INTO usrmgmt."user" (username) VALUES ('leaver');
INSERT INTO usrmgmt.configuration (key, value, updated_by)
    SELECT 'set.by.leaver', 'v', id FROM usrmgmt."user" WHERE username = 'leaver';
INSERT INTO usrmgmt.user_log (user_id, username, action)
    SELECT id, 'leaver', 'login' FROM usrmgmt."user" WHERE username = 'leaver';
INSERT INTO usrmgmt.online_user (user_id, username)
    SELECT id, 'leaver' FROM usrmgmt."user" WHERE username = 'leaver';
INSERT INTO usrmgmt.server (server_name, owner_id)
    SELECT 'leavers-server', id FROM usrmgmt."user" WHERE username = 'leaver';
INSERT INTO usrmgmt.user_auth (user_id, failed_logins)
    SELECT id, 2 FROM usrmgmt."user" WHERE username = 'leaver';
-- expected error: 23503 server_owner_id_fkey, ON DELETE RESTRICT: a user
-- who owns a server cannot be deleted.  The block prints the constraint
-- and the SQLSTATE, the same on every version (PostgreSQL 18's own RESTRICT
-- error would be 23001, with another message).
DO $$
DECLARE
    want text := '23503';
    st text;
    con text;
BEGIN
    DELETE FROM usrmgmt."user" WHERE username = 'leaver';
    RAISE NOTICE 'deleted';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, con = CONSTRAINT_NAME;
    RAISE NOTICE 'refused by %: %', con,
        CASE WHEN st = want THEN 'this version''s SQLSTATE'
             ELSE 'SQLSTATE ' || st || ', expected ' || want END;
END
$$;
DELETE FROM usrmgmt.server WHERE server_name = 'leavers-server';
DELETE FROM usrmgmt."user" WHERE username = 'leaver';
-- SET NULL: the setting stays, without its user; the log row keeps the
-- user's id (1.1: no foreign key on the log)
SELECT key, updated_by FROM usrmgmt.configuration WHERE key = 'set.by.leaver';
SELECT username, user_id, action FROM usrmgmt.user_log
    WHERE username = 'leaver' AND action = 'login' AND session_id IS NULL;
-- CASCADE: the session and the user_auth row went with the user
SELECT count(*) AS leaver_sessions FROM usrmgmt.online_user WHERE username = 'leaver';
SELECT count(*) AS leaver_auth FROM usrmgmt.user_auth
 WHERE user_id NOT IN (SELECT id FROM usrmgmt."user");

------------------------------------------------------------------------
-- updated_at: set to now() by every UPDATE, whatever the client wrote;
-- INSERT (and so COPY and restore) leaves the given value alone
------------------------------------------------------------------------
INSERT INTO usrmgmt."user" (username, created_at, updated_at)
    VALUES ('stamped', '2001-02-03 04:05:06+00', '2001-02-03 04:05:06+00');
INSERT INTO usrmgmt.configuration (key, value, updated_at)
    VALUES ('stamped', 'v', '2001-02-03 04:05:06+00');
UPDATE usrmgmt.server SET updated_at = '2001-02-03 04:05:06+00', created_at = '2001-02-03 04:05:06+00'
    WHERE server_name = 'srv';
SELECT username, updated_at = '2001-02-03 04:05:06+00' AS insert_kept_value
FROM usrmgmt."user" WHERE username = 'stamped';
SELECT key, updated_at = '2001-02-03 04:05:06+00' AS insert_kept_value
FROM usrmgmt.configuration WHERE key = 'stamped';
BEGIN;
-- an UPDATE that does not mention updated_at
UPDATE usrmgmt."user" SET is_admin = true WHERE username = 'stamped';
-- an UPDATE that tries to back-date it
UPDATE usrmgmt.configuration SET value = 'w', updated_at = '1999-01-01 00:00:00+00' WHERE key = 'stamped';
-- an UPDATE that tries to set it in the future (the server row's
-- created_at was back-dated above: the trigger keeps updated_at only)
UPDATE usrmgmt.server SET updated_at = 'infinity' WHERE server_name = 'srv';
SELECT 'user' AS tbl, updated_at = now() AS is_now, created_at = '2001-02-03 04:05:06+00' AS created_kept
FROM usrmgmt."user" WHERE username = 'stamped'
UNION ALL
SELECT 'configuration', updated_at = now(), NULL
FROM usrmgmt.configuration WHERE key = 'stamped'
UNION ALL
SELECT 'server', updated_at = now(), created_at = '2001-02-03 04:05:06+00'
FROM usrmgmt.server WHERE server_name = 'srv';
COMMIT;

-- the trigger function refuses to run anywhere but BEFORE UPDATE FOR EACH ROW
CREATE TABLE regress_stamp (id int, updated_at timestamptz);
CREATE TABLE regress_nostamp (id int, updated_at text);
CREATE TRIGGER stamp_ins BEFORE INSERT ON regress_stamp
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.set_updated_at();
CREATE TRIGGER stamp_upd BEFORE UPDATE ON regress_nostamp
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.set_updated_at();
-- expected error: 39P01, fired by INSERT
INSERT INTO regress_stamp VALUES (1, NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO regress_nostamp VALUES (1, 'x');
-- expected error: 42703, updated_at is not a timestamptz
UPDATE regress_nostamp SET id = 2;
\echo :LAST_ERROR_SQLSTATE
-- expected error: 39P01, called directly, not as a trigger
SELECT usrmgmt.set_updated_at();
\echo :LAST_ERROR_SQLSTATE
DROP TABLE regress_stamp, regress_nostamp;

-- nor on a table without an updated_at column, nor AFTER, nor FOR EACH
-- STATEMENT
CREATE TABLE regress_no_updated_at (a int);
CREATE TRIGGER t BEFORE UPDATE ON regress_no_updated_at
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.set_updated_at();
INSERT INTO regress_no_updated_at VALUES (1);
-- expected: 42703, the table has no updated_at column
UPDATE regress_no_updated_at SET a = 2;
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE regress_wrong_event (a int, updated_at timestamptz);
INSERT INTO regress_wrong_event VALUES (1, NULL);
CREATE TRIGGER t_after AFTER UPDATE ON regress_wrong_event
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.set_updated_at();
-- expected: 39P01, fired AFTER, not BEFORE
UPDATE regress_wrong_event SET a = 2;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER t_after ON regress_wrong_event;
CREATE TRIGGER t_stmt BEFORE UPDATE ON regress_wrong_event
    FOR EACH STATEMENT EXECUTE FUNCTION usrmgmt.set_updated_at();
-- expected: 39P01, fired FOR EACH STATEMENT, not FOR EACH ROW
UPDATE regress_wrong_event SET a = 2;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE regress_no_updated_at, regress_wrong_event;
-- Dropped columns before updated_at: the column is found by name.
CREATE TABLE regress_dropped (a int, b text, c int, updated_at timestamptz);
ALTER TABLE regress_dropped DROP COLUMN a, DROP COLUMN b;
CREATE TRIGGER t BEFORE UPDATE ON regress_dropped
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.set_updated_at();
INSERT INTO regress_dropped VALUES (1, '-infinity');
BEGIN;
UPDATE regress_dropped SET c = 2;
SELECT c, updated_at = now() AS updated FROM regress_dropped;
COMMIT;
DROP TABLE regress_dropped;
-- A client cannot back- or forward-date updated_at.
INSERT INTO usrmgmt."user" (username, email) VALUES ('regress_owner', 'owner@example.com');
BEGIN;
UPDATE usrmgmt."user" SET updated_at = '-infinity' WHERE username = 'regress_owner';
SELECT updated_at = now() AS updated FROM usrmgmt."user" WHERE username = 'regress_owner';
UPDATE usrmgmt."user" SET updated_at = 'infinity' WHERE username = 'regress_owner';
SELECT updated_at = now() AS updated FROM usrmgmt."user" WHERE username = 'regress_owner';
ROLLBACK;

-- expected error: 428C9, ids come from the identity unless overridden
\set VERBOSITY terse
INSERT INTO usrmgmt."user" (id, username) VALUES (1000, 'given_id');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
INSERT INTO usrmgmt."user" (id, username) OVERRIDING SYSTEM VALUE VALUES (1000, 'given_id')
    RETURNING id, username;

DROP EXTENSION usrmgmt;
