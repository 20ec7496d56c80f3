-- partitions: the monthly partitions of user_log and change_log (doc:
-- Retention and partitions): what a fresh install has, maintain() creating
-- them and moving rows out of the default partitions, its refusals,
-- retention of both logs, purge_user_log() at a cut with sessions open,
-- deleting a user with history, partitions that ignore the owner's default
-- privileges, and the sample data in partitions of their own.  Months
-- are shown relative to the current one (m-1, m+3), so the output does
-- not depend on the date.
\set VERBOSITY default
\set SHOW_CONTEXT never
\i sql/include/setup.sql
CREATE EXTENSION usrmgmt;

-- a partition as the month it covers, relative to now: 'm+0' is this month
CREATE FUNCTION pg_temp.month_of(t timestamptz) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN t IS NULL THEN 'MIN' ELSE
        'm' || to_char((extract(year FROM t) * 12 + extract(month FROM t))
                       - (extract(year FROM now()) * 12 + extract(month FROM now())), 'SG0') END
$$;
CREATE FUNCTION pg_temp.parts() RETURNS TABLE(months text, name_matches boolean, is_member boolean)
LANGUAGE sql AS $$
    SELECT pg_temp.month_of(lower_bound) || '..' || pg_temp.month_of(upper_bound),
           partition::text = 'usrmgmt.user_log_' || to_char(lower_bound, 'YYYY_MM'),
           EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = partition AND d.deptype = 'e')
      FROM usrmgmt._log_partitions() ORDER BY lower_bound
$$;
CREATE FUNCTION pg_temp.cparts() RETURNS TABLE(months text, name_matches boolean, is_member boolean)
LANGUAGE sql AS $$
    SELECT pg_temp.month_of(lower_bound) || '..' || pg_temp.month_of(upper_bound),
           partition::text = 'usrmgmt.change_log_' || to_char(lower_bound, 'YYYY_MM'),
           EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = partition AND d.deptype = 'e')
      FROM usrmgmt._log_partitions('usrmgmt.change_log') ORDER BY lower_bound
$$;
CREATE FUNCTION pg_temp.where_changes() RETURNS TABLE(part text, n bigint)
LANGUAGE sql AS $$
    SELECT CASE WHEN c.tableoid = 'usrmgmt.change_log_default'::regclass THEN 'default'
                ELSE pg_temp.month_of(c.changed_at) END, count(*)
      FROM usrmgmt.change_log c GROUP BY 1 ORDER BY 1
$$;
CREATE FUNCTION pg_temp.where_rows() RETURNS TABLE(part text, action text, n bigint)
LANGUAGE sql AS $$
    SELECT CASE WHEN l.tableoid = 'usrmgmt.user_log_default'::regclass THEN 'default'
                ELSE pg_temp.month_of(l."timestamp") END, l.action, count(*)
      FROM usrmgmt.user_log l GROUP BY 1, 2 ORDER BY 1, 2
$$;

-- A fresh install: the partitioned table, its default partition (a member
-- of the extension, registered for pg_dump), no monthly partition yet.
SELECT c.relname, c.relkind, pg_get_partkeydef(c.oid) AS key
  FROM pg_class c WHERE c.oid = 'usrmgmt.user_log'::regclass;
SELECT * FROM pg_temp.parts();
SELECT 'usrmgmt.user_log_default'::regclass = ANY (extconfig) AS default_dumped,
       'usrmgmt.user_log'::regclass = ANY (extconfig) AS parent_dumped
  FROM pg_extension WHERE extname = 'usrmgmt';
-- the partitioned table has no index of its own (see the install script)
SELECT count(*) AS parent_indexes FROM pg_index WHERE indrelid = 'usrmgmt.user_log'::regclass;
SELECT indexrelid::regclass AS default_index, indisunique
  FROM pg_index WHERE indrelid = 'usrmgmt.user_log_default'::regclass ORDER BY 1::text;

-- Before any maintain(), logins land in the default partition.
INSERT INTO usrmgmt."user" (username) VALUES ('alice'), ('bob'), ('carol');
SELECT usrmgmt.login('alice') AS s_alice \gset
SELECT usrmgmt.login('bob') AS s_bob \gset
SELECT * FROM pg_temp.where_rows();
-- and health() says so: rows in the default partition, no future month
SELECT usrmgmt.health()->'status' AS status,
       jsonb_path_query_array(usrmgmt.health()->'problems', '$[*].message') AS problems;
-- and history imported for past months too (the Flask applications' logs)
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp", session_id)
    SELECT 3, 'carol', a, date_trunc('month', now()) - interval '5 months' + interval '3 days' + g * interval '1 hour', 100
      FROM generate_series(0, 1) g, LATERAL (SELECT CASE g WHEN 0 THEN 'login' ELSE 'logout' END) x(a);

-- maintain(): this month and three ahead; this month's rows move out of
-- the default partition; the report says so.
SELECT r->'ok' AS ok, jsonb_array_length(r->'created') AS created,
       r->'moved' AS moved, r->'in_default' AS in_default,
       r->'future' AS future, r->'dropped' AS dropped, r->'retention' AS retention
  FROM usrmgmt.maintain() r;
SELECT * FROM pg_temp.parts();
SELECT * FROM pg_temp.where_rows();
-- the partitions are ordinary tables with the default partition's indexes
SELECT replace(indexrelid::regclass::text, to_char(now(), 'YYYY_MM'), 'YYYY_MM') AS m0_index, indisunique
  FROM pg_index WHERE indrelid = ('usrmgmt.user_log_' || to_char(now(), 'YYYY_MM'))::regclass ORDER BY 1;
-- idempotent
SELECT jsonb_array_length(r->'created') AS created, r->'moved' AS moved
  FROM usrmgmt.maintain() r;
-- since: the past months too, and the default partition's rows of them move
SELECT jsonb_array_length(r->'created') AS created, r->'moved' AS moved,
       r->'in_default' AS in_default
  FROM usrmgmt.maintain(now() - interval '6 months') r;
SELECT * FROM pg_temp.parts();
SELECT * FROM pg_temp.where_rows();
-- a login after maintenance goes to this month's partition
SELECT usrmgmt.logout(:s_bob);
SELECT * FROM pg_temp.where_rows();
SELECT usrmgmt.health()->'status' AS status_after_maintain;

-- change_log is maintained by the same maintain(): its months were
-- created with user_log's, the audit rows of the users inserted above
-- moved out of its default partition, and the report has its own part.
-- Its partitions, too, carry their own key and indexes (copied from
-- change_log_default), none of them the partitioned table's.
SELECT * FROM pg_temp.cparts();
SELECT * FROM pg_temp.where_changes();
SELECT count(*) AS parent_indexes FROM pg_index WHERE indrelid = 'usrmgmt.change_log'::regclass;
SELECT replace(indexrelid::regclass::text, to_char(now(), 'YYYY_MM'), 'YYYY_MM') AS m0_index, indisunique
  FROM pg_index WHERE indrelid = ('usrmgmt.change_log_' || to_char(now(), 'YYYY_MM'))::regclass ORDER BY 1;
SELECT jsonb_object_keys(usrmgmt.maintain()->'change_log') AS change_log_report_keys ORDER BY 1;
UPDATE usrmgmt."user" SET first_name = 'Carol' WHERE username = 'carol';
SELECT * FROM pg_temp.where_changes();
-- a monthly partition of change_log refuses TRUNCATE like the log itself
-- expected error 55000 (the message names the month: the SQLSTATE only)
\set VERBOSITY sqlstate
DO $$ BEGIN EXECUTE format('TRUNCATE usrmgmt.change_log_%s', to_char(now(), 'YYYY_MM')); END $$;
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
-- rows of a month without a partition land in the default partition and
-- health() says so; maintain(since) moves them
INSERT INTO usrmgmt.change_log (changed_at, table_name, operation, row_id)
    VALUES (date_trunc('month', now()) - interval '8 months' + interval '1 day', 'server', 'DELETE', 7);
SELECT * FROM pg_temp.where_changes();
SELECT jsonb_path_query_array(usrmgmt.health()->'problems', '$[*].check') AS problems;
SELECT r->'change_log'->'moved' AS moved, jsonb_array_length(r->'change_log'->'created') AS created,
       r->'change_log'->'in_default' AS in_default, r->'ok' AS ok
  FROM usrmgmt.maintain(now() - interval '8 months') r;
SELECT * FROM pg_temp.where_changes();
SELECT usrmgmt.health()->'status' AS status_after_since;

-- _add_log_month() is maintain()'s step, for the two logs only
-- expected error 22023: not a log
SELECT usrmgmt._add_log_month('usrmgmt.server', date_trunc('month', now()) + interval '4 months');
\echo :LAST_ERROR_SQLSTATE
-- expected error 22023: not the start of a month (the message names it)
\set VERBOSITY sqlstate
SELECT usrmgmt._add_log_month('usrmgmt.change_log', date_trunc('month', now()) + interval '4 months 1 day');
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
-- expected error 22004
SELECT usrmgmt._add_log_month('usrmgmt.change_log', NULL);
\echo :LAST_ERROR_SQLSTATE

-- change_log's retention is a setting of its own (minutes, 0 = forever),
-- with log_retention's range: 22023 for a negative or absurd value
SHOW usrmgmt.change_log_retention;
SELECT v, pg_temp.attempt(format('SET usrmgmt.change_log_retention = %L', v)) AS set_change_log_retention
  FROM unnest(ARRAY['-1', '200 years', '36500d']) v;
-- months wholly older than it are dropped (m-8 .. m-6 here), whatever
-- usrmgmt.log_retention says; user_log keeps its months
SELECT set_config('usrmgmt.change_log_retention',
                  floor(extract(epoch FROM now() - (date_trunc('month', now()) - interval '5 months')) / 60) || 'min',
                  false) IS NOT NULL AS retention_set;
SELECT jsonb_array_length(r->'change_log'->'dropped') AS dropped, r->'change_log'->'skipped' AS skipped,
       r->'change_log'->'rows_dropped' AS rows_dropped_estimate, r->'dropped' AS user_log_dropped
  FROM usrmgmt.maintain() r;
RESET usrmgmt.change_log_retention;
SELECT * FROM pg_temp.cparts();
SELECT * FROM pg_temp.where_changes();

-- Refusals, each leaving nothing behind.
-- expected error 22023: since must be finite
SELECT usrmgmt.maintain('infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT usrmgmt.maintain('-infinity');
\echo :LAST_ERROR_SQLSTATE
-- expected error 22023: since more than 25 years ago
SELECT usrmgmt.maintain('1900-01-01 00:00:00+00');
\echo :LAST_ERROR_SQLSTATE
-- expected error 22023: since after the last month maintain() creates
SELECT usrmgmt.maintain('9999-01-01 00:00:00+00');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS partitions_after_refusals FROM usrmgmt._log_partitions();
-- NULL is the default: this month
SELECT jsonb_array_length(r->'created') AS created FROM usrmgmt.maintain(NULL) r;
-- the retention setting: minutes, 0 = forever, no negative, at most 100 years
SHOW usrmgmt.log_retention;
-- expected error 22023: negative (the message is the server's, with the
-- range written with units from PostgreSQL 18: the SQLSTATE only)
\set VERBOSITY sqlstate
SET usrmgmt.log_retention = -1;
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
-- expected error 22023: absurd
SET usrmgmt.log_retention = '200 years';
\echo :LAST_ERROR_SQLSTATE
SET usrmgmt.log_retention = '36500d';
SHOW usrmgmt.log_retention;
RESET usrmgmt.log_retention;
-- the background worker's settings (only in postgresql.conf or ALTER
-- SYSTEM; TAP 086 runs the worker): the interval in seconds, 0 = no runs,
-- at most 7 days; the database a name
SHOW usrmgmt.maintenance_interval;
SHOW usrmgmt.maintenance_database;
-- expected error 55P02: not for a session
SET usrmgmt.maintenance_interval = '5min';
\echo :LAST_ERROR_SQLSTATE
-- expected error 22023: negative, absurd (the server's range messages:
-- the SQLSTATE only); nothing is written to postgresql.auto.conf
\set VERBOSITY sqlstate
ALTER SYSTEM SET usrmgmt.maintenance_interval = -1;
ALTER SYSTEM SET usrmgmt.maintenance_interval = '8d';
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET usrmgmt.maintenance_interval = 'soon';
\echo :LAST_ERROR_SQLSTATE
-- expected error 22023: no database name
ALTER SYSTEM SET usrmgmt.maintenance_database = '';
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET usrmgmt.maintenance_database = 'a_database_name_longer_than_sixty_three_bytes_is_not_a_name_at_all';
\echo :LAST_ERROR_SQLSTATE
-- a maintain() that fails changes nothing: a partition name taken by
-- another table makes the CREATE fail (42P07), and the months created
-- before it in the same call are gone too
DO $$ BEGIN EXECUTE format('CREATE TABLE usrmgmt.user_log_%s (x int)',
                            to_char(now() - interval '20 years' + interval '1 month', 'YYYY_MM')); END $$;
SELECT pg_temp.attempt($$SELECT usrmgmt.maintain(now() - interval '20 years')$$) AS maintain;
SELECT count(*) AS partitions_after_failure FROM usrmgmt._log_partitions();
DO $$ BEGIN EXECUTE format('DROP TABLE usrmgmt.user_log_%s',
                            to_char(now() - interval '20 years' + interval '1 month', 'YYYY_MM')); END $$;

-- Retention and purge keep the log balanced: the 'login' row of a session
-- still open, or closed after the cut, stays.
SET session_replication_role = replica;  -- sessions opened long ago, as a restore would bring them
INSERT INTO usrmgmt.online_user (id, user_id, username) OVERRIDING SYSTEM VALUE VALUES (9001, 3, 'carol');
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp", session_id) VALUES
    (3, 'carol', 'login',  date_trunc('month', now()) - interval '5 months' + interval '1 day', 9001),  -- still open
    (3, 'carol', 'login',  date_trunc('month', now()) - interval '4 months' + interval '1 day', 9002),  -- closed this month
    (3, 'carol', 'logout', date_trunc('month', now()) + interval '1 hour', 9002),
    (3, 'carol', 'login',  date_trunc('month', now()) - interval '4 months' + interval '2 days', 9003), -- closed in m-4
    (3, 'carol', 'logout', date_trunc('month', now()) - interval '4 months' + interval '3 days', 9003),
    (3, 'carol', 'login',  date_trunc('month', now()) - interval '1 month' + interval '1 day', 9004),   -- closed in m-1,
    (3, 'carol', 'logout', date_trunc('month', now()) - interval '1 month' + interval '2 days', 9004);  -- in the straddling month
-- History imported without session ids (issue 11, finding 9): purge must
-- not take a user's logins without the logouts that match them.  alice's
-- imported login (m-6) is closed after both cuts: her rows older than a
-- cut are unbalanced, so they stay.  carol's imported rows older than the
-- maintain() cut are unbalanced (2 logins, 1 logout: kept), those older
-- than the purge cut balanced (2 and 2: they go).
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp") VALUES
    (1, 'alice', 'login',  date_trunc('month', now()) - interval '6 months' + interval '1 day'),
    (1, 'alice', 'logout', date_trunc('month', now()) - interval '1 month' + interval '5 days'),
    (3, 'carol', 'login',  date_trunc('month', now()) - interval '5 months' + interval '10 days'),
    (3, 'carol', 'logout', date_trunc('month', now()) - interval '5 months' + interval '11 days'),
    (3, 'carol', 'login',  date_trunc('month', now()) - interval '4 months' + interval '5 days'),
    (3, 'carol', 'logout', date_trunc('month', now()) - interval '1 month' + interval '1 day'),
-- bob's imported login (m-5) and logout (m-3, before the maintain() cut,
-- in the month it falls in, which maintain() keeps whole): balanced over
-- the rows older than the cut, not over the months that go, so his login
-- stays (else logins - logouts would be -1 with no session open).
    (2, 'bob', 'login',  date_trunc('month', now()) - interval '5 months' + interval '12 days'),
    (2, 'bob', 'logout', date_trunc('month', now()) - interval '3 months' + interval '2 days');
RESET session_replication_role;
SELECT * FROM pg_temp.where_rows();
-- _log_kept_logins(partition, cut), the drop's probe: the login rows of
-- a partition whose session is open (9001) or closed at or after the cut
-- (9002, closed this month); 9003 closed in m-4 and 9004 closed in m-1,
-- before a cut at the start of m+0, are not kept; NULL when none is
CREATE FUNCTION pg_temp.kept(m int, cut timestamptz) RETURNS bigint[] LANGUAGE sql AS $$
    SELECT usrmgmt._log_kept_logins(
        format('usrmgmt.user_log_%s', to_char(date_trunc('month', now()) + m * interval '1 month', 'YYYY_MM'))::regclass, cut)
$$;
SELECT m, pg_temp.kept(m, date_trunc('month', now())) AS kept
  FROM generate_series(-6, -1) m ORDER BY m;
-- the same answer from a partition without a session_id index (read whole)
BEGIN;
DO $$ BEGIN EXECUTE format('DROP INDEX %s',
    (SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_attribute a
         ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
      WHERE i.indrelid = format('usrmgmt.user_log_%s', to_char(now(), 'YYYY_MM'))::regclass
        AND a.attname = 'session_id')); END $$;
SELECT pg_temp.kept(-4, date_trunc('month', now())) AS kept_without_index;
ROLLBACK;
-- expected error 22004: the partition must not be NULL
SELECT usrmgmt._log_kept_logins(NULL, now());
-- expected error 22004: nor the cut
SELECT usrmgmt._log_kept_logins('usrmgmt.user_log_default', NULL);
-- expected error 42P01: no such relation
SELECT usrmgmt._log_kept_logins(0, now());
-- _log_partitions(): none of a NULL log or of a table without partitions
SELECT (SELECT count(*) FROM usrmgmt._log_partitions(NULL)) AS of_null,
       (SELECT count(*) FROM usrmgmt._log_partitions('usrmgmt.user')) AS of_user;
-- maintain() with a retention reaching back to 10 days into m-3: m-6 ..
-- m-4 expire, m-3 stays whole; m-5 and m-4 hold login rows that must
-- stay, and m-6 alice's unbalanced imported login, so all three are
-- emptied, not dropped
SELECT set_config('usrmgmt.log_retention',
                  floor(extract(epoch FROM now() - (date_trunc('month', now()) - interval '3 months' + interval '10 days')) / 60) || 'min',
                  false) IS NOT NULL AS retention_set;
SELECT r->'dropped' AS dropped_n, jsonb_array_length(r->'emptied') AS emptied, r->'skipped' AS skipped
  FROM (SELECT jsonb_set(r, '{dropped}', to_jsonb(jsonb_array_length(r->'dropped'))) r FROM usrmgmt.maintain() r) x;
RESET usrmgmt.log_retention;
SELECT * FROM pg_temp.parts();
SELECT * FROM pg_temp.where_rows();
SELECT session_id, action FROM usrmgmt.user_log WHERE session_id > 9000 ORDER BY session_id, action;
SELECT username, action, pg_temp.month_of("timestamp") AS month
  FROM usrmgmt.user_log WHERE session_id IS NULL ORDER BY username, "timestamp";
-- purge_user_log() at a cut inside m-1: every whole partition before it
-- goes, rows before the cut in m-1 are deleted, the kept login rows stay
SELECT usrmgmt.purge_user_log(date_trunc('month', now()) - interval '1 month' + interval '3 days') AS purged;
SELECT * FROM pg_temp.parts();
SELECT session_id, action FROM usrmgmt.user_log WHERE session_id > 9000 ORDER BY session_id, action;
SELECT username, action, pg_temp.month_of("timestamp") AS month
  FROM usrmgmt.user_log WHERE session_id IS NULL ORDER BY username, "timestamp";
-- the invariant over the retained log: open sessions = logins - logouts
SELECT u.username,
       (SELECT count(*) FROM usrmgmt.online_user o WHERE o.user_id = u.id) AS open,
       (SELECT count(*) FILTER (WHERE action = 'login') - count(*) FILTER (WHERE action = 'logout')
          FROM usrmgmt.user_log l WHERE l.user_id = u.id) AS logins_minus_logouts
  FROM usrmgmt."user" u ORDER BY u.id;
-- expected error 22004: older_than must not be NULL
SELECT usrmgmt.purge_user_log(NULL);
\echo :LAST_ERROR_SQLSTATE

-- Deleting a user touches no log row: history keeps the id (no foreign
-- key), and the sessions closed by the delete are logged with it.
SELECT count(*) AS alice_rows_before FROM usrmgmt.user_log WHERE user_id = (SELECT id FROM usrmgmt."user" WHERE username = 'alice');
DELETE FROM usrmgmt."user" WHERE username = 'alice';
SELECT user_id, username, action, detail FROM usrmgmt.user_log WHERE username = 'alice' ORDER BY id;
SELECT * FROM usrmgmt.validate_data_integrity();
SELECT * FROM usrmgmt.validate_schema();

-- The log stays append-only in every partition.
-- expected error 55000
DELETE FROM usrmgmt.user_log WHERE username = 'alice';
\echo :LAST_ERROR_SQLSTATE
-- expected error 55000
UPDATE usrmgmt.user_log SET detail = 'x' WHERE username = 'alice';
\echo :LAST_ERROR_SQLSTATE
-- expected error 55000
TRUNCATE usrmgmt.user_log;
\echo :LAST_ERROR_SQLSTATE

-- reset() empties every partition; the partitions stay.
SELECT usrmgmt.reset(confirm => true);
SELECT count(*) AS rows_after_reset FROM usrmgmt.user_log;
SELECT count(*) > 0 AS partitions_kept FROM usrmgmt._log_partitions();

-- Retention retires a month rather than dropping it (doc: Retention and
-- partitions): maintain() detaches each expired month from the log and
-- renames it <partition>_retired, a member of the extension (pg_dump
-- leaves it out), so its rows leave the log in that run's transaction,
-- which changes the catalog only; a later run that retires nothing and
-- holds no writer back drops the retired tables ("freed").  The retired tables of both
-- logs, as months relative to now, with their rows:
CREATE FUNCTION pg_temp.retired() RETURNS TABLE(retired text, is_partition boolean, is_member boolean, n bigint)
LANGUAGE plpgsql AS $$
DECLARE t regclass;
BEGIN
    FOR t IN SELECT * FROM usrmgmt._log_retired() LOOP
        retired := pg_temp.label(t::text);
        SELECT c.relispartition, EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t AND d.deptype = 'e')
          INTO is_partition, is_member FROM pg_class c WHERE c.oid = t;
        EXECUTE format('SELECT count(*) FROM %s', t) INTO n;
        RETURN NEXT;
    END LOOP;
END $$;
-- a partition or retired table's name with its month relative to now
CREATE FUNCTION pg_temp.label(name text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(name, '[0-9]{4}_[0-9]{2}',
                          pg_temp.month_of(to_timestamp(substring(name FROM '[0-9]{4}_[0-9]{2}'), 'YYYY_MM')))
$$;
CREATE FUNCTION pg_temp.labels(a jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT COALESCE(string_agg(pg_temp.label(e), ', ' ORDER BY e), '-') FROM jsonb_array_elements_text(a) e
$$;
-- this month and the three before it (creating months that writers may
-- go to, this run holds them back until its commit, so it frees nothing:
-- m-8 and m-7, retired above, wait); a closed session in m-3 and one in
-- m-2 (what a retention keeps would be emptied, not retired)
SELECT r->'ok' AS ok FROM usrmgmt.maintain(now() - interval '3 months') r;
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp", session_id) VALUES
    (7, 'dave', 'login',  date_trunc('month', now()) - interval '3 months' + interval '1 day', 9101),
    (7, 'dave', 'logout', date_trunc('month', now()) - interval '3 months' + interval '2 days', 9101),
    (7, 'dave', 'login',  date_trunc('month', now()) - interval '2 months' + interval '1 day', 9102),
    (7, 'dave', 'logout', date_trunc('month', now()) - interval '2 months' + interval '2 days', 9102);
-- a retention reaching back to 10 days into m-2: every month before m-2
-- expires and is retired, m-3 with dave's first session
SELECT set_config('usrmgmt.log_retention',
                  floor(extract(epoch FROM now() - (date_trunc('month', now()) - interval '2 months' + interval '10 days')) / 60) || 'min',
                  false) IS NOT NULL AS retention_set;
SELECT r->'ok' AS ok, pg_temp.labels(r->'dropped') AS dropped, r->'emptied' AS emptied,
       r->'skipped' AS skipped, r->'freed' AS freed
  FROM usrmgmt.maintain() r;
SELECT * FROM pg_temp.retired();
SELECT * FROM pg_temp.parts();
SELECT * FROM pg_temp.where_rows();
-- a retired table is neither drift nor an integrity problem, and health()
-- has nothing to say about it
SELECT * FROM usrmgmt.validate_schema();
SELECT * FROM usrmgmt.validate_data_integrity();
SELECT usrmgmt.health()->'status' AS status_with_retired;
-- A month retired again while the old retired table of its name waits
-- (maintain(since) would recreate it; here its step _add_log_month()):
-- the old one is dropped, the new one takes its name
SELECT usrmgmt._add_log_month('usrmgmt.user_log', date_trunc('month', now()) - interval '3 months') AS moved;
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp", session_id) VALUES
    (7, 'dave', 'login',  date_trunc('month', now()) - interval '3 months' + interval '5 days', 9103),
    (7, 'dave', 'logout', date_trunc('month', now()) - interval '3 months' + interval '6 days', 9103),
    (7, 'dave', 'login',  date_trunc('month', now()) - interval '3 months' + interval '7 days', 9104),
    (7, 'dave', 'logout', date_trunc('month', now()) - interval '3 months' + interval '8 days', 9104);
SELECT pg_temp.labels(r->'dropped') AS dropped, r->'freed' AS freed FROM usrmgmt.maintain() r;
SELECT * FROM pg_temp.retired();
-- the next run retires nothing and frees them all
SELECT r->'ok' AS ok, r->'dropped' AS dropped, pg_temp.labels(r->'freed') AS freed
  FROM usrmgmt.maintain() r;
SELECT count(*) AS retired_left FROM usrmgmt._log_retired();
RESET usrmgmt.log_retention;
-- change_log's months are retired and freed the same way
SELECT set_config('usrmgmt.change_log_retention',
                  floor(extract(epoch FROM now() - (date_trunc('month', now()) - interval '2 months' + interval '10 days')) / 60) || 'min',
                  false) IS NOT NULL AS retention_set;
SELECT pg_temp.labels(r->'change_log'->'dropped') AS dropped, r->'freed' AS freed FROM usrmgmt.maintain() r;
SELECT * FROM pg_temp.retired();
SELECT * FROM pg_temp.cparts();
SELECT r->'change_log'->'dropped' AS dropped, pg_temp.labels(r->'freed') AS freed FROM usrmgmt.maintain() r;
RESET usrmgmt.change_log_retention;
-- purge_user_log() and purge_change_log() still drop at once: m-2 goes,
-- nothing is left to free
SELECT usrmgmt.purge_user_log(date_trunc('month', now()) - interval '1 month') AS purged;
SELECT usrmgmt.purge_change_log(date_trunc('month', now()) - interval '1 month') AS purged_changes;
SELECT * FROM pg_temp.parts();
SELECT count(*) AS retired_after_purge FROM usrmgmt._log_retired();
-- Only a retired table is ever freed: not one of another name, of another
-- owner, one that is not a member of the extension, a partition, nor a
-- view (the members among them made so by hand, as retirement does)
CREATE TABLE usrmgmt.user_log_2001_01_retired_copy (id bigint);
ALTER EXTENSION usrmgmt ADD TABLE usrmgmt.user_log_2001_01_retired_copy;
CREATE TABLE usrmgmt.user_log_2001_02_retired (id bigint);
ALTER TABLE usrmgmt.user_log_2001_02_retired OWNER TO regress_nobody;
ALTER EXTENSION usrmgmt ADD TABLE usrmgmt.user_log_2001_02_retired;
CREATE TABLE usrmgmt.user_log_2001_03_retired (id bigint);
CREATE TABLE usrmgmt.regress_parted (id bigint) PARTITION BY RANGE (id);
CREATE TABLE usrmgmt.change_log_2001_04_retired PARTITION OF usrmgmt.regress_parted FOR VALUES FROM (0) TO (10);
CREATE VIEW usrmgmt.change_log_2001_05_retired AS SELECT 1 AS id;
ALTER EXTENSION usrmgmt ADD VIEW usrmgmt.change_log_2001_05_retired;
CREATE TABLE usrmgmt.user_log_2001_06_retired (id bigint);   -- this one is
ALTER EXTENSION usrmgmt ADD TABLE usrmgmt.user_log_2001_06_retired;
SELECT r->'freed' AS freed FROM usrmgmt.maintain() r;
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'usrmgmt'::regnamespace AND c.relname ~ '^(user|change)_log_2001_' ORDER BY 1;
-- a month whose retired name another table holds: maintain() fails
-- (42P07) and changes nothing
SELECT usrmgmt._add_log_month('usrmgmt.user_log', date_trunc('month', '2001-02-15'::timestamptz)) AS moved;
SET usrmgmt.log_retention = '365d';
-- expected error 42P07
SELECT usrmgmt.maintain();
\echo :LAST_ERROR_SQLSTATE
RESET usrmgmt.log_retention;
SELECT relispartition AS month_still_attached FROM pg_class WHERE oid = 'usrmgmt.user_log_2001_02'::regclass;
DROP TABLE usrmgmt.user_log_2001_02;
ALTER EXTENSION usrmgmt DROP TABLE usrmgmt.user_log_2001_01_retired_copy;
ALTER EXTENSION usrmgmt DROP TABLE usrmgmt.user_log_2001_02_retired;
ALTER EXTENSION usrmgmt DROP VIEW usrmgmt.change_log_2001_05_retired;
DROP TABLE usrmgmt.user_log_2001_01_retired_copy, usrmgmt.user_log_2001_02_retired,
           usrmgmt.user_log_2001_03_retired, usrmgmt.regress_parted;
DROP VIEW usrmgmt.change_log_2001_05_retired;

-- The sample data brings the partitions it needs: its 2024 history gets
-- its month, so health() stays 'healthy' after loading it.
SELECT usrmgmt.load_sample_data() AS sample;
SELECT tableoid::regclass AS partition, count(*) FROM usrmgmt.user_log
 WHERE "timestamp" < '2025-01-01' GROUP BY 1;
SELECT usrmgmt.health()->'status' AS status_after_sample_data,
       usrmgmt.health()->'problems' AS problems;
-- a second load adds nothing, and no partition
SELECT usrmgmt.load_sample_data() AS sample_again;
SELECT count(*) AS partitions_2024 FROM usrmgmt._log_partitions() WHERE lower_bound < '2025-01-01';

-- The partitions maintain() creates ignore the owner's default privileges:
-- with SELECT on new tables granted to PUBLIC and everything to a role,
-- a new partition still has only its owner's privileges, like the
-- default partition (readable by name, a partition must not give away
-- what the log does not).
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA usrmgmt GRANT ALL ON TABLES TO regress_nobody;
SELECT jsonb_array_length(r->'created') AS created, jsonb_array_length(r->'change_log'->'created') AS change_log_created
  FROM usrmgmt.maintain(now() - interval '12 months') r;
SELECT c.relname ~ '^change_log' AS change_log,
       c.relacl = (SELECT d.relacl FROM pg_class d WHERE d.relname = substring(c.relname from '^[a-z_]*log') || '_default'
                     AND d.relnamespace = 'usrmgmt'::regnamespace) AS acl_as_default,
       c.relacl = acldefault('r', c.relowner) AS owner_only,  -- arwdDxt(m) to the owner, nothing else
       has_table_privilege('regress_nobody', c.oid, 'SELECT') AS nobody_select,
       has_table_privilege('regress_nobody', c.oid, 'INSERT') AS nobody_insert
  FROM pg_class c
 WHERE c.relnamespace = 'usrmgmt'::regnamespace AND c.relkind = 'r'
   AND c.relname ~ ('^(user|change)_log_' || to_char(now() - interval '12 months', 'YYYY_MM') || '$')
 ORDER BY 1;
SET ROLE regress_nobody;
-- expected error 42501: not readable by its name either (the message
-- names the month)
\set VERBOSITY sqlstate
DO $$ BEGIN EXECUTE format('SELECT count(*) FROM usrmgmt.user_log_%s', to_char(now() - interval '12 months', 'YYYY_MM')); END $$;
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
ALTER DEFAULT PRIVILEGES IN SCHEMA usrmgmt REVOKE ALL ON TABLES FROM regress_nobody;
ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM PUBLIC;

-- Not for PUBLIC.
SET ROLE regress_nobody;
-- expected error 42501
SELECT usrmgmt.maintain();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

DROP EXTENSION usrmgmt;
-- the monthly partitions went with it
SELECT count(*) AS leftovers FROM pg_class WHERE relname LIKE 'user_log_%' OR relname LIKE 'change_log_%';
\i sql/include/cleanup.sql
