#!/usr/bin/env bash
# test/bench/partitions.sh: what the partitioned user_log of 1.1 costs and
# saves (doc: Performance, "Retention and partitions").
#
#   PG_CONFIG=/path/to/pg_config bash test/bench/partitions.sh [LOG_ROWS] [USERS]
#
# Defaults: 10,000,000 log rows spread evenly over 12 monthly partitions,
# 100,000 users.  Starts a throwaway cluster of its own (run as a non-root
# user), installs usrmgmt (1.1), creates the partitions with maintain(),
# loads the rows, then, ROUNDS times (default 3), interleaved:
#
#   drop    the oldest month leaves the log: maintain() with
#           usrmgmt.log_retention set so that exactly that month is expired
#           retires it (DETACH PARTITION and a rename, nothing left for
#           VACUUM); the time is maintain()'s statement plus its COMMIT,
#           each also printed: what logins could wait for, since both hold
#           ACCESS EXCLUSIVE on the log.  Then, printed apart, the next
#           maintain() (statement plus COMMIT), which frees the retired
#           month (DROP TABLE; its COMMIT truncates the files) holding no
#           lock on the log; beside them a bare DROP TABLE of a copy of the
#           month (the floor: what the file system takes to free it)
#   delete  baseline, same run: the same month's rows in a table of their
#           own with the same indexes, removed by DELETE and then VACUUM
#           (what a plain table pays, now and later)
#
# Goals: drop < 50 ms; delete+vacuum / drop >= 20 (doc: Performance).
# Then, ROUNDS times: DELETE of a user with 200,000 history rows (goal:
# < 50 ms; the log is not touched: no foreign key, history keeps the id).
# Not run by the test suite.  Defaults plus fsync=off.
set -euo pipefail
LOGS=${1:-10000000}
USERS=${2:-100000}
ROUNDS=${ROUNDS:-3}
. "$(dirname "$0")/common.sh"
bench_cluster "max_wal_size = 4GB" "maintenance_work_mem = 256MB" "autovacuum = off"
PSQL="psql -X -q -At -v ON_ERROR_STOP=1"

echo "machine: $(uname -srm), $(nproc) CPU, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); $($PSQL -c 'SELECT version()')"
echo "building: $USERS users, $LOGS log rows over 12 months"
t0=$(now_ms)
$PSQL <<SQL
CREATE EXTENSION usrmgmt;
SELECT usrmgmt.maintain(pg_catalog.date_trunc('month', now()) - interval '11 months') IS NOT NULL;
SET session_replication_role = replica;
INSERT INTO usrmgmt."user" (username, email)
SELECT 'user_' || g, 'user' || g || '@example.com' FROM generate_series(1, $USERS) g;
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp", ip_address, session_id, user_agent)
SELECT 1 + (g::bigint * 7919) % $USERS, 'user_' || (1 + (g::bigint * 7919) % $USERS),
       CASE WHEN g % 2 = 0 THEN 'login' ELSE 'logout' END,
       date_trunc('month', now()) - interval '11 months'
         + (g::float8 / $LOGS) * (date_trunc('month', now()) - (date_trunc('month', now()) - interval '11 months')),
       ('10.' || (g % 200) || '.' || (g / 200 % 250) || '.' || (g % 250))::inet, g / 2,
       'agent/' || (g % 13)
  FROM generate_series(1, $LOGS) g;
VACUUM ANALYZE;
SQL
echo "loaded in $(( ($(now_ms) - t0) / 1000 )) s: $($PSQL -c 'SELECT count(*) FROM usrmgmt.user_log') rows, $($PSQL -c 'SELECT count(*) FROM usrmgmt._log_partitions()') partitions"

# Baseline tables: each of the ROUNDS oldest months copied into a table of
# its own with the partition's indexes (month_N), and once more (floor_N):
# a bare DROP TABLE of that copy is the least any drop of the month costs
# (the files are truncated at COMMIT), measured beside maintain().
for r in $(seq 1 "$ROUNDS"); do
    $PSQL <<SQL
CREATE TABLE public.month_$r (LIKE usrmgmt.user_log_default INCLUDING ALL);
INSERT INTO public.month_$r SELECT * FROM ONLY usrmgmt.user_log_$(date -u -d "$(date -u +%Y-%m-01) -$((12 - r)) months" +%Y_%m);
VACUUM ANALYZE public.month_$r;
CREATE TABLE public.floor_$r (LIKE usrmgmt.user_log_default INCLUDING ALL);
INSERT INTO public.floor_$r SELECT * FROM public.month_$r;
VACUUM ANALYZE public.floor_$r;
SQL
done

declare -a DROP DEL STMT COMMIT FLOOR FREE FSTMT FCOMMIT
for r in $(seq 1 "$ROUNDS"); do
    month_end=$(date -u -d "$(date -u +%Y-%m-01) -$((11 - r)) months" +%Y-%m-%d)
    rows=$($PSQL -c "SELECT count(*) FROM public.month_$r")
    run_drop() {
        $PSQL -c CHECKPOINT
        local t
        # a warm backend, as the background worker's or a cron job's
        # connection after its first run: one maintain() with nothing to
        # drop first, then the timed one that retires the month, its
        # statement and its COMMIT timed apart, then the one that frees it
        # (where the month's files are truncated), the same way
        t=$($PSQL <<SQL | grep '^Time:'
SELECT usrmgmt.maintain() IS NOT NULL;
SET usrmgmt.log_retention = '$(( ( $(date -u +%s) - $(date -u -d "$month_end" +%s) ) / 60 ))min';
BEGIN;
\timing on
SELECT usrmgmt.maintain()->'dropped';
COMMIT;
BEGIN;
SELECT usrmgmt.maintain()->'freed';
COMMIT;
SQL
)
        STMT[$r]=$(echo "$t" | sed -n '1s/^Time: \([0-9.]*\) ms.*/\1/p')
        COMMIT[$r]=$(echo "$t" | sed -n '2s/^Time: \([0-9.]*\) ms.*/\1/p')
        DROP[$r]=$(awk -v a="${STMT[$r]}" -v b="${COMMIT[$r]}" 'BEGIN { printf "%.3f", a + b }')
        FSTMT[$r]=$(echo "$t" | sed -n '3s/^Time: \([0-9.]*\) ms.*/\1/p')
        FCOMMIT[$r]=$(echo "$t" | sed -n '4s/^Time: \([0-9.]*\) ms.*/\1/p')
        FREE[$r]=$(awk -v a="${FSTMT[$r]}" -v b="${FCOMMIT[$r]}" 'BEGIN { printf "%.3f", a + b }')
        [ "$($PSQL -c 'SELECT count(*) FROM usrmgmt._log_retired()')" = 0 ] || { echo "round $r: a retired month was not freed" >&2; exit 1; }
    }
    run_floor() {
        $PSQL -c CHECKPOINT
        local t
        t=$($PSQL <<SQL | grep '^Time:' | sed 's/^Time: \([0-9.]*\) ms.*/\1/' | paste -sd' '
BEGIN;
\timing on
DROP TABLE public.floor_$r;
COMMIT;
SQL
)
        FLOOR[$r]=$(awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%.3f", a[1] + a[2] }')
    }
    run_delete() {
        $PSQL -c CHECKPOINT
        local a b
        a=$(now_ms)
        $PSQL -c "DELETE FROM public.month_$r" -c "VACUUM public.month_$r"
        b=$(now_ms)
        DEL[$r]=$((b - a))
    }
    if [ $((r % 2)) -eq 1 ]; then run_drop; run_floor; run_delete; else run_delete; run_floor; run_drop; fi
    echo "round $r: month of $rows rows: maintain() retiring it ${DROP[$r]} ms (statement ${STMT[$r]} + COMMIT ${COMMIT[$r]}); the next maintain() freeing it ${FREE[$r]} ms (statement ${FSTMT[$r]} + COMMIT ${FCOMMIT[$r]}); a bare DROP TABLE of a copy ${FLOOR[$r]} ms; DELETE + VACUUM ${DEL[$r]} ms"
done
md=$(median "${DROP[@]}"); ml=$(median "${DEL[@]}")
awk -v d="$md" -v l="$ml" 'BEGIN { printf "median: drop (the month leaves the log) %.1f ms (goal < 50), delete+vacuum %.0f ms, ratio %.1f (goal >= 20)\n", d, l, l / d }'
echo "median of the drop's parts: statement $(median "${STMT[@]}") ms, COMMIT $(median "${COMMIT[@]}") ms"
echo "median of the freeing (no lock on the log): $(median "${FREE[@]}") ms (statement $(median "${FSTMT[@]}") ms, COMMIT $(median "${FCOMMIT[@]}") ms); a bare DROP TABLE of a copy of the month $(median "${FLOOR[@]}") ms"

# Deleting a user with 200,000 history rows.
declare -a UDEL
for r in $(seq 1 "$ROUNDS"); do
    $PSQL <<SQL
SET session_replication_role = replica;
INSERT INTO usrmgmt."user" (username) VALUES ('heavy_$r');
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp", session_id)
SELECT (SELECT id FROM usrmgmt."user" WHERE username = 'heavy_$r'), 'heavy_$r',
       CASE WHEN g % 2 = 0 THEN 'login' ELSE 'logout' END,
       now() - interval '300 days' + g * interval '2 minutes', 900000000 + g / 2
  FROM generate_series(1, 200000) g;
SQL
    t=$($PSQL <<SQL | tail -1
\timing on
DELETE FROM usrmgmt."user" WHERE username = 'heavy_$r';
SQL
)
    UDEL[$r]=$(echo "$t" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
    left=$($PSQL -c "SELECT count(*) FROM usrmgmt.user_log WHERE username = 'heavy_$r'")
    echo "round $r: DELETE of a user with 200,000 log rows: ${UDEL[$r]} ms; history rows kept: $left"
done
echo "median: $(median "${UDEL[@]}") ms (goal < 50)"
