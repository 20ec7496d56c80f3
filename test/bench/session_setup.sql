-- test/bench/session_setup.sql: the database of the login+logout
-- benchmarks (session_throughput.sh, session_instructions.sh): usrmgmt
-- with a year of monthly partitions and 100 users who have all logged in
-- once, and the baseline: mirrors of the 1.1 tables (schema bench_base)
-- written by two PL/pgSQL functions doing what login() and logout() do.
-- Run by psql as a superuser in a fresh database.
SET client_min_messages = warning;
CREATE EXTENSION usrmgmt;
-- the monthly partitions of the last 12 months and 3 ahead, as a year of
-- production would have them
SELECT usrmgmt.maintain(pg_catalog.date_trunc('month', now()) - interval '11 months') IS NOT NULL;
INSERT INTO usrmgmt."user" (username) SELECT 'bench' || g FROM generate_series(1, 100) g;
SELECT count(usrmgmt.logout(usrmgmt.login('bench' || g))) FROM generate_series(1, 100) g;

-- The mirrors: same columns, defaults, identities, CHECKs and indexes
-- (LIKE ... INCLUDING ALL), user_log partitioned the same way, each of
-- usrmgmt's partitions copied with its indexes and attached with its
-- bounds; no trigger, no foreign key (1.1 has none: references.c).
CREATE SCHEMA bench_base;
CREATE TABLE bench_base."user" (LIKE usrmgmt."user" INCLUDING ALL);
CREATE TABLE bench_base.user_auth (LIKE usrmgmt.user_auth INCLUDING ALL);
CREATE TABLE bench_base.online_user (LIKE usrmgmt.online_user INCLUDING ALL);
CREATE TABLE bench_base.user_log (LIKE usrmgmt.user_log INCLUDING ALL)
    PARTITION BY RANGE ("timestamp");
SELECT format('CREATE TABLE bench_base.%I (LIKE usrmgmt.%I INCLUDING ALL EXCLUDING IDENTITY);'
              ' ALTER TABLE bench_base.user_log ATTACH PARTITION bench_base.%I %s',
              c.relname, c.relname, c.relname, pg_get_expr(c.relpartbound, c.oid))
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'usrmgmt.user_log'::regclass
 ORDER BY c.relname \gexec
INSERT INTO bench_base."user" (username) SELECT 'bench' || g FROM generate_series(1, 100) g;
INSERT INTO bench_base.user_auth (user_id, last_login_at) SELECT id, now() FROM bench_base."user";

-- login(): the user by its folded name, FOR SHARE (users.c), the stamp
-- (user_auth.c), the session and its 'login' row (session_triggers.c).
CREATE FUNCTION bench_base.login(p_username text, p_ip inet, p_agent text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
    v_name text;
    v_active boolean;
    v_sid bigint;
BEGIN
    SELECT u.id, u.username, u.is_active INTO v_id, v_name, v_active
      FROM bench_base."user" u
     WHERE usrmgmt.ascii_lower(u.username) = usrmgmt.ascii_lower(p_username)
       FOR SHARE OF u;
    IF NOT FOUND OR NOT v_active THEN
        RAISE EXCEPTION 'no such active user';
    END IF;
    UPDATE bench_base.user_auth SET last_login_at = now() WHERE user_id = v_id;
    INSERT INTO bench_base.online_user (user_id, username, ip_address, user_agent)
        VALUES (v_id, v_name, p_ip, p_agent) RETURNING id INTO v_sid;
    INSERT INTO bench_base.user_log (user_id, username, action, session_id, ip_address, user_agent, detail)
        VALUES (v_id, v_name, 'login', v_sid, p_ip, p_agent, NULL);
    RETURN v_sid;
END$$;
-- logout(): the session under a FOR KEY SHARE lock of its user
-- (sessions.c), then its 'logout' row.
CREATE FUNCTION bench_base.logout(p_sid bigint)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    DELETE FROM bench_base.online_user o
     WHERE o.id = p_sid
       AND EXISTS (SELECT 1 FROM bench_base."user" u WHERE u.id = o.user_id FOR KEY SHARE)
    RETURNING o.user_id, o.username, o.ip_address, o.user_agent INTO r;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO bench_base.user_log (user_id, username, action, session_id, ip_address, user_agent, detail)
        VALUES (r.user_id, r.username, 'logout', p_sid, r.ip_address, r.user_agent, NULL);
    RETURN true;
END$$;
SELECT count(bench_base.logout(bench_base.login('bench' || g, NULL, NULL))) FROM generate_series(1, 100) g;
