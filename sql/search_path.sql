--
-- search_path.sql: usrmgmt never calls a look-alike planted on the
-- caller's search_path.
--
-- Look-alikes of every function, operator and table usrmgmt uses are
-- planted in public (and tables in pg_temp, which is searched first for
-- relations).  Each look-alike records its call: a row in
-- public.lookalike_calls (lost if the statement fails) and a nextval of
-- public.lookalike_seq (kept even then).  With search_path = public,
-- usrmgmt, pg_catalog (public first, and pg_catalog named explicitly so it
-- is NOT searched first) every usrmgmt object is exercised, and the record
-- must stay empty.  A positive control first shows that the look-alikes do
-- catch an unqualified name.
--
-- Layout, so that a new function is one block to add:
--   1. the recorder and the look-alikes (add a look-alike for any new
--      name the C code or the install script uses);
--   2. CREATE EXTENSION under the hostile search_path;
--   3. the positive control;
--   4. one block per object ("-- Block: ..."), run as a plain role;
--   5. the record must be empty.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

--------------------------------------------------------------------------
-- 1. Recorder and look-alikes
--------------------------------------------------------------------------

CREATE TABLE public.lookalike_calls (name text NOT NULL, args text);
CREATE SEQUENCE public.lookalike_seq;

-- record(name, args) returns true: the body of every look-alike
CREATE FUNCTION public.lookalike_record(name text, args text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM pg_catalog.nextval('public.lookalike_seq');
    INSERT INTO public.lookalike_calls VALUES (name, args);
    RETURN true;
END
$$;

-- Functions named like what usrmgmt uses, each doing the real work after
-- recording, so that a call would go unnoticed but for the record.
CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('lower', $1); RETURN pg_catalog.lower($1); END $$;
CREATE FUNCTION public.char_length(text) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('char_length', $1); RETURN pg_catalog.char_length($1); END $$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('now', NULL); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION public.is_valid_email(text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('is_valid_email', $1); RETURN true; END $$;
CREATE FUNCTION public.is_valid_username(text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('is_valid_username', $1); RETURN true; END $$;
CREATE FUNCTION public.is_valid_server_name(text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('is_valid_server_name', $1); RETURN true; END $$;
CREATE FUNCTION public.is_valid_config_key(text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('is_valid_config_key', $1); RETURN true; END $$;
CREATE FUNCTION public.set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('set_updated_at', TG_TABLE_NAME); RETURN NEW; END $$;

-- Operators: = on text and on bigint, and the others the constraints use.
CREATE FUNCTION public.lookalike_texteq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('text = text', $1 || ' = ' || $2); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE FUNCTION public.lookalike_textne(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('text <> text', $1 || ' <> ' || $2); RETURN $1 OPERATOR(pg_catalog.<>) $2; END $$;
CREATE FUNCTION public.lookalike_textre(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('text ~ text', $1 || ' ~ ' || $2); RETURN $1 OPERATOR(pg_catalog.~) $2; END $$;
CREATE FUNCTION public.lookalike_int8eq(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('bigint = bigint', $1 || ' = ' || $2); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE FUNCTION public.lookalike_int4le(integer, integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('integer <= integer', $1 || ' <= ' || $2); RETURN $1 OPERATOR(pg_catalog.<=) $2; END $$;
CREATE FUNCTION public.lookalike_int4ge(integer, integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('integer >= integer', $1 || ' >= ' || $2); RETURN $1 OPERATOR(pg_catalog.>=) $2; END $$;
CREATE FUNCTION public.lookalike_int4gt(integer, integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('integer > integer', $1 || ' > ' || $2); RETURN $1 OPERATOR(pg_catalog.>) $2; END $$;
CREATE FUNCTION public.lookalike_int4pl(integer, integer) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('integer + integer', $1 || ' + ' || $2); RETURN $1 OPERATOR(pg_catalog.+) $2; END $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.lookalike_texteq);
CREATE OPERATOR public.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = public.lookalike_textne);
CREATE OPERATOR public.~ (LEFTARG = text, RIGHTARG = text, FUNCTION = public.lookalike_textre);
CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.lookalike_int8eq);
CREATE OPERATOR public.<= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.lookalike_int4le);
CREATE OPERATOR public.>= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.lookalike_int4ge);
CREATE OPERATOR public.> (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.lookalike_int4gt);
CREATE OPERATOR public.+ (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.lookalike_int4pl);

-- Tables named like usrmgmt's, in public and in pg_temp, writable by all;
-- any row written into one is recorded.
CREATE FUNCTION public.lookalike_table_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record(TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, TG_OP); RETURN NULL; END $$;
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['user', 'user_auth', 'online_user', 'user_log', 'server',
                             'configuration', 'migration_history'] LOOP
        EXECUTE format('CREATE TABLE public.%I (id bigint, username text, email text, '
                       'user_id bigint, server_name text, key text, value text, '
                       'migration_name text, action text, updated_at timestamptz)', t);
        EXECUTE format('CREATE TRIGGER record BEFORE INSERT OR UPDATE OR DELETE ON public.%I '
                       'FOR EACH ROW EXECUTE FUNCTION public.lookalike_table_trigger()', t);
        EXECUTE format('GRANT ALL ON public.%I TO PUBLIC', t);
        EXECUTE format('CREATE TEMP TABLE %I (LIKE public.%I)', t, t);
        EXECUTE format('CREATE TRIGGER record BEFORE INSERT OR UPDATE OR DELETE ON pg_temp.%I '
                       'FOR EACH ROW EXECUTE FUNCTION public.lookalike_table_trigger()', t);
    END LOOP;
END
$$;

--------------------------------------------------------------------------
-- 2. The install script under the hostile search_path
--------------------------------------------------------------------------

SET search_path = public, usrmgmt, pg_catalog;
CREATE EXTENSION usrmgmt;
RESET search_path;
-- every relation and function of the extension was created in usrmgmt,
-- none in public
SELECT pg_catalog.pg_describe_object(d.classid, d.objid, 0) AS member_outside_usrmgmt
  FROM pg_catalog.pg_depend d
  LEFT JOIN pg_catalog.pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
  LEFT JOIN pg_catalog.pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'usrmgmt')
   AND d.deptype = 'e'
   AND coalesce(c.relnamespace, p.pronamespace) <> 'usrmgmt'::regnamespace;
SELECT to_regclass('usrmgmt.user') IS NOT NULL AS user_table_in_usrmgmt;
SELECT count(*) AS calls_during_install FROM public.lookalike_calls;

--------------------------------------------------------------------------
-- 3. Positive control: an unqualified name does reach the look-alikes
--------------------------------------------------------------------------

SET search_path = public, usrmgmt, pg_catalog;
SELECT lower('ABC') AS lower, 'a'::text = 'a'::text AS text_eq,
       1::bigint = 1::bigint AS bigint_eq, is_valid_username('x') AS is_valid_username;
RESET search_path;
SELECT name, args FROM public.lookalike_calls ORDER BY name;
SELECT last_value AS calls_counted FROM public.lookalike_seq;
TRUNCATE public.lookalike_calls;
SELECT pg_catalog.setval('public.lookalike_seq', 1, false);

--------------------------------------------------------------------------
-- 4. Every usrmgmt object, as a plain role whose search_path puts public
-- first (an application's login role, not a superuser)
--------------------------------------------------------------------------

CREATE ROLE regress_sp_caller;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA usrmgmt TO regress_sp_caller;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA usrmgmt TO regress_sp_caller;
SET ROLE regress_sp_caller;
SET search_path = public, usrmgmt, pg_catalog;
-- The "Failing row contains (...)" details below would show now(): terse.
\set VERBOSITY terse

-- Block: validators
SELECT usrmgmt.is_valid_email('a@b.c') AS email, usrmgmt.is_valid_username('abc') AS username,
       usrmgmt.is_valid_server_name('mc1') AS server_name, usrmgmt.is_valid_config_key('a.b') AS config_key;

-- Block: usrmgmt."user" (CHECKs, unique indexes, updated_at trigger)
INSERT INTO usrmgmt."user" (username, email, first_name, last_name)
    VALUES ('regress_alice', 'Alice@Example.com', 'Alice', 'Liddell'),
           ('regress_bob', NULL, NULL, NULL);
-- expected: 23514, the username breaks user_username_format
INSERT INTO usrmgmt."user" (username) VALUES ('a b');
\echo :LAST_ERROR_SQLSTATE
-- expected: 23514, the email breaks user_email_format
INSERT INTO usrmgmt."user" (username, email) VALUES ('regress_carol', 'carol@');
\echo :LAST_ERROR_SQLSTATE
-- expected: 23514, a blank first name breaks user_first_name_length
INSERT INTO usrmgmt."user" (username, first_name) VALUES ('regress_carol', '   ');
\echo :LAST_ERROR_SQLSTATE
-- expected: 23505, user_username_key is case-insensitive
INSERT INTO usrmgmt."user" (username) VALUES ('REGRESS_ALICE');
\echo :LAST_ERROR_SQLSTATE
-- expected: 23505, user_email_key is case-insensitive
INSERT INTO usrmgmt."user" (username, email) VALUES ('regress_carol', 'alice@example.COM');
\echo :LAST_ERROR_SQLSTATE
BEGIN;
UPDATE usrmgmt."user" SET first_name = 'Alicia', updated_at = '-infinity'
 WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
RESET search_path;
SELECT first_name, updated_at = now() AS updated_at_is_now
  FROM usrmgmt."user" WHERE username = 'regress_alice';
SET search_path = public, usrmgmt, pg_catalog;
COMMIT;

-- Block: usrmgmt.server
INSERT INTO usrmgmt.server (server_name, owner_id, port, memory_mb, status, game_mode, difficulty)
    SELECT 'mc-1', id, 25565, 2048, 'Running', 'creative', 'hard'
      FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
-- expected: 23514, server_name_format
INSERT INTO usrmgmt.server (server_name, owner_id)
    SELECT 'mc 1', id FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
\echo :LAST_ERROR_SQLSTATE
-- expected: 23514, server_port_range
INSERT INTO usrmgmt.server (server_name, owner_id, port)
    SELECT 'mc-2', id, 80 FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
\echo :LAST_ERROR_SQLSTATE
-- expected: 23514, server_memory_range
INSERT INTO usrmgmt.server (server_name, owner_id, memory_mb)
    SELECT 'mc-2', id, 100 FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
\echo :LAST_ERROR_SQLSTATE
-- expected: 23514, server_status_valid
INSERT INTO usrmgmt.server (server_name, owner_id, status)
    SELECT 'mc-2', id, 'running' FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
\echo :LAST_ERROR_SQLSTATE
-- expected: 23514, server_game_mode_valid
INSERT INTO usrmgmt.server (server_name, owner_id, game_mode)
    SELECT 'mc-2', id, 'hardcore' FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
\echo :LAST_ERROR_SQLSTATE
-- expected: 23514, server_difficulty_valid
INSERT INTO usrmgmt.server (server_name, owner_id, difficulty)
    SELECT 'mc-2', id, 'extreme' FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
\echo :LAST_ERROR_SQLSTATE
-- expected: 23505, server_name_key
INSERT INTO usrmgmt.server (server_name, owner_id)
    SELECT 'mc-1', id FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
\echo :LAST_ERROR_SQLSTATE
UPDATE usrmgmt.server SET status = 'Stopped' WHERE server_name OPERATOR(pg_catalog.=) 'mc-1';
-- expected: 23503, refused by server_owner_id_fkey, which is ON DELETE
-- RESTRICT, the same on every version (PostgreSQL 18's own RESTRICT error
-- would be 23001, with another message)
DO $$
DECLARE
    want text := '23503';
    st text;
    con text;
BEGIN
    DELETE FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
    RAISE NOTICE 'deleted';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, con = CONSTRAINT_NAME;
    RAISE NOTICE 'refused by %: %', con,
        CASE WHEN st OPERATOR(pg_catalog.=) want THEN 'this version''s SQLSTATE'
             ELSE pg_catalog.concat('SQLSTATE ', st, ', expected ', want) END;
END
$$;

-- Block: usrmgmt.user_auth (CHECKs, the reference to "user")
INSERT INTO usrmgmt.user_auth (user_id, failed_logins)
    SELECT id, 1 FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_bob';
-- expected: 23514, plain text is not a SCRAM secret (user_auth_password_hash_format)
INSERT INTO usrmgmt.user_auth (user_id, password_hash)
    SELECT id, 'secret' FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
\echo :LAST_ERROR_SQLSTATE
-- expected: 23514, user_auth_failed_logins_nonnegative
INSERT INTO usrmgmt.user_auth (user_id, failed_logins)
    SELECT id, -1 FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
\echo :LAST_ERROR_SQLSTATE
-- expected: 23503, user_auth_user_id_fkey
INSERT INTO usrmgmt.user_auth (user_id) VALUES (-1);
\echo :LAST_ERROR_SQLSTATE

-- Block: usrmgmt.configuration
INSERT INTO usrmgmt.configuration (key, value, updated_by)
    SELECT 'app.theme', 'dark', id FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_bob';
-- expected: 23514, configuration_key_format
INSERT INTO usrmgmt.configuration (key, value) VALUES ('app theme', 'x');
\echo :LAST_ERROR_SQLSTATE
-- expected: 23514, configuration_value_nonempty
INSERT INTO usrmgmt.configuration (key, value) VALUES ('app.mode', '');
\echo :LAST_ERROR_SQLSTATE
-- expected: 23505, configuration_key_key
INSERT INTO usrmgmt.configuration (key, value) VALUES ('app.theme', 'light');
\echo :LAST_ERROR_SQLSTATE
UPDATE usrmgmt.configuration SET value = 'light' WHERE key OPERATOR(pg_catalog.=) 'app.theme';

-- Block: usrmgmt.online_user and usrmgmt.user_log (foreign keys)
INSERT INTO usrmgmt.online_user (user_id, username, ip_address)
    SELECT id, username, '192.0.2.1' FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_bob';
INSERT INTO usrmgmt.user_log (user_id, username, action)
    SELECT id, username, 'login' FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_bob';
-- expected: 23514, user_log_action_valid
INSERT INTO usrmgmt.user_log (user_id, username, action) VALUES (1, 'regress_bob', 'LOGIN');
\echo :LAST_ERROR_SQLSTATE
-- expected: 23503, online_user_user_id_fkey
INSERT INTO usrmgmt.online_user (user_id, username) VALUES (-1, 'nobody');
\echo :LAST_ERROR_SQLSTATE

-- Block: usrmgmt.migration_history
INSERT INTO usrmgmt.migration_history (migration_name, checksum, execution_ms)
    VALUES ('0001_init', pg_catalog.repeat('a', 64), 1.5);
-- expected: 23505, migration_history_name_key
INSERT INTO usrmgmt.migration_history (migration_name) VALUES ('0001_init');
\echo :LAST_ERROR_SQLSTATE
-- expected: 23514, migration_history_checksum_format
INSERT INTO usrmgmt.migration_history (migration_name, checksum) VALUES ('0002', 'ABC');
\echo :LAST_ERROR_SQLSTATE

-- Block: the session triggers on an ORM's own writes.  They run as their
-- owner but under the caller's search_path (no SET of it): nothing they
-- run may resolve through it.  Insert (username filled in, 'login' row),
-- update (username kept), delete ('logout' row), rename of the user
-- (sessions renamed), deactivation (sessions closed, 'user deactivated').
INSERT INTO usrmgmt.online_user (user_id, username)
    SELECT id, 'ignored' FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
UPDATE usrmgmt.online_user SET username = 'changed by hand'
 WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
DELETE FROM usrmgmt.online_user WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
INSERT INTO usrmgmt.online_user (user_id, username)
    SELECT id, 'ignored' FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
UPDATE usrmgmt."user" SET username = 'regress_alice2'
 WHERE username OPERATOR(pg_catalog.=) 'regress_alice';
SELECT username FROM usrmgmt.online_user ORDER BY username COLLATE "C";
UPDATE usrmgmt."user" SET is_active = false
 WHERE username OPERATOR(pg_catalog.=) 'regress_alice2';

-- Block: cascades (ON DELETE CASCADE / SET NULL run the foreign keys' own SQL)
DELETE FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'regress_bob';

RESET ROLE;
RESET search_path;
\set VERBOSITY default

--------------------------------------------------------------------------
-- 5. The record is empty: no look-alike was called
--------------------------------------------------------------------------

SELECT name, args FROM public.lookalike_calls ORDER BY name;
SELECT is_called AS any_lookalike_called FROM public.lookalike_seq;
-- and nothing was written into a look-alike table (the triggers would
-- have recorded it; counted here as well)
SELECT (SELECT count(*) FROM public."user") + (SELECT count(*) FROM pg_temp."user") +
       (SELECT count(*) FROM public.server) + (SELECT count(*) FROM pg_temp.server) +
       (SELECT count(*) FROM public.configuration) + (SELECT count(*) FROM pg_temp.configuration) +
       (SELECT count(*) FROM public.online_user) + (SELECT count(*) FROM pg_temp.online_user) +
       (SELECT count(*) FROM public.user_log) + (SELECT count(*) FROM pg_temp.user_log) +
       (SELECT count(*) FROM public.migration_history) + (SELECT count(*) FROM pg_temp.migration_history)
       AS lookalike_rows;
-- what the block statements did reach usrmgmt's tables
SELECT username, action, detail, user_id IS NULL AS user_id_nulled
  FROM usrmgmt.user_log ORDER BY id;
SELECT count(*) AS sessions_left FROM usrmgmt.online_user;
SELECT key, value, updated_by IS NULL AS updated_by_nulled FROM usrmgmt.configuration;

--------------------------------------------------------------------------
-- Clean up
--------------------------------------------------------------------------

DROP EXTENSION usrmgmt;
DROP ROLE regress_sp_caller;
DROP TABLE pg_temp."user", pg_temp.user_auth, pg_temp.online_user, pg_temp.user_log, pg_temp.server,
           pg_temp.configuration, pg_temp.migration_history;
DROP TABLE public."user", public.user_auth, public.online_user, public.user_log, public.server,
           public.configuration, public.migration_history;
DROP OPERATOR public.= (text, text), public.<> (text, text), public.~ (text, text),
              public.= (bigint, bigint), public.<= (integer, integer), public.>= (integer, integer),
              public.> (integer, integer), public.+ (integer, integer);
DROP FUNCTION public.lookalike_texteq(text, text), public.lookalike_textne(text, text),
              public.lookalike_textre(text, text), public.lookalike_int8eq(bigint, bigint),
              public.lookalike_int4le(integer, integer), public.lookalike_int4ge(integer, integer),
              public.lookalike_int4gt(integer, integer), public.lookalike_int4pl(integer, integer),
              public.lower(text), public.char_length(text), public.now(),
              public.is_valid_email(text), public.is_valid_username(text),
              public.is_valid_server_name(text), public.is_valid_config_key(text),
              public.set_updated_at(), public.lookalike_table_trigger(),
              public.lookalike_record(text, text);
DROP TABLE public.lookalike_calls;
DROP SEQUENCE public.lookalike_seq;
