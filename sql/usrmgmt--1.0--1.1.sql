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
