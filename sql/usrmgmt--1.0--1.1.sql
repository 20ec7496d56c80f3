/* usrmgmt--1.0--1.1.sql: update script of usrmgmt from 1.0 to 1.1 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION usrmgmt UPDATE TO '1.1'" to load this file. \quit

-- What 1.1 changes, and why (the security review of issue 11, doc:
-- Security).  usrmgmt--1.1.sql writes the same changes in place; a fresh
-- 1.1 and 1.0 updated by this script give identical catalogs
-- (test/t/061_upgrade.pl).  Every name is schema-qualified.

--------------------------------------------------------------------------
-- Case folding, ASCII only (src/casefold.c).  1.0's unique indexes fold
-- with pg_catalog.lower(), which follows the collation: under a Turkish
-- locale 'ADMIN' folds to 'admın', so 'admin' and 'ADMIN' could both be
-- inserted.  The indexes are rebuilt over usrmgmt.ascii_lower().  Where a
-- 1.0 database already holds two such names (or e-mail addresses), the
-- rebuild fails with 23505 naming the key and the update stops with
-- nothing changed: rename or delete one of the two, then update again.
--------------------------------------------------------------------------

CREATE FUNCTION usrmgmt.ascii_lower(text) RETURNS text
    AS 'MODULE_PATHNAME', 'usrmgmt_ascii_lower'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usrmgmt.ascii_lower(text) IS
    'the text with A-Z folded to a-z and every other character kept, in every collation';

DROP INDEX usrmgmt.user_username_key;
DROP INDEX usrmgmt.user_email_key;
CREATE UNIQUE INDEX user_username_key ON usrmgmt."user" (usrmgmt.ascii_lower(username));
CREATE UNIQUE INDEX user_email_key ON usrmgmt."user" (usrmgmt.ascii_lower(email));

--------------------------------------------------------------------------
-- Section: change audit (src/change_audit.c; doc/usrmgmt.md "Change
-- audit").  usrmgmt.change_log gets one row per row changed in an audited
-- table, by any path, and one per TRUNCATE.  Auditing a table is the two
-- CREATE TRIGGER statements below with its row id and user id columns.
-- Range-partitioned by month on changed_at like user_log: the monthly
-- partitions are maintenance's to create and drop; a row outside them
-- lands in change_log_default.  Created after every data change of the
-- update script, so an updated database starts with an empty log.
--------------------------------------------------------------------------

CREATE TABLE usrmgmt.change_log (
    id                bigint GENERATED ALWAYS AS IDENTITY,
    changed_at        timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    table_name        text NOT NULL,
    operation         text NOT NULL,    -- INSERT, UPDATE, DELETE, TRUNCATE
    row_id            bigint,
    user_id           bigint,
    changed_by        text NOT NULL DEFAULT session_user,
    role              text NOT NULL DEFAULT current_user,
    client_addr       inet DEFAULT pg_catalog.inet_client_addr(),
    application_name  text DEFAULT NULLIF(pg_catalog.current_setting('application_name'), ''),
    txid              xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
    old               jsonb,
    new               jsonb,
    CONSTRAINT change_log_pkey PRIMARY KEY (id, changed_at)
) PARTITION BY RANGE (changed_at);
COMMENT ON TABLE usrmgmt.change_log IS
    'append-only change audit: one row per row changed in user, user_auth, server, configuration';
CREATE TABLE usrmgmt.change_log_default PARTITION OF usrmgmt.change_log DEFAULT;

-- Few indexes: every audited write pays for each.  changed_at grows with
-- the insertion order, so a BRIN index serves time ranges within a
-- partition at almost no cost; user_id finds everything that concerns a
-- user (the user row itself, its servers, the settings it edited).
CREATE INDEX change_log_changed_at_idx ON usrmgmt.change_log USING brin (changed_at);
CREATE INDEX change_log_user_id_idx ON usrmgmt.change_log (user_id);

CREATE FUNCTION usrmgmt.change_audit() RETURNS trigger
    AS 'MODULE_PATHNAME', 'usrmgmt_change_audit'
    LANGUAGE C;
COMMENT ON FUNCTION usrmgmt.change_audit() IS
    'trigger: records the changed rows of the table in usrmgmt.change_log; arguments: row id column, user id column';
CREATE FUNCTION usrmgmt.change_log_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'usrmgmt_change_log_guard'
    LANGUAGE C;
COMMENT ON FUNCTION usrmgmt.change_log_guard() IS
    'trigger: refuses UPDATE, DELETE and TRUNCATE of usrmgmt.change_log (55000)';
CREATE FUNCTION usrmgmt.purge_change_log(older_than timestamptz) RETURNS bigint
    AS 'MODULE_PATHNAME', 'usrmgmt_purge_change_log'
    LANGUAGE C VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION usrmgmt.purge_change_log(timestamptz) IS
    'removes the change_log rows older than older_than (whole partitions where it can); returns how many';

CREATE TRIGGER change_audit
    AFTER INSERT OR UPDATE OR DELETE ON usrmgmt."user"
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.change_audit('id', 'id');
CREATE TRIGGER change_audit_truncate
    AFTER TRUNCATE ON usrmgmt."user"
    FOR EACH STATEMENT EXECUTE FUNCTION usrmgmt.change_audit('id', 'id');
CREATE TRIGGER change_audit
    AFTER INSERT OR UPDATE OR DELETE ON usrmgmt.server
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.change_audit('id', 'owner_id');
CREATE TRIGGER change_audit_truncate
    AFTER TRUNCATE ON usrmgmt.server
    FOR EACH STATEMENT EXECUTE FUNCTION usrmgmt.change_audit('id', 'owner_id');
CREATE TRIGGER change_audit
    AFTER INSERT OR UPDATE OR DELETE ON usrmgmt.configuration
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.change_audit('id', 'updated_by');
CREATE TRIGGER change_audit_truncate
    AFTER TRUNCATE ON usrmgmt.configuration
    FOR EACH STATEMENT EXECUTE FUNCTION usrmgmt.change_audit('id', 'updated_by');

-- user_auth (the data model of 1.1) is audited as soon as it exists.
DO $$
BEGIN
    IF pg_catalog.to_regclass('usrmgmt.user_auth') IS NOT NULL THEN
        CREATE TRIGGER change_audit
            AFTER INSERT OR UPDATE OR DELETE ON usrmgmt.user_auth
            FOR EACH ROW EXECUTE FUNCTION usrmgmt.change_audit('user_id', 'user_id');
        CREATE TRIGGER change_audit_truncate
            AFTER TRUNCATE ON usrmgmt.user_auth
            FOR EACH STATEMENT EXECUTE FUNCTION usrmgmt.change_audit('user_id', 'user_id');
    END IF;
END
$$;

-- Append-only, for its owner and a superuser too: only purge_change_log()
-- and reset() get past the guard.
CREATE TRIGGER change_log_append_only
    BEFORE UPDATE OR DELETE ON usrmgmt.change_log
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.change_log_guard();
-- statement triggers are not inherited by partitions: each has its own
CREATE TRIGGER change_log_refuse_truncate
    BEFORE TRUNCATE ON usrmgmt.change_log
    FOR EACH STATEMENT EXECUTE FUNCTION usrmgmt.change_log_guard();
CREATE TRIGGER change_log_refuse_truncate
    BEFORE TRUNCATE ON usrmgmt.change_log_default
    FOR EACH STATEMENT EXECUTE FUNCTION usrmgmt.change_log_guard();

-- Nobody but the owner: the administrator recipe grants SELECT on
-- change_log and EXECUTE on purge_change_log() (doc: Privileges).
REVOKE ALL ON TABLE usrmgmt.change_log, usrmgmt.change_log_default FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt.change_audit() FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt.change_log_guard() FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt.purge_change_log(timestamptz) FROM PUBLIC;

-- Backups: the rows are extension configuration (pg_dump dumps them; an
-- audited table's rows that a restore writes are not recorded again).
SELECT pg_catalog.pg_extension_config_dump('usrmgmt.change_log', '');
SELECT pg_catalog.pg_extension_config_dump('usrmgmt.change_log_default', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('usrmgmt.change_log', 'id'), '');

--------------------------------------------------------------------------
-- Privileges of what this script creates, whatever the default
-- privileges in force for the role running the update (see the
-- Privileges section of usrmgmt--1.1.sql): rebuilt from nothing, then
-- EXECUTE to PUBLIC (as for the validators) and everything to the owner.
-- The objects 1.0 created keep their privileges: an update never takes
-- back what a DBA granted by the manual's recipes.
--------------------------------------------------------------------------

DO $$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                             ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END
          FROM pg_catalog.pg_proc p,
               pg_catalog.aclexplode(COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
         WHERE p.oid OPERATOR(pg_catalog.=) 'usrmgmt.ascii_lower(text)'::pg_catalog.regprocedure
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION usrmgmt.ascii_lower(text) FROM %s CASCADE',
                                  grantee);
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION usrmgmt.ascii_lower(text) TO PUBLIC;
GRANT ALL ON FUNCTION usrmgmt.ascii_lower(text) TO CURRENT_USER;

--------------------------------------------------------------------------
-- Change audit: privileges of what its section created, whatever the
-- default privileges in force for the role running the update (as for
-- ascii_lower() above): every grant revoked, then everything to the
-- owner, which gives the ACLs of a fresh install.
--------------------------------------------------------------------------

DO $$
DECLARE
    obj record;
    grantee text;
BEGIN
    FOR obj IN
        SELECT 'TABLE' AS kind, pg_catalog.format('usrmgmt.%I', c.relname) AS name,
               c.relowner AS owner, COALESCE(c.relacl, pg_catalog.acldefault('r', c.relowner)) AS acl
          FROM pg_catalog.pg_class c
         WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY['usrmgmt.change_log'::pg_catalog.regclass,
                                                       'usrmgmt.change_log_default'::pg_catalog.regclass])
        UNION ALL
        SELECT 'SEQUENCE', pg_catalog.format('usrmgmt.%I', c.relname), c.relowner,
               COALESCE(c.relacl, pg_catalog.acldefault('s', c.relowner))
          FROM pg_catalog.pg_class c
         WHERE c.oid OPERATOR(pg_catalog.=)
               pg_catalog.pg_get_serial_sequence('usrmgmt.change_log', 'id')::pg_catalog.regclass
        UNION ALL
        SELECT 'FUNCTION', pg_catalog.format('usrmgmt.%I(%s)', p.proname,
                                             pg_catalog.pg_get_function_identity_arguments(p.oid)),
               p.proowner,
               COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))
          FROM pg_catalog.pg_proc p
         WHERE p.oid OPERATOR(pg_catalog.=) ANY (ARRAY['usrmgmt.change_audit()'::pg_catalog.regprocedure,
                                                       'usrmgmt.change_log_guard()'::pg_catalog.regprocedure,
                                                       'usrmgmt.purge_change_log(timestamptz)'::pg_catalog.regprocedure])
    LOOP
        FOR grantee IN
            SELECT DISTINCT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                 ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END
              FROM pg_catalog.aclexplode(obj.acl) a
        LOOP
            EXECUTE pg_catalog.format('REVOKE ALL ON %s %s FROM %s CASCADE',
                                      obj.kind, obj.name, grantee);
        END LOOP;
        EXECUTE pg_catalog.format('GRANT ALL ON %s %s TO %s', obj.kind, obj.name,
                                  obj.owner::pg_catalog.regrole::pg_catalog.text);
    END LOOP;
END
$$;

--------------------------------------------------------------------------
-- The update script records itself (kind 'extension'): the next id below
-- the lowest one so far (-2 after 1.0's -1).
--------------------------------------------------------------------------

INSERT INTO usrmgmt.migration_history (id, migration_name, kind, execution_ms)
    OVERRIDING SYSTEM VALUE
    SELECT pg_catalog.min(h.id) OPERATOR(pg_catalog.-) 1, 'usrmgmt--1.0--1.1', 'extension', NULL
      FROM usrmgmt.migration_history h
     WHERE h.kind OPERATOR(pg_catalog.=) 'extension';

-- Rule of the schema manifest (doc: The schema manifest): the last
-- statement of every update script.
SELECT usrmgmt._refresh_manifest();
