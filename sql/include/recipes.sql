--
-- include/recipes.sql: the grants of the three role recipes of
-- doc/usrmgmt.md, "Privileges and role recipes", verbatim but for the role
-- names (regress_ for usrmgmt_; the roles themselves are created by
-- sql/include/setup.sql, without the manual's LOGIN PASSWORD): the
-- statements usrmgmt.grant_recipe() runs (sql/grant_recipe.sql holds the
-- two to each other).  Loaded with
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
      usrmgmt.set_password(text, text), usrmgmt.check_password(text, text),
      usrmgmt.last_login(bigint)
   TO regress_app;
GRANT SELECT, INSERT, UPDATE, DELETE, REFERENCES ON TABLE usrmgmt."user" TO regress_app;
GRANT USAGE ON SEQUENCE usrmgmt.user_id_seq TO regress_app;
GRANT SELECT ON TABLE usrmgmt.online_user, usrmgmt.user_log TO regress_app;
GRANT SELECT, INSERT, UPDATE, DELETE
   ON TABLE usrmgmt.server, usrmgmt.configuration TO regress_app;

-- Monitor
GRANT EXECUTE ON FUNCTION
      usrmgmt.health(), usrmgmt.status(),
      usrmgmt.database_stats(boolean), usrmgmt.metrics()
   TO regress_monitor;

-- Administrator
GRANT EXECUTE ON FUNCTION
      usrmgmt.health(), usrmgmt.status(),
      usrmgmt.database_stats(boolean), usrmgmt.metrics()
   TO regress_admin;
GRANT EXECUTE ON FUNCTION
      usrmgmt.login(text, inet, text), usrmgmt.logout(bigint),
      usrmgmt.logout_user(text), usrmgmt.touch_session(bigint),
      usrmgmt.expire_sessions(interval), usrmgmt.purge_user_log(timestamptz),
      usrmgmt.purge_change_log(timestamptz),
      usrmgmt.maintain(timestamptz),
      usrmgmt.authenticate(text, text, inet, text),
      usrmgmt.set_password(text, text), usrmgmt.check_password(text, text),
      usrmgmt.last_login(bigint), usrmgmt.unlock_user(text),
      usrmgmt.validate_data_integrity(), usrmgmt.validate_schema(),
      usrmgmt.verify(),
      usrmgmt.apply_migration(text, text, text), usrmgmt.rollback_migration(text),
      usrmgmt.load_sample_data(), usrmgmt.reset(boolean)
   TO regress_admin;
GRANT SELECT, INSERT, UPDATE, DELETE
   ON TABLE usrmgmt."user", usrmgmt.online_user, usrmgmt.server, usrmgmt.configuration
   TO regress_admin;
GRANT SELECT
   ON TABLE usrmgmt.user_auth, usrmgmt.user_log, usrmgmt.change_log,
      usrmgmt.migration_history, usrmgmt.schema_manifest
   TO regress_admin;
