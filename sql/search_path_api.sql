--
-- search_path_api.sql: no usrmgmt function calls a look-alike planted on
-- the caller's search_path.
--
-- search_path.sql plants look-alikes of what the tables and validators
-- use; this file plants, generically, a look-alike in public of every
-- function, operator, type and catalog relation that the SQL inside the C
-- code and the install script names (the names are listed in block 1; to
-- refresh the list: grep -o 'pg_catalog\.[a-z_0-9]*' src/*.c
-- sql/usrmgmt--1.0.sql), plus look-alike tables of usrmgmt's own.  Every
-- overload of each function and operator with concrete types gets one,
-- with the same argument types, so that an unqualified call would resolve
-- to it.  Each look-alike records its call in public.lookalike_calls (and
-- a nextval of public.lookalike_seq, kept even when the statement fails).
--
-- With search_path = public, usrmgmt, pg_catalog (pg_catalog named after
-- public, so it is NOT searched first), an administrator role (the recipe
-- of doc/usrmgmt.md, "Privileges and role recipes") and then a superuser
-- run every usrmgmt function: sessions, passwords, health, integrity,
-- migrations, sample data, reset.
-- The record must stay empty.  A positive control first shows that the
-- look-alikes do catch unqualified names.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
\i sql/include/setup.sql
SELECT count(*) AS public_before FROM pg_catalog.pg_class
 WHERE relnamespace = 'public'::regnamespace \gset

--------------------------------------------------------------------------
-- 1. Recorder and look-alikes
--------------------------------------------------------------------------

CREATE TABLE public.lookalike_calls (name text NOT NULL, args text);
GRANT INSERT ON public.lookalike_calls TO PUBLIC;
CREATE SEQUENCE public.lookalike_seq;
GRANT USAGE ON SEQUENCE public.lookalike_seq TO PUBLIC;

CREATE FUNCTION public.lookalike_record(name text, args text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM pg_catalog.nextval('public.lookalike_seq');
    INSERT INTO public.lookalike_calls VALUES (name, args);
    RETURN true;
END
$$;

-- The names usrmgmt's SQL uses (schema-qualified, as it must).
CREATE TEMP TABLE used_functions (name text PRIMARY KEY);
INSERT INTO used_functions VALUES
    ('age'), ('array_to_string'), ('btrim'), ('char_length'), ('clock_timestamp'),
    ('convert_to'), ('current_database'), ('current_setting'), ('date_part'),
    ('encode'), ('format'), ('format_type'), ('jsonb_array_length'), ('length'),
    ('lower'), ('now'), ('pg_backend_pid'), ('pg_current_wal_lsn'),
    ('pg_database_size'), ('pg_get_constraintdef'), ('pg_get_expr'), ('pg_has_role'),
    ('pg_get_function_identity_arguments'), ('pg_get_function_result'),
    ('pg_get_indexdef'), ('pg_get_serial_sequence'), ('pg_get_triggerdef'),
    ('pg_indexes_size'), ('pg_is_in_recovery'), ('pg_last_wal_receive_lsn'),
    ('pg_last_wal_replay_lsn'), ('pg_last_xact_replay_timestamp'),
    ('pg_relation_size'), ('pg_stat_get_dead_tuples'),
    ('pg_stat_get_last_analyze_time'), ('pg_stat_get_last_autoanalyze_time'),
    ('pg_stat_get_last_autovacuum_time'), ('pg_stat_get_last_vacuum_time'),
    ('pg_stat_get_live_tuples'), ('pg_stat_get_numscans'),
    ('pg_total_relation_size'), ('pg_wal_lsn_diff'), ('quote_literal'),
    ('regexp_replace'), ('round'), ('sha256'), ('substr'), ('to_regclass'),
    ('upper');
CREATE TEMP TABLE used_operators (name text PRIMARY KEY);
INSERT INTO used_operators VALUES
    ('='), ('<>'), ('<'), ('>'), ('<='), ('>='), ('+'), ('-'), ('*'), ('/'),
    ('||'), ('~~'), ('~'), ('->'), ('->>');

-- Plain functions: one look-alike per overload with concrete types.
CREATE TEMP TABLE planted (kind text, name text, signature text);
DO $$
DECLARE
    r record;
    args text;
    params text;
BEGIN
    FOR r IN
        SELECT p.oid, p.proname, p.pronargs, p.proargtypes, p.prorettype
          FROM pg_catalog.pg_proc p
         WHERE p.pronamespace = 'pg_catalog'::regnamespace
           AND p.proname IN (SELECT name FROM used_functions)
           AND p.prokind = 'f' AND NOT p.proretset AND p.provariadic = 0
           AND NOT EXISTS (SELECT 1 FROM unnest(p.proargtypes::oid[] || p.prorettype) AS t(oid)
                             JOIN pg_catalog.pg_type ty ON ty.oid = t.oid
                            WHERE ty.typtype = 'p')
         ORDER BY p.oid
    LOOP
        SELECT coalesce(string_agg(format_type(t, NULL), ', ' ORDER BY n), ''),
               coalesce(string_agg('$' || n, ', ' ORDER BY n), '')
          INTO args, params
          FROM unnest(r.proargtypes::oid[]) WITH ORDINALITY AS x(t, n);
        EXECUTE pg_catalog.format('CREATE FUNCTION public.%I(%s) RETURNS %s LANGUAGE plpgsql AS %L',
                       r.proname, args, format_type(r.prorettype, NULL),
                       pg_catalog.format('BEGIN PERFORM public.lookalike_record(%L, %L); RETURN pg_catalog.%I(%s); END',
                              r.proname, args, r.proname, params));
        INSERT INTO planted VALUES ('function', r.proname, args);
    END LOOP;
END
$$;

-- Variadic "any" and polymorphic functions and aggregates, by hand, with
-- the argument types usrmgmt passes them.  (From here on this file writes
-- pg_catalog.format itself: format(text, text) below would otherwise win
-- over pg_catalog.format(text, VARIADIC "any") even with pg_catalog first.)
CREATE FUNCTION public.array_to_string(text[], text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('array_to_string', $2); RETURN pg_catalog.array_to_string($1, $2); END $$;
CREATE FUNCTION public.format(text, text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('format', $1); RETURN pg_catalog.format($1, $2); END $$;
CREATE FUNCTION public.jsonb_build_object(text, text) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('jsonb_build_object', $1); RETURN pg_catalog.jsonb_build_object($1, $2); END $$;
CREATE FUNCTION public.jsonb_build_object(text, bigint) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('jsonb_build_object', $1); RETURN pg_catalog.jsonb_build_object($1, $2); END $$;
CREATE FUNCTION public.jsonb_build_object(text, jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('jsonb_build_object', $1); RETURN pg_catalog.jsonb_build_object($1, $2); END $$;
CREATE FUNCTION public.lookalike_sfunc(bigint) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('aggregate', NULL); RETURN $1; END $$;
CREATE FUNCTION public.lookalike_sfunc(bigint, anyelement) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('aggregate', NULL); RETURN $1; END $$;
CREATE FUNCTION public.lookalike_sfunc_text(text, text, text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('string_agg', NULL); RETURN $1; END $$;
CREATE FUNCTION public.lookalike_sfunc_jsonb(jsonb, anyelement) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record('jsonb_agg', NULL); RETURN $1; END $$;
CREATE AGGREGATE public.count(*) (SFUNC = public.lookalike_sfunc, STYPE = bigint, INITCOND = '0');
CREATE AGGREGATE public.count(anyelement) (SFUNC = public.lookalike_sfunc, STYPE = bigint, INITCOND = '0');
CREATE AGGREGATE public.sum(anyelement) (SFUNC = public.lookalike_sfunc, STYPE = bigint, INITCOND = '0');
CREATE AGGREGATE public.max(anyelement) (SFUNC = public.lookalike_sfunc, STYPE = bigint, INITCOND = '0');
CREATE AGGREGATE public.min(anyelement) (SFUNC = public.lookalike_sfunc, STYPE = bigint, INITCOND = '0');
CREATE AGGREGATE public.string_agg(text, text) (SFUNC = public.lookalike_sfunc_text, STYPE = text);
CREATE AGGREGATE public.jsonb_agg(anyelement) (SFUNC = public.lookalike_sfunc_jsonb, STYPE = jsonb, INITCOND = '[]');

-- Operators: one look-alike per pg_catalog binary operator of those names
-- with concrete types.
DO $$
DECLARE
    r record;
    i integer := 0;
BEGIN
    FOR r IN
        SELECT o.oprname, o.oprleft, o.oprright, o.oprresult
          FROM pg_catalog.pg_operator o
         WHERE o.oprnamespace = 'pg_catalog'::regnamespace
           AND o.oprname IN (SELECT name FROM used_operators)
           AND o.oprkind = 'b'
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type ty
                            WHERE ty.oid IN (o.oprleft, o.oprright, o.oprresult)
                              AND ty.typtype = 'p')
         ORDER BY o.oid
    LOOP
        i := i + 1;
        EXECUTE pg_catalog.format('CREATE FUNCTION public.lookalike_op_%s(%s, %s) RETURNS %s LANGUAGE plpgsql AS %L',
                       i, format_type(r.oprleft, NULL), format_type(r.oprright, NULL),
                       format_type(r.oprresult, NULL),
                       pg_catalog.format('BEGIN PERFORM public.lookalike_record(%L, NULL); RETURN $1 OPERATOR(pg_catalog.%s) $2; END',
                              format_type(r.oprleft, NULL) || ' ' || r.oprname || ' ' || format_type(r.oprright, NULL),
                              r.oprname));
        EXECUTE pg_catalog.format('CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = public.lookalike_op_%s)',
                       r.oprname, format_type(r.oprleft, NULL), format_type(r.oprright, NULL), i);
        INSERT INTO planted VALUES ('operator', r.oprname,
                                    format_type(r.oprleft, NULL) || ', ' || format_type(r.oprright, NULL));
    END LOOP;
END
$$;

-- Types named like those usrmgmt casts to: domains whose CHECK records.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['text', 'int8', 'int4', 'float8', 'jsonb', 'regclass', 'regrole',
                             'timestamptz', 'inet', 'name', 'oid'] LOOP
        EXECUTE pg_catalog.format('CREATE DOMAIN public.%I AS pg_catalog.%I CHECK (public.lookalike_record(%L, NULL))',
                       t, t, 'type ' || t);
        INSERT INTO planted VALUES ('type', t, NULL);
    END LOOP;
END
$$;

-- Catalog relations usrmgmt reads, as views in public that record.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['pg_attrdef', 'pg_attribute', 'pg_class', 'pg_constraint',
                             'pg_database', 'pg_depend', 'pg_extension', 'pg_index',
                             'pg_language', 'pg_namespace', 'pg_proc', 'pg_roles',
                             'pg_stat_activity', 'pg_stat_replication',
                             'pg_stat_wal_receiver', 'pg_trigger', 'pg_settings',
                             'pg_stat_user_tables', 'pg_locks'] LOOP
        -- every column but those of a pseudo-type (pg_attribute.attmissingval)
        EXECUTE pg_catalog.format('CREATE VIEW public.%I AS SELECT %s FROM pg_catalog.%I WHERE public.lookalike_record(%L, NULL)',
                       t, (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
                             FROM pg_catalog.pg_attribute a
                             JOIN pg_catalog.pg_type ty ON ty.oid OPERATOR(pg_catalog.=) a.atttypid
                            WHERE a.attrelid OPERATOR(pg_catalog.=) ('pg_catalog.' || t)::pg_catalog.regclass
                              AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
                              AND ty.typtype OPERATOR(pg_catalog.<>) 'p'),
                       t, 'relation ' || t);
        EXECUTE pg_catalog.format('GRANT SELECT ON public.%I TO PUBLIC', t);
        INSERT INTO planted VALUES ('relation', t, NULL);
    END LOOP;
END
$$;

-- Tables named like usrmgmt's, in public and in pg_temp (searched first
-- for relations), writable by all; a row written into one is recorded.
CREATE FUNCTION public.lookalike_table_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM public.lookalike_record(TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, TG_OP); RETURN NULL; END $$;
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['user', 'user_auth', 'online_user', 'user_log', 'server', 'configuration',
                             'migration_history', 'schema_manifest'] LOOP
        EXECUTE pg_catalog.format('CREATE TABLE public.%I (id bigint, username text, user_id bigint, '
                       'migration_name text, object_type text, object_name text)', t);
        EXECUTE pg_catalog.format('CREATE TRIGGER record BEFORE INSERT OR UPDATE OR DELETE ON public.%I '
                       'FOR EACH ROW EXECUTE FUNCTION public.lookalike_table_trigger()', t);
        EXECUTE pg_catalog.format('GRANT ALL ON public.%I TO PUBLIC', t);
        EXECUTE pg_catalog.format('CREATE TEMP TABLE %I (LIKE public.%I)', t, t);
        EXECUTE pg_catalog.format('CREATE TRIGGER record BEFORE INSERT OR UPDATE OR DELETE ON pg_temp.%I '
                       'FOR EACH ROW EXECUTE FUNCTION public.lookalike_table_trigger()', t);
        INSERT INTO planted VALUES ('table', t, NULL);
    END LOOP;
END
$$;

-- what was planted (counts; the overloads depend on the server version,
-- so only a floor is asserted)
SELECT kind, count(*) >= CASE kind WHEN 'function' THEN 50 WHEN 'operator' THEN 200
                                   ELSE 7 END AS enough
  FROM planted GROUP BY kind ORDER BY kind;
-- every used function name has at least one look-alike
SELECT u.name AS not_planted FROM used_functions u
 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p
                    WHERE p.pronamespace = 'public'::regnamespace AND p.proname = u.name);

--------------------------------------------------------------------------
-- 2. The extension, and the administrator role of doc/usrmgmt.md,
-- "Privileges and role recipes"
--------------------------------------------------------------------------

SET search_path = public, usrmgmt, pg_catalog;
CREATE EXTENSION usrmgmt;
RESET search_path;
SELECT count(*) AS calls_during_install FROM public.lookalike_calls;

\i sql/include/recipes.sql
GRANT CREATE ON SCHEMA public TO regress_admin;

--------------------------------------------------------------------------
-- 3. Positive control: unqualified names do reach the look-alikes
--------------------------------------------------------------------------

SET search_path = public, usrmgmt, pg_catalog;
SELECT lower('ABC') AS lower, 'a'::text = 'a'::text AS text_eq,
       1::bigint = 1::bigint AS bigint_eq, now() IS NOT NULL AS now,
       (SELECT count(*) FROM (VALUES (1)) AS v(x)) AS count_star,
       EXISTS (SELECT FROM pg_class) AS pg_class,
       format('%s', 'x') AS format;
RESET search_path;
SELECT DISTINCT name FROM public.lookalike_calls ORDER BY name;
TRUNCATE public.lookalike_calls;
SELECT pg_catalog.setval('public.lookalike_seq', 1, false);

--------------------------------------------------------------------------
-- 4. Every usrmgmt function, as the administrator role, public first
--------------------------------------------------------------------------

SET usrmgmt.password_iterations = 4096;
SET usrmgmt.max_failed_logins = 2;
SET ROLE regress_admin;
SET search_path = public, usrmgmt, pg_catalog;
-- Some details below would show now() or ids: terse.
\set VERBOSITY terse

-- Block: sample data, then sessions
SELECT usrmgmt.load_sample_data() OPERATOR(pg_catalog.->) 'user' AS sample_users;
SELECT usrmgmt.login('alice', '192.0.2.99', 'spa-agent') AS sid \gset
SELECT usrmgmt.touch_session(:sid) AS touched;
SELECT usrmgmt.logout(:sid) AS logged_out, usrmgmt.logout(:sid) AS again;
SELECT usrmgmt.logout_user('BOB') AS bob_sessions_closed;
SELECT usrmgmt.expire_sessions('1 microsecond') AS expired;
SELECT usrmgmt.expire_sessions(NULL) AS expired_by_guc;
-- expected: 42704, unknown user
SELECT usrmgmt.login('nobody');
\echo :LAST_ERROR_SQLSTATE
-- expected: 28000, eve is inactive
SELECT usrmgmt.login('eve');
\echo :LAST_ERROR_SQLSTATE

-- Block: passwords
SELECT usrmgmt.set_password('carol', 'correct horse');
SELECT usrmgmt.check_password('carol', 'correct horse') AS right_pw,
       usrmgmt.check_password('carol', 'wrong horse') AS wrong_pw,
       usrmgmt.check_password('nobody', 'correct horse') AS unknown_user;
SELECT usrmgmt.authenticate('carol', 'correct horse', '192.0.2.7', 'spa') OPERATOR(pg_catalog.>) 0 AS authenticated;
SELECT usrmgmt.authenticate('carol', 'wrong') IS NULL AS refused1,
       usrmgmt.authenticate('carol', 'wrong') IS NULL AS refused2,
       usrmgmt.authenticate('carol', 'correct horse') IS NULL AS locked_out;
SELECT usrmgmt.authenticate('eve', 'sample-password') IS NULL AS inactive_refused;
SELECT usrmgmt.unlock_user('carol') AS unlocked;
SELECT usrmgmt.authenticate('carol', 'correct horse') OPERATOR(pg_catalog.>) 0 AS authenticated_again;
SELECT usrmgmt.last_login(u.id) IS NOT NULL AS carol_last_login
  FROM usrmgmt."user" u WHERE u.username OPERATOR(pg_catalog.=) 'carol';
-- expected: 22023, too short
SELECT usrmgmt.set_password('carol', 'short');
\echo :LAST_ERROR_SQLSTATE

-- Block: direct writes (triggers: ORM session, rename, deactivate, delete),
-- as the superuser with the same search_path (the triggers run as the
-- role whose statement fires them)
RESET ROLE;
SET search_path = public, usrmgmt, pg_catalog;
INSERT INTO usrmgmt.online_user (user_id, username)
    SELECT id, 'x' FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'dave';
UPDATE usrmgmt."user" SET username = 'dave2' WHERE username OPERATOR(pg_catalog.=) 'dave';
UPDATE usrmgmt."user" SET is_active = false WHERE username OPERATOR(pg_catalog.=) 'dave2';
INSERT INTO usrmgmt."user" (username) VALUES ('spa_tmp');
SELECT usrmgmt.login('spa_tmp') OPERATOR(pg_catalog.>) 0 AS tmp_login;
DELETE FROM usrmgmt."user" WHERE username OPERATOR(pg_catalog.=) 'spa_tmp';
UPDATE usrmgmt.server SET status = 'Stopped' WHERE server_name OPERATOR(pg_catalog.=) 'sample-survival';
UPDATE usrmgmt.configuration SET value = 'x' WHERE key OPERATOR(pg_catalog.=) 'site.name';
-- expected: 55000, the log is append-only
DELETE FROM usrmgmt.user_log;
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_admin;
SET search_path = public, usrmgmt, pg_catalog;

-- Block: health, statistics, integrity
SELECT (usrmgmt.health()) OPERATOR(pg_catalog.->>) 'status' OPERATOR(pg_catalog.=) ANY ('{healthy,degraded,unhealthy}') AS health_has_status;
SELECT (usrmgmt.status()) OPERATOR(pg_catalog.?) 'version' AS status_has_version;
SELECT pg_catalog.count(*) AS stats_tables FROM usrmgmt.database_stats(false);
SELECT pg_catalog.count(*) AS stats_tables_exact FROM usrmgmt.database_stats(true);
SELECT pg_catalog.length(usrmgmt.metrics()) OPERATOR(pg_catalog.>) 0 AS metrics;
SELECT pg_catalog.count(*) AS schema_problems FROM usrmgmt.validate_schema();
SELECT pg_catalog.count(*) AS data_problems FROM usrmgmt.validate_data_integrity();
SELECT (usrmgmt.verify()) OPERATOR(pg_catalog.->) 'ok' AS verify_ok;

-- Block: migrations (the migration's own SQL runs with the caller's
-- search_path by design, so it qualifies its names itself)
SELECT usrmgmt.apply_migration('spa_0001',
    'CREATE TABLE public.spa_t (id pg_catalog.int8)',
    'DROP TABLE public.spa_t') AS applied;
SELECT usrmgmt.apply_migration('spa_0001',
    'CREATE TABLE public.spa_t (id pg_catalog.int8)',
    'DROP TABLE public.spa_t') AS applied_again;
-- expected: 42710, same name, other SQL
SELECT usrmgmt.apply_migration('spa_0001', 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
SELECT usrmgmt.rollback_migration('spa_0001') AS rolled_back;
-- expected: 42704, not applied any more
SELECT usrmgmt.rollback_migration('spa_0001');
\echo :LAST_ERROR_SQLSTATE

-- Block: purge and reset
SELECT usrmgmt.purge_user_log('infinity') OPERATOR(pg_catalog.>=) 0 AS purged;
SELECT usrmgmt.reset(confirm => true);
-- expected: 22023, no confirmation
SELECT usrmgmt.reset();
\echo :LAST_ERROR_SQLSTATE
SELECT usrmgmt.load_sample_data() OPERATOR(pg_catalog.->) 'user' AS sample_users_again;

RESET ROLE;

-- Block: the internal functions, as the superuser (same search_path)
SET search_path = public, usrmgmt, pg_catalog;
SELECT usrmgmt._refresh_manifest();
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 AS catalog_rows FROM usrmgmt._schema_catalog(true);
SELECT pg_catalog.count(*) AS schema_problems FROM usrmgmt.validate_schema();
SELECT usrmgmt.grant_recipe('regress_nobody', 'monitor');
SELECT usrmgmt.revoke_recipe('regress_nobody', 'monitor');

RESET search_path;
RESET usrmgmt.password_iterations;
RESET usrmgmt.max_failed_logins;
\set VERBOSITY default

--------------------------------------------------------------------------
-- 5. The record is empty: no look-alike was called
--------------------------------------------------------------------------

SELECT name, args FROM public.lookalike_calls ORDER BY name;
SELECT is_called AS any_lookalike_called FROM public.lookalike_seq;
SELECT (SELECT count(*) FROM public."user") + (SELECT count(*) FROM pg_temp."user") +
       (SELECT count(*) FROM public.user_auth) + (SELECT count(*) FROM pg_temp.user_auth) +
       (SELECT count(*) FROM public.online_user) + (SELECT count(*) FROM pg_temp.online_user) +
       (SELECT count(*) FROM public.user_log) + (SELECT count(*) FROM pg_temp.user_log) +
       (SELECT count(*) FROM public.server) + (SELECT count(*) FROM pg_temp.server) +
       (SELECT count(*) FROM public.configuration) + (SELECT count(*) FROM pg_temp.configuration) +
       (SELECT count(*) FROM public.migration_history) + (SELECT count(*) FROM pg_temp.migration_history) +
       (SELECT count(*) FROM public.schema_manifest) + (SELECT count(*) FROM pg_temp.schema_manifest)
       AS lookalike_rows;
-- and the work reached usrmgmt's own tables
SELECT count(*) AS users,
       (SELECT count(*) FROM usrmgmt.user_auth WHERE password_hash IS NOT NULL) AS with_password
  FROM usrmgmt."user";
SELECT count(*) FILTER (WHERE action = 'login') AS logins,
       count(*) FILTER (WHERE action = 'logout') AS logouts
  FROM usrmgmt.user_log;

--------------------------------------------------------------------------
-- Clean up
--------------------------------------------------------------------------

DROP EXTENSION usrmgmt;
REVOKE CREATE ON SCHEMA public FROM regress_admin;
DROP TABLE pg_temp."user", pg_temp.user_auth, pg_temp.online_user, pg_temp.user_log, pg_temp.server,
           pg_temp.configuration, pg_temp.migration_history, pg_temp.schema_manifest;
DO $$
DECLARE
    r record;
BEGIN
    -- everything this file created in public: tables, views, operators,
    -- aggregates, functions, domains (the recorder last)
    FOR r IN SELECT c.oid::regclass AS rel, c.relkind FROM pg_catalog.pg_class c
              WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')
                AND c.relname <> 'lookalike_calls' LOOP
        EXECUTE pg_catalog.format('DROP %s %s', CASE r.relkind WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, r.rel);
    END LOOP;
    FOR r IN SELECT o.oid::regoperator AS op FROM pg_catalog.pg_operator o
              WHERE o.oprnamespace = 'public'::regnamespace LOOP
        EXECUTE pg_catalog.format('DROP OPERATOR %s', r.op);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS fn, p.pronargs FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'a' LOOP
        IF r.pronargs = 0 THEN
            DROP AGGREGATE public.count(*);
        ELSE
            EXECUTE pg_catalog.format('DROP AGGREGATE %s', r.fn);
        END IF;
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'public'::regnamespace
                AND p.proname <> 'lookalike_record' LOOP
        EXECUTE pg_catalog.format('DROP FUNCTION %s', r.fn);
    END LOOP;
    FOR r IN SELECT t.oid::regtype AS ty FROM pg_catalog.pg_type t
              WHERE t.typnamespace = 'public'::regnamespace AND t.typtype = 'd' LOOP
        EXECUTE pg_catalog.format('DROP DOMAIN %s', r.ty);
    END LOOP;
END
$$;
DROP FUNCTION public.lookalike_record(text, text);
DROP TABLE public.lookalike_calls;
DROP SEQUENCE public.lookalike_seq;
-- public is as it was
SELECT count(*) = :public_before AS public_as_before FROM pg_catalog.pg_class
 WHERE relnamespace = 'public'::regnamespace;
SELECT count(*) AS functions_left_in_public FROM pg_catalog.pg_proc
 WHERE pronamespace = 'public'::regnamespace;
\i sql/include/cleanup.sql
