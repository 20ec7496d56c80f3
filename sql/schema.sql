--
-- schema: the objects of the usrmgmt 1.0 foundation, read back from the
-- catalogs: the six tables with their columns, constraints, indexes and
-- updated_at triggers, the validators' properties and every privilege.
-- Only foundation objects are listed (other features add functions and
-- triggers of their own and test them in their own files).
--
\set VERBOSITY default
\set SHOW_CONTEXT never
\i sql/include/setup.sql

CREATE EXTENSION usrmgmt;

-- the foundation's tables, in one temp table so the queries below stay short
CREATE TEMP TABLE found_tables AS
SELECT c.oid AS relid, c.relname
FROM pg_class c
WHERE c.relnamespace = 'usrmgmt'::regnamespace
  AND c.relname IN ('user', 'user_auth', 'online_user', 'user_log', 'migration_history',
                    'server', 'configuration');

-- the schema, its owner-independent ACL (PUBLIC: USAGE only)
SELECT n.nspname,
       (SELECT pg_catalog.string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
        FROM pg_catalog.aclexplode(n.nspacl) a WHERE a.grantee = 0) AS public_privileges
FROM pg_namespace n WHERE n.nspname = 'usrmgmt';

-- every table: kind, persistence, comment
SELECT c.relname, c.relkind, c.relpersistence, c.relhasrules,
       pg_catalog.obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c JOIN found_tables f ON f.relid = c.oid
ORDER BY c.relname;

-- every column: type, nullability, identity, default
SELECT c.relname, a.attnum, a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null, a.attidentity AS identity,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default
FROM found_tables c
JOIN pg_attribute a ON a.attrelid = c.relid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
ORDER BY c.relname, a.attnum;

-- every constraint: name, kind, definition, validated.  NOT NULL is in
-- the column listing above; PostgreSQL 18 also records it as a constraint
-- of kind 'n' (configuration_id_not_null ...), left out here so that the
-- listing is the same on every version.
SELECT c.relname, k.conname, k.contype, k.convalidated,
       pg_catalog.pg_get_constraintdef(k.oid) AS definition
FROM pg_constraint k JOIN found_tables c ON c.relid = k.conrelid
WHERE k.contype <> 'n'
ORDER BY c.relname, k.conname;

-- every index
SELECT c.relname, i.relname AS index_name, x.indisunique AS is_unique,
       pg_catalog.pg_get_indexdef(x.indexrelid) AS definition
FROM pg_index x
JOIN found_tables c ON c.relid = x.indrelid
JOIN pg_class i ON i.oid = x.indexrelid
ORDER BY c.relname, i.relname;

-- the updated_at triggers (enabled, BEFORE UPDATE FOR EACH ROW)
SELECT t.tgrelid::regclass AS table_name, t.tgname, t.tgenabled,
       pg_catalog.pg_get_triggerdef(t.oid) AS definition
FROM pg_trigger t
WHERE t.tgfoid = 'usrmgmt.set_updated_at()'::regprocedure
ORDER BY t.tgrelid::regclass::text, t.tgname;

-- the validators and the trigger function: language, volatility,
-- strictness, parallel safety, security, settings and who may execute them
SELECT p.oid::regprocedure AS function, p.prorettype::regtype AS returns,
       l.lanname, p.provolatile, p.proisstrict, p.proparallel, p.prosecdef,
       p.proconfig,
       (SELECT pg_catalog.string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                                          WHEN a.grantee = p.proowner THEN 'owner'
                                          ELSE a.grantee::regrole::text END
                                     || '=' || a.privilege_type, ', '
                                     ORDER BY a.grantee <> 0, a.grantee::regrole::text)
        FROM pg_catalog.aclexplode(COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))) a) AS acl
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.oid IN ('usrmgmt.is_valid_email(text)'::regprocedure,
                'usrmgmt.is_valid_username(text)'::regprocedure,
                'usrmgmt.is_valid_server_name(text)'::regprocedure,
                'usrmgmt.is_valid_config_key(text)'::regprocedure,
                'usrmgmt.is_valid_scram_secret(text)'::regprocedure,
                'usrmgmt.is_valid_person_name(text)'::regprocedure,
                'usrmgmt.set_updated_at()'::regprocedure)
ORDER BY p.proname;

-- tables and their identity sequences: granted to nobody but their owner
SELECT c.relname, c.relkind,
       (SELECT pg_catalog.count(*) FROM pg_catalog.aclexplode(c.relacl) a
        WHERE a.grantee <> c.relowner) AS non_owner_grants,
       (SELECT pg_catalog.count(*) FROM pg_catalog.aclexplode(c.relacl) a
        WHERE a.grantee = 0) AS public_grants
FROM pg_class c
WHERE c.oid IN (SELECT relid FROM found_tables)
   OR c.oid IN (SELECT pg_catalog.pg_get_serial_sequence('usrmgmt.' || pg_catalog.quote_ident(relname), 'id')::regclass
                FROM found_tables WHERE relname <> 'user_auth')   -- keyed by user_id: no identity
ORDER BY c.relkind, c.relname;

-- What an unprivileged role (regress_nobody of sql/include/setup.sql) can
-- do: call the validators, nothing else.
SET ROLE regress_nobody;
SELECT usrmgmt.is_valid_email('a@example.com') AS email,
       usrmgmt.is_valid_username('alice') AS username,
       usrmgmt.is_valid_server_name('mc-1') AS server_name,
       usrmgmt.is_valid_config_key('app.name') AS config_key,
       usrmgmt.is_valid_scram_secret('plain text') AS scram_secret,
       usrmgmt.is_valid_person_name(' ') AS person_name;
-- expected error: 42501, tables are granted to nobody
SELECT count(*) FROM usrmgmt."user";
\echo :LAST_ERROR_SQLSTATE
-- expected error: 42501
INSERT INTO usrmgmt.configuration (key, value) VALUES ('k', 'v');
\echo :LAST_ERROR_SQLSTATE
-- expected error: 42501
SELECT count(*) FROM usrmgmt.user_log;
\echo :LAST_ERROR_SQLSTATE
-- expected error: 42501, nor may it create objects in the schema
CREATE TABLE usrmgmt.planted (id int);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

DROP TABLE found_tables;
DROP EXTENSION usrmgmt;
\i sql/include/cleanup.sql
