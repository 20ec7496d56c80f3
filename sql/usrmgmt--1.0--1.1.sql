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
-- References to "user" kept by triggers, not foreign keys (src/
-- references.c; doc: Restore; usrmgmt--1.1.sql has the why).  Dropping a
-- foreign key and creating a trigger are catalog changes: no scan.
-- user_log loses its reference: history keeps the id of a deleted user.
-- 1.0 set user_id to NULL in the history of a deleted user; those rows
-- take the placeholder 0 (no user has id 0: identities start at 1), found
-- through user_log_user_id_idx, so the cost is that of the deleted users'
-- rows, not of the log.
--------------------------------------------------------------------------

ALTER TABLE usrmgmt.online_user DROP CONSTRAINT online_user_user_id_fkey;
ALTER TABLE usrmgmt.server DROP CONSTRAINT server_owner_id_fkey;
ALTER TABLE usrmgmt.configuration DROP CONSTRAINT configuration_updated_by_fkey;
ALTER TABLE usrmgmt.user_log DROP CONSTRAINT user_log_user_id_fkey;

ALTER TABLE usrmgmt.user_log DISABLE TRIGGER user_log_append_only;
UPDATE usrmgmt.user_log SET user_id = 0 WHERE user_id IS NULL;
ALTER TABLE usrmgmt.user_log ENABLE TRIGGER user_log_append_only;
ALTER TABLE usrmgmt.user_log ALTER COLUMN user_id SET NOT NULL;

CREATE FUNCTION usrmgmt.reference_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'usrmgmt_reference_check'
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION usrmgmt.reference_check() IS
    'trigger: the user the column (argument 1) names must exist, else 23503 naming the constraint (argument 2)';
CREATE FUNCTION usrmgmt.user_references() RETURNS trigger
    AS 'MODULE_PATHNAME', 'usrmgmt_user_references'
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION usrmgmt.user_references() IS
    'trigger: what deleting a user (or changing its id) does to the rows that refer to it';

CREATE TRIGGER server_owner_id_fkey
    BEFORE INSERT OR UPDATE OF owner_id ON usrmgmt.server
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.reference_check('owner_id', 'server_owner_id_fkey');
CREATE TRIGGER configuration_updated_by_fkey
    BEFORE INSERT OR UPDATE OF updated_by ON usrmgmt.configuration
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.reference_check('updated_by', 'configuration_updated_by_fkey');
CREATE TRIGGER user_references
    AFTER DELETE OR UPDATE OF id ON usrmgmt."user"
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.user_references();
CREATE TRIGGER user_refuse_truncate
    BEFORE TRUNCATE ON usrmgmt."user"
    FOR EACH STATEMENT EXECUTE FUNCTION usrmgmt.refuse_truncate();

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
    fn pg_catalog.regprocedure;
    grantee text;
BEGIN
    FOREACH fn IN ARRAY ARRAY['usrmgmt.ascii_lower(text)',
                              'usrmgmt.reference_check()',
                              'usrmgmt.user_references()']::pg_catalog.regprocedure[]
    LOOP
        FOR grantee IN
            SELECT DISTINCT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                 ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END
              FROM pg_catalog.pg_proc p,
                   pg_catalog.aclexplode(COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
             WHERE p.oid OPERATOR(pg_catalog.=) fn
        LOOP
            EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM %s CASCADE', fn, grantee);
        END LOOP;
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION usrmgmt.ascii_lower(text) TO PUBLIC;
GRANT ALL ON FUNCTION usrmgmt.ascii_lower(text) TO CURRENT_USER;
GRANT ALL ON FUNCTION usrmgmt.reference_check() TO CURRENT_USER;
GRANT ALL ON FUNCTION usrmgmt.user_references() TO CURRENT_USER;

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
