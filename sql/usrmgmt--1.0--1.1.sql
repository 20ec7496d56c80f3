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
-- user_log loses its reference (next section).
--------------------------------------------------------------------------

ALTER TABLE usrmgmt.online_user DROP CONSTRAINT online_user_user_id_fkey;
ALTER TABLE usrmgmt.server DROP CONSTRAINT server_owner_id_fkey;
ALTER TABLE usrmgmt.configuration DROP CONSTRAINT configuration_updated_by_fkey;

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

-- User ids come from the identity (src/user_ids.c; doc: Security, "The
-- attack review of 1.1"): outside a superuser's session, INSERT ...
-- OVERRIDING SYSTEM VALUE and a COPY with an id column are refused (55000),
-- so no role can give a new user a deleted user's id, and its history.
CREATE FUNCTION usrmgmt.user_id_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'usrmgmt_user_id_check'
    LANGUAGE C SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION usrmgmt.user_id_check() IS
    'trigger: a new user''s id must be the identity''s, unless a superuser''s session writes it (55000)';
CREATE TRIGGER user_id_given
    BEFORE INSERT ON usrmgmt."user"
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.user_id_check();
REVOKE ALL ON FUNCTION usrmgmt.user_id_check() FROM PUBLIC;

-- The session triggers switch to their owner in C instead of being
-- SECURITY DEFINER with a SET of search_path, which cost a GUC nest level
-- per row on every login and logout (src/session_triggers.c; doc:
-- Performance).  Their SQL qualifies every name.
ALTER FUNCTION usrmgmt.online_user_before_write() SECURITY INVOKER RESET search_path;
ALTER FUNCTION usrmgmt.online_user_after_insert() SECURITY INVOKER RESET search_path;
ALTER FUNCTION usrmgmt.online_user_after_delete() SECURITY INVOKER RESET search_path;
ALTER FUNCTION usrmgmt.user_sync_sessions() SECURITY INVOKER RESET search_path;
-- So do login(), logout() and touch_session(), for the same reason, per
-- call (src/sessions.c, "Privileges").
ALTER FUNCTION usrmgmt.login(text, inet, text) SECURITY INVOKER RESET search_path;
ALTER FUNCTION usrmgmt.logout(bigint) SECURITY INVOKER RESET search_path;
ALTER FUNCTION usrmgmt.touch_session(bigint) SECURITY INVOKER RESET search_path;

--------------------------------------------------------------------------
-- user_log becomes partitioned, in place (doc: Retention and partitions;
-- Upgrades).  The 1.0 table is not rewritten: it becomes the partition
-- user_log_1_0, FROM (MINVALUE) TO the first month after its newest row
-- (and after now()), and keeps its rows, ids and 1.0 indexes (renamed
-- user_log_1_0_*).  Its reference to "user" goes: history keeps the id of
-- a deleted user.  1.0 had set user_id to NULL in the history of a deleted
-- user; those rows take the placeholder 0 (no user has id 0: identities
-- start at 1), found through user_log_user_id_idx, so that step costs what
-- the deleted users' rows cost, not what the log does.  Nor does the CHECK
-- that proves both the partition bound and user_id NOT NULL (SET NOT NULL
-- and ATTACH PARTITION then scan nothing): it is added NOT VALID and
-- proven through the indexes (src/update_log_bound.c: no entry of
-- user_log_timestamp_idx at or after the bound, none of
-- user_log_user_id_idx NULL), and validated by a scan of the log only
-- when that cannot be proven (an index not usable; a WARNING says why).
-- _update_prove_log_bound() exists only while this script runs.  A new
-- partitioned user_log takes over the identity
-- (its sequence continues where 1.0's stopped) and the privileges that
-- were granted on the 1.0 table.  An empty 1.0 log is simply dropped, so
-- that an empty 1.0 database updates to exactly a fresh 1.1.
--------------------------------------------------------------------------

CREATE TEMPORARY TABLE usrmgmt_update_log AS
    SELECT s.last_value, s.is_called,
           c.relacl AS log_acl,
           (SELECT q.relacl FROM pg_catalog.pg_class q
             WHERE q.oid OPERATOR(pg_catalog.=) 'usrmgmt.user_log_id_seq'::pg_catalog.regclass) AS seq_acl,
           NOT EXISTS (SELECT 1 FROM usrmgmt.user_log) AS empty,
           pg_catalog.date_trunc('month', GREATEST(pg_catalog.now(),
               (SELECT pg_catalog.max(l."timestamp") FROM usrmgmt.user_log l)))
             OPERATOR(pg_catalog.+) '1 month'::interval AS upper_bound
      FROM usrmgmt.user_log_id_seq s, pg_catalog.pg_class c
     WHERE c.oid OPERATOR(pg_catalog.=) 'usrmgmt.user_log'::pg_catalog.regclass;
-- (a scratch table of this script, not an object of the extension)
ALTER EXTENSION usrmgmt DROP TABLE pg_temp.usrmgmt_update_log;

CREATE FUNCTION usrmgmt._update_prove_log_bound() RETURNS boolean
    AS 'MODULE_PATHNAME', 'usrmgmt_update_prove_log_bound'
    LANGUAGE C VOLATILE STRICT;
REVOKE ALL ON FUNCTION usrmgmt._update_prove_log_bound() FROM PUBLIC;

LOCK TABLE usrmgmt.user_log IN ACCESS EXCLUSIVE MODE;
ALTER TABLE usrmgmt.user_log DROP CONSTRAINT user_log_user_id_fkey;
DROP TRIGGER user_log_append_only ON usrmgmt.user_log;
DROP TRIGGER user_log_refuse_truncate ON usrmgmt.user_log;
UPDATE usrmgmt.user_log SET user_id = 0 WHERE user_id IS NULL;
ALTER TABLE usrmgmt.user_log RENAME TO user_log_1_0;
ALTER EXTENSION usrmgmt DROP TABLE usrmgmt.user_log_1_0;
ALTER EXTENSION usrmgmt DROP SEQUENCE usrmgmt.user_log_id_seq;
ALTER TABLE usrmgmt.user_log_1_0 ALTER COLUMN id DROP IDENTITY;
ALTER INDEX usrmgmt.user_log_pkey RENAME TO user_log_1_0_pkey;
ALTER INDEX usrmgmt.user_log_username_idx RENAME TO user_log_1_0_username_idx;
ALTER INDEX usrmgmt.user_log_user_id_idx RENAME TO user_log_1_0_user_id_idx;
ALTER INDEX usrmgmt.user_log_timestamp_idx RENAME TO user_log_1_0_timestamp_idx;
ALTER INDEX usrmgmt.user_log_action_idx RENAME TO user_log_1_0_action_idx;
ALTER INDEX usrmgmt.user_log_ip_address_idx RENAME TO user_log_1_0_ip_address_idx;
ALTER INDEX usrmgmt.user_log_session_id_idx RENAME TO user_log_1_0_session_id_idx;
DO $$
BEGIN
    IF (SELECT u.empty FROM pg_temp.usrmgmt_update_log u) THEN
        DROP TABLE usrmgmt.user_log_1_0;
    ELSE
        EXECUTE pg_catalog.format(
            'ALTER TABLE usrmgmt.user_log_1_0
                 ADD CONSTRAINT user_log_1_0_bound
                 CHECK (user_id IS NOT NULL AND "timestamp" OPERATOR(pg_catalog.<) %L) NOT VALID',
            (SELECT u.upper_bound FROM pg_temp.usrmgmt_update_log u));
        IF NOT usrmgmt._update_prove_log_bound() THEN
            ALTER TABLE usrmgmt.user_log_1_0 VALIDATE CONSTRAINT user_log_1_0_bound;
        END IF;
        ALTER TABLE usrmgmt.user_log_1_0 ALTER COLUMN user_id SET NOT NULL;
    END IF;
END
$$;
DROP FUNCTION usrmgmt._update_prove_log_bound();

-- The log is range-partitioned by month on "timestamp" (doc: Retention and
-- partitions).  usrmgmt.maintain() creates the monthly partitions
-- user_log_YYYY_MM; they are ordinary tables, not members of the
-- extension, so pg_dump dumps them whole (definition, rows, then their
-- indexes, built after the rows as for any table) and a restore brings
-- back every partition that maintenance created.  Hence no index and no
-- primary key on the partitioned table itself: a partition attached by a
-- restore would get the parent's indexes at once, and the dump's own
-- CREATE INDEX / ADD PRIMARY KEY of that partition would then fail
-- ("multiple primary keys ... are not allowed").  Each partition carries
-- the indexes of user_log_default instead, its template.
CREATE TABLE usrmgmt.user_log (
    id              bigint GENERATED ALWAYS AS IDENTITY,
    user_id         bigint NOT NULL,   -- no foreign key: history outlives the user
    username        text NOT NULL,
    action          text NOT NULL
                    CONSTRAINT user_log_action_valid
                    CHECK (action OPERATOR(pg_catalog.=) ANY ('{login,logout}'::text[])),
    "timestamp"     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    ip_address      inet,
    session_id      bigint,
    user_agent      text,
    detail          text
) PARTITION BY RANGE ("timestamp");
COMMENT ON TABLE usrmgmt.user_log IS 'append-only login/logout audit log, partitioned by month';

-- The default partition: a row that no monthly partition covers still
-- lands (health() is 'degraded' while any is here; maintain() moves them
-- out).  A member of the extension; its indexes are the template of the
-- monthly partitions (CREATE TABLE ... (LIKE user_log_default INCLUDING
-- ALL)).  The key holds the partition key and user_id (so the log can be
-- distributed by user_id) and id.
CREATE TABLE usrmgmt.user_log_default PARTITION OF usrmgmt.user_log DEFAULT;
COMMENT ON TABLE usrmgmt.user_log_default IS 'user_log rows that no monthly partition covers (usrmgmt.maintain() moves them out)';
ALTER TABLE usrmgmt.user_log_default
    ADD CONSTRAINT user_log_default_pkey PRIMARY KEY (user_id, "timestamp", id);
CREATE INDEX user_log_default_username_idx ON usrmgmt.user_log_default (username);
CREATE INDEX user_log_default_timestamp_idx ON usrmgmt.user_log_default ("timestamp");
CREATE INDEX user_log_default_action_idx ON usrmgmt.user_log_default (action);
CREATE INDEX user_log_default_ip_address_idx ON usrmgmt.user_log_default (ip_address);
CREATE INDEX user_log_default_session_id_idx ON usrmgmt.user_log_default (session_id);

SELECT pg_catalog.setval('usrmgmt.user_log_id_seq', u.last_value, u.is_called)
  FROM pg_temp.usrmgmt_update_log u;

DO $$
DECLARE
    u record;
    g record;
BEGIN
    SELECT * INTO u FROM pg_temp.usrmgmt_update_log;
    IF NOT u.empty THEN
        EXECUTE pg_catalog.format(
            'ALTER TABLE usrmgmt.user_log ATTACH PARTITION usrmgmt.user_log_1_0 FOR VALUES FROM (MINVALUE) TO (%L)',
            u.upper_bound);
        ALTER TABLE usrmgmt.user_log_1_0 DROP CONSTRAINT user_log_1_0_bound;
    END IF;
    -- the new table and sequence start from nothing, whatever default
    -- privileges are in force for the role running the update ...
    FOR g IN
        SELECT v.obj, a.grantee
          FROM (VALUES ('TABLE usrmgmt.user_log', 'usrmgmt.user_log'::pg_catalog.regclass, 'r'),
                       ('SEQUENCE usrmgmt.user_log_id_seq', 'usrmgmt.user_log_id_seq'::pg_catalog.regclass, 's'))
                 AS v(obj, rel, kind)
          JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) v.rel,
               pg_catalog.aclexplode(COALESCE(c.relacl,
                                              pg_catalog.acldefault(v.kind::"char", c.relowner))) a
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM %s CASCADE', g.obj,
                                  CASE WHEN g.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                       ELSE g.grantee::pg_catalog.regrole::pg_catalog.text END);
    END LOOP;
    -- ... then the grants on the 1.0 table and its sequence carry over (the
    -- owner's included)
    FOR g IN
        SELECT 'TABLE usrmgmt.user_log' AS obj, a.*
          FROM pg_catalog.aclexplode(COALESCE(u.log_acl,
                   pg_catalog.acldefault('r', (SELECT c.relowner FROM pg_catalog.pg_class c
                                                WHERE c.oid OPERATOR(pg_catalog.=) 'usrmgmt.user_log'::pg_catalog.regclass)))) a
        UNION ALL
        SELECT 'SEQUENCE usrmgmt.user_log_id_seq', a.*
          FROM pg_catalog.aclexplode(COALESCE(u.seq_acl,
                   pg_catalog.acldefault('s', (SELECT c.relowner FROM pg_catalog.pg_class c
                                                WHERE c.oid OPERATOR(pg_catalog.=) 'usrmgmt.user_log_id_seq'::pg_catalog.regclass)))) a
    LOOP
        EXECUTE pg_catalog.format('GRANT %s ON %s TO %s%s', g.privilege_type, g.obj,
                                  CASE WHEN g.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                       ELSE g.grantee::pg_catalog.regrole::pg_catalog.text END,
                                  CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
    -- Those grants are the DBA's, not the extension's: inside an extension
    -- script every GRANT is also recorded as the object's initial
    -- privileges (pg_init_privs), which pg_dump never dumps, so a restore
    -- (which installs 1.1 afresh) would lose them, and from PostgreSQL 17
    -- the grantees could not be dropped after a REVOKE (their pg_shdepend
    -- 'i' rows).  The initial privileges become those of a fresh install:
    -- everything to the owner, nothing else.  (The update is superuser-only,
    -- usrmgmt.control; GRANT offers no way to grant outside the script.)
    UPDATE pg_catalog.pg_init_privs i
       SET initprivs = pg_catalog.acldefault(
               CASE c.relkind WHEN 'S' THEN 's'::"char" ELSE 'r'::"char" END, c.relowner)
      FROM pg_catalog.pg_class c
     WHERE c.oid OPERATOR(pg_catalog.=) i.objoid
       AND i.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
       AND i.objsubid OPERATOR(pg_catalog.=) 0
       AND c.oid OPERATOR(pg_catalog.=) ANY (ARRAY['usrmgmt.user_log'::pg_catalog.regclass,
                                                   'usrmgmt.user_log_id_seq'::pg_catalog.regclass]);
    DELETE FROM pg_catalog.pg_shdepend d
     USING pg_catalog.pg_class c
     WHERE d.deptype OPERATOR(pg_catalog.=) 'i'
       AND d.dbid OPERATOR(pg_catalog.=) (SELECT b.oid FROM pg_catalog.pg_database b
                                           WHERE b.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
       AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
       AND d.objid OPERATOR(pg_catalog.=) c.oid
       AND d.refobjid OPERATOR(pg_catalog.<>) c.relowner
       AND c.oid OPERATOR(pg_catalog.=) ANY (ARRAY['usrmgmt.user_log'::pg_catalog.regclass,
                                                   'usrmgmt.user_log_id_seq'::pg_catalog.regclass]);
END
$$;

CREATE TRIGGER user_log_append_only
    BEFORE UPDATE OR DELETE ON usrmgmt.user_log
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.user_log_guard();
CREATE TRIGGER user_log_refuse_truncate
    BEFORE TRUNCATE ON usrmgmt.user_log
    FOR EACH STATEMENT EXECUTE FUNCTION usrmgmt.refuse_truncate();

SELECT pg_catalog.pg_extension_config_dump('usrmgmt.user_log_default', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('usrmgmt.user_log', 'id'), '');
DROP TABLE pg_temp.usrmgmt_update_log;

--------------------------------------------------------------------------
-- Retention and partitions (doc: Retention and partitions).  The monthly
-- partitions of the two logs, user_log_YYYY_MM and change_log_YYYY_MM,
-- are created, filled from the default partition and dropped here.
-- PL/pgSQL, SECURITY DEFINER with a fixed search_path, every name
-- qualified; revoked from PUBLIC.
--------------------------------------------------------------------------

-- usrmgmt.log_retention and usrmgmt.change_log_retention as intervals,
-- NULL for "keep forever" (src/retention.c).
CREATE FUNCTION usrmgmt._log_retention() RETURNS interval
    AS 'MODULE_PATHNAME', 'usrmgmt_log_retention'
    LANGUAGE C STABLE;
CREATE FUNCTION usrmgmt._change_log_retention() RETURNS interval
    AS 'MODULE_PATHNAME', 'usrmgmt_change_log_retention'
    LANGUAGE C STABLE;

-- The partitions of a log (user_log unless told) other than the default,
-- with their bounds (lower NULL: MINVALUE, the 1.0 log attached by the
-- update to 1.1), in the order of their bounds; read from the catalog in
-- C (src/log_partitions.c).
CREATE FUNCTION usrmgmt._log_partitions(log pg_catalog.regclass DEFAULT 'usrmgmt.user_log')
    RETURNS TABLE(partition pg_catalog.regclass, lower_bound timestamptz, upper_bound timestamptz)
    AS 'MODULE_PATHNAME', 'usrmgmt_log_partitions'
    LANGUAGE C STABLE;

-- The retired months waiting to be freed (doc: Retention and partitions):
-- the tables maintain()'s retention detached from a log, renamed
-- <partition>_retired and made members of the extension, so that pg_dump
-- leaves them out (a backup holds no expired row, and no restore meets
-- them) and DROP EXTENSION drops them.  Recognised by all of: an ordinary
-- table of schema usrmgmt, not a partition, a member of the extension,
-- owned by the extension's owner, named user_log_YYYY_MM_retired or
-- change_log_YYYY_MM_retired; nothing else is ever dropped as one.  In
-- the order of their names.
CREATE FUNCTION usrmgmt._log_retired() RETURNS SETOF pg_catalog.regclass
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $fn$
SELECT c.oid::pg_catalog.regclass
  FROM pg_catalog.pg_class c, pg_catalog.pg_extension e
 WHERE e.extname OPERATOR(pg_catalog.=) 'usrmgmt'
   AND c.relnamespace OPERATOR(pg_catalog.=) 'usrmgmt'::pg_catalog.regnamespace
   AND c.relkind OPERATOR(pg_catalog.=) 'r'
   AND NOT c.relispartition
   AND c.relowner OPERATOR(pg_catalog.=) e.extowner
   AND c.relname OPERATOR(pg_catalog.~) '^(user_log|change_log)_[0-9]{4}_[0-9]{2}_retired$'
   AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                  AND d.objid OPERATOR(pg_catalog.=) c.oid
                  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
                  AND d.refobjid OPERATOR(pg_catalog.=) e.oid
                  AND d.deptype OPERATOR(pg_catalog.=) 'e')
 ORDER BY c.relname
$fn$;

-- Retire or free one month (doc: Retention and partitions).  retire:
-- part, a month of a log already detached from it (user_log_YYYY_MM or
-- change_log_YYYY_MM, an ordinary table of schema usrmgmt, no partition,
-- no member of the extension), is renamed <part>_retired and made a
-- member of the extension.  Else (free): part, one of _log_retired(),
-- leaves the extension and is dropped; its files go at commit.  Anything
-- else is refused (22023), so that no other table can be dropped through
-- it.  On Citus the extension's membership is the coordinator's alone
-- (Citus says so in a NOTICE, kept from the caller); the DROP goes to
-- every node.  NULLs: nothing done (as STRICT).
CREATE FUNCTION usrmgmt._retire_log_month(part pg_catalog.regclass, retire boolean)
    RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET client_min_messages = warning
AS $fn$
DECLARE
    c pg_catalog.pg_class;
BEGIN
    IF part IS NULL OR retire IS NULL THEN
        RETURN;
    END IF;
    IF retire THEN
        SELECT * INTO c FROM pg_catalog.pg_class x WHERE x.oid OPERATOR(pg_catalog.=) part;
        IF c.relnamespace OPERATOR(pg_catalog.<>) 'usrmgmt'::pg_catalog.regnamespace
           OR c.relkind OPERATOR(pg_catalog.<>) 'r' OR c.relispartition
           OR c.relname OPERATOR(pg_catalog.!~) '^(user_log|change_log)_[0-9]{4}_[0-9]{2}$'
           OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                       WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                         AND d.objid OPERATOR(pg_catalog.=) part
                         AND d.deptype OPERATOR(pg_catalog.=) 'e') THEN
            RAISE EXCEPTION '% is not a detached month of a log', part
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        EXECUTE pg_catalog.format('ALTER TABLE %s RENAME TO %I', part,
                                  c.relname::text OPERATOR(pg_catalog.||) '_retired');
        EXECUTE pg_catalog.format('ALTER EXTENSION usrmgmt ADD TABLE %s', part);
    ELSE
        IF NOT part OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT usrmgmt._log_retired())) THEN
            RAISE EXCEPTION '% is not a retired month', part
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        EXECUTE pg_catalog.format('ALTER EXTENSION usrmgmt DROP TABLE %s', part);
        EXECUTE pg_catalog.format('DROP TABLE %s', part);
    END IF;
END
$fn$;

-- Creates the partition <log>_YYYY_MM of user_log or change_log for the
-- month that starts at m (the caller has checked that no partition covers
-- it) and returns how many rows it moved into it from the default
-- partition.  The new table is a copy of the default partition (its
-- indexes and key: the template) with the privileges of its owner alone,
-- whatever ALTER DEFAULT PRIVILEGES are in force for the role creating
-- it, since a partition can be read by its own name as well as through
-- the log (doc: Retention and partitions).  Errors: 22004 NULL; 22023
-- another table, or m not the start of a month.  Not STRICT, so that a
-- call with NULL is refused for want of EXECUTE like any other.
CREATE FUNCTION usrmgmt._add_log_month(log pg_catalog.regclass, m timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    base text;
    key text;
    part text;
    hi timestamptz := m OPERATOR(pg_catalog.+) '1 month'::interval;
    owner text;
    grantee text;
    found_rows boolean;
    on_citus boolean := false;   -- the log distributed (doc: Scaling out with Citus)
    n bigint := 0;
BEGIN
    IF log IS NULL OR m IS NULL THEN
        RAISE EXCEPTION 'the log and the month must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT c.relname::text INTO base FROM pg_catalog.pg_class c
     WHERE c.oid OPERATOR(pg_catalog.=) log
       AND c.relnamespace OPERATOR(pg_catalog.=) 'usrmgmt'::pg_catalog.regnamespace;
    key := CASE base WHEN 'user_log' THEN 'timestamp' WHEN 'change_log' THEN 'changed_at' END;
    IF key IS NULL THEN
        RAISE EXCEPTION '% is not a log of usrmgmt', log
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT pg_catalog.isfinite(m) OR m OPERATOR(pg_catalog.<>) pg_catalog.date_trunc('month', m) THEN
        RAISE EXCEPTION 'a month starts at its first midnight, not at %', m
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    part := base OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) pg_catalog.to_char(m, 'YYYY_MM');
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition p
                  WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1)'
            INTO on_citus USING log;
    END IF;
    -- EXCLUDING IDENTITY: from PostgreSQL 17 a partition shares its
    -- parent's identity, LIKE would copy it, and ATTACH refuses a table
    -- with an identity column of its own.
    EXECUTE pg_catalog.format('CREATE TABLE usrmgmt.%I (LIKE usrmgmt.%I INCLUDING ALL EXCLUDING IDENTITY)',
                              part, base OPERATOR(pg_catalog.||) '_default');
    -- No ACL: no default privileges applied, the owner's alone (and so
    -- it stays for pg_dump).  Else every grant goes, the owner's ALL back.
    SELECT c.relowner::pg_catalog.regrole::pg_catalog.text INTO owner FROM pg_catalog.pg_class c
     WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.format('usrmgmt.%I', part)::pg_catalog.regclass
       AND c.relacl IS NOT NULL;
    IF owner IS NOT NULL THEN
        FOR grantee IN
            SELECT DISTINCT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                 ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END
              FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
             WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.format('usrmgmt.%I', part)::pg_catalog.regclass
        LOOP
            EXECUTE pg_catalog.format('REVOKE ALL ON TABLE usrmgmt.%I FROM %s', part, grantee);
        END LOOP;
        EXECUTE pg_catalog.format('GRANT ALL ON TABLE usrmgmt.%I TO %s', part, owner);
    END IF;
    IF base OPERATOR(pg_catalog.=) 'change_log' THEN
        -- statement triggers are not inherited by partitions
        EXECUTE pg_catalog.format('CREATE TRIGGER change_log_refuse_truncate BEFORE TRUNCATE ON usrmgmt.%I
                                   FOR EACH STATEMENT EXECUTE FUNCTION usrmgmt.change_log_guard()', part);
    END IF;
    -- A month that writes may go to (this one or a past one): wait for the
    -- inserts in flight and hold new ones back until commit, so that none
    -- is routed to the default partition by a partition list older than
    -- the new partition.
    IF m OPERATOR(pg_catalog.<=) pg_catalog.now() THEN
        EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', log);
    END IF;
    -- Rows of this month caught by the default partition move into it.
    EXECUTE pg_catalog.format('SELECT EXISTS (SELECT 1 FROM usrmgmt.%I d WHERE d.%I OPERATOR(pg_catalog.>=) $1
                                                AND d.%I OPERATOR(pg_catalog.<) $2)',
                              base OPERATOR(pg_catalog.||) '_default', key, key)
        INTO STRICT found_rows USING m, hi;
    IF found_rows THEN
        EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', log);
        -- Past the append-only guard: on Citus the rows are deleted on the
        -- workers, which usrmgmt.log_guard_lifted (a superuser's SET LOCAL,
        -- propagated by Citus from a DO block) lets through.
        IF on_citus THEN
            PERFORM pg_catalog.set_config('citus.propagate_set_commands', 'local', true);
            EXECUTE 'DO $d$BEGIN SET LOCAL usrmgmt.log_guard_lifted = on; END$d$';
        ELSE
            EXECUTE pg_catalog.format('ALTER TABLE usrmgmt.%I DISABLE TRIGGER %I',
                                      base OPERATOR(pg_catalog.||) '_default', base OPERATOR(pg_catalog.||) '_append_only');
        END IF;
        EXECUTE pg_catalog.format(
            'WITH d AS (DELETE FROM usrmgmt.%I d
                         WHERE d.%I OPERATOR(pg_catalog.>=) $1
                           AND d.%I OPERATOR(pg_catalog.<) $2 RETURNING d.*)
             INSERT INTO usrmgmt.%I SELECT * FROM d',
            base OPERATOR(pg_catalog.||) '_default', key, key, part)
            USING m, hi;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF NOT on_citus THEN
            EXECUTE pg_catalog.format('ALTER TABLE usrmgmt.%I ENABLE TRIGGER %I',
                                      base OPERATOR(pg_catalog.||) '_default', base OPERATOR(pg_catalog.||) '_append_only');
        END IF;
    END IF;
    EXECUTE pg_catalog.format('ALTER TABLE %s ATTACH PARTITION usrmgmt.%I FOR VALUES FROM (%L) TO (%L)',
                              log, part, m, hi);
    -- Citus distributed the partition, copying the rows moved into it into
    -- the shards: the coordinator's copy goes (its TRUNCATE past
    -- change_log's guard, still lifted), then the guard is back.
    IF on_citus AND found_rows THEN
        IF n OPERATOR(pg_catalog.>) 0 THEN
            PERFORM pg_catalog.truncate_local_data_after_distributing_table(
                pg_catalog.format('usrmgmt.%I', part));
        END IF;
        EXECUTE 'DO $d$BEGIN SET LOCAL usrmgmt.log_guard_lifted = off; END$d$';
    END IF;
    RETURN n;
END
$$;

-- The users whose log rows without a session id (imported history, rows
-- older than session ids) older than cut hold a different number of
-- 'login' and 'logout' rows: purging those rows would change the user's
-- logins - logouts, so purge keeps them (doc: Retention and partitions).
-- With spans, only the rows whose "timestamp" falls in them count: the
-- bounds of the partitions a retention drop removes, whose rows are all
-- the drop takes (the month the cut falls in stays whole).  Bounds, not
-- tableoid: on Citus the rows are the shards'.  PL/pgSQL, not SQL: Citus
-- plans no parameter of a SQL function (doc: Scaling out with Citus).
CREATE FUNCTION usrmgmt._log_unbalanced_users(cut timestamptz, spans pg_catalog.tstzmultirange DEFAULT NULL)
    RETURNS bigint[]
    LANGUAGE plpgsql STABLE     -- not STRICT: a NULL cut is '{}', and PUBLIC gets 42501
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT COALESCE(pg_catalog.array_agg(s.user_id), '{}')
              FROM (SELECT l.user_id
                      FROM usrmgmt.user_log l
                     WHERE l.session_id IS NULL
                       AND l."timestamp" OPERATOR(pg_catalog.<) cut
                       AND (spans IS NULL OR l."timestamp" OPERATOR(pg_catalog.<@) spans)
                     GROUP BY l.user_id
                    HAVING pg_catalog.count(*) FILTER (WHERE l.action OPERATOR(pg_catalog.=) 'login')
                           OPERATOR(pg_catalog.<>)
                           pg_catalog.count(*) FILTER (WHERE l.action OPERATOR(pg_catalog.=) 'logout')) s);
END
$$;

-- The session ids of the 'login' rows of a user_log partition wholly
-- older than cut whose session is still open or has a row at or after cut
-- (closed then), NULL if none: the rows the retention drop keeps
-- (src/retention_keep.c; probes each later partition through its
-- session_id index rather than planning a query over every partition).
CREATE FUNCTION usrmgmt._log_kept_logins(part pg_catalog.regclass, cut timestamptz) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'usrmgmt_log_kept_logins'
    LANGUAGE C STABLE;      -- not STRICT: NULL is 22004, and PUBLIC gets 42501

-- Remove the rows of a log (user_log unless told; or change_log) older
-- than cut by whole partitions: every partition wholly older than cut is
-- dropped, except that in user_log the 'login' rows of sessions still
-- open, or closed at or after cut, and the rows without a session id of
-- unbalanced users are kept (the partition is then emptied by TRUNCATE
-- and those rows put back), so that open sessions = logins - logouts
-- still holds over the log.  The unbalanced users are keep_users when the
-- caller gives them (purge_user_log(), which also deletes the rows older
-- than cut of the month it falls in, decided them over all the rows it
-- removes), else those _log_unbalanced_users() finds in exactly the
-- partitions that go.  So every partition is locked first, and those
-- whose lock is not granted within lock_wait are left for next time
-- (skipped; 0 waits as long as it takes) before anything is decided.
-- With retire, a partition that would be dropped is detached from the
-- log instead and renamed <partition>_retired (a retired table of that
-- name, left by an earlier run, dropped first): its rows leave the log in
-- this transaction, which changes only the catalog, and its storage is
-- freed by a later maintain() that holds no lock on the log (doc:
-- Retention and partitions).  Returns the rows removed (counted when
-- exact, else the planner's estimate) and the partitions dropped (or
-- retired), emptied or skipped.  A NULL argument other than keep_users:
-- NULLs, nothing done (as STRICT).
CREATE FUNCTION usrmgmt._drop_log_partitions(cut timestamptz, exact boolean, lock_wait interval,
                                             log pg_catalog.regclass DEFAULT 'usrmgmt.user_log',
                                             keep_users bigint[] DEFAULT NULL,
                                             retire boolean DEFAULT false,
                                             OUT removed bigint, OUT dropped text[], OUT emptied text[],
                                             OUT skipped text[])
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET lock_timeout = 0     -- each partition sets its own, undone on return
AS $$
DECLARE
    p record;
    part pg_catalog.regclass;
    locked pg_catalog.regclass[] := '{}';
    spans pg_catalog.tstzmultirange := '{}';
    keep bigint[];
    unbalanced bigint[] := '{}';
    n bigint;
    kept bigint;
    name text;
    retired text;
BEGIN
    IF cut IS NULL OR exact IS NULL OR lock_wait IS NULL OR log IS NULL OR retire IS NULL THEN
        RETURN;
    END IF;
    removed := 0; dropped := '{}'; emptied := '{}'; skipped := '{}';
    -- 1. lock what goes
    FOR p IN SELECT * FROM usrmgmt._log_partitions(log) x
              WHERE x.upper_bound OPERATOR(pg_catalog.<=) cut ORDER BY x.upper_bound
    LOOP
        BEGIN
            PERFORM pg_catalog.set_config('lock_timeout',
                pg_catalog.ceil(pg_catalog.date_part('epoch', lock_wait) OPERATOR(pg_catalog.*) 1000)::bigint::text, true);
            EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', p.partition);
            locked := locked OPERATOR(pg_catalog.||) p.partition;
            spans := spans OPERATOR(pg_catalog.+)
                     pg_catalog.tstzmultirange(pg_catalog.tstzrange(p.lower_bound, p.upper_bound));
        EXCEPTION WHEN lock_not_available THEN
            skipped := skipped OPERATOR(pg_catalog.||) p.partition::text;
        END;
    END LOOP;
    -- 2. whose rows without a session id must stay
    IF log OPERATOR(pg_catalog.=) 'usrmgmt.user_log'::pg_catalog.regclass
       AND pg_catalog.cardinality(locked) OPERATOR(pg_catalog.>) 0 THEN
        unbalanced := COALESCE(keep_users, usrmgmt._log_unbalanced_users(cut, spans));
    END IF;
    -- 3. drop each, or empty it and put back what stays
    FOREACH part IN ARRAY locked
    LOOP
        name := part::text;
        keep := NULL;
        IF log OPERATOR(pg_catalog.=) 'usrmgmt.user_log'::pg_catalog.regclass THEN
            -- login rows here of sessions open, or closed at or after cut
            keep := usrmgmt._log_kept_logins(part, cut);
        END IF;
        IF exact THEN
            EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM ONLY %s', part) INTO n;
        ELSE
            SELECT GREATEST(c.reltuples, 0)::bigint INTO n FROM pg_catalog.pg_class c
             WHERE c.oid OPERATOR(pg_catalog.=) part;
        END IF;
        IF keep IS NULL AND pg_catalog.cardinality(unbalanced) OPERATOR(pg_catalog.=) 0 THEN
            kept := 0;
        ELSE
            EXECUTE pg_catalog.format(
                'CREATE TEMP TABLE usrmgmt_kept ON COMMIT DROP AS SELECT * FROM ONLY %s
                  WHERE (action OPERATOR(pg_catalog.=) ''login''
                         AND session_id OPERATOR(pg_catalog.=) ANY ($1))
                     OR (session_id IS NULL
                         AND user_id OPERATOR(pg_catalog.=) ANY ($2))', part)
                USING keep, unbalanced;
            GET DIAGNOSTICS kept = ROW_COUNT;
            IF kept OPERATOR(pg_catalog.=) 0 THEN
                DROP TABLE pg_temp.usrmgmt_kept;
            END IF;
        END IF;
        IF kept OPERATOR(pg_catalog.=) 0 AND retire THEN
            -- DETACH, not DROP: both lock the log until commit, but only
            -- DROP's commit unlinks the month's files
            SELECT c.relname::text OPERATOR(pg_catalog.||) '_retired' INTO retired
              FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) part;
            IF pg_catalog.to_regclass(pg_catalog.format('usrmgmt.%I', retired))
               OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT usrmgmt._log_retired())) THEN
                PERFORM usrmgmt._retire_log_month(pg_catalog.format('usrmgmt.%I', retired)::pg_catalog.regclass, false);
            END IF;
            EXECUTE pg_catalog.format('ALTER TABLE %s DETACH PARTITION %s', log, part);
            PERFORM usrmgmt._retire_log_month(part, true);
            dropped := dropped OPERATOR(pg_catalog.||) name;
        ELSIF kept OPERATOR(pg_catalog.=) 0 THEN
            EXECUTE pg_catalog.format('DROP TABLE %s', part);
            dropped := dropped OPERATOR(pg_catalog.||) name;
        ELSE
            EXECUTE pg_catalog.format('TRUNCATE %s', part);
            -- OVERRIDING SYSTEM VALUE: from PostgreSQL 17 a partition
            -- has its parent's GENERATED ALWAYS identity
            EXECUTE pg_catalog.format('INSERT INTO %s OVERRIDING SYSTEM VALUE SELECT * FROM pg_temp.usrmgmt_kept', part);
            DROP TABLE pg_temp.usrmgmt_kept;
            n := GREATEST(n OPERATOR(pg_catalog.-) kept, 0);
            emptied := emptied OPERATOR(pg_catalog.||) name;
        END IF;
        removed := removed OPERATOR(pg_catalog.+) n;
    END LOOP;
END
$$;

-- See doc: Retention and partitions.  SECURITY DEFINER: the partitions
-- belong to the extension's owner.
CREATE FUNCTION usrmgmt.maintain(since timestamptz DEFAULT NULL) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET lock_timeout = '5s'  -- never hold logins back for long: fail, retry later
AS $$
DECLARE
    this_month timestamptz := pg_catalog.date_trunc('month', pg_catalog.now());
    last_month timestamptz := this_month OPERATOR(pg_catalog.+) '3 months'::interval;
    first_month timestamptz;
    base text;
    log pg_catalog.regclass;
    m timestamptz;
    created text[];
    moved bigint;
    future integer;
    in_default bigint;
    bounds tstzrange[];     -- of the partitions (the default aside), read once
    retention interval;
    dropped text[];
    emptied text[];
    skipped text[];
    rows_dropped bigint;
    retired_now boolean := false;
    held_back boolean := false;     -- writers wait for this transaction
    retired text;           -- the name of a retired table
    freed text[] := '{}';
    report jsonb := '{}';
    part jsonb;
BEGIN
    IF since IS NOT NULL AND NOT pg_catalog.isfinite(since) THEN
        RAISE EXCEPTION 'since must be a finite timestamp'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    first_month := pg_catalog.date_trunc('month', COALESCE(since, pg_catalog.now()));
    IF first_month OPERATOR(pg_catalog.>) last_month THEN
        RAISE EXCEPTION 'since % is after the last month maintain() creates', since
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'maintain() creates the partitions from since (default: now) to three months ahead.';
    END IF;
    IF first_month OPERATOR(pg_catalog.<) (this_month OPERATOR(pg_catalog.-) '25 years'::interval) THEN
        RAISE EXCEPTION 'since % is more than 25 years ago', since
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'maintain() creates one partition per month from since; import older history in steps, or purge it.';
    END IF;

    -- On Citus (doc: Scaling out with Citus) the partitions it creates,
    -- fills and drops carry usrmgmt's triggers; without Citus the setting
    -- is an unused placeholder, undone at the end of the transaction.
    PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);

    -- One maintain() at a time; logins and audited writes (ROW EXCLUSIVE)
    -- are not blocked.
    LOCK TABLE usrmgmt.change_log, usrmgmt.user_log IN SHARE UPDATE EXCLUSIVE MODE;
    -- Creating a month that writers may go to (this one or a past one), or
    -- moving rows out of a default partition into a month created now,
    -- holds the writers of that log back until commit (_add_log_month()).  A login writes change_log
    -- (its audit row) before user_log; so both logs are locked here, in
    -- that order, rather than one after the other later, which could
    -- deadlock with a login waiting between them.
    IF EXISTS (SELECT 1 FROM pg_catalog.generate_series(first_month, this_month, '1 month'::interval) x(m),
                             pg_catalog.unnest('{usrmgmt.change_log,usrmgmt.user_log}'::pg_catalog.regclass[]) y(l)
                WHERE NOT EXISTS (SELECT 1 FROM usrmgmt._log_partitions(y.l) p
                                   WHERE pg_catalog.tstzrange(p.lower_bound, p.upper_bound) OPERATOR(pg_catalog.&&)
                                         pg_catalog.tstzrange(x.m, x.m OPERATOR(pg_catalog.+) '1 month'::interval)))
       OR EXISTS (SELECT 1 FROM usrmgmt.change_log_default d
                   WHERE d.changed_at OPERATOR(pg_catalog.>=) first_month
                     AND d.changed_at OPERATOR(pg_catalog.<) (last_month OPERATOR(pg_catalog.+) '1 month'::interval))
       OR EXISTS (SELECT 1 FROM usrmgmt.user_log_default d
                   WHERE d."timestamp" OPERATOR(pg_catalog.>=) first_month
                     AND d."timestamp" OPERATOR(pg_catalog.<) (last_month OPERATOR(pg_catalog.+) '1 month'::interval)) THEN
        LOCK TABLE usrmgmt.change_log, usrmgmt.user_log IN SHARE ROW EXCLUSIVE MODE;
        held_back := true;
    END IF;

    -- Each log: the months from first_month to last_month, then retention
    -- (partitions wholly older than it go; a lock not granted within 1 s
    -- leaves the partition for the next run rather than holding writers
    -- back).  user_log keeps the login rows of sessions still open.  A
    -- month that goes is retired: detached and renamed, its storage freed
    -- by a later run (below).
    FOREACH base IN ARRAY '{user_log,change_log}'::text[] LOOP
        log := pg_catalog.format('usrmgmt.%I', base)::pg_catalog.regclass;
        created := '{}'; moved := 0;
        bounds := ARRAY(SELECT pg_catalog.tstzrange(x.lower_bound, x.upper_bound)
                          FROM usrmgmt._log_partitions(log) x);
        m := first_month;
        WHILE m OPERATOR(pg_catalog.<=) last_month LOOP
            IF NOT pg_catalog.tstzrange(m, m OPERATOR(pg_catalog.+) '1 month'::interval)
                   OPERATOR(pg_catalog.&&) ANY (bounds) THEN
                moved := moved OPERATOR(pg_catalog.+) usrmgmt._add_log_month(log, m);
                created := created OPERATOR(pg_catalog.||)
                           (base OPERATOR(pg_catalog.||) pg_catalog.to_char(m, '_YYYY_MM'));
                bounds := bounds OPERATOR(pg_catalog.||)
                          pg_catalog.tstzrange(m, m OPERATOR(pg_catalog.+) '1 month'::interval);
            END IF;
            m := m OPERATOR(pg_catalog.+) '1 month'::interval;
        END LOOP;

        dropped := '{}'; emptied := '{}'; skipped := '{}'; rows_dropped := 0;
        retention := CASE base WHEN 'user_log' THEN usrmgmt._log_retention()
                               ELSE usrmgmt._change_log_retention() END;
        IF retention IS NOT NULL THEN
            SELECT x.removed, x.dropped, x.emptied, x.skipped
              INTO rows_dropped, dropped, emptied, skipped
              FROM usrmgmt._drop_log_partitions(pg_catalog.now() OPERATOR(pg_catalog.-) retention, false, '1 s', log,
                                                retire => true) x;
            retired_now := retired_now OR pg_catalog.cardinality(dropped) OPERATOR(pg_catalog.>) 0;
        END IF;
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM usrmgmt.%I', base OPERATOR(pg_catalog.||) '_default')
            INTO in_default;
        SELECT pg_catalog.count(*) INTO future FROM pg_catalog.unnest(bounds) b
         WHERE pg_catalog.lower(b) OPERATOR(pg_catalog.>) pg_catalog.now();

        -- "ok": what a monitor checks (doc: Retention and partitions)
        part := pg_catalog.jsonb_build_object(
            'ok', in_default OPERATOR(pg_catalog.=) 0 AND future OPERATOR(pg_catalog.>=) 2
                  AND pg_catalog.cardinality(skipped) OPERATOR(pg_catalog.=) 0,
            'moved', moved,
            'future', future,
            'created', pg_catalog.to_jsonb(created),
            'dropped', pg_catalog.to_jsonb(dropped),
            'emptied', pg_catalog.to_jsonb(emptied),
            'skipped', pg_catalog.to_jsonb(skipped),
            'retention', retention::text,
            'in_default', in_default,
            'rows_dropped', rows_dropped);
        IF base OPERATOR(pg_catalog.=) 'user_log' THEN
            report := part;     -- user_log's report at the top level
        ELSE
            report := report OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(
                'ok', (report OPERATOR(pg_catalog.->>) 'ok')::boolean
                      AND (part OPERATOR(pg_catalog.->>) 'ok')::boolean,
                'change_log', part OPERATOR(pg_catalog.-) 'emptied');
        END IF;
    END LOOP;

    -- Free the months retired by earlier runs, only in a run that retires
    -- none and holds no writer back: this transaction then holds no lock
    -- that logins wait for when its commit removes their files.  A retired
    -- table whose lock is not granted within 1 s waits for the next run;
    -- waiting is not a fault.
    IF NOT retired_now AND NOT held_back THEN
        FOR retired IN SELECT x::text FROM usrmgmt._log_retired() x LOOP
            BEGIN
                PERFORM pg_catalog.set_config('lock_timeout', '1000', true);
                PERFORM usrmgmt._retire_log_month(retired::pg_catalog.regclass, false);
                freed := freed OPERATOR(pg_catalog.||) retired;
            EXCEPTION WHEN lock_not_available THEN
                NULL;
            END;
        END LOOP;
    END IF;
    RETURN report OPERATOR(pg_catalog.||)
           pg_catalog.jsonb_build_object('freed', pg_catalog.to_jsonb(freed));
END
$$;
COMMENT ON FUNCTION usrmgmt.maintain(timestamptz) IS
    'creates the monthly user_log and change_log partitions from since (default: this month) to 3 months ahead, moves rows out of the default partitions, retires partitions older than usrmgmt.log_retention and usrmgmt.change_log_retention and frees those retired by an earlier run; reports it as jsonb';

REVOKE ALL ON FUNCTION usrmgmt._log_retention() FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt._change_log_retention() FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt._log_partitions(pg_catalog.regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt._log_retired() FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt._retire_log_month(pg_catalog.regclass, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt._log_unbalanced_users(timestamptz, pg_catalog.tstzmultirange) FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt._log_kept_logins(pg_catalog.regclass, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt._add_log_month(pg_catalog.regclass, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt._drop_log_partitions(timestamptz, boolean, interval, pg_catalog.regclass, bigint[], boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt.maintain(timestamptz) FROM PUBLIC;

-- purge_user_log() drops whole partitions (src/sessions.c).
CREATE OR REPLACE FUNCTION usrmgmt.purge_user_log(older_than timestamptz) RETURNS bigint
    AS 'MODULE_PATHNAME', 'usrmgmt_purge_user_log_partitions'
    LANGUAGE C VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION usrmgmt.purge_user_log(timestamptz) IS
    'removes log rows older than older_than (whole partitions where it can), keeping both rows of sessions still open or ended later; returns how many';

--------------------------------------------------------------------------
-- Secrets apart (doc: Tables, "usrmgmt.user_auth"; Upgrades).  The
-- password hash, the failed-login count and the last login move from
-- "user" to usrmgmt.user_auth, in place: one row per user that has any of
-- them (a password, a failed login, a login), then the three columns are
-- dropped from "user" (a catalog change: no rewrite).  The lockout state
-- is failed_logins, kept as it is; locked_at and password_changed_at are
-- NULL for what 1.0 recorded (1.0 kept no such time).  Column grants on
-- the dropped columns go with them.  Before the change audit is created:
-- the move is not recorded.
--------------------------------------------------------------------------

CREATE TABLE usrmgmt.user_auth (
    user_id         bigint
                    CONSTRAINT user_auth_pkey PRIMARY KEY,  -- references "user" (references.c)
    password_hash   text
                    CONSTRAINT user_auth_password_hash_format
                    CHECK (usrmgmt.is_valid_scram_secret(password_hash)),
    failed_logins   integer NOT NULL DEFAULT 0
                    CONSTRAINT user_auth_failed_logins_nonnegative
                    CHECK (failed_logins OPERATOR(pg_catalog.>=) 0),
    locked_at       timestamptz,
    password_changed_at timestamptz,
    last_login_at   timestamptz
);
COMMENT ON TABLE usrmgmt.user_auth IS 'authentication state of users: secret, failed logins, lockout, last login';

INSERT INTO usrmgmt.user_auth (user_id, password_hash, failed_logins, last_login_at)
SELECT u.id, u.password_hash, u.failed_logins, u.last_login_at
  FROM usrmgmt."user" u
 WHERE u.password_hash IS NOT NULL
    OR u.failed_logins OPERATOR(pg_catalog.<>) 0
    OR u.last_login_at IS NOT NULL
 ORDER BY u.id;

ALTER TABLE usrmgmt."user"
    DROP COLUMN password_hash,
    DROP COLUMN failed_logins,
    DROP COLUMN last_login_at;

CREATE TRIGGER user_auth_user_id_fkey
    BEFORE INSERT OR UPDATE OF user_id ON usrmgmt.user_auth
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.reference_check('user_id', 'user_auth_user_id_fkey');

SELECT pg_catalog.pg_extension_config_dump('usrmgmt.user_auth', '');

-- user_auth is read by no application role (doc: Passwords, "What an
-- application sees").  These two functions are what it may know.
CREATE FUNCTION usrmgmt.last_login(user_id bigint) RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'usrmgmt_last_login'
    LANGUAGE C STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION usrmgmt.last_login(bigint) IS
    'when the user last logged in (user_auth.last_login_at); NULL when never or no such user';

CREATE FUNCTION usrmgmt.unlock_user(username text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'usrmgmt_unlock_user'
    LANGUAGE C VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION usrmgmt.unlock_user(text) IS
    'sets failed_logins back to 0 and clears locked_at; false when there was nothing to clear';

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
    new               jsonb
) PARTITION BY RANGE (changed_at);
COMMENT ON TABLE usrmgmt.change_log IS
    'append-only change audit: one row per row changed in user, user_auth, server, configuration';

-- The default partition, and the template of the monthly partitions
-- change_log_YYYY_MM that maintain() creates (CREATE TABLE ... (LIKE
-- change_log_default INCLUDING ALL)): as for user_log, the key and the
-- indexes are each partition's own, none is the partitioned table's, so
-- that pg_dump's copy of a monthly partition restores (doc: Retention and
-- partitions).  Few indexes: every audited write pays for each.
-- changed_at grows with the insertion order, so a BRIN index serves time
-- ranges within a partition at almost no cost; user_id finds everything
-- that concerns a user (the user row itself, its servers, the settings it
-- edited).
CREATE TABLE usrmgmt.change_log_default PARTITION OF usrmgmt.change_log DEFAULT;
ALTER TABLE usrmgmt.change_log_default
    ADD CONSTRAINT change_log_default_pkey PRIMARY KEY (id, changed_at);
CREATE INDEX change_log_default_changed_at_idx ON usrmgmt.change_log_default USING brin (changed_at);
CREATE INDEX change_log_default_user_id_idx ON usrmgmt.change_log_default (user_id);

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

CREATE TRIGGER change_audit
    AFTER INSERT OR UPDATE OR DELETE ON usrmgmt.user_auth
    FOR EACH ROW EXECUTE FUNCTION usrmgmt.change_audit('user_id', 'user_id');
CREATE TRIGGER change_audit_truncate
    AFTER TRUNCATE ON usrmgmt.user_auth
    FOR EACH STATEMENT EXECUTE FUNCTION usrmgmt.change_audit('user_id', 'user_id');

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

--------------------------------------------------------------------------
-- Scaling out with Citus (doc: Scaling out with Citus; src/distributed.c).
-- usrmgmt.distribute(), on the Citus coordinator, turns the installed
-- usrmgmt into the Citus layout: "user", server, configuration and
-- migration_history become reference tables (a copy on every node);
-- online_user, user_log, change_log and user_auth are distributed by
-- user_id and co-located, so that a user's sessions, log and audit rows
-- live on one shard and the hot path (login, logout, touch_session,
-- authenticate) runs there.  The keys of the distributed tables take
-- user_id first (Citus needs the distribution column in every unique
-- key), each node gets a range of its own in every identity sequence of
-- usrmgmt (ids stay unique cluster-wide), and the schema manifest is
-- retaken; user_auth gets session_seq, each user's session number (the
-- session ids of Citus: src/distributed.c), and the database's sessions
-- load usrmgmt at their start (the coordinator checks new users' ids in
-- its hooks: src/user_ids.c).  Only an installation without data is
-- distributed; a table already distributed is left as it is, so a second
-- call changes nothing but gives a node added since its ranges and, after
-- a data-only restore through the coordinator, moves every node's
-- sequences past the ids the tables hold.
--------------------------------------------------------------------------

CREATE FUNCTION usrmgmt.distribute(shard_count integer DEFAULT NULL) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET client_min_messages = warning    -- not Citus's notices of each table
AS $$
DECLARE
    reference_tables text[] := '{user,server,configuration,migration_history}';
    distributed_tables text[] := '{online_user,user_log,change_log,user_auth}';
    t text;
    shards integer;
    workers integer;
    made text[] := '{}';
    r record;
    failed text;
    positions jsonb := '[]';
    table_positions jsonb;
    set_positions text;
    advanced bigint := 0;
    preload text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e
                    WHERE e.extname OPERATOR(pg_catalog.=) 'citus') THEN
        RAISE EXCEPTION 'citus is not installed in this database'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'usrmgmt.distribute() makes usrmgmt''s tables Citus reference and distributed tables.',
                  HINT = 'Add citus to shared_preload_libraries on every node, CREATE EXTENSION citus on each, register the workers on the coordinator with citus_add_node(), then call usrmgmt.distribute() there.';
    END IF;
    IF (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g) OPERATOR(pg_catalog.<>) 0 THEN
        RAISE EXCEPTION 'usrmgmt.distribute() must be called on the Citus coordinator, not on a worker'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Connect to the coordinator and call it there; Citus gives the workers the layout.';
    END IF;
    SELECT pg_catalog.count(*) INTO workers FROM pg_catalog.pg_dist_node n
     WHERE n.groupid OPERATOR(pg_catalog.<>) 0 AND n.noderole OPERATOR(pg_catalog.=) 'primary'
       AND n.isactive AND n.shouldhaveshards;
    IF workers OPERATOR(pg_catalog.=) 0 THEN
        RAISE EXCEPTION 'the Citus cluster has no worker to distribute usrmgmt to'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Register the workers with SELECT citus_add_node(host, port) on the coordinator first.';
    END IF;
    IF shard_count IS NOT NULL AND (shard_count OPERATOR(pg_catalog.<) 1 OR shard_count OPERATOR(pg_catalog.>) 64000) THEN
        RAISE EXCEPTION 'shard_count % is out of range', shard_count
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give 1 to 64000, or NULL for citus.shard_count.';
    END IF;
    shards := COALESCE(shard_count, pg_catalog.current_setting('citus.shard_count')::integer);

    -- Only an installation without data: Citus would copy the rows into
    -- the shards through the triggers (a second 'login' row per session).
    FOR t IN SELECT x FROM pg_catalog.unnest(reference_tables OPERATOR(pg_catalog.||) distributed_tables) x
              WHERE x OPERATOR(pg_catalog.<>) 'migration_history'
    LOOP
        IF pg_catalog.to_regclass(pg_catalog.format('usrmgmt.%I', t)) IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition p
                            WHERE p.logicalrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('usrmgmt.%I', t))) THEN
            EXECUTE pg_catalog.format('SELECT EXISTS (SELECT 1 FROM usrmgmt.%I)', t) INTO STRICT r;
            IF r.exists THEN
                RAISE EXCEPTION 'usrmgmt.% holds rows', t
                    USING ERRCODE = 'object_not_in_prerequisite_state',
                          DETAIL = 'usrmgmt.distribute() distributes an installation without data.',
                          HINT = 'Distribute a fresh CREATE EXTENSION usrmgmt, then load the data through the coordinator.';
            END IF;
        END IF;
    END LOOP;

    -- Triggers on Citus tables: usrmgmt's are written for it (src/distributed.c).
    PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);

    FOREACH t IN ARRAY reference_tables LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition p
                        WHERE p.logicalrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('usrmgmt.%I', t))) THEN
            PERFORM pg_catalog.create_reference_table(pg_catalog.format('usrmgmt.%I', t)::pg_catalog.regclass);
            made := made OPERATOR(pg_catalog.||) t;
        END IF;
    END LOOP;
    -- migration_history's rows were copied into the reference table.
    IF 'migration_history' OPERATOR(pg_catalog.=) ANY (made) THEN
        PERFORM pg_catalog.truncate_local_data_after_distributing_table('usrmgmt.migration_history');
    END IF;

    FOREACH t IN ARRAY distributed_tables LOOP
        CONTINUE WHEN pg_catalog.to_regclass(pg_catalog.format('usrmgmt.%I', t)) IS NULL
            OR EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition p
                        WHERE p.logicalrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('usrmgmt.%I', t)));
        -- every unique key holds the distribution column
        IF t OPERATOR(pg_catalog.=) 'online_user' THEN
            ALTER TABLE usrmgmt.online_user DROP CONSTRAINT online_user_pkey;
            ALTER TABLE usrmgmt.online_user ADD CONSTRAINT online_user_pkey PRIMARY KEY (user_id, id);
        ELSIF t OPERATOR(pg_catalog.=) 'change_log' THEN
            -- each partition has its own key (id, changed_at), the default
            -- partition's being the template of the months to come
            ALTER TABLE usrmgmt.change_log ALTER COLUMN user_id SET NOT NULL;
            FOR r IN SELECT k.conrelid::pg_catalog.regclass AS part, k.conname
                       FROM pg_catalog.pg_constraint k
                       JOIN pg_catalog.pg_inherits i ON i.inhrelid OPERATOR(pg_catalog.=) k.conrelid
                      WHERE i.inhparent OPERATOR(pg_catalog.=) 'usrmgmt.change_log'::pg_catalog.regclass
                        AND k.contype OPERATOR(pg_catalog.=) 'p'
            LOOP
                EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', r.part, r.conname);
                EXECUTE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (user_id, id, changed_at)',
                                          r.part, r.conname);
            END LOOP;
        END IF;
        IF t OPERATOR(pg_catalog.=) 'online_user' THEN
            PERFORM pg_catalog.create_distributed_table('usrmgmt.online_user', 'user_id',
                                                        shard_count := shards, colocate_with := 'none');
        ELSE
            PERFORM pg_catalog.create_distributed_table(pg_catalog.format('usrmgmt.%I', t)::pg_catalog.regclass,
                                                        'user_id', colocate_with := 'usrmgmt.online_user');
        END IF;
        -- a user's session numbers on Citus (src/distributed.c; doc: Scaling
        -- out with Citus, "Session ids on Citus"); on one node the table keeps its
        -- columns.  Citus adds it to the shards and the workers' tables.
        IF t OPERATOR(pg_catalog.=) 'user_auth' THEN
            ALTER TABLE usrmgmt.user_auth ADD COLUMN session_seq bigint NOT NULL DEFAULT 0;
        END IF;
        made := made OPERATOR(pg_catalog.||) t;
    END LOOP;

    -- Identities continue over what the tables hold (a data-only restore
    -- through the coordinator loads ids that the source's nodes gave; doc:
    -- Backup and restore for DBAs): each node's sequence of a table moves
    -- past the highest id of the node's range in that table.  Not
    -- online_user's: on Citus a session id is user_id * 2^32 + the user's
    -- own number, user_auth.session_seq (src/distributed.c), which the
    -- restore brings back with the row, as high as every number the dump's
    -- sessions took (taken in the transaction that inserted them).  A
    -- sequence already past stays.  One read of every id column.
    FOR r IN SELECT d.objid::pg_catalog.regclass AS seq, d.refobjid::pg_catalog.regclass AS tab,
                    a.attname AS col
               FROM pg_catalog.pg_depend d
               JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid
               JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid
                                             AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid
              WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                AND d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::"char"[])
                AND c.relkind OPERATOR(pg_catalog.=) 'S'
                AND c.relnamespace OPERATOR(pg_catalog.=) 'usrmgmt'::pg_catalog.regnamespace
    LOOP
        CONTINUE WHEN r.tab OPERATOR(pg_catalog.=) 'usrmgmt.online_user'::pg_catalog.regclass;
        EXECUTE pg_catalog.format(
            'SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(''seq'', $1, ''g'', m.g, ''v'', m.v)), ''[]'')'
            ' FROM (SELECT t.%1$I OPERATOR(pg_catalog.>>) 48 AS g, pg_catalog.max(t.%1$I) AS v'
            '         FROM %2$s t WHERE t.%1$I OPERATOR(pg_catalog.>) 0 GROUP BY 1) m',
            r.col, r.tab)
          INTO STRICT table_positions USING r.seq::text;
        positions := positions OPERATOR(pg_catalog.||) table_positions;
    END LOOP;
    -- the same statement on each node, the coordinator's here
    set_positions := pg_catalog.format($cmd$
        SELECT pg_catalog.count(pg_catalog.setval(j.seq::pg_catalog.regclass, j.v))
          FROM pg_catalog.jsonb_to_recordset(%L::jsonb) AS j (seq text, g integer, v bigint)
          JOIN pg_catalog.pg_sequence q ON q.seqrelid OPERATOR(pg_catalog.=) j.seq::pg_catalog.regclass
         WHERE j.g OPERATOR(pg_catalog.=) (SELECT l.groupid FROM pg_catalog.pg_dist_local_group l)
           AND j.v OPERATOR(pg_catalog.>=) q.seqmin AND j.v OPERATOR(pg_catalog.<=) q.seqmax
           AND j.v OPERATOR(pg_catalog.>) COALESCE(pg_catalog.pg_sequence_last_value(j.seq::pg_catalog.regclass),
                                                   q.seqmin OPERATOR(pg_catalog.-) 1)
        $cmd$, positions);
    EXECUTE set_positions INTO STRICT advanced;

    -- Every node its own range of every identity sequence of usrmgmt
    -- (Citus gives one to the sequences of the tables it creates; these
    -- are the extension's): node group g takes g * 2^48 + 1 .. (g + 1) * 2^48 - 1.
    -- A sequence already in its range is left alone.  Then each worker
    -- moves its sequences as the coordinator did (set_positions; the
    -- UNION ALL runs the two commands in this order).
    FOR r IN SELECT 'ranges' AS step, w.* FROM pg_catalog.run_command_on_workers($cmd$
        DO $do$
        DECLARE
            g bigint := (SELECT l.groupid FROM pg_catalog.pg_dist_local_group l);
            lo bigint;
            hi bigint;
            s record;
        BEGIN
            SET LOCAL citus.enable_ddl_propagation = off;
            lo := (g OPERATOR(pg_catalog.<<) 48) OPERATOR(pg_catalog.+) 1;
            hi := ((g OPERATOR(pg_catalog.+) 1) OPERATOR(pg_catalog.<<) 48) OPERATOR(pg_catalog.-) 1;
            FOR s IN SELECT c.oid::pg_catalog.regclass AS seq, q.seqmin
                       FROM pg_catalog.pg_class c
                       JOIN pg_catalog.pg_sequence q ON q.seqrelid OPERATOR(pg_catalog.=) c.oid
                      WHERE c.relnamespace OPERATOR(pg_catalog.=) 'usrmgmt'::pg_catalog.regnamespace
            LOOP
                CONTINUE WHEN s.seqmin OPERATOR(pg_catalog.=) lo;
                EXECUTE pg_catalog.format('ALTER SEQUENCE %s MINVALUE %s MAXVALUE %s START WITH %s RESTART WITH %s',
                                          s.seq, lo, hi, lo, lo);
            END LOOP;
        END
        $do$ $cmd$) w
             UNION ALL
             SELECT 'positions', w.* FROM pg_catalog.run_command_on_workers(set_positions) w
    LOOP
        IF NOT r.success THEN
            failed := pg_catalog.concat_ws('; ', failed, pg_catalog.format('%s:%s: %s', r.nodename, r.nodeport, r.result));
        ELSIF r.step OPERATOR(pg_catalog.=) 'positions' THEN
            advanced := advanced OPERATOR(pg_catalog.+) r.result::pg_catalog.int8;
        END IF;
    END LOOP;
    IF failed IS NOT NULL THEN
        RAISE EXCEPTION 'could not give the workers their ranges of usrmgmt''s sequences'
            USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = failed;
    END IF;

    -- The rule that a new user's id is the identity's is checked on the
    -- coordinator, before Citus routes the statement, by usrmgmt's
    -- planner and utility hooks (src/user_ids.c), which a backend has once
    -- usrmgmt.so is loaded: load it when a session of this database
    -- starts, so that a connection's first statement is checked too.
    SELECT pg_catalog.substr(c, pg_catalog.length('session_preload_libraries=') OPERATOR(pg_catalog.+) 1) INTO preload
      FROM pg_catalog.pg_db_role_setting s, pg_catalog.unnest(s.setconfig) c
     WHERE s.setdatabase OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d
                                                  WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
       AND s.setrole OPERATOR(pg_catalog.=) 0
       AND pg_catalog.starts_with(c, 'session_preload_libraries=');
    IF preload IS NULL OR preload OPERATOR(pg_catalog.!~) '(^|[ ,"])usrmgmt($|[ ,"])' THEN
        IF (SELECT ro.rolsuper FROM pg_catalog.pg_roles ro WHERE ro.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
            EXECUTE pg_catalog.format('ALTER DATABASE %I SET session_preload_libraries TO %s',
                                      pg_catalog.current_database(),
                                      CASE WHEN preload IS NULL OR preload OPERATOR(pg_catalog.=) '' THEN 'usrmgmt'
                                           ELSE preload OPERATOR(pg_catalog.||) ', usrmgmt' END);
        ELSE
            RAISE WARNING 'the sessions of database % do not load usrmgmt at their start', pg_catalog.current_database()
                USING DETAIL = 'On Citus the coordinator checks that a new user''s id is the identity''s in hooks that exist once usrmgmt is loaded; a connection''s first statement goes unchecked without it.',
                      HINT = pg_catalog.format('As a superuser: ALTER DATABASE %I SET session_preload_libraries = ''usrmgmt''.', pg_catalog.current_database());
        END IF;
    END IF;

    IF pg_catalog.cardinality(made) OPERATOR(pg_catalog.>) 0 THEN
        PERFORM usrmgmt._refresh_manifest();
    END IF;

    RETURN pg_catalog.jsonb_build_object(
        'distributed', pg_catalog.cardinality(made) OPERATOR(pg_catalog.>) 0,
        'made', pg_catalog.to_jsonb(made),
        'reference_tables', (SELECT pg_catalog.jsonb_agg(p.logicalrelid::text ORDER BY p.logicalrelid::text)
                               FROM pg_catalog.pg_dist_partition p
                              WHERE p.partmethod OPERATOR(pg_catalog.=) 'n'
                                AND p.logicalrelid::text OPERATOR(pg_catalog.~) '^usrmgmt\.'),
        'distributed_tables', (SELECT pg_catalog.jsonb_agg(p.logicalrelid::text ORDER BY p.logicalrelid::text)
                                 FROM pg_catalog.pg_dist_partition p
                                WHERE p.partmethod OPERATOR(pg_catalog.=) 'h'
                                  AND p.logicalrelid::text OPERATOR(pg_catalog.~) '^usrmgmt\.'
                                  AND NOT pg_catalog.starts_with(p.logicalrelid::text, 'usrmgmt.user_log_')
                                  AND NOT pg_catalog.starts_with(p.logicalrelid::text, 'usrmgmt.change_log_')),
        'shard_count', (SELECT pg_catalog.count(*) FROM pg_catalog.pg_dist_shard s
                         WHERE s.logicalrelid OPERATOR(pg_catalog.=) 'usrmgmt.online_user'::pg_catalog.regclass),
        'workers', workers,
        'sequences_advanced', advanced);
END
$$;
COMMENT ON FUNCTION usrmgmt.distribute(integer) IS
    'on the Citus coordinator: reference tables user, server, configuration, migration_history; online_user, user_log, change_log, user_auth distributed by user_id, co-located';
REVOKE ALL ON FUNCTION usrmgmt.distribute(integer) FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('usrmgmt.change_log_default', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('usrmgmt.change_log', 'id'), '');

--------------------------------------------------------------------------
-- The role recipes (doc: Privileges and role recipes), as functions:
-- grant_recipe(role, recipe) grants what the manual's recipe grants,
-- revoke_recipe(role, recipe) revokes exactly that.  _recipe(recipe) is
-- the one list of what each recipe grants; the manual prints the same
-- statements.  SECURITY INVOKER: the GRANTs run as the caller, who must
-- have the privileges of the extension's owner (the owner, a member of
-- it, a superuser), so nobody can grant himself anything with them.
-- Revoked from PUBLIC.
--------------------------------------------------------------------------

CREATE FUNCTION usrmgmt._recipe(recipe text)
    RETURNS TABLE(privileges text, object text)
    LANGUAGE sql IMMUTABLE STRICT
    SET search_path = pg_catalog, pg_temp
AS $$
SELECT r.privileges, r.object
  FROM (VALUES
    ('application', 1, 'EXECUTE', 'FUNCTION usrmgmt.login(text, inet, text), usrmgmt.logout(bigint), usrmgmt.logout_user(text), usrmgmt.touch_session(bigint), usrmgmt.authenticate(text, text, inet, text), usrmgmt.set_password(text, text), usrmgmt.check_password(text, text), usrmgmt.last_login(bigint)'),
    ('application', 2, 'SELECT, INSERT, UPDATE, DELETE, REFERENCES', 'TABLE usrmgmt."user"'),
    ('application', 3, 'USAGE', 'SEQUENCE usrmgmt.user_id_seq'),
    ('application', 4, 'SELECT', 'TABLE usrmgmt.online_user, usrmgmt.user_log'),
    ('application', 5, 'SELECT, INSERT, UPDATE, DELETE', 'TABLE usrmgmt.server, usrmgmt.configuration'),
    ('monitor', 1, 'EXECUTE', 'FUNCTION usrmgmt.health(), usrmgmt.status(), usrmgmt.database_stats(boolean), usrmgmt.metrics()'),
    ('administrator', 1, 'EXECUTE', 'FUNCTION usrmgmt.health(), usrmgmt.status(), usrmgmt.database_stats(boolean), usrmgmt.metrics()'),
    ('administrator', 2, 'EXECUTE', 'FUNCTION usrmgmt.login(text, inet, text), usrmgmt.logout(bigint), usrmgmt.logout_user(text), usrmgmt.touch_session(bigint), usrmgmt.expire_sessions(interval), usrmgmt.purge_user_log(timestamptz), usrmgmt.purge_change_log(timestamptz), usrmgmt.maintain(timestamptz), usrmgmt.authenticate(text, text, inet, text), usrmgmt.set_password(text, text), usrmgmt.check_password(text, text), usrmgmt.last_login(bigint), usrmgmt.unlock_user(text), usrmgmt.validate_data_integrity(), usrmgmt.validate_schema(), usrmgmt.verify(), usrmgmt.apply_migration(text, text, text), usrmgmt.rollback_migration(text), usrmgmt.load_sample_data(), usrmgmt.reset(boolean)'),
    ('administrator', 3, 'SELECT, INSERT, UPDATE, DELETE', 'TABLE usrmgmt."user", usrmgmt.online_user, usrmgmt.server, usrmgmt.configuration'),
    ('administrator', 4, 'SELECT', 'TABLE usrmgmt.user_auth, usrmgmt.user_log, usrmgmt.change_log, usrmgmt.migration_history, usrmgmt.schema_manifest')
  ) AS r(recipe, ord, privileges, object)
 WHERE r.recipe OPERATOR(pg_catalog.=) $1
 ORDER BY r.ord
$$;

-- The work of both: grants (grant true) or revokes the recipe's
-- privileges.  Its checks, in order: 42501 a caller without the
-- privileges of the extension's owner; 22004 a NULL argument; 22023 an
-- unknown recipe, or the extension's owner as the role; 42704 an unknown
-- role (from the regrole argument, or here for '-' and an OID that names
-- no role, which regrole's input takes).  A caller that may not
-- execute it gets 42501 from its ACL before any of these.
CREATE FUNCTION usrmgmt._recipe_run(role pg_catalog.regrole, recipe text, "grant" boolean)
    RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    owner pg_catalog.oid := (SELECT e.extowner FROM pg_catalog.pg_extension e
                              WHERE e.extname OPERATOR(pg_catalog.=) 'usrmgmt');
    verb text := CASE WHEN "grant" THEN 'grant' ELSE 'revoke' END;
    g record;
BEGIN
    IF NOT pg_catalog.pg_has_role(owner, 'USAGE') THEN
        RAISE EXCEPTION 'permission denied to % recipe "%"', verb, recipe
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = pg_catalog.format('Only the owner of extension usrmgmt (or a member of it, or a superuser) may %s the recipes.', verb);
    END IF;
    IF role IS NULL OR recipe IS NULL OR "grant" IS NULL THEN
        RAISE EXCEPTION '% must not be null',
                        CASE WHEN role IS NULL THEN 'role' WHEN recipe IS NULL THEN 'recipe' ELSE 'grant' END
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- '-' and a bare number are valid regrole input for no role at all
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) role) THEN
        RAISE EXCEPTION 'role with OID % does not exist', role::pg_catalog.oid
            USING ERRCODE = 'undefined_object';
    END IF;
    IF recipe OPERATOR(pg_catalog.<>) ALL ('{application,monitor,administrator}'::text[]) THEN
        RAISE EXCEPTION 'unknown recipe "%"', recipe
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The recipes are application, monitor and administrator.';
    END IF;
    IF role::pg_catalog.oid OPERATOR(pg_catalog.=) owner THEN
        RAISE EXCEPTION 'role "%" owns extension usrmgmt', role
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The owner holds every privilege on the objects of the extension; a recipe is for other roles.';
    END IF;
    FOR g IN SELECT * FROM usrmgmt._recipe(recipe) LOOP
        EXECUTE pg_catalog.format(CASE WHEN "grant" THEN 'GRANT %s ON %s TO %s' ELSE 'REVOKE %s ON %s FROM %s' END,
                                  g.privileges, g.object, role);
    END LOOP;
END
$$;

CREATE FUNCTION usrmgmt.grant_recipe(role pg_catalog.regrole, recipe text) RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT usrmgmt._recipe_run(role, recipe, true) $$;
COMMENT ON FUNCTION usrmgmt.grant_recipe(pg_catalog.regrole, text) IS
    'grants the role what the recipe (application, monitor, administrator) of the manual grants; idempotent';

CREATE FUNCTION usrmgmt.revoke_recipe(role pg_catalog.regrole, recipe text) RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT usrmgmt._recipe_run(role, recipe, false) $$;
COMMENT ON FUNCTION usrmgmt.revoke_recipe(pg_catalog.regrole, text) IS
    'revokes from the role exactly what the recipe grants (privileges another recipe shares go too)';

REVOKE ALL ON FUNCTION usrmgmt._recipe(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt._recipe_run(pg_catalog.regrole, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt.grant_recipe(pg_catalog.regrole, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION usrmgmt.revoke_recipe(pg_catalog.regrole, text) FROM PUBLIC;

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
    obj record;
    grantee text;
BEGIN
    FOR obj IN
        SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind,
               pg_catalog.format('usrmgmt.%I', c.relname) AS name, c.relowner AS owner,
               COALESCE(c.relacl, pg_catalog.acldefault(
                   CASE c.relkind WHEN 'S' THEN 's'::"char" ELSE 'r'::"char" END, c.relowner)) AS acl,
               NULL::text AS public_priv
          FROM pg_catalog.pg_class c
         WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY['usrmgmt.user_log_default'::pg_catalog.regclass,
                                                       'usrmgmt.user_auth'::pg_catalog.regclass,
                                                       'usrmgmt.change_log'::pg_catalog.regclass,
                                                       'usrmgmt.change_log_default'::pg_catalog.regclass,
                                                       pg_catalog.pg_get_serial_sequence('usrmgmt.change_log', 'id')::pg_catalog.regclass])
        UNION ALL
        SELECT 'FUNCTION', pg_catalog.format('usrmgmt.%I(%s)', p.proname,
                                             pg_catalog.pg_get_function_identity_arguments(p.oid)),
               p.proowner,
               COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner)),
               CASE WHEN p.proname OPERATOR(pg_catalog.=) 'ascii_lower' THEN 'EXECUTE' END
          FROM pg_catalog.pg_proc p
         WHERE p.oid OPERATOR(pg_catalog.=) ANY (ARRAY[
                   'usrmgmt.ascii_lower(text)',
                   'usrmgmt.reference_check()',
                   'usrmgmt.user_references()',
                   'usrmgmt.user_id_check()',
                   'usrmgmt._log_retention()',
                   'usrmgmt._change_log_retention()',
                   'usrmgmt._log_partitions(pg_catalog.regclass)',
                   'usrmgmt._log_retired()',
                   'usrmgmt._retire_log_month(pg_catalog.regclass, boolean)',
                   'usrmgmt._log_unbalanced_users(timestamptz, pg_catalog.tstzmultirange)',
                   'usrmgmt._log_kept_logins(pg_catalog.regclass, timestamptz)',
                   'usrmgmt._add_log_month(pg_catalog.regclass, timestamptz)',
                   'usrmgmt._drop_log_partitions(timestamptz, boolean, interval, pg_catalog.regclass, bigint[], boolean)',
                   'usrmgmt.maintain(timestamptz)',
                   'usrmgmt.last_login(bigint)',
                   'usrmgmt.unlock_user(text)',
                   'usrmgmt._recipe(text)',
                   'usrmgmt._recipe_run(pg_catalog.regrole, text, boolean)',
                   'usrmgmt.grant_recipe(pg_catalog.regrole, text)',
                   'usrmgmt.revoke_recipe(pg_catalog.regrole, text)',
                   'usrmgmt.change_audit()',
                   'usrmgmt.change_log_guard()',
                   'usrmgmt.purge_change_log(timestamptz)',
                   'usrmgmt.distribute(integer)']::pg_catalog.regprocedure[])
    LOOP
        FOR grantee IN
            SELECT DISTINCT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                 ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END
              FROM pg_catalog.aclexplode(obj.acl) a
        LOOP
            EXECUTE pg_catalog.format('REVOKE ALL ON %s %s FROM %s CASCADE',
                                      obj.kind, obj.name, grantee);
        END LOOP;
        IF obj.public_priv IS NOT NULL THEN
            EXECUTE pg_catalog.format('GRANT %s ON %s %s TO PUBLIC', obj.public_priv, obj.kind, obj.name);
        END IF;
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
