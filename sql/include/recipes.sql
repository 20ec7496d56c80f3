--
-- include/recipes.sql: the grants of the three role recipes of
-- doc/usrmgmt.md, "Privileges and role recipes", verbatim but for the role
-- names (regress_ for usrmgmt_; the roles themselves are created by
-- sql/include/setup.sql, without the manual's LOGIN PASSWORD).  Loaded with
-- "\i sql/include/recipes.sql" after CREATE EXTENSION by privileges.sql
-- (which tests what each may do), health.sql (the monitor) and
-- search_path_api.sql (the administrator); DROP EXTENSION takes the grants
-- with it.  Echoed: the recipes are part of what those suites test.
--
-- Application
GRANT EXECUTE ON FUNCTION
      usrmgmt.login(text, inet, text), usrmgmt.logout(bigint),
      usrmgmt.logout_user(text), usrmgmt.touch_session(bigint),
      usrmgmt.authenticate(text, text, inet, text),
      usrmgmt.set_password(text, text), usrmgmt.check_password(text, text)
   TO regress_app;
GRANT SELECT (id, username, email, first_name, last_name, is_admin, is_active,
              failed_logins, created_at, updated_at, last_login_at),
      INSERT (username, email, first_name, last_name, is_active),
      UPDATE (username, email, first_name, last_name, is_active),
      DELETE
   ON usrmgmt."user" TO regress_app;
GRANT SELECT ON usrmgmt.online_user, usrmgmt.user_log TO regress_app;
GRANT SELECT, INSERT, UPDATE, DELETE
   ON usrmgmt.server, usrmgmt.configuration TO regress_app;

-- Monitor
GRANT EXECUTE ON FUNCTION
      usrmgmt.health(), usrmgmt.status(),
      usrmgmt.database_stats(boolean), usrmgmt.metrics()
   TO regress_monitor;

-- Administrator
GRANT regress_monitor TO regress_admin;
GRANT EXECUTE ON FUNCTION
      usrmgmt.login(text, inet, text), usrmgmt.logout(bigint),
      usrmgmt.logout_user(text), usrmgmt.touch_session(bigint),
      usrmgmt.expire_sessions(interval), usrmgmt.purge_user_log(timestamptz),
      usrmgmt.purge_change_log(timestamptz),
      usrmgmt.maintain(timestamptz),
      usrmgmt.authenticate(text, text, inet, text),
      usrmgmt.set_password(text, text), usrmgmt.check_password(text, text),
      usrmgmt.validate_data_integrity(), usrmgmt.validate_schema(),
      usrmgmt.verify(),
      usrmgmt.apply_migration(text, text, text), usrmgmt.rollback_migration(text),
      usrmgmt.load_sample_data(), usrmgmt.reset(boolean)
   TO regress_admin;
GRANT SELECT, INSERT, UPDATE, DELETE
   ON usrmgmt."user", usrmgmt.online_user, usrmgmt.server, usrmgmt.configuration
   TO regress_admin;
GRANT SELECT ON usrmgmt.user_log, usrmgmt.change_log, usrmgmt.migration_history,
      usrmgmt.schema_manifest
   TO regress_admin;
