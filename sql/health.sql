-- health(), status(), database_stats(), metrics(): keys, types and verdicts
-- (volatile figures are tested by type and range, never printed), the
-- health_* thresholds, and the monitor role of doc/usrmgmt.md, "Privileges
-- and role recipes".
\set VERBOSITY default
\set SHOW_CONTEXT never
\i sql/include/setup.sql
CREATE EXTENSION usrmgmt;
-- Until the log has its partitions (doc: Retention and partitions) health()
-- says 'degraded' (log_future_partitions); after maintain(), as `usrmgmt
-- init` runs it, the checks below start from a healthy database.
SELECT usrmgmt.health()->'status' AS before_maintain,
       jsonb_path_query_array(usrmgmt.health()->'problems', '$[*].check') AS checks;
SELECT usrmgmt.maintain()->'ok' AS maintained;

-- health(): every key, with the type of its value.
SELECT k, jsonb_typeof(usrmgmt.health()->k) AS type
  FROM jsonb_object_keys(usrmgmt.health()) k ORDER BY k;
SELECT k, jsonb_typeof(usrmgmt.health()->'connections'->k) AS type
  FROM jsonb_object_keys(usrmgmt.health()->'connections') k ORDER BY k;
SELECT jsonb_object_keys(usrmgmt.health()->'tables') AS data_table ORDER BY 1;
SELECT k FROM jsonb_object_keys(usrmgmt.health()->'tables'->'user') k ORDER BY k;
SELECT k FROM jsonb_object_keys(usrmgmt.health()->'replication') k ORDER BY k;
SELECT k FROM jsonb_object_keys(usrmgmt.health()->'thresholds') k ORDER BY k;

-- A clean install on a primary is healthy, with sane figures.
SELECT h->>'status' AS status, h->'problems' AS problems,
       h->'in_recovery' AS in_recovery, h->'replication'->>'role' AS role,
       (h->>'query_ms')::float8 >= 0 AS query_ms_ok,
       (h->>'database_size_bytes')::bigint > 0 AS size_ok,
       (h->'connections'->>'total')::int BETWEEN 1 AND (h->'connections'->>'max')::int AS connections_ok,
       (h->>'xid_wraparound_pct')::float8 BETWEEN 0 AND 100 AS wraparound_ok,
       (h->>'sessions_online')::int AS sessions_online,
       h->'sessions_online_exact' AS exact,
       h->'schema_problems' AS schema_problems
  FROM usrmgmt.health() h;

-- Thresholds are settings; crossing one gives its verdict and a problem.
SET usrmgmt.health_connections_warn_pct = 1;
SELECT h->>'status' AS status, p->>'severity' AS severity, p->>'check' AS check
  FROM usrmgmt.health() h, jsonb_array_elements(h->'problems') p;
SET usrmgmt.health_connections_crit_pct = 1;
SELECT h->>'status' AS status, p->>'severity' AS severity, p->>'check' AS check
  FROM usrmgmt.health() h, jsonb_array_elements(h->'problems') p;
RESET usrmgmt.health_connections_warn_pct;
RESET usrmgmt.health_connections_crit_pct;
-- expected: 22023, a percentage above 100
SET usrmgmt.health_connections_warn_pct = 101;
\echo :LAST_ERROR_SQLSTATE
-- expected: 42602, a misspelt setting under the reserved prefix
SET usrmgmt.health_conections_warn_pct = 50;
\echo :LAST_ERROR_SQLSTATE
SET usrmgmt.health_xact_age = '10min';
SELECT usrmgmt.health()->'thresholds'->'xact_age_s' AS xact_age_s;
RESET usrmgmt.health_xact_age;

-- Schema drift: a missing index is 'degraded'; a disabled trigger and a
-- missing trigger are 'unhealthy'.
DROP INDEX usrmgmt.user_created_at_idx;
SELECT h->>'status' AS status, p->>'severity' AS severity, p->>'check' AS check,
       p->>'message' AS message
  FROM usrmgmt.health() h, jsonb_array_elements(h->'problems') p;
ALTER TABLE usrmgmt.configuration DISABLE TRIGGER configuration_set_updated_at;
SELECT h->>'status' AS status, p->>'severity' AS severity, p->>'message' AS message
  FROM usrmgmt.health() h, jsonb_array_elements(h->'problems') p;
ALTER TABLE usrmgmt.configuration ENABLE TRIGGER configuration_set_updated_at;
DROP TRIGGER server_set_updated_at ON usrmgmt.server;
SELECT h->>'status' AS status, p->>'severity' AS severity, p->>'message' AS message
  FROM usrmgmt.health() h, jsonb_array_elements(h->'problems') p;
CREATE TRIGGER server_set_updated_at
    BEFORE UPDATE ON usrmgmt.server
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.set_updated_at();
CREATE INDEX user_created_at_idx ON usrmgmt."user" (created_at);
SELECT usrmgmt.health()->>'status' AS status;
-- A missing table is 'unhealthy'; without online_user there is no count
-- of sessions, and health() still answers.
ALTER TABLE usrmgmt.online_user RENAME TO online_user_old;
SELECT h->>'status' AS status, h->'sessions_online' AS sessions_online,
       p->>'severity' AS severity, p->>'check' AS check, p->>'message' AS message
  FROM usrmgmt.health() h, jsonb_array_elements(h->'problems') p;
ALTER TABLE usrmgmt.online_user_old RENAME TO online_user;
SELECT usrmgmt.health()->>'status' AS status;
-- health() caches its schema verdict per backend until the catalog
-- changes: a function altered and restored is seen both times.
ALTER FUNCTION usrmgmt.is_valid_username(text) VOLATILE;
SELECT h->>'status' AS status, p->>'message' AS message
  FROM usrmgmt.health() h, jsonb_array_elements(h->'problems') p;
ALTER FUNCTION usrmgmt.is_valid_username(text) IMMUTABLE;
SELECT usrmgmt.health()->>'status' AS status;

-- status(): version, tables, migrations, sessions.
SELECT k FROM jsonb_object_keys(usrmgmt.status()) k ORDER BY k;
SELECT s->>'version' AS version, s->'migrations' AS migrations,
       s->'sessions_online' AS sessions_online,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(s->'tables') k) AS tables
  FROM usrmgmt.status() s;

-- database_stats(): estimates by default, counts when exact.
SET session_replication_role = replica;
INSERT INTO usrmgmt."user" (username) SELECT 'user' || i FROM generate_series(1, 25) i;
INSERT INTO usrmgmt.online_user (user_id, username) SELECT id, username FROM usrmgmt."user" WHERE id <= 3;
RESET session_replication_role;
SELECT table_name, row_count, row_count_exact, total_bytes >= table_bytes + index_bytes AS sizes_ok,
       seq_scan >= 0 AND idx_scan >= 0 AS scans_ok
  FROM usrmgmt.database_stats(true);
SELECT count(*) AS tables, bool_and(NOT row_count_exact) AS estimated
  FROM usrmgmt.database_stats();
-- database_stats(exact): NULL is 22004 (the spec's "Errors"); false and
-- true: one row per data table (through pg_temp.attempt_result() of
-- sql/include/setup.sql: 'ok <result>' or the SQLSTATE)
SELECT e AS exact, pg_temp.attempt_result('SELECT count(*) FROM usrmgmt.database_stats($1::boolean)', e) AS tables
  FROM unnest(ARRAY[NULL, 'false', 'true']) AS t(e);
SELECT usrmgmt.health()->'sessions_online' AS sessions_online,
       usrmgmt.status()->'sessions_online' AS status_sessions;

-- metrics(): every line is a # HELP / # TYPE comment or a usrmgmt_ sample
-- whose metric was announced; label values are quoted.
WITH l AS (SELECT line FROM regexp_split_to_table(rtrim(usrmgmt.metrics(), E'\n'), E'\n') line)
SELECT count(*) FILTER (WHERE line ~ '^# HELP usrmgmt_[a-z_]+ \S') AS help,
       count(*) FILTER (WHERE line ~ '^# TYPE usrmgmt_[a-z_]+ (gauge|counter)$') AS type,
       count(*) FILTER (WHERE line ~ '^usrmgmt_[a-z_]+(\{[a-z_]+="([^"\\]|\\.)*"\})? -?[0-9.e+-]+$') AS samples,
       count(*) FILTER (WHERE line !~ '^# (HELP|TYPE) usrmgmt_'
                          AND line !~ '^usrmgmt_[a-z_]+(\{[a-z_]+="([^"\\]|\\.)*"\})? -?[0-9.e+-]+$') AS bad
  FROM l;
SELECT line FROM regexp_split_to_table(usrmgmt.metrics(), E'\n') line
 WHERE line ~ '^usrmgmt_(health_status|schema_problems|in_recovery|sessions_online) ';
-- usrmgmt_connections: its states partition the client connections, so
-- sum(usrmgmt_connections) is health()'s total; there is no "total" sample
-- beside the parts (it would count every connection twice).
WITH s AS (SELECT m[1] AS state, m[2]::int AS n
             FROM regexp_matches(usrmgmt.metrics(),
                    '^usrmgmt_connections\{state="([a-z_]+)"\} ([0-9]+)$', 'gn') m)
SELECT string_agg(state, ',' ORDER BY state) AS states,
       sum(n) = (usrmgmt.health()->'connections'->>'total')::int AS sum_is_total
  FROM s;

-- The monitor recipe: EXECUTE on exactly health, status, database_stats
-- and metrics; no table, no integrity function.
\i sql/include/recipes.sql
SET ROLE regress_monitor;
SELECT usrmgmt.health()->>'status' AS status;
SELECT usrmgmt.status()->>'version' AS version;
SELECT count(*) AS tables FROM usrmgmt.database_stats();
SELECT usrmgmt.metrics() LIKE '# HELP usrmgmt_%' AS metrics;
-- expected: 42501, no read of user data
SELECT username FROM usrmgmt."user" LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
-- expected: 42501, no read of the sessions
SELECT count(*) FROM usrmgmt.online_user;
\echo :LAST_ERROR_SQLSTATE
-- expected: 42501, integrity findings show row ids and usernames
SELECT * FROM usrmgmt.validate_data_integrity();
\echo :LAST_ERROR_SQLSTATE
-- expected: 42501, verify() likewise
SELECT usrmgmt.verify();
\echo :LAST_ERROR_SQLSTATE
-- expected: 42501, not granted by the recipe
SELECT * FROM usrmgmt.validate_schema();
\echo :LAST_ERROR_SQLSTATE
-- expected: 42501, a monitor cannot move the thresholds (PGC_SUSET)
SET usrmgmt.health_connections_crit_pct = 100;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- What the monitor can execute: the four, the validators and ascii_lower
-- (PUBLIC).
SELECT p.proname
  FROM pg_proc p
 WHERE p.pronamespace = 'usrmgmt'::regnamespace
   AND has_function_privilege('regress_monitor', p.oid, 'EXECUTE')
 ORDER BY 1;

DROP EXTENSION usrmgmt;
\i sql/include/cleanup.sql
