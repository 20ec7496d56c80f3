-- references: the references to "user" that 1.1 keeps by triggers instead
-- of foreign keys (doc: Restore): the same rules, names, SQLSTATE and
-- messages, and the one difference, rows a superuser restores by COPY.
\set VERBOSITY default
\set SHOW_CONTEXT never
\i sql/include/setup.sql
CREATE EXTENSION usrmgmt;

-- No declarative foreign key is left between usrmgmt's tables; the
-- triggers that keep the references carry the foreign keys' names.
SELECT conrelid::regclass, conname FROM pg_constraint
 WHERE contype = 'f' AND connamespace = 'usrmgmt'::regnamespace;
SELECT tgrelid::regclass AS on_table, tgname, pg_get_triggerdef(oid) LIKE '%reference_check%' AS checks
  FROM pg_trigger
 WHERE tgrelid IN ('usrmgmt."user"'::regclass, 'usrmgmt.server'::regclass, 'usrmgmt.configuration'::regclass)
   AND tgname IN ('server_owner_id_fkey', 'configuration_updated_by_fkey', 'user_references', 'user_refuse_truncate')
 ORDER BY 1::text, 2;

INSERT INTO usrmgmt."user" (username) VALUES ('alice'), ('bob'), ('carol');
INSERT INTO usrmgmt.server (server_name, owner_id) VALUES ('alpha', 1);
INSERT INTO usrmgmt.configuration (key, value, updated_by) VALUES ('motd', 'hello', 2);
SELECT usrmgmt.login('bob') AS s_bob \gset

-- RESTRICT: a user who owns a server cannot be deleted
-- expected error 23503 server_owner_id_fkey
DELETE FROM usrmgmt."user" WHERE username = 'alice';
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.attempt_constraint($$DELETE FROM usrmgmt."user" WHERE username = $1$$, 'alice');
-- the check on insert and on update of the column
-- expected error 23503 server_owner_id_fkey
INSERT INTO usrmgmt.server (server_name, owner_id) VALUES ('beta', 99);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.attempt_constraint($$UPDATE usrmgmt.server SET owner_id = $1::bigint$$, '98');
SELECT pg_temp.attempt_constraint($$UPDATE usrmgmt.configuration SET updated_by = $1::bigint$$, '97');
SELECT pg_temp.attempt_constraint($$INSERT INTO usrmgmt.online_user (user_id, username) VALUES ($1::bigint, 'x')$$, '96');
-- NULL and an unchanged value are not looked up
UPDATE usrmgmt.configuration SET value = 'hi' WHERE key = 'motd';
INSERT INTO usrmgmt.configuration (key, value) VALUES ('nobody.set', 'v');

-- CASCADE and SET NULL: deleting bob closes his session ('user deleted',
-- his id kept in the log) and clears the setting he made
DELETE FROM usrmgmt."user" WHERE username = 'bob';
SELECT count(*) AS bob_sessions FROM usrmgmt.online_user WHERE user_id = 2;
SELECT user_id, username, action, detail FROM usrmgmt.user_log ORDER BY id;
SELECT key, updated_by FROM usrmgmt.configuration ORDER BY key;

-- An id in use cannot change (NO ACTION), a free one can
-- expected error 23503 server_owner_id_fkey
UPDATE usrmgmt."user" SET id = DEFAULT WHERE username = 'alice';
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.attempt($$UPDATE usrmgmt."user" SET id = DEFAULT WHERE username = 'carol'$$) AS carol_new_id;

-- TRUNCATE of "user" would leave the references dangling: only reset()
-- expected error 55000
TRUNCATE usrmgmt."user" CASCADE;
\echo :LAST_ERROR_SQLSTATE

-- Restore: rows a superuser loads by COPY into the table itself are taken
-- as they are (their user may come later in a parallel restore) ...
COPY usrmgmt.server (server_name, owner_id) FROM stdin;
restored	42
\.
-- ... and validate_data_integrity() reports what does not hold
SELECT category, table_name, detail FROM usrmgmt.validate_data_integrity();
DELETE FROM usrmgmt.server WHERE server_name = 'restored';
-- A COPY in anyone else's session is checked like an INSERT
GRANT USAGE ON SCHEMA usrmgmt TO regress_app;
GRANT INSERT ON usrmgmt.server TO regress_app;
SET SESSION AUTHORIZATION regress_app;
-- expected error 23503 server_owner_id_fkey (psql sets no LAST_ERROR_SQLSTATE for COPY)
COPY usrmgmt.server (server_name, owner_id) FROM stdin;
copied	42
\.
RESET SESSION AUTHORIZATION;
-- (what counts is the session user: a superuser's session after SET ROLE
-- still restores, as pg_restore --role=X does)
SET ROLE regress_app;
COPY usrmgmt.server (server_name, owner_id) FROM stdin;
restored_as_role	42
\.
RESET ROLE;
SELECT count(*) AS restored_as_role FROM usrmgmt.server WHERE server_name = 'restored_as_role';
DELETE FROM usrmgmt.server WHERE server_name = 'restored_as_role';
-- and a superuser's INSERT too
SELECT pg_temp.attempt_constraint($$INSERT INTO usrmgmt.server (server_name, owner_id) VALUES ('ins', $1::bigint)$$, '42');
REVOKE ALL ON usrmgmt.server FROM regress_app;
REVOKE ALL ON SCHEMA usrmgmt FROM regress_app;

-- The trigger functions refuse to be anything else.
CREATE TABLE public.t (owner_id bigint);
CREATE TRIGGER t AFTER INSERT ON public.t FOR EACH STATEMENT EXECUTE FUNCTION usrmgmt.reference_check('owner_id', 'x');
-- expected error 39P01: fired by the wrong event
INSERT INTO public.t VALUES (1);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE public.t;
-- expected error 39P01: not called by the trigger manager
SELECT usrmgmt.user_references();
\echo :LAST_ERROR_SQLSTATE

DROP EXTENSION usrmgmt;
\i sql/include/cleanup.sql
