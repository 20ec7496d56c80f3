--
-- config_dump: every table and identity sequence of usrmgmt is extension
-- configuration (pg_extension_config_dump), so pg_dump dumps their rows;
-- migration_history is filtered so that the rows written by the
-- extension's own scripts are not doubled on restore.  The install script
-- records itself; DROP and CREATE EXTENSION work again and again.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE EXTENSION usrmgmt;

-- every registered object, its kind and its dump filter
SELECT cfg.relid::regclass AS object, c.relkind, cfg.condition
FROM pg_extension e,
     unnest(e.extconfig, e.extcondition) AS cfg (relid, condition)
JOIN pg_class c ON c.oid = cfg.relid
WHERE e.extname = 'usrmgmt'
ORDER BY c.relkind, cfg.relid::regclass::text;

-- every table of the schema and its identity sequence are registered:
-- nothing missing (also catches a table added later and not registered).
-- The one deliberate exception is schema_manifest: it describes the
-- installed version and is rebuilt by CREATE EXTENSION on restore, so
-- dumping it would restore a stale description.
SELECT c.relname AS unregistered
FROM pg_class c
WHERE c.relnamespace = 'usrmgmt'::regnamespace AND c.relkind IN ('r', 'S')
  AND c.oid <> ALL ((SELECT extconfig FROM pg_extension WHERE extname = 'usrmgmt')::oid[])
  AND c.relname <> 'schema_manifest'
ORDER BY 1;

-- the sequences registered are the tables' identity sequences
SELECT t.relname AS table_name,
       pg_get_serial_sequence('usrmgmt.' || quote_ident(t.relname), 'id')::regclass AS sequence,
       d.deptype AS dependency
FROM pg_class t
JOIN pg_depend d ON d.refobjid = t.oid AND d.classid = 'pg_class'::regclass
                AND d.objid = pg_get_serial_sequence('usrmgmt.' || quote_ident(t.relname), 'id')::regclass
WHERE t.relnamespace = 'usrmgmt'::regnamespace AND t.relkind = 'r'
  AND t.relname NOT IN ('schema_manifest', 'user_auth')   -- no identity (user_auth: keyed by user_id)
ORDER BY t.relname;

-- the install script's own row: id -1, kind 'extension', no checksum
SELECT id, migration_name, kind, checksum, applied_by = current_user AS by_installer,
       applied_at = now() AS applied_now, execution_ms, down_sql
FROM usrmgmt.migration_history ORDER BY id;

-- which rows the dump filter keeps: application rows only
INSERT INTO usrmgmt.migration_history (migration_name) VALUES ('001_app') RETURNING id, kind;
SELECT id, migration_name FROM usrmgmt.migration_history WHERE kind <> 'extension' ORDER BY id;

-- expected error: 42710, the extension is already there
CREATE EXTENSION usrmgmt;
\echo :LAST_ERROR_SQLSTATE
CREATE EXTENSION IF NOT EXISTS usrmgmt;

-- DROP EXTENSION takes every object with it, rows included
INSERT INTO usrmgmt."user" (username) VALUES ('before_drop');
DROP EXTENSION usrmgmt;
SELECT count(*) AS schemas_left FROM pg_namespace WHERE nspname = 'usrmgmt';
SELECT count(*) AS functions_left FROM pg_proc WHERE proname LIKE 'is\_valid\_%' AND pronamespace::regnamespace::text = 'usrmgmt';

-- and CREATE EXTENSION again starts afresh: empty tables, the -1 row
-- again, identities from 1
CREATE EXTENSION usrmgmt;
SELECT id, migration_name, kind FROM usrmgmt.migration_history ORDER BY id;
SELECT count(*) AS users FROM usrmgmt."user";
INSERT INTO usrmgmt."user" (username) VALUES ('after_create') RETURNING id, username;
SELECT count(*) AS registered FROM pg_extension, unnest(extconfig) WHERE extname = 'usrmgmt';

-- expected error: 2BP01, a dependent object in another schema blocks DROP
CREATE VIEW regress_usernames AS SELECT username FROM usrmgmt."user";
DROP EXTENSION usrmgmt;
\echo :LAST_ERROR_SQLSTATE
DROP VIEW regress_usernames;

-- DROP EXTENSION leaves the schema (CREATE EXTENSION made it because the
-- control file names it; it is not a member of the extension)
DROP EXTENSION usrmgmt;
SELECT nspname, nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AS owned_by_installer
FROM pg_namespace WHERE nspname = 'usrmgmt';
-- ... and CREATE EXTENSION installs into it again
CREATE EXTENSION usrmgmt;
SELECT count(*) AS registered FROM pg_extension, unnest(extconfig) WHERE extname = 'usrmgmt';
DROP EXTENSION usrmgmt;
DROP SCHEMA usrmgmt;

-- A schema usrmgmt prepared by somebody else is refused: its owner, or a
-- role that may create in it, could drop or shadow the extension's objects.
CREATE ROLE regress_usrmgmt_squatter;
CREATE SCHEMA usrmgmt AUTHORIZATION regress_usrmgmt_squatter;
-- expected error: 42501, the schema is owned by a non-superuser
CREATE EXTENSION usrmgmt;
\echo :LAST_ERROR_SQLSTATE
ALTER SCHEMA usrmgmt OWNER TO CURRENT_USER;
GRANT CREATE ON SCHEMA usrmgmt TO regress_usrmgmt_squatter;
-- expected error: 42501, another role may create objects in the schema
CREATE EXTENSION usrmgmt;
\echo :LAST_ERROR_SQLSTATE
GRANT CREATE ON SCHEMA usrmgmt TO PUBLIC;
REVOKE CREATE ON SCHEMA usrmgmt FROM regress_usrmgmt_squatter;
-- expected error: 42501, PUBLIC may create objects in the schema
CREATE EXTENSION usrmgmt;
\echo :LAST_ERROR_SQLSTATE
REVOKE CREATE ON SCHEMA usrmgmt FROM PUBLIC;
-- now only its superuser owner may create in it: accepted
CREATE EXTENSION usrmgmt;
SELECT extname, extversion FROM pg_extension WHERE extname = 'usrmgmt';
DROP EXTENSION usrmgmt;
DROP SCHEMA usrmgmt;
DROP ROLE regress_usrmgmt_squatter;
