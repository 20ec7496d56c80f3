--
-- change_audit: usrmgmt.change_log, one row per changed row of the audited
-- tables by any path (doc/usrmgmt.md "Change audit").
--
-- Volatile values are masked: changed_at and txid are checked against the
-- transaction, timestamps inside old/new read "ts", the superuser that
-- installed the extension reads "owner".
--
\set VERBOSITY default
\set SHOW_CONTEXT never
\i sql/include/setup.sql
CREATE EXTENSION usrmgmt;
SET usrmgmt.password_iterations = 4096;
-- the role recipes of doc/usrmgmt.md, "Privileges and role recipes"
\i sql/include/recipes.sql

-- The log rows since the last call of news(), masked.
CREATE TEMP TABLE seen (last bigint);
INSERT INTO seen VALUES (0);
CREATE FUNCTION pg_temp.mask(j jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT CASE WHEN j IS NULL THEN NULL ELSE
      (SELECT coalesce(jsonb_object_agg(key,
                CASE WHEN key IN ('created_at', 'updated_at', 'last_login_at',
                                  'password_changed_at', 'locked_at')
                          AND value <> 'null' THEN '"ts"'::jsonb
                     ELSE value END), '{}')
         FROM jsonb_each(j)) END
$$;
CREATE FUNCTION pg_temp.who(r text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN r = (SELECT rolname FROM pg_roles WHERE oid = 10)
                THEN 'owner' ELSE r END
$$;
CREATE FUNCTION pg_temp.news()
RETURNS TABLE (table_name text, operation text, row_id bigint, user_id bigint,
               changed_by text, role text, old jsonb, new jsonb)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    SELECT c.table_name, c.operation, c.row_id, c.user_id, pg_temp.who(c.changed_by),
           pg_temp.who(c.role), pg_temp.mask(c.old), pg_temp.mask(c.new)
      FROM usrmgmt.change_log c
     WHERE c.id > (SELECT last FROM seen) ORDER BY c.id;
    UPDATE seen SET last = (SELECT coalesce(max(id), 0) FROM usrmgmt.change_log);
END
$$;

--------------------------------------------------------------------------
-- The table: partitioned by month, a default partition, append-only
--------------------------------------------------------------------------

SELECT c.relname, c.relkind, pg_get_partkeydef(c.oid) AS partition_key,
       pg_get_expr(c.relpartbound, c.oid) AS bound
  FROM pg_class c
 WHERE c.relnamespace = 'usrmgmt'::regnamespace AND c.relname LIKE 'change\_log%'
   AND c.relkind IN ('r', 'p')
 ORDER BY 1;
SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull,
       pg_get_expr(d.adbin, d.adrelid) AS "default"
  FROM pg_attribute a LEFT JOIN pg_attrdef d ON (d.adrelid, d.adnum) = (a.attrelid, a.attnum)
 WHERE attrelid = 'usrmgmt.change_log'::regclass AND attnum > 0 AND NOT attisdropped
 ORDER BY attnum;
SELECT tgrelid::regclass AS "table", tgname,
       regexp_replace(pg_get_triggerdef(oid), '^CREATE TRIGGER \S+ (.*) ON \S+ ', '\1 ') AS fires
  FROM pg_trigger
 WHERE tgfoid IN ('usrmgmt.change_audit'::regproc, 'usrmgmt.change_log_guard'::regproc)
   AND tgparentid = 0
 ORDER BY tgrelid::regclass::text, tgname;

--------------------------------------------------------------------------
-- user: INSERT (the whole row), UPDATE (only what changed), DELETE
--------------------------------------------------------------------------

INSERT INTO usrmgmt."user" (username, email, first_name)
    VALUES ('regress_ca_alice', 'alice@example.com', 'Alice');
INSERT INTO usrmgmt."user" (username) VALUES ('regress_ca_bob');
SELECT * FROM pg_temp.news();

UPDATE usrmgmt."user" SET email = 'alice@example.org', is_admin = true
 WHERE username = 'regress_ca_alice';
SELECT * FROM pg_temp.news();

-- the same value written again, or only updated_at: nothing is recorded
UPDATE usrmgmt."user" SET email = 'alice@example.org' WHERE username = 'regress_ca_alice';
UPDATE usrmgmt."user" SET updated_at = now() - interval '1 day' WHERE username = 'regress_ca_alice';
-- an ORM's UPDATE of every column with the values it loaded: nothing
UPDATE usrmgmt."user" u
   SET (username, email, first_name, last_name, is_admin, is_active, created_at, updated_at)
     = (SELECT username, email, first_name, last_name, is_admin, is_active, created_at, now()
          FROM usrmgmt."user" WHERE id = u.id);
SELECT count(*) AS recorded FROM pg_temp.news();

-- a change to NULL and back, and a rename
UPDATE usrmgmt."user" SET first_name = NULL, username = 'regress_ca_alicia'
 WHERE username = 'regress_ca_alice';
UPDATE usrmgmt."user" SET first_name = 'Alicia' WHERE username = 'regress_ca_alicia';
SELECT * FROM pg_temp.news();

--------------------------------------------------------------------------
-- Secrets: password_hash is "redacted" whenever it holds a value
--------------------------------------------------------------------------

SELECT usrmgmt.set_password('regress_ca_alicia', 'correct horse battery');
SELECT usrmgmt.set_password('regress_ca_alicia', 'another horse battery');
SELECT * FROM pg_temp.news();

--------------------------------------------------------------------------
-- server (user_id: owner_id) and configuration (user_id: updated_by)
--------------------------------------------------------------------------

INSERT INTO usrmgmt.server (server_name, owner_id, port) VALUES ('regress-mc', 1, 25565);
UPDATE usrmgmt.server SET port = 25566, status = 'Running';
UPDATE usrmgmt.server SET owner_id = 2;
INSERT INTO usrmgmt.configuration (key, value, updated_by) VALUES ('regress.motd', 'hello', 2);
INSERT INTO usrmgmt.configuration (key, value) VALUES ('regress.anon', 'x');
UPDATE usrmgmt.configuration SET value = 'hello, world' WHERE key = 'regress.motd';
DELETE FROM usrmgmt.server;
SELECT * FROM pg_temp.news();

-- The authentication state: user_auth is audited with row_id = user_id.
-- A failed authenticate() (bob has no password) inserts his row; a login,
-- which stamps last_login_at only, writes no audit row; unlock_user() is
-- recorded.
SELECT usrmgmt.authenticate('regress_ca_bob', 'not his password') IS NULL AS refused;
SELECT usrmgmt.authenticate('regress_ca_bob', 'not his password') IS NULL AS refused;
SELECT usrmgmt.login('regress_ca_bob') > 0 AS logged_in;
SELECT usrmgmt.last_login(2) IS NOT NULL AS last_login_set;
SELECT usrmgmt.unlock_user('regress_ca_bob');
SELECT * FROM pg_temp.news();

-- Deleting bob: his row, his cascaded user_auth row, and the SET NULL of
-- the setting he last edited (recorded as concerning him)
DELETE FROM usrmgmt."user" WHERE username = 'regress_ca_bob';
SELECT * FROM pg_temp.news();

-- TRUNCATE: one row per table
TRUNCATE usrmgmt.configuration, usrmgmt.user_auth;
SELECT * FROM pg_temp.news();

--------------------------------------------------------------------------
-- Who, when, which transaction
--------------------------------------------------------------------------

BEGIN;
SET LOCAL application_name = 'regress_ca';
SET LOCAL ROLE regress_app;
UPDATE usrmgmt."user" SET email = 'a@example.net' WHERE username = 'regress_ca_alicia';
UPDATE usrmgmt."user" SET email = 'b@example.net' WHERE username = 'regress_ca_alicia';
RESET ROLE;
-- both rows: this transaction's id, the role that wrote, no client address
-- over the Unix socket, changed_at increasing within the transaction
SELECT operation, pg_temp.who(changed_by) AS changed_by, role, application_name,
       client_addr IS NOT DISTINCT FROM inet_client_addr() AS client_addr,
       txid = pg_current_xact_id() AS this_xact,
       changed_at >= now() AND changed_at <= clock_timestamp() AS changed_at,
       old, new
  FROM usrmgmt.change_log WHERE id > (SELECT last FROM seen) ORDER BY id;
COMMIT;
SELECT count(*) FROM pg_temp.news();
-- the application role has no privilege on the log it writes into
SELECT has_table_privilege('regress_app', 'usrmgmt.change_log', 'SELECT') AS app_select,
       has_table_privilege('regress_app', 'usrmgmt.change_log', 'INSERT') AS app_insert;

-- A rolled-back change leaves no row; if the audit cannot record, the
-- change does not happen.
BEGIN;
UPDATE usrmgmt."user" SET last_name = 'Rolled' WHERE username = 'regress_ca_alicia';
ROLLBACK;
BEGIN;
ALTER TABLE usrmgmt.change_log ADD CONSTRAINT regress_ca_refuse CHECK (table_name <> 'server') NOT VALID;
-- expected error 23514: the log row is refused, so is the server
\set VERBOSITY terse
INSERT INTO usrmgmt.server (server_name, owner_id) VALUES ('regress-refused', 1);
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT count(*) AS servers FROM usrmgmt.server;
SELECT count(*) AS recorded FROM pg_temp.news();

-- A savepoint rolled back takes its log rows with it; a statement over
-- many rows records only those it changed.
BEGIN;
SAVEPOINT s;
UPDATE usrmgmt."user" SET last_name = 'Undone' WHERE username = 'regress_ca_alicia';
ROLLBACK TO SAVEPOINT s;
INSERT INTO usrmgmt."user" (username, is_active) VALUES ('regress_ca_carol', false);
UPDATE usrmgmt."user" SET is_active = true;
COMMIT;
SELECT table_name, operation, row_id, old, new FROM pg_temp.news()
 WHERE operation = 'UPDATE' OR new->>'username' = 'regress_ca_carol';

--------------------------------------------------------------------------
-- Nothing a table accepts makes the audit fail: NULLs, odd characters,
-- huge values, every kind of type (auditing a table is CREATE TRIGGER)
--------------------------------------------------------------------------

INSERT INTO usrmgmt."user" (username, email, first_name, last_name, is_active)
    VALUES ('regress_ca_null', NULL, NULL, NULL, false);
INSERT INTO usrmgmt.configuration (key, value)
    VALUES ('regress.odd', E'quote " backslash \\ tab \t newline \n unicode \u00e9\u2603 end');
INSERT INTO usrmgmt.configuration (key, value) VALUES ('regress.big', repeat('x', 2000000));
UPDATE usrmgmt.configuration SET value = 'small' WHERE key = 'regress.big';
SELECT * FROM pg_temp.news();

CREATE TYPE pg_temp.mood AS ENUM ('sad', 'happy');
CREATE TABLE public.regress_ca_odd (
    id int PRIMARY KEY, owner smallint, f float8, n numeric, ts timestamptz,
    d date, iv interval, a int[], r int4range, b bytea, j json, jb jsonb,
    ip inet, m pg_temp.mood, big text, password_hash text);
CREATE TRIGGER change_audit AFTER INSERT OR UPDATE OR DELETE ON public.regress_ca_odd
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.change_audit('id', 'owner');
INSERT INTO public.regress_ca_odd VALUES
    (1, 7, 'NaN', 1.50, 'infinity', '2026-02-28', '1 day 2 hours', '{1,NULL,3}',
     '[1,5)', '\x00ff', '{"k": [1, "two"]}', '{"k": {"n": null}}', '192.0.2.1/32', 'happy',
     repeat('é', 600000), 'not really a secret'),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    -- json that jsonb refuses: recorded as its text
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{"nul": "\u0000"}', NULL, NULL, NULL, NULL, NULL);
-- numeric 1.50 -> 1.5 is a change (another stored value); the same json text is not
UPDATE public.regress_ca_odd SET n = 1.5, f = '-Infinity', j = '{"k": [1, "two"]}',
       big = big || 'x', password_hash = NULL WHERE id = 1;
DELETE FROM public.regress_ca_odd WHERE id = 2;
SELECT * FROM pg_temp.news();
DROP TABLE public.regress_ca_odd;

-- A misconfigured audit trigger says so (39P01)
CREATE TABLE public.regress_ca_bad (id int);
CREATE TRIGGER change_audit AFTER INSERT ON public.regress_ca_bad
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.change_audit('id', 'no_such_column');
-- expected error 39P01: no column no_such_column
INSERT INTO public.regress_ca_bad VALUES (1);
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER change_audit ON public.regress_ca_bad;
CREATE TRIGGER change_audit BEFORE INSERT ON public.regress_ca_bad
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.change_audit('id', 'id');
-- expected error 39P01: a BEFORE trigger
INSERT INTO public.regress_ca_bad VALUES (1);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE public.regress_ca_bad;

--------------------------------------------------------------------------
-- No secret, in any operation: every password_hash in the log is
-- "redacted" or null, and no SCRAM secret appears anywhere in it
--------------------------------------------------------------------------

SELECT count(*) AS rows_with_password_hash,
       count(*) FILTER (WHERE h NOT IN ('"redacted"', 'null')) AS not_redacted
  FROM usrmgmt.change_log c,
       LATERAL (SELECT c.old -> 'password_hash' UNION ALL SELECT c.new -> 'password_hash') AS x(v),
       LATERAL (SELECT x.v::text) AS y(h)
 WHERE x.v IS NOT NULL;
SELECT count(*) AS secrets_in_log FROM usrmgmt.change_log
 WHERE old::text LIKE '%SCRAM-SHA-256$%' OR new::text LIKE '%SCRAM-SHA-256$%'
    OR old::text LIKE '%not really a secret%' OR new::text LIKE '%not really a secret%';

--------------------------------------------------------------------------
-- Restore: what pg_dump's output writes (a superuser session with
-- row_security and check_function_bodies off) is not recorded; the same
-- settings do not hide a non-superuser's change
--------------------------------------------------------------------------

BEGIN;
SET LOCAL row_security = off;
SET LOCAL check_function_bodies = off;
INSERT INTO usrmgmt."user" (username) VALUES ('regress_ca_restored');
SET LOCAL ROLE regress_app;
UPDATE usrmgmt."user" SET email = 'c@example.net' WHERE username = 'regress_ca_alicia';
RESET ROLE;
COMMIT;
SELECT * FROM pg_temp.news();

--------------------------------------------------------------------------
-- Append-only, for a superuser too (55000); purge_change_log(); reset()
--------------------------------------------------------------------------

-- expected error 55000
UPDATE usrmgmt.change_log SET role = 'nobody';
\echo :LAST_ERROR_SQLSTATE
-- expected error 55000
DELETE FROM usrmgmt.change_log;
\echo :LAST_ERROR_SQLSTATE
-- expected error 55000
TRUNCATE usrmgmt.change_log;
\echo :LAST_ERROR_SQLSTATE
-- expected error 55000: a partition directly
TRUNCATE usrmgmt.change_log_default;
\echo :LAST_ERROR_SQLSTATE
-- expected error 22004
SELECT usrmgmt.purge_change_log(NULL);
\echo :LAST_ERROR_SQLSTATE

-- Old history in a monthly partition (as maintain() creates them) and in
-- the default partition: the partition wholly older than the cut is
-- dropped, the older rows elsewhere deleted.
CREATE TABLE usrmgmt.change_log_regress_2020_01 PARTITION OF usrmgmt.change_log
    FOR VALUES FROM ('2020-01-01 00:00+00') TO ('2020-02-01 00:00+00');
CREATE TABLE usrmgmt.change_log_regress_2020_02 PARTITION OF usrmgmt.change_log
    FOR VALUES FROM ('2020-02-01 00:00+00') TO ('2020-03-01 00:00+00');
INSERT INTO usrmgmt.change_log (changed_at, table_name, operation, row_id)
SELECT t, 'user', 'INSERT', 0
  FROM generate_series(timestamptz '2020-01-01 00:00+00', '2020-03-31', '1 day') AS t;
SELECT tableoid::regclass::text AS partition, count(*) FROM usrmgmt.change_log
 WHERE row_id = 0 GROUP BY 1 ORDER BY 1;
SELECT usrmgmt.purge_change_log('2020-02-15 00:00+00') AS purged;
SELECT tableoid::regclass::text AS partition, count(*) FROM usrmgmt.change_log
 WHERE row_id = 0 GROUP BY 1 ORDER BY 1;
SELECT to_regclass('usrmgmt.change_log_regress_2020_01') AS dropped;
SELECT usrmgmt.purge_change_log('2020-04-01 00:00+00') AS purged;
SELECT count(*) AS recent_rows_kept FROM usrmgmt.change_log;
SELECT to_regclass('usrmgmt.change_log_regress_2020_02') AS dropped;

-- reset() empties it and records nothing of its own TRUNCATE
SELECT usrmgmt.reset(confirm => true);
SELECT count(*) AS after_reset FROM usrmgmt.change_log;
INSERT INTO usrmgmt."user" (username) VALUES ('regress_ca_fresh');
SELECT id, table_name, operation, row_id FROM usrmgmt.change_log;

--------------------------------------------------------------------------
-- Who may read it: the administrator recipe, not the application or the
-- monitor, not PUBLIC (doc/usrmgmt.md, "Privileges and role recipes")
--------------------------------------------------------------------------

SELECT r AS role,
       has_table_privilege(r, 'usrmgmt.change_log', 'SELECT') AS "select",
       has_table_privilege(r, 'usrmgmt.change_log', 'INSERT,UPDATE,DELETE,TRUNCATE') AS write,
       has_function_privilege(r, 'usrmgmt.purge_change_log(timestamptz)', 'EXECUTE') AS purge
  FROM unnest(ARRAY['public', 'regress_nobody', 'regress_app', 'regress_monitor', 'regress_admin']) AS r;
SET ROLE regress_admin;
SELECT table_name, operation FROM usrmgmt.change_log;
-- expected error 42501: the administrator does not write the log either
DELETE FROM usrmgmt.change_log;
\echo :LAST_ERROR_SQLSTATE
SELECT usrmgmt.purge_change_log(now() - interval '1 year') AS purged;
RESET ROLE;
SET ROLE regress_app;
-- expected error 42501
SELECT count(*) FROM usrmgmt.change_log;
\echo :LAST_ERROR_SQLSTATE
-- expected error 42501
SELECT count(*) FROM usrmgmt.change_log_default;
\echo :LAST_ERROR_SQLSTATE
-- expected error 42501
SELECT usrmgmt.purge_change_log(now());
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

--------------------------------------------------------------------------
-- Clean up
--------------------------------------------------------------------------

RESET usrmgmt.password_iterations;
DROP EXTENSION usrmgmt;

--------------------------------------------------------------------------
-- The update from 1.0 creates the log empty, whatever the data, and from
-- then on it records
--------------------------------------------------------------------------

CREATE EXTENSION usrmgmt VERSION '1.0';
SELECT usrmgmt.load_sample_data() IS NOT NULL AS sample_data;
ALTER EXTENSION usrmgmt UPDATE TO '1.1';
SELECT count(*) AS rows_after_update FROM usrmgmt.change_log;
UPDATE usrmgmt."user" SET first_name = 'Updated' WHERE id = 1;
SELECT table_name, operation, row_id, user_id, new FROM usrmgmt.change_log;
DROP EXTENSION usrmgmt;
\i sql/include/cleanup.sql
