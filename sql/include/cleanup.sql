\set ECHO none
--
-- include/cleanup.sql ("\i sql/include/cleanup.sql"): the end of every suite that loads include/setup.sql:
-- drops the roles setup.sql created (the suite has revoked what it granted
-- them, or dropped the objects).  The pg_temp helpers go with the session.
--
DROP ROLE regress_nobody, regress_app, regress_monitor, regress_admin;
\set ECHO all
