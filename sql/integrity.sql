-- validate_data_integrity(): rows that got past the constraints and the
-- triggers, put there the ways a DBA can: session_replication_role =
-- replica (no triggers, no foreign keys), DISABLE TRIGGER ALL (also the
-- triggers set ENABLE ALWAYS), constraints dropped and re-added NOT VALID.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION usrmgmt;

-- A clean install, and clean data, report nothing.
SELECT * FROM usrmgmt.validate_data_integrity();
SELECT usrmgmt.verify();

-- Consistent data: two users, an open session with its login row, a
-- closed session with login and logout rows, a server, a setting.
SET session_replication_role = replica;
ALTER TABLE usrmgmt."user" DISABLE TRIGGER ALL;
ALTER TABLE usrmgmt.online_user DISABLE TRIGGER ALL;
ALTER TABLE usrmgmt.user_log DISABLE TRIGGER ALL;
INSERT INTO usrmgmt."user" (id, username, email, is_active) OVERRIDING SYSTEM VALUE
VALUES (1, 'alice', 'alice@example.com', true),
       (2, 'bob', 'bob@example.com', true);
INSERT INTO usrmgmt.online_user (id, user_id, username) OVERRIDING SYSTEM VALUE
VALUES (10, 1, 'alice');
INSERT INTO usrmgmt.user_log (id, user_id, username, action, session_id) OVERRIDING SYSTEM VALUE
VALUES (100, 1, 'alice', 'login', 10),
       (101, 2, 'bob', 'login', 11),
       (102, 2, 'bob', 'logout', 11);
INSERT INTO usrmgmt.server (id, server_name, owner_id) OVERRIDING SYSTEM VALUE
VALUES (1, 'alpha', 1);
INSERT INTO usrmgmt.configuration (id, key, value, updated_by) OVERRIDING SYSTEM VALUE
VALUES (1, 'site.name', 'demo', 2);
ALTER TABLE usrmgmt."user" ENABLE TRIGGER ALL;
ALTER TABLE usrmgmt.online_user ENABLE TRIGGER ALL;
ALTER TABLE usrmgmt.user_log ENABLE TRIGGER ALL;
RESET session_replication_role;
SELECT * FROM usrmgmt.validate_data_integrity();

-- foreign_key_violation: replica mode does not fire the RI triggers.
SET session_replication_role = replica;
ALTER TABLE usrmgmt."user" DISABLE TRIGGER ALL;
ALTER TABLE usrmgmt.online_user DISABLE TRIGGER ALL;
ALTER TABLE usrmgmt.user_log DISABLE TRIGGER ALL;
INSERT INTO usrmgmt.online_user (id, user_id, username) OVERRIDING SYSTEM VALUE
VALUES (20, 999, 'ghost');
INSERT INTO usrmgmt.user_log (id, user_id, username, action, session_id) OVERRIDING SYSTEM VALUE
VALUES (200, 999, 'ghost', 'login', 20);
INSERT INTO usrmgmt.server (id, server_name, owner_id) OVERRIDING SYSTEM VALUE
VALUES (2, 'beta', 998);
UPDATE usrmgmt.configuration SET updated_by = 997 WHERE id = 1;
INSERT INTO usrmgmt.user_auth (user_id, failed_logins) VALUES (996, 1);
ALTER TABLE usrmgmt."user" ENABLE TRIGGER ALL;
ALTER TABLE usrmgmt.online_user ENABLE TRIGGER ALL;
ALTER TABLE usrmgmt.user_log ENABLE TRIGGER ALL;
RESET session_replication_role;
SELECT * FROM usrmgmt.validate_data_integrity()
 WHERE category = 'foreign_key_violation';

-- constraint_violation: constraints dropped, bad rows added, the
-- constraints re-added NOT VALID (so PostgreSQL does not check old rows).
ALTER TABLE usrmgmt."user" DROP CONSTRAINT user_email_format,
                           DROP CONSTRAINT user_username_format;
INSERT INTO usrmgmt."user" (id, username, email) OVERRIDING SYSTEM VALUE
VALUES (3, 'x', 'not an address'), (4, 'carol', 'carol@@example.com');
ALTER TABLE usrmgmt."user"
    ADD CONSTRAINT user_email_format CHECK (usrmgmt.is_valid_email(email)) NOT VALID,
    ADD CONSTRAINT user_username_format CHECK (usrmgmt.is_valid_username(username)) NOT VALID;
-- user_auth, whose row id is its user_id
ALTER TABLE usrmgmt.user_auth DROP CONSTRAINT user_auth_failed_logins_nonnegative;
INSERT INTO usrmgmt.user_auth (user_id, failed_logins) VALUES (1, -3);
ALTER TABLE usrmgmt.user_auth
    ADD CONSTRAINT user_auth_failed_logins_nonnegative CHECK (failed_logins OPERATOR(pg_catalog.>=) 0) NOT VALID;
-- A constraint that is simply gone is still checked: the manifest keeps
-- its expression.
ALTER TABLE usrmgmt.server DROP CONSTRAINT server_memory_range;
INSERT INTO usrmgmt.server (id, server_name, owner_id, memory_mb) OVERRIDING SYSTEM VALUE
VALUES (3, 'gamma', 1, 64);
SELECT * FROM usrmgmt.validate_data_integrity()
 WHERE category = 'constraint_violation';

-- data_inconsistency and orphaned_record, all written in replica mode so
-- that no session trigger repairs or refuses them.
SET session_replication_role = replica;
ALTER TABLE usrmgmt."user" DISABLE TRIGGER ALL;
ALTER TABLE usrmgmt.online_user DISABLE TRIGGER ALL;
ALTER TABLE usrmgmt.user_log DISABLE TRIGGER ALL;
-- session whose username is not its user's
INSERT INTO usrmgmt.online_user (id, user_id, username) OVERRIDING SYSTEM VALUE
VALUES (30, 2, 'robert');
INSERT INTO usrmgmt.user_log (id, user_id, username, action, session_id) OVERRIDING SYSTEM VALUE
VALUES (300, 2, 'bob', 'login', 30);
-- open session of an inactive user (and it has no login row)
INSERT INTO usrmgmt."user" (id, username, is_active) OVERRIDING SYSTEM VALUE
VALUES (5, 'dave', false);
INSERT INTO usrmgmt.online_user (id, user_id, username) OVERRIDING SYSTEM VALUE
VALUES (31, 5, 'dave');
-- a closed session with two logout rows
INSERT INTO usrmgmt.user_log (id, user_id, username, action, session_id) OVERRIDING SYSTEM VALUE
VALUES (310, 2, 'bob', 'login', 32),
       (311, 2, 'bob', 'logout', 32),
       (312, 2, 'bob', 'logout', 32);
-- an open session that already has a logout row
INSERT INTO usrmgmt.user_log (id, user_id, username, action, session_id) OVERRIDING SYSTEM VALUE
VALUES (313, 1, 'alice', 'logout', 10);
-- a closed session without a logout row
INSERT INTO usrmgmt.user_log (id, user_id, username, action, session_id) OVERRIDING SYSTEM VALUE
VALUES (320, 1, 'alice', 'login', 33);
-- a logout row of a session that never existed
INSERT INTO usrmgmt.user_log (id, user_id, username, action, session_id) OVERRIDING SYSTEM VALUE
VALUES (330, 1, 'alice', 'logout', 4242);
ALTER TABLE usrmgmt."user" ENABLE TRIGGER ALL;
ALTER TABLE usrmgmt.online_user ENABLE TRIGGER ALL;
ALTER TABLE usrmgmt.user_log ENABLE TRIGGER ALL;
RESET session_replication_role;
SELECT * FROM usrmgmt.validate_data_integrity()
 WHERE category IN ('data_inconsistency', 'orphaned_record');

-- verify() sums both up.
SELECT v->'ok' AS ok, jsonb_array_length(v->'schema') AS schema_problems,
       jsonb_array_length(v->'data') AS data_problems,
       v->'data'->0 AS first_finding
  FROM usrmgmt.verify() v;

-- A check that cannot run (the column it reads is gone) is skipped with a
-- WARNING; the other checks still report.
ALTER TABLE usrmgmt.online_user RENAME COLUMN username TO login_name;
SELECT category, count(*) FROM usrmgmt.validate_data_integrity()
 GROUP BY category ORDER BY category;
ALTER TABLE usrmgmt.online_user RENAME COLUMN login_name TO username;

-- validate_data_integrity() shows row ids and usernames: it runs with the
-- caller's rights, so a role that cannot read the tables gets nothing.
CREATE ROLE regress_integrity_reader;
GRANT EXECUTE ON FUNCTION usrmgmt.validate_data_integrity() TO regress_integrity_reader;
SET ROLE regress_integrity_reader;
-- expected: 42501, no SELECT on the manifest (read first)
SELECT * FROM usrmgmt.validate_data_integrity();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT SELECT ON usrmgmt.schema_manifest TO regress_integrity_reader;
SET ROLE regress_integrity_reader;
-- expected: 42501, no SELECT on the tables: not a skipped check, an error
SELECT * FROM usrmgmt.validate_data_integrity();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- The recipe of doc/usrmgmt.md, "Privileges and role recipes": SELECT on
-- the tables and the manifest.
GRANT SELECT ON ALL TABLES IN SCHEMA usrmgmt TO regress_integrity_reader;
SET ROLE regress_integrity_reader;
SELECT count(*) FROM usrmgmt.validate_data_integrity();
RESET ROLE;
REVOKE ALL ON ALL TABLES IN SCHEMA usrmgmt FROM regress_integrity_reader;
REVOKE ALL ON FUNCTION usrmgmt.validate_data_integrity() FROM regress_integrity_reader;
DROP ROLE regress_integrity_reader;

DROP EXTENSION usrmgmt;
