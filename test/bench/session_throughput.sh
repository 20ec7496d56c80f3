#!/usr/bin/env bash
# test/bench/session_throughput.sh: login + logout throughput of usrmgmt
# 1.1 against the same writes done directly in SQL on mirrors of the 1.1
# tables, interleaved in one run (doc: Performance, "Sessions and
# passwords").
#
#   usrmgmt:  one transaction = SELECT usrmgmt.logout(usrmgmt.login(...))
#             (C functions, C triggers, the change audit of user_auth, the
#             reference triggers, the append-only guard)
#   baseline: one transaction = SELECT bench_base.logout(bench_base.login(...)),
#             two PL/pgSQL functions (cached plans) doing login()'s and
#             logout()'s writes on mirrors of "user", user_auth,
#             online_user and the partitioned user_log (same columns,
#             defaults, identities, CHECKs, indexes and partitions, each
#             partition with its indexes; no trigger): login reads the user
#             by usrmgmt.ascii_lower(username) and locks it FOR SHARE,
#             stamps user_auth.last_login_at, inserts the session and its
#             'login' row; logout deletes the session under a FOR KEY SHARE
#             lock of its user, as logout() does, and inserts the 'logout'
#             row.
#
# pgbench, $CLIENTS clients over 100 users who have all logged in once
# (the steady state: a login updates its user_auth row), $ROUNDS rounds of
# $SECONDS_PER_RUN s, the order alternating from round to round; prints
# each round's rates and ratio, the medians, and the median of the
# backend CPU time per cycle ($CYCLES cycles of one transaction each in
# one session, read from /proc/<pid>/stat: less disturbed by a loaded
# machine than the rate).
#
# Then, unless LOG_ROWS=0, both logs get $LOG_ROWS rows (default
# 2,000,000; the issue's figure is 10,000,000) spread over the last 12
# months (usrmgmt.maintain() makes the monthly partitions, the mirror gets
# the same ones), VACUUM ANALYZE, and the same rounds run again: usrmgmt
# at a large log against usrmgmt at an empty one (goal >= 0.95) and
# against the baseline at the same size.
#
# Goal (issue 12): usrmgmt/baseline >= 0.95.  Connection from the PG*
# variables (a superuser); creates and drops the database
# usrmgmt_bench_sess.  Not run by the test suite.
set -euo pipefail
CLIENTS=${CLIENTS:-4}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-6}
ROUNDS=${ROUNDS:-6}
CYCLES=${CYCLES:-4000}
LOG_ROWS=${LOG_ROWS:-2000000}
DB=usrmgmt_bench_sess
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
PSQL="psql -X -q -At -v ON_ERROR_STOP=1 -d $DB"
. "$(dirname "$0")/common.sh"      # median, bench_cpu_per_cycle

echo "machine: $(uname -srm), $(nproc) CPU, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

dropdb --if-exists "$DB" >/dev/null 2>&1 || true
createdb "$DB"
$PSQL >/dev/null <<'SQL'
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
SQL

cat >"$TMP/ext.sql" <<'EOF2'
\set u random(1, 100)
SELECT usrmgmt.logout(usrmgmt.login('bench' || :u, '192.0.2.1', 'bench'));
EOF2
cat >"$TMP/base.sql" <<'EOF2'
\set u random(1, 100)
SELECT bench_base.logout(bench_base.login('bench' || :u, '192.0.2.1', 'bench'));
EOF2

run() {
    pgbench -n -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -f "$1" "$DB" 2>/dev/null |
        sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}
# backend CPU (µs) per cycle of schema $1's login and logout in one session
cpu_us() {
    bench_cpu_per_cycle "$DB" "PERFORM $1.logout($1.login('bench' || (g % 100 + 1), '192.0.2.1', 'bench'))" "$CYCLES"
}

# One phase ($1, a label): ROUNDS interleaved rate rounds, then ROUNDS
# interleaved CPU rounds.  Sets EXT_TPS, BASE_TPS, EXT_CPU, BASE_CPU
# (medians).
phase() {
    local e b r ratios=() es=() bs=() ec=() bc=() x y
    pgbench -n -c "$CLIENTS" -j 2 -T 2 -f "$TMP/ext.sql" "$DB" >/dev/null 2>&1
    pgbench -n -c "$CLIENTS" -j 2 -T 2 -f "$TMP/base.sql" "$DB" >/dev/null 2>&1
    for r in $(seq 1 "$ROUNDS"); do
        if [ $((r % 2)) -eq 1 ]; then e=$(run "$TMP/ext.sql"); b=$(run "$TMP/base.sql")
        else b=$(run "$TMP/base.sql"); e=$(run "$TMP/ext.sql"); fi
        es+=("$e"); bs+=("$b")
        ratios+=("$(awk -v e="$e" -v b="$b" 'BEGIN { printf "%.3f", e / b }')")
        printf '%s round %d: usrmgmt %8.1f tps  baseline %8.1f tps  ratio %s  (load %s)\n' \
            "$1" "$r" "$e" "$b" "${ratios[-1]}" "$(cut -d' ' -f1 /proc/loadavg)"
    done
    for r in $(seq 1 "$ROUNDS"); do
        if [ $((r % 2)) -eq 1 ]; then x=$(cpu_us usrmgmt); y=$(cpu_us bench_base)
        else y=$(cpu_us bench_base); x=$(cpu_us usrmgmt); fi
        ec+=("$x"); bc+=("$y")
        printf '%s cpu round %d: usrmgmt %s us/cycle  baseline %s us/cycle\n' "$1" "$r" "$x" "$y"
    done
    EXT_TPS=$(median "${es[@]}"); BASE_TPS=$(median "${bs[@]}")
    EXT_CPU=$(median "${ec[@]}"); BASE_CPU=$(median "${bc[@]}")
    printf '%s median: usrmgmt %.1f tps  baseline %.1f tps  ratio of medians %.3f  median ratio %s (goal >= 0.95)\n' \
        "$1" "$EXT_TPS" "$BASE_TPS" "$(awk -v e="$EXT_TPS" -v b="$BASE_TPS" 'BEGIN { print e / b }')" "$(median "${ratios[@]}")"
    printf '%s median backend CPU per login+logout: usrmgmt %s us  baseline %s us  baseline/usrmgmt %.3f\n' \
        "$1" "$EXT_CPU" "$BASE_CPU" "$(awk -v e="$EXT_CPU" -v b="$BASE_CPU" 'BEGIN { print b / e }')"
}

phase empty
[ "$LOG_ROWS" -gt 0 ] || exit 0
EMPTY_TPS=$EXT_TPS
EMPTY_CPU=$EXT_CPU
EMPTY_BASE_TPS=$BASE_TPS

t0=$(date +%s)
for s in usrmgmt bench_base; do
    $PSQL <<SQL
SET session_replication_role = replica;
INSERT INTO $s.user_log (user_id, username, action, "timestamp", ip_address, session_id, user_agent)
SELECT 1 + (g::bigint * 7919) % 100000, 'user_' || (1 + (g::bigint * 7919) % 100000),
       CASE WHEN g % 2 = 0 THEN 'login' ELSE 'logout' END,
       date_trunc('month', now()) - interval '11 months'
         + (g::float8 / $LOG_ROWS) * (now() - interval '1 minute' - (date_trunc('month', now()) - interval '11 months')),
       ('10.' || (g % 200) || '.' || (g / 200 % 250) || '.' || (g % 250))::inet, g / 2,
       'agent/' || (g % 13)
  FROM generate_series(1, $LOG_ROWS) g;
SQL
done
$PSQL -c 'VACUUM ANALYZE' -c 'CHECKPOINT'
echo "loaded $LOG_ROWS log rows into each log in $(( $(date +%s) - t0 )) s; usrmgmt.user_log: $($PSQL -c 'SELECT count(*) FROM usrmgmt.user_log') rows in $($PSQL -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'usrmgmt.user_log'::regclass") partitions, $($PSQL -c "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'usrmgmt.user_log'::regclass")"

phase "$LOG_ROWS-rows"
awk -v l="$EXT_TPS" -v e="$EMPTY_TPS" -v lb="$BASE_TPS" -v eb="$EMPTY_BASE_TPS" -v lc="$EXT_CPU" -v ec="$EMPTY_CPU" -v n="$LOG_ROWS" 'BEGIN {
    printf "usrmgmt at %d log rows / empty log: rate %.3f (goal >= 0.95; baseline %.3f), CPU per cycle empty/loaded %.3f\n",
        n, l / e, lb / eb, ec / lc }'
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
