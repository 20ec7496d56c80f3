-- test/demo.sql: the usrmgmt demo, run by test/demo.sh in a throwaway
-- cluster.  Shows users going in, constraints refusing bad rows by name,
-- and the validators.  Errors are expected here: psql carries on.
\set ON_ERROR_STOP 0
\set VERBOSITY terse
\pset footer off

\echo
\echo '== CREATE EXTENSION usrmgmt'
CREATE EXTENSION usrmgmt;
SELECT extname, extversion FROM pg_extension WHERE extname = 'usrmgmt';
SELECT id, migration_name, kind FROM usrmgmt.migration_history;
-- the monthly partitions of the log: this month and three ahead
SELECT jsonb_pretty(usrmgmt.maintain()) AS maintain;

\echo
\echo '== Users go in'
INSERT INTO usrmgmt."user" (username, email, first_name, last_name, is_admin)
VALUES ('alice', 'alice@example.com', 'Alice', 'Liddell', true),
       ('bob_42', 'Bob.Builder+site@mail.example.org', 'Bob', 'Builder', false),
       ('carol-x', NULL, NULL, NULL, false)
RETURNING id, username, email, is_admin, is_active;

INSERT INTO usrmgmt.server (server_name, owner_id, port, memory_mb, status, game_mode, difficulty)
SELECT 'alice-survival', id, 25565, 4096, 'Running', 'survival', 'hard'
FROM usrmgmt."user" WHERE username = 'alice'
RETURNING server_name, port, memory_mb, status, game_mode, difficulty;

INSERT INTO usrmgmt.configuration (key, value, updated_by)
SELECT 'app.max_users', '500', id FROM usrmgmt."user" WHERE username = 'alice'
RETURNING key, value;

\echo
\echo '== Bad rows are refused, each by its named constraint (SQLSTATE 23514)'
\echo '-- username too short'
INSERT INTO usrmgmt."user" (username) VALUES ('al');
\echo '-- username with a space'
INSERT INTO usrmgmt."user" (username) VALUES ('alice smith');
\echo '-- e-mail address with two @'
INSERT INTO usrmgmt."user" (username, email) VALUES ('dave', 'dave@@example.com');
\echo '-- blank first name'
INSERT INTO usrmgmt."user" (username, first_name) VALUES ('erin', '   ');
\echo '-- a plain-text password where a SCRAM secret belongs (usrmgmt.user_auth)'
INSERT INTO usrmgmt.user_auth (user_id, password_hash) SELECT id, 'hunter2' FROM usrmgmt."user" WHERE username = 'bob_42';
\echo '-- port below 1024'
INSERT INTO usrmgmt.server (server_name, owner_id, port) SELECT 'low-port', id, 80 FROM usrmgmt."user" WHERE username = 'bob_42';
\echo '-- memory above 32768 MB'
INSERT INTO usrmgmt.server (server_name, owner_id, memory_mb) SELECT 'big-one', id, 65536 FROM usrmgmt."user" WHERE username = 'bob_42';
\echo '-- status in the wrong case'
UPDATE usrmgmt.server SET status = 'running' WHERE server_name = 'alice-survival';
\echo '-- configuration key with a slash, empty value'
INSERT INTO usrmgmt.configuration (key, value) VALUES ('app/name', 'x');
INSERT INTO usrmgmt.configuration (key, value) VALUES ('app.name', '');

\echo
\echo '== Uniqueness ignores case (23505); foreign keys hold (23503)'
INSERT INTO usrmgmt."user" (username) VALUES ('ALICE');
INSERT INTO usrmgmt."user" (username, email) VALUES ('alice2', 'ALICE@EXAMPLE.COM');
INSERT INTO usrmgmt.server (server_name, owner_id) VALUES ('orphan', 424242);
DELETE FROM usrmgmt."user" WHERE username = 'alice';

\echo
\echo '== The validators, callable by anyone'
SELECT v AS value,
       usrmgmt.is_valid_email(v) AS email,
       usrmgmt.is_valid_username(v) AS username,
       usrmgmt.is_valid_config_key(v) AS config_key
FROM (VALUES ('alice@example.com'), ('.odd..but.valid.@example.com'),
             ('"quoted"@example.com'), ('user@[127.0.0.1]'), ('jörg@example.com'),
             ('bob_42'), ('app.max_users')) AS t(v);

\echo
\echo '== updated_at follows every UPDATE, even one that tries to back-date it'
BEGIN;
UPDATE usrmgmt."user" SET updated_at = '2000-01-01', last_name = 'Pleasance' WHERE username = 'alice';
SELECT username, last_name, updated_at = now() AS updated_at_is_now FROM usrmgmt."user" WHERE username = 'alice';
COMMIT;

\echo
\echo '== What is in the tables now'
SELECT id, username, email, first_name, last_name, is_admin FROM usrmgmt."user" ORDER BY id;

\echo
\echo '== Sessions: login() opens one, the triggers write the audit log'
SET usrmgmt.password_iterations = 4096;   -- demo speed; the default is 600000
SELECT usrmgmt.set_password('bob_42', 'correct horse battery staple');
SELECT usrmgmt.authenticate('bob_42', 'correct horse battery staple', '192.0.2.10', 'demo/1.0') AS session_id;
SELECT usrmgmt.authenticate('bob_42', 'wrong password') AS wrong_password_gives_null;
SELECT u.username, a.failed_logins, a.password_hash LIKE 'SCRAM-SHA-256$4096:%' AS scram_secret,
       usrmgmt.last_login(u.id) IS NOT NULL AS logged_in
  FROM usrmgmt."user" u JOIN usrmgmt.user_auth a ON a.user_id = u.id WHERE u.username = 'bob_42';
-- an ORM inserting a session directly is logged the same way
INSERT INTO usrmgmt.online_user (user_id) SELECT id FROM usrmgmt."user" WHERE username = 'alice';
SELECT id AS session_id, username, ip_address, user_agent FROM usrmgmt.online_user ORDER BY id;
SELECT usrmgmt.logout_user('bob_42') AS closed;
UPDATE usrmgmt."user" SET is_active = false WHERE username = 'alice';   -- closes her session
SELECT id, username, action, session_id, detail FROM usrmgmt.user_log ORDER BY id;

\echo
\echo '== The log is append-only (55000); an inactive user cannot log in (28000)'
DELETE FROM usrmgmt.user_log;
SELECT usrmgmt.login('alice');
SELECT usrmgmt.login('nobody');

\echo
\echo '== Integrity, schema drift and health'
SELECT usrmgmt.verify();
SELECT jsonb_build_object('status', h->'status', 'problems', h->'problems',
                          'sessions_online', h->'sessions_online') AS health
  FROM usrmgmt.health() h;
ALTER TABLE usrmgmt.online_user DISABLE TRIGGER online_user_log_login;   -- drift
SELECT * FROM usrmgmt.validate_schema();
SELECT usrmgmt.health()->>'status' AS health_status;
ALTER TABLE usrmgmt.online_user ENABLE TRIGGER online_user_log_login;

\echo
\echo '== Migrations: applied once, recorded with their checksum'
SELECT usrmgmt.apply_migration('0001_server_created_at',
           'CREATE INDEX server_created_at_idx ON usrmgmt.server (created_at)',
           'DROP INDEX usrmgmt.server_created_at_idx') AS applied;
SELECT usrmgmt.apply_migration('0001_server_created_at',
           'CREATE INDEX server_created_at_idx ON usrmgmt.server (created_at)') AS applied_again;
SELECT migration_name, kind, left(checksum, 16) AS checksum FROM usrmgmt.migration_history ORDER BY id;
SELECT usrmgmt.status();
