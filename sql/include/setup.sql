\set ECHO none
--
-- include/setup.sql: the helpers and roles the regress suites share,
-- defined once.  A suite loads it with "\i sql/include/setup.sql" and
-- ends with "\i sql/include/cleanup.sql".  The path is relative to the
-- top of the tree: pg_regress runs there and feeds the suite to psql on
-- standard input, so psql's \ir (relative to the including file) has no
-- file to be relative to and resolves against the same directory.
-- Nothing here is echoed: a suite's expected output shows the \i line.
--
-- Running a statement that must not change anything:
--   pg_temp.try(sql, val, want_result)  runs sql with val as $1 in a
--       subtransaction that is always rolled back; returns state, the
--       SQLSTATE or 'ok' (the one success marker: a success is rolled back
--       by raising UMOK0, a code of no class PostgreSQL or usrmgmt uses,
--       never P0001, which a RAISE inside sql would also give), result
--       (the first column of the first row when want_result, '<null>' for
--       NULL) and constraint_name (of a failure, '' when none).
--   pg_temp.attempt(sql [, val])         'ok' or the SQLSTATE
--   pg_temp.attempt_result(sql, val)     'ok <first 40 characters of the
--       result>' or the SQLSTATE (sql must be a query)
--   pg_temp.attempt_constraint(sql, val) 'accepted' or '<SQLSTATE>
--       <constraint>' ('-' when no constraint is named)
--
-- Roles (cluster-wide, so created here once and dropped by cleanup.sql):
--   regress_nobody   a role that is never granted anything
--   regress_app, regress_monitor, regress_admin
--                    the application, monitor and administrator of
--                    doc/usrmgmt.md, "Privileges and role recipes"; a
--                    suite grants them the recipes with
--                    "\i sql/include/recipes.sql" after CREATE EXTENSION
--

CREATE FUNCTION pg_temp.try(sql text, val text, want_result boolean,
                            OUT state text, OUT result text, OUT constraint_name text)
LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    BEGIN
        IF want_result THEN
            EXECUTE sql INTO r USING val;
        ELSE
            EXECUTE sql USING val;
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'UMOK0', MESSAGE = coalesce(r, '<null>');
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, result = MESSAGE_TEXT,
                                constraint_name = CONSTRAINT_NAME;
    END;
    IF state = 'UMOK0' THEN
        state := 'ok';
    ELSE
        result := NULL;
    END IF;
END
$$;

CREATE FUNCTION pg_temp.attempt(sql text, val text DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
    SELECT t.state FROM pg_temp.try(sql, val, false) t
$$;

CREATE FUNCTION pg_temp.attempt_result(sql text, val text) RETURNS text
LANGUAGE sql AS $$
    SELECT CASE WHEN t.state = 'ok' THEN 'ok ' || left(t.result, 40) ELSE t.state END
      FROM pg_temp.try(sql, val, true) t
$$;

CREATE FUNCTION pg_temp.attempt_constraint(sql text, val text) RETURNS text
LANGUAGE sql AS $$
    SELECT CASE WHEN t.state = 'ok' THEN 'accepted'
                ELSE t.state || ' ' || coalesce(nullif(t.constraint_name, ''), '-') END
      FROM pg_temp.try(sql, val, false) t
$$;

CREATE ROLE regress_nobody;
CREATE ROLE regress_app;
CREATE ROLE regress_monitor;
CREATE ROLE regress_admin;

\set ECHO all
