--
-- hostile.sql: hostile input to every usrmgmt function and table.
--
-- Each value below is fed to each validator and to each constrained table
-- column.  The validators never raise an error (any text gives true or
-- false, NULL gives NULL: they are STRICT); a table refuses a bad value
-- with its named CHECK constraint (23514).  The server must survive the
-- whole file: pg_postmaster_start_time() is compared at the end.
--
-- Layout, so that a new validator or table is one block to add:
--   1. the shared hostile values (temp tables hostile and ctrl); each
--      statement runs through pg_temp.attempt_constraint(sql, value) of
--      include/setup.sql, which runs it with the value as $1, rolls it
--      back and returns 'accepted' or '<SQLSTATE> <constraint>';
--   2. one block per validator ("-- Block: usrmgmt.f(...)");
--   3. one block per table;
--   4. the survival check.
-- The trigger function set_updated_at() is tested in constraints.sql, with
-- the updated_at rule it enforces.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
\i sql/include/setup.sql
CREATE EXTENSION usrmgmt;

SELECT pg_catalog.pg_postmaster_start_time() AS start_time \gset

--------------------------------------------------------------------------
-- 1. Hostile values
--------------------------------------------------------------------------

CREATE TEMP TABLE hostile (label text PRIMARY KEY, v text);
INSERT INTO hostile VALUES
    ('null', NULL),
    ('empty', ''),
    ('one space', ' '),
    ('1 MB', repeat('a', 1048576)),
    ('1 MB email', repeat('a', 1048576) || '@example.com'),
    ('sql: drop table', $$'); DROP TABLE usrmgmt.user; --$$),
    ('sql: or 1=1', $$x' OR '1'='1$$),
    ('sql: quoted ident', '"user"'),
    ('sql: semicolon', 'abc;def'),
    ('sql: comment', 'abc--def'),
    ('sql: dollar quote', '$$abc$$'),
    ('backslash', E'abc\\def'),
    ('format directives', '%s%n%x%p'),
    ('U+10FFFF', chr(1114111)),
    ('U+10FFFF in a name', 'abc' || chr(1114111)),
    ('BOM prefix', chr(65279) || 'abcdef'),
    ('zero-width space', 'abc' || chr(8203) || 'def'),
    ('fullwidth letters', chr(65345) || chr(65346) || chr(65347)),
    ('cyrillic a', chr(1072) || 'bcdef'),
    ('e acute', 'j' || chr(233) || 'r' || chr(244) || 'me'),
    ('NBSP in email', 'a' || chr(160) || 'b@example.com'),
    ('unicode email domain', 'a@' || chr(233) || 'xample.com'),
    ('email 254 bytes', repeat('a', 64) || '@' || repeat('b', 63) || '.' ||
                        repeat('c', 63) || '.' || repeat('d', 61)),
    ('email 255 bytes', repeat('a', 64) || '@' || repeat('b', 63) || '.' ||
                        repeat('c', 63) || '.' || repeat('d', 62)),
    ('email local 65', repeat('a', 65) || '@example.com'),
    ('email label 64', 'a@' || repeat('b', 64) || '.com'),
    ('username 81', repeat('u', 81)),
    ('server name 151', repeat('s', 151)),
    ('config key 101', repeat('k', 101));

-- What cannot reach usrmgmt at all: PostgreSQL refuses a NUL character
-- and invalid UTF-8 before any function sees the value.
-- expected: 54000, text cannot hold a NUL
SELECT usrmgmt.is_valid_username('ab' || chr(0));
\echo :LAST_ERROR_SQLSTATE
-- expected: 22021, 0xff is not UTF-8
SELECT usrmgmt.is_valid_email(E'\xff@example.com');
\echo :LAST_ERROR_SQLSTATE
-- expected: 22021, an unpaired surrogate is not UTF-8 either
SELECT usrmgmt.is_valid_email(convert_from('\xeda080'::bytea, 'UTF8'));
\echo :LAST_ERROR_SQLSTATE

-- Two toasted 1 MB values, one stored out of line as it is (md5 digits
-- do not compress) and one compressed: the validators must detoast them,
-- never read the toast pointer as the value.
CREATE TEMP TABLE toasted (label text, v text);
INSERT INTO toasted
    SELECT '1 MB toasted', string_agg(md5(i::text), '') FROM generate_series(1, 32768) i
    UNION ALL
    SELECT '1 MB toasted compressed', repeat('ab', 524288);
INSERT INTO hostile SELECT label, v FROM toasted;
SELECT label, pg_column_size(v) < octet_length(v) AS compressed,
       octet_length(v) AS bytes
  FROM hostile WHERE label LIKE '1 MB toasted%' ORDER BY label;

-- Every ASCII control character (NUL cannot be in a text value), alone
-- and at the start, the middle and the end of an otherwise valid value.
CREATE TEMP TABLE ctrl AS
    SELECT c, chr(c) AS ch
      FROM generate_series(1, 31) AS c
    UNION ALL SELECT 127, chr(127);
SELECT count(*) AS control_characters FROM ctrl;
CREATE TEMP TABLE ctrl_value AS
    SELECT c, v
      FROM ctrl, LATERAL (VALUES (ch), (ch || 'abc'), ('ab' || ch || 'cd'),
                                 ('abc' || ch)) AS x(v);
CREATE TEMP TABLE ctrl_email AS
    SELECT c, v
      FROM ctrl, LATERAL (VALUES (ch || 'a@b.c'), ('a' || ch || 'b@c.d'),
                                 ('a@' || ch || 'b.c'), ('a@b' || ch || '.c'),
                                 ('a@b.c' || ch)) AS x(v);

-- One user for the foreign keys of the table blocks.
INSERT INTO usrmgmt."user" (username, email) VALUES ('regress_owner', 'owner@example.com');

--------------------------------------------------------------------------
-- 2. Functions, one block each
--------------------------------------------------------------------------

-- Block: usrmgmt.is_valid_email(text)
SELECT label, usrmgmt.is_valid_email(v) FROM hostile ORDER BY label;
SELECT count(*) AS tested, count(*) FILTER (WHERE usrmgmt.is_valid_email(v)) AS accepted
  FROM ctrl_email;
-- the same rule with the control character removed is valid
SELECT count(*) FILTER (WHERE usrmgmt.is_valid_email(replace(v, chr(c), ''))) AS accepted_without
  FROM ctrl_email;

-- Block: usrmgmt.is_valid_username(text)
SELECT label, usrmgmt.is_valid_username(v) FROM hostile ORDER BY label;
SELECT count(*) AS tested, count(*) FILTER (WHERE usrmgmt.is_valid_username(v)) AS accepted
  FROM ctrl_value;

-- Block: usrmgmt.is_valid_server_name(text)
SELECT label, usrmgmt.is_valid_server_name(v) FROM hostile ORDER BY label;
SELECT count(*) AS tested, count(*) FILTER (WHERE usrmgmt.is_valid_server_name(v)) AS accepted
  FROM ctrl_value;

-- Block: usrmgmt.is_valid_config_key(text)
SELECT label, usrmgmt.is_valid_config_key(v) FROM hostile ORDER BY label;
SELECT count(*) AS tested, count(*) FILTER (WHERE usrmgmt.is_valid_config_key(v)) AS accepted
  FROM ctrl_value;

--------------------------------------------------------------------------
-- 3. Tables, one block each: every hostile value in every constrained
-- column fails with that column's named constraint.
--------------------------------------------------------------------------

-- Block: usrmgmt."user"
-- A statement that must fail, shown once with its full error:
-- (terse: its "Failing row contains" detail would show now())
\set VERBOSITY terse
-- expected: 23514, the username is an SQL fragment, not [A-Za-z0-9_-]
INSERT INTO usrmgmt."user" (username) VALUES ($$'); DROP TABLE usrmgmt.user; --$$);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT label,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt."user" (username) VALUES ($1)', v) AS username,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt."user" (username, email) VALUES (''regress_u'', $1)', v) AS email,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt."user" (username, first_name) VALUES (''regress_u'', $1)', v) AS first_name,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt."user" (username, last_name) VALUES (''regress_u'', $1)', v) AS last_name
  FROM hostile ORDER BY label;
SELECT count(*) AS tested,
       string_agg(DISTINCT pg_temp.attempt_constraint('INSERT INTO usrmgmt."user" (username) VALUES ($1)', v), ', ') AS username
  FROM ctrl_value;
SELECT count(*) AS tested,
       string_agg(DISTINCT pg_temp.attempt_constraint('INSERT INTO usrmgmt."user" (username, email) VALUES (''regress_u'', $1)', v), ', ') AS email
  FROM ctrl_email;
-- A name that is only a control character: blank (\t \n \v \f \r) is
-- refused, any other control character is "not blank" and accepted.
SELECT pg_temp.attempt_constraint('INSERT INTO usrmgmt."user" (username, first_name) VALUES (''regress_u'', $1)', ch) AS first_name,
       array_agg(c ORDER BY c) AS control_characters
  FROM ctrl GROUP BY 1 ORDER BY 1;
-- The identity cannot be chosen by a client.
-- expected: 428C9, id is GENERATED ALWAYS
INSERT INTO usrmgmt."user" (id, username) VALUES (-9223372036854775808, 'regress_u');
\echo :LAST_ERROR_SQLSTATE
-- Case-insensitive uniqueness holds against a case-changed SQL fragment.
-- expected: 23505, same username as regress_owner but for case
INSERT INTO usrmgmt."user" (username) VALUES ('REGRESS_OWNER');
\echo :LAST_ERROR_SQLSTATE

-- Block: usrmgmt.user_auth (the row of regress_owner)
SELECT label,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt.user_auth (user_id, password_hash) SELECT id, $1 FROM usrmgmt."user" WHERE username = ''regress_owner''', v) AS password_hash
  FROM hostile ORDER BY label;
-- Extreme numbers.
SELECT pg_temp.attempt_constraint('INSERT INTO usrmgmt.user_auth (user_id, failed_logins) SELECT id, $1::integer FROM usrmgmt."user" WHERE username = ''regress_owner''', v) AS failed_logins, v
  FROM (VALUES ('-1'), ('-2147483648'), ('2147483647'), ('2147483648')) AS x(v);

-- Block: usrmgmt.server
SELECT label,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt.server (server_name, owner_id) SELECT $1, id FROM usrmgmt."user" WHERE username = ''regress_owner''', v) AS server_name,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt.server (server_name, owner_id, status) SELECT ''mc1'', id, $1 FROM usrmgmt."user" WHERE username = ''regress_owner''', v) AS status,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt.server (server_name, owner_id, game_mode) SELECT ''mc1'', id, $1 FROM usrmgmt."user" WHERE username = ''regress_owner''', v) AS game_mode,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt.server (server_name, owner_id, difficulty) SELECT ''mc1'', id, $1 FROM usrmgmt."user" WHERE username = ''regress_owner''', v) AS difficulty
  FROM hostile ORDER BY label;
SELECT count(*) AS tested,
       string_agg(DISTINCT pg_temp.attempt_constraint('INSERT INTO usrmgmt.server (server_name, owner_id) SELECT $1, id FROM usrmgmt."user" WHERE username = ''regress_owner''', v), ', ') AS server_name
  FROM ctrl_value;
SELECT v,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt.server (server_name, owner_id, port) SELECT ''mc1'', id, $1::integer FROM usrmgmt."user" WHERE username = ''regress_owner''', v) AS port,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt.server (server_name, owner_id, memory_mb) SELECT ''mc1'', id, $1::integer FROM usrmgmt."user" WHERE username = ''regress_owner''', v) AS memory_mb,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt.server (server_name, owner_id) VALUES (''mc1'', $1::bigint)', v) AS owner_id
  FROM (VALUES ('-2147483648'), ('-1'), ('0'), ('1023'), ('65536'),
               ('2147483647'), ('2147483648'), ('-9223372036854775808'),
               ('9223372036854775807')) AS x(v);

-- Block: usrmgmt.configuration
SELECT label,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt.configuration (key, value) VALUES ($1, ''x'')', v) AS key,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt.configuration (key, value) VALUES (''k'', $1)', v) AS value
  FROM hostile ORDER BY label;
SELECT count(*) AS tested,
       string_agg(DISTINCT pg_temp.attempt_constraint('INSERT INTO usrmgmt.configuration (key, value) VALUES ($1, ''x'')', v), ', ') AS key
  FROM ctrl_value;

-- Block: usrmgmt.user_log
SELECT label,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt.user_log (user_id, username, action) VALUES (1, ''regress_owner'', $1)', v) AS action
  FROM hostile ORDER BY label;
SELECT count(*) AS tested,
       string_agg(DISTINCT pg_temp.attempt_constraint('INSERT INTO usrmgmt.user_log (user_id, username, action) VALUES (1, ''regress_owner'', $1)', 'log' || v), ', ') AS action
  FROM ctrl_value;

-- Block: usrmgmt.migration_history
SELECT label,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt.migration_history (migration_name) VALUES ($1)', v) AS migration_name,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt.migration_history (migration_name, kind) VALUES (''m'', $1)', v) AS kind,
       pg_temp.attempt_constraint('INSERT INTO usrmgmt.migration_history (migration_name, checksum) VALUES (''m'', $1)', v) AS checksum
  FROM hostile ORDER BY label;

--------------------------------------------------------------------------
-- Memory: validating the hostile values (three of them 1 MB, two toasted)
-- many times leaves nothing behind in the backend.  After a warm-up (the
-- first calls fill caches), 20 more rounds must not grow the backend's
-- memory contexts by more than 100 kB; a leak of the detoasted argument
-- would grow them by over 100 MB.
--------------------------------------------------------------------------

SELECT count(*) FILTER (WHERE usrmgmt.is_valid_email(v) OR usrmgmt.is_valid_username(v)
                           OR usrmgmt.is_valid_server_name(v) OR usrmgmt.is_valid_config_key(v)) > 0 AS warm
  FROM hostile, generate_series(1, 2);
SELECT sum(total_bytes) AS mem_before FROM pg_catalog.pg_backend_memory_contexts \gset
SELECT count(*) FILTER (WHERE usrmgmt.is_valid_email(v)) AS email,
       count(*) FILTER (WHERE usrmgmt.is_valid_username(v)) AS username,
       count(*) FILTER (WHERE usrmgmt.is_valid_server_name(v)) AS server_name,
       count(*) FILTER (WHERE usrmgmt.is_valid_config_key(v)) AS config_key
  FROM hostile, generate_series(1, 20);
SELECT sum(total_bytes) - :mem_before < 100000 AS no_growth
  FROM pg_catalog.pg_backend_memory_contexts;

--------------------------------------------------------------------------
-- 4. Nothing was written, nothing was dropped, the server never restarted
--------------------------------------------------------------------------

SELECT (SELECT count(*) FROM usrmgmt."user") AS users,
       (SELECT count(*) FROM usrmgmt.server) AS servers,
       (SELECT count(*) FROM usrmgmt.configuration) AS configuration,
       (SELECT count(*) FROM usrmgmt.user_log) AS user_log,
       (SELECT count(*) FROM usrmgmt.migration_history) AS migrations;
SELECT pg_catalog.pg_postmaster_start_time() = :'start_time'::timestamptz AS same_postmaster;

DROP TABLE hostile, toasted, ctrl, ctrl_value, ctrl_email;
DROP EXTENSION usrmgmt;
\i sql/include/cleanup.sql
