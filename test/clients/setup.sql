-- test/clients/setup.sql: what a DBA does, as a superuser, before an
-- application can use usrmgmt.  psql variables: role (the application's
-- login role) and db (its database).  The examples' tests run it once per
-- application (test/clients/run.sh); replace the names with yours.
--
--   psql -v role=notes_app -v db=notes -f test/clients/setup.sql

-- The application's role and its database: the role owns the database, so
-- its schema public is the application's (Alembic, Django and plain SQL
-- create the application's tables there).  Give it a password in real life.
CREATE ROLE :"role" LOGIN;
CREATE DATABASE :"db" OWNER :"role";
\connect :"db"

-- usrmgmt and its log partitions (as `usrmgmt init` does).
CREATE EXTENSION usrmgmt;
SELECT usrmgmt.maintain() IS NOT NULL AS maintained;

-- The application recipe (doc/usrmgmt.md, "Privileges and role recipes"):
-- sessions and passwords through usrmgmt's functions, usrmgmt."user" whole
-- (SELECT, INSERT, UPDATE, DELETE, and REFERENCES for the application's
-- foreign keys), the sessions and the log read-only.
SELECT usrmgmt.grant_recipe(:'role', 'application');

-- Optional: load usrmgmt when the role's sessions start, so that a SET of
-- a superuser-only usrmgmt setting by the application fails at once
-- (doc/usrmgmt.md, "Settings set before the library is loaded").
ALTER ROLE :"role" SET session_preload_libraries = 'usrmgmt';

-- For the tests only: cheap password hashing (the default, 600000
-- iterations, costs about half a second per password check).
ALTER DATABASE :"db" SET usrmgmt.password_iterations = 4096;
