\set ECHO none
--
-- include/hostile_args.sql: the hostile arguments the feature suites
-- (sessions, passwords, migrations, lifecycle, health, schema_drift) and
-- hostile_api.sql aim at usrmgmt's functions, and the users they are aimed
-- at.  Loaded with "\i sql/include/hostile_args.sql" after CREATE
-- EXTENSION and after sql/include/setup.sql (each statement runs through
-- pg_temp.attempt_result(), rolled back).  Not echoed.
--
--   hv    label, v: NULL, empty, blank, 1 MB, SQL fragments, format
--         directives, a backslash, non-ASCII, LIKE wildcards
--   ctrl  c, v: one name per ASCII control character (1-31 and 127)
--         embedded in a name that otherwise exists (regress_h_alice)
--   users regress_h_alice (password 'correct horse'), regress_h_bob,
--         regress_h_off (inactive)
--

CREATE TEMP TABLE hv (label text PRIMARY KEY, v text);
INSERT INTO hv VALUES
    ('null', NULL),
    ('empty', ''),
    ('blank', '   '),
    ('1 MB', repeat('a', 1048576)),
    ('sql: drop table', $$'); DROP TABLE usrmgmt.user; --$$),
    ('sql: or 1=1', $$x' OR '1'='1$$),
    ('sql: quoted ident', '"user"'),
    ('sql: dollar quote', '$$; DROP TABLE usrmgmt.user; $$'),
    ('percent format', '%s%s%n%x'),
    ('backslash', E'a\\b'),
    ('non-ascii', 'ÄÖÜ✓'),
    ('wildcards', '%_%');
CREATE TEMP TABLE ctrl AS
    SELECT c, 'regress_h_' || chr(c) || 'alice' AS v
      FROM (SELECT generate_series(1, 31) UNION ALL SELECT 127) AS g(c);

INSERT INTO usrmgmt."user" (username, email) VALUES
    ('regress_h_alice', 'alice@example.com'),
    ('regress_h_bob', NULL);
INSERT INTO usrmgmt."user" (username, is_active) VALUES ('regress_h_off', false);
-- (a cheap secret: the iteration count only for this statement)
DO $$
BEGIN
    PERFORM pg_catalog.set_config('usrmgmt.password_iterations', '4096', true);
    PERFORM usrmgmt.set_password('regress_h_alice', 'correct horse');
END
$$;

\set ECHO all
