#!/usr/bin/env bash
# test/bench/integrity_health.sh: benchmarks of SPEC "Integrity, schema drift, health" (doc/usrmgmt.md "Performance",
# "Integrity and health").  Starts a throwaway cluster from $PG_CONFIG's
# binaries (run it as a non-root user), then in the same run:
#   1. health() latency (pgbench, -t HEALTH_CALLS) in an empty schema and
#      with SCALE x (1,000,000 users, 5,000,000 log rows); goal <= 2x, < 10 ms;
#   2. validate_data_integrity() against its checks run by hand as plain
#      SQL (same data); goal <= 1.3x;
#   3. validate_data_integrity() at SCALE and at SCALE2 (linear growth).
# Usage: PG_CONFIG=... [HEALTH_ONLY=1] [MONTHS=12] [HEALTH_ROUNDS=3] \
#            bash test/bench/integrity_health.sh [SCALE [SCALE2]]
# (SCALE2 may be smaller than SCALE: 1 and 0.25 also give a 4x data ratio.)
# MONTHS (default 1): the loaded log's rows are spread over the last MONTHS
# months, each a partition maintain() made (as a year of production has
# them: what health() sizes grows with the partitions, not the rows); the
# empty schema keeps one maintain()'s partitions.  HEALTH_ROUNDS (default
# 1): rounds of step 1, empty and loaded alternating, each also with the
# backend's CPU time per call (bench_cpu_per_cycle of common.sh, 300
# calls), which a loaded machine disturbs less than the wall time.
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE=${1:-1}
SCALE2=${2:-4}
HEALTH_CALLS=${HEALTH_CALLS:-500}
MONTHS=${MONTHS:-1}
HEALTH_ROUNDS=${HEALTH_ROUNDS:-1}
. test/bench/common.sh          # bench_cpu_per_cycle, median
PG_CONFIG=${PG_CONFIG:-pg_config}
BINDIR=$("$PG_CONFIG" --bindir)
export PATH="$BINDIR:$PATH"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/usrmgmt-bench-health.XXXXXX")
cleanup() {
    pg_ctl -D "$TMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
initdb -D "$TMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
cat >>"$TMP/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$TMP'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
maintenance_work_mem = 256MB
work_mem = 64MB
max_wal_size = 8GB
autovacuum = off
CONF
pg_ctl -D "$TMP/data" -l "$TMP/server.log" -w start >/dev/null
export PGHOST="$TMP" PGUSER=postgres
PSQL="psql -X -q -v ON_ERROR_STOP=1"

ms_now() { date +%s%N | cut -c1-13; }

# Consistent data: N users; 2.5N closed sessions (login + logout rows,
# 5N log rows); N/50 open sessions with their login rows.
load() {
    local db=$1 scale=$2
    $PSQL -d "$db" <<SQL
SELECT usrmgmt.maintain(date_trunc('month', now()) - ($MONTHS - 1) * interval '1 month') IS NOT NULL AS maintained;
SET session_replication_role = replica;
SELECT ($scale * 1000000)::bigint AS n \gset
INSERT INTO usrmgmt."user" (username, email, first_name)
SELECT 'user' || i, 'user' || i || '@example.com', 'First' FROM generate_series(1, :n) i;
-- a session's two rows in one month; the sessions spread over the months
-- from date_trunc('month', now()) - (MONTHS - 1) months to yesterday
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp", session_id)
SELECT s % :n + 1, 'user' || (s % :n + 1), a,
       now() - interval '1 day'
             - (s % $MONTHS) * ((now() - interval '1 day' - (date_trunc('month', now()) - ($MONTHS - 1) * interval '1 month')) / $MONTHS),
       s
  FROM generate_series(1, (:n * 5 / 2)::bigint) s, (VALUES ('login'), ('logout')) v(a);
INSERT INTO usrmgmt.online_user (id, user_id, username) OVERRIDING SYSTEM VALUE
SELECT (:n * 5 / 2) + i, i, 'user' || i FROM generate_series(1, :n / 50) i;
INSERT INTO usrmgmt.user_log (user_id, username, action, session_id)
SELECT i, 'user' || i, 'login', (:n * 5 / 2) + i FROM generate_series(1, :n / 50) i;
INSERT INTO usrmgmt.server (server_name, owner_id, port)
SELECT 'server' || i, i, 1024 + i FROM generate_series(1, 10000) i;
INSERT INTO usrmgmt.configuration (key, value, updated_by)
SELECT 'key.' || i, 'value', i FROM generate_series(1, 1000) i;
RESET session_replication_role;
VACUUM ANALYZE;
SQL
}

# health() latency in ms, averaged over HEALTH_CALLS calls by pgbench on
# one connection (a monitor's pooled connection: the schema verdict is
# cached after the first call).
health_ms() {
    echo 'SELECT usrmgmt.health();' >"$TMP/health.sql"
    pgbench -n -t "$HEALTH_CALLS" -f "$TMP/health.sql" -d "$1" 2>/dev/null |
        sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p'
}
# The first call in a fresh backend (the CLI's case): one new connection
# per call, minus the same for SELECT 1.
health_cold_ms() {
    echo 'SELECT usrmgmt.health();' >"$TMP/health.sql"
    echo 'SELECT 1;' >"$TMP/one.sql"
    local a b
    a=$(pgbench -n -C -t 50 -f "$TMP/health.sql" -d "$1" 2>/dev/null |
        sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p')
    b=$(pgbench -n -C -t 50 -f "$TMP/one.sql" -d "$1" 2>/dev/null |
        sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p')
    echo "scale=1; $a - $b" | bc
}

# The checks of validate_data_integrity(), written by hand as plain SQL.
hand_checks() {
    $PSQL -d "$1" -At <<'SQL' >"$TMP/hand.sql"
SELECT format('SELECT t.id FROM usrmgmt.%I t WHERE %s;', table_name,
              string_agg(format('(%s) IS FALSE', check_expr), ' OR '))
  FROM usrmgmt.schema_manifest
 WHERE object_type = 'constraint' AND check_expr IS NOT NULL
 GROUP BY table_name;
SQL
    cat >>"$TMP/hand.sql" <<'SQL'
SELECT o.id FROM usrmgmt.online_user o WHERE NOT EXISTS (SELECT 1 FROM usrmgmt."user" u WHERE u.id = o.user_id);
SELECT l.id FROM usrmgmt.user_log l WHERE l.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM usrmgmt."user" u WHERE u.id = l.user_id);
SELECT s.id FROM usrmgmt.server s WHERE NOT EXISTS (SELECT 1 FROM usrmgmt."user" u WHERE u.id = s.owner_id);
SELECT c.id FROM usrmgmt.configuration c WHERE c.updated_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM usrmgmt."user" u WHERE u.id = c.updated_by);
SELECT o.id FROM usrmgmt.online_user o JOIN usrmgmt."user" u ON u.id = o.user_id WHERE o.username <> u.username;
SELECT o.id FROM usrmgmt.online_user o JOIN usrmgmt."user" u ON u.id = o.user_id WHERE NOT u.is_active;
SELECT o.id FROM usrmgmt.online_user o WHERE NOT EXISTS (SELECT 1 FROM usrmgmt.user_log l WHERE l.session_id = o.id AND l.action = 'login');
SELECT o.id FROM usrmgmt.online_user o JOIN usrmgmt.user_log l ON l.session_id = o.id AND l.action = 'logout';
SELECT l.id FROM (SELECT session_id, min(id) AS first_id FROM usrmgmt.user_log WHERE action = 'logout' AND session_id IS NOT NULL GROUP BY session_id HAVING count(*) > 1) d JOIN usrmgmt.user_log l ON l.session_id = d.session_id AND l.action = 'logout' AND l.id <> d.first_id;
SELECT l.id FROM usrmgmt.user_log l WHERE l.action = 'login' AND l.session_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM usrmgmt.online_user o WHERE o.id = l.session_id) AND NOT EXISTS (SELECT 1 FROM usrmgmt.user_log x WHERE x.session_id = l.session_id AND x.action = 'logout');
SELECT l.id FROM usrmgmt.user_log l WHERE l.action = 'logout' AND l.session_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM usrmgmt.online_user o WHERE o.id = l.session_id) AND NOT EXISTS (SELECT 1 FROM usrmgmt.user_log x WHERE x.session_id = l.session_id AND x.action = 'login');
SQL
}

timed() {                       # timed DB FILE-or-SQL: wall-clock ms
    local t0 t1
    t0=$(ms_now)
    if [ -f "$2" ]; then $PSQL -d "$1" -f "$2" >/dev/null; else $PSQL -d "$1" -c "$2" >/dev/null; fi
    t1=$(ms_now)
    echo $((t1 - t0))
}

for db in bench_empty bench_data bench_data2; do
    createdb "$db"
    $PSQL -d "$db" -c 'CREATE EXTENSION usrmgmt'
done

echo "loading scale $SCALE ..."
t0=$(ms_now); load bench_data "$SCALE"; echo "  loaded in $(( $(ms_now) - t0 )) ms"
$PSQL -d bench_data -At -c "SELECT 'users ' || count(*) FROM usrmgmt.\"user\"" \
    -c "SELECT 'log rows ' || count(*) FROM usrmgmt.user_log" \
    -c "SELECT 'open sessions ' || count(*) FROM usrmgmt.online_user"
$PSQL -d bench_data -At -c "SELECT 'findings on clean data: ' || count(*) FROM usrmgmt.validate_data_integrity()"

$PSQL -d bench_data -At -c "SELECT 'partitions of user_log: ' || count(*) FROM pg_catalog.pg_inherits WHERE inhparent = 'usrmgmt.user_log'::regclass"

# 1. health() latency, empty vs loaded, same run (warm both first);
#    rounds alternate the order.
health_ms bench_empty >/dev/null; health_ms bench_data >/dev/null
HE=(); HD=(); CE=(); CD=()
for r in $(seq 1 "$HEALTH_ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then
        he=$(health_ms bench_empty); hd=$(health_ms bench_data)
    else
        hd=$(health_ms bench_data); he=$(health_ms bench_empty)
    fi
    HE+=("$he"); HD+=("$hd")
    CE+=("$(bench_cpu_per_cycle bench_empty 'PERFORM usrmgmt.health()' 300)")
    CD+=("$(bench_cpu_per_cycle bench_data 'PERFORM usrmgmt.health()' 300)")
    echo "health() round $r: empty schema ${he} ms (CPU ${CE[-1]} us), scale $SCALE ${hd} ms (CPU ${CD[-1]} us), ratio $(echo "scale=2; $hd / $he" | bc)  ($(cut -d' ' -f1-3 /proc/loadavg))"
done
he=$(median "${HE[@]}"); hd=$(median "${HD[@]}")
echo "health(): empty schema ${he} ms, scale $SCALE ${hd} ms, ratio $(echo "scale=2; $hd / $he" | bc) (medians); backend CPU per call $(median "${CE[@]}") us empty, $(median "${CD[@]}") us loaded"
ce=$(health_cold_ms bench_empty); cd_=$(health_cold_ms bench_data)
echo "health() first call in a new backend: empty ${ce} ms, scale $SCALE ${cd_} ms"
echo 'SELECT 1;' >"$TMP/one.sql"
s1=$(pgbench -n -t "$HEALTH_CALLS" -f "$TMP/one.sql" -d bench_data 2>/dev/null |
    sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p')
echo "machine load: SELECT 1 round trip ${s1} ms; $(uptime | sed 's/.*load/load/')"

[ "${HEALTH_ONLY:-0}" = 1 ] && exit 0

# 2. validate_data_integrity() vs the same checks as plain SQL (warm, then
#    best of two each).
hand_checks bench_data
timed bench_data "$TMP/hand.sql" >/dev/null
f1=$(timed bench_data 'SELECT count(*) FROM usrmgmt.validate_data_integrity()')
h1=$(timed bench_data "$TMP/hand.sql")
f2=$(timed bench_data 'SELECT count(*) FROM usrmgmt.validate_data_integrity()')
h2=$(timed bench_data "$TMP/hand.sql")
f=$(( f1 < f2 ? f1 : f2 )); h=$(( h1 < h2 ? h1 : h2 ))
echo "validate_data_integrity(): ${f} ms, by hand ${h} ms, ratio $(echo "scale=2; $f / $h" | bc)"

# 3. Linearity: the same at SCALE2.
$PSQL -d bench_data -c 'SELECT 1' >/dev/null
dropdb bench_data
echo "loading scale $SCALE2 ..."
t0=$(ms_now); load bench_data2 "$SCALE2"; echo "  loaded in $(( $(ms_now) - t0 )) ms"
timed bench_data2 'SELECT count(*) FROM usrmgmt.validate_data_integrity()' >/dev/null
g=$(timed bench_data2 'SELECT count(*) FROM usrmgmt.validate_data_integrity()')
hd2=$(health_ms bench_data2)
echo "validate_data_integrity(): scale $SCALE ${f} ms, scale $SCALE2 ${g} ms, time ratio $(echo "scale=2; $g / $f" | bc) for data ratio $(echo "scale=2; $SCALE2 / $SCALE" | bc)"
echo "health(): scale $SCALE2 ${hd2} ms"
