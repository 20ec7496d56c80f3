-- validate_schema(): the live catalog held against usrmgmt.schema_manifest,
-- the snapshot the install script takes of what it created.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION usrmgmt;

-- The manifest covers every kind of object, derived from the catalog.
SELECT object_type, count(*) > 0 AS present
  FROM usrmgmt.schema_manifest GROUP BY object_type ORDER BY object_type;
SELECT object_name, definition FROM usrmgmt.schema_manifest
 WHERE object_name IN ('configuration.value', 'user.user_email_format',
                       'user.user_username_key', 'user.user_set_updated_at',
                       'is_valid_email(text)')
 ORDER BY object_name;

-- A clean install reports nothing.
SELECT * FROM usrmgmt.validate_schema();

-- The internal catalog reader and manifest refresh (a superuser may call
-- them): on a clean install the refreshed manifest shows no drift.
SELECT count(*) > 0 AS catalog_rows FROM usrmgmt._schema_catalog(true);
SELECT count(*) > 0 AS catalog_rows_live FROM usrmgmt._schema_catalog(false);
SELECT usrmgmt._refresh_manifest();
SELECT count(*) AS drift_after_refresh FROM usrmgmt.validate_schema();

-- Each kind of drift.
DROP INDEX usrmgmt.user_created_at_idx;
ALTER TABLE usrmgmt."user" DISABLE TRIGGER user_set_updated_at;
ALTER TABLE usrmgmt.configuration ALTER COLUMN value TYPE varchar(200);
-- a dropped NOT NULL is one row, the column's, on every version (18 also
-- keeps NOT NULL as a constraint, configuration_updated_at_not_null: it is
-- not reported a second time)
ALTER TABLE usrmgmt.configuration ALTER COLUMN updated_at DROP NOT NULL;
ALTER TABLE usrmgmt.server DROP CONSTRAINT server_port_range;
ALTER TABLE usrmgmt.user_log DROP CONSTRAINT user_log_action_valid;
ALTER TABLE usrmgmt.user_log ADD CONSTRAINT user_log_action_valid
    CHECK (action OPERATOR(pg_catalog.=) ANY ('{login,logout}'::text[])) NOT VALID;
SELECT * FROM usrmgmt.validate_schema();

-- A disabled reference (1.1 keeps the references to "user" by triggers
-- named after the foreign keys they replace), a missing trigger, column
-- and table.  A member table cannot be dropped (the extension depends on
-- it), but it can be renamed away.  Of a missing table only the table is
-- reported, not each of its columns, constraints and indexes.
ALTER TABLE usrmgmt.server DISABLE TRIGGER server_owner_id_fkey;
DROP TRIGGER server_set_updated_at ON usrmgmt.server;
ALTER TABLE usrmgmt.server DROP COLUMN difficulty;
ALTER TABLE usrmgmt.configuration RENAME TO configuration_old;
SELECT * FROM usrmgmt.validate_schema()
 WHERE object_name NOT LIKE 'user.%' AND object_name NOT LIKE 'user\_log%.%'
   AND object_name NOT LIKE 'server.server_port_range';

-- A function altered behind the extension's back.
ALTER FUNCTION usrmgmt.is_valid_username(text) VOLATILE;
SELECT * FROM usrmgmt.validate_schema() WHERE object_type = 'function';

-- _refresh_manifest() is for update scripts only: not callable by PUBLIC.
CREATE ROLE regress_drift_user;
SET ROLE regress_drift_user;
-- expected: 42501, EXECUTE revoked from PUBLIC
SELECT usrmgmt._refresh_manifest();
\echo :LAST_ERROR_SQLSTATE
-- expected: 42501, the manifest is not readable by PUBLIC
SELECT count(*) FROM usrmgmt.schema_manifest;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE regress_drift_user;

DROP EXTENSION usrmgmt;
