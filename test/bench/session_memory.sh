#!/usr/bin/env bash
# test/bench/session_memory.sh: memory of one backend over CYCLES (default
# 1,000,000) login/logout cycles.  A procedure runs the cycles in one
# backend, committing every 1000; the backend reads its own
# /proc/self/status (pg_read_file, superuser) after a warm-up of WARMUP
# cycles and at the end.  Goal: growth below 10 MB.  VmRSS also counts
# shared buffers the backend touches for the first time (RssShmem);
# RssAnon is its private memory, where a leak would show.
# Baseline, in the same run and the same backend: BASE_CYCLES (default
# 100,000) cycles of a trigger-less PL/pgSQL copy doing the same writes
# (as in session_throughput.sh), measured the same way.
# Connection from the PG* variables (superuser, Linux server); creates and
# drops the database usrmgmt_bench_mem.
set -euo pipefail
CYCLES=${CYCLES:-1000000}
BASE_CYCLES=${BASE_CYCLES:-100000}
WARMUP=${WARMUP:-20000}
DB=usrmgmt_bench_mem
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT

dropdb --if-exists "$DB" >/dev/null 2>&1 || true
createdb "$DB"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" <<'SQL'
CREATE EXTENSION usrmgmt;
INSERT INTO usrmgmt."user" (username) SELECT 'bench' || g FROM generate_series(1, 100) g;
CREATE SCHEMA bench_base;
CREATE TABLE bench_base."user" (LIKE usrmgmt."user" INCLUDING ALL);
CREATE TABLE bench_base.user_auth (LIKE usrmgmt.user_auth INCLUDING ALL);
CREATE TABLE bench_base.online_user (LIKE usrmgmt.online_user INCLUDING ALL);
CREATE TABLE bench_base.user_log (LIKE usrmgmt.user_log INCLUDING ALL);
INSERT INTO bench_base."user" (username) SELECT 'bench' || g FROM generate_series(1, 100) g;
INSERT INTO bench_base.user_auth (user_id) SELECT id FROM bench_base."user";
CREATE FUNCTION bench_base.login_logout(p_username text, p_ip inet, p_agent text)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
    v_name text;
    v_sid bigint;
BEGIN
    SELECT id, username INTO v_id, v_name
      FROM bench_base."user" WHERE lower(username) = lower(p_username) AND is_active;
    INSERT INTO bench_base.online_user (user_id, username, ip_address, user_agent)
        VALUES (v_id, v_name, p_ip, p_agent) RETURNING id INTO v_sid;
    INSERT INTO bench_base.user_log (user_id, username, action, session_id, ip_address, user_agent)
        VALUES (v_id, v_name, 'login', v_sid, p_ip, p_agent);
    UPDATE bench_base.user_auth SET last_login_at = now() WHERE user_id = v_id;
    DELETE FROM bench_base.online_user WHERE id = v_sid;
    INSERT INTO bench_base.user_log (user_id, username, action, session_id, ip_address, user_agent)
        VALUES (v_id, v_name, 'logout', v_sid, p_ip, p_agent);
    RETURN true;
END$$;
CREATE PROCEDURE public.cycles(n integer, baseline boolean) LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..n LOOP
        IF baseline THEN
            PERFORM bench_base.login_logout('bench' || (i % 100 + 1), '192.0.2.1', 'bench');
        ELSE
            PERFORM usrmgmt.logout(usrmgmt.login('bench' || (i % 100 + 1), '192.0.2.1', 'bench'));
        END IF;
        IF i % 1000 = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
END$$;
CREATE FUNCTION public.mem_kb(what text) RETURNS bigint LANGUAGE sql AS $$
    SELECT (regexp_match(pg_read_file('/proc/self/status'), what || ':\s+(\d+) kB'))[1]::bigint
$$;
CREATE TABLE public.mem (phase text, vmrss bigint, rssanon bigint, rssshmem bigint);
CREATE PROCEDURE public.snap(phase text) LANGUAGE sql AS $$
    INSERT INTO public.mem VALUES (phase, mem_kb('VmRSS'), mem_kb('RssAnon'), mem_kb('RssShmem'))
$$;
SQL

psql -X -q -v ON_ERROR_STOP=1 -d "$DB" <<SQL
CALL public.cycles($WARMUP, true);
CALL public.cycles($WARMUP, false);
CALL public.snap('base start');
CALL public.cycles($BASE_CYCLES, true);
CALL public.snap('base end');
CALL public.snap('usrmgmt start');
\timing on
CALL public.cycles($CYCLES, false);
\timing off
CALL public.snap('usrmgmt end');
\pset footer off
SELECT e.phase AS "end", e.vmrss - s.vmrss AS vmrss_growth_kb,
       e.rssanon - s.rssanon AS rssanon_growth_kb,
       e.rssshmem - s.rssshmem AS rssshmem_growth_kb, e.rssanon AS rssanon_kb
  FROM public.mem s JOIN public.mem e
    ON (s.phase, e.phase) IN (('base start', 'base end'), ('usrmgmt start', 'usrmgmt end'))
 ORDER BY 1;
SELECT count(*) AS usrmgmt_log_rows FROM usrmgmt.user_log;
SQL
