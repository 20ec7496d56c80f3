#!/usr/bin/env bash
# test/bench/update_1_1.sh: ALTER EXTENSION usrmgmt UPDATE TO '1.1' on a 1.0
# database with a large log (doc: Performance; SPEC "Update 1.0 -> 1.1":
# goal < 5 s at 10,000,000 log rows).
#
#   PG_CONFIG=/path/to/pg_config bash test/bench/update_1_1.sh [LOG_ROWS] [USERS] [DELETED_ROWS_PER_MILLE]
#
# Defaults: 10,000,000 log rows over a year, 100,000 users, 1 row in 1,000
# the history of a deleted user (user_id NULL in 1.0).  Starts a throwaway
# cluster of its own (run as a non-root user), builds the 1.0 database
# (indexes built after the rows), copies it ROUNDS times (default 2), and
# for each copy times, in one session: a sequential scan of the log
# (SELECT count(*), the baseline: what one pass over the log costs, and it
# warms the cache) and then the update.  The update makes no such pass
# (the CHECK that proves the partition bound and user_id NOT NULL is proven
# through the log's indexes, src/update_log_bound.c): its cost is the
# rewrite of the deleted users' rows (NULL -> 0) and 1.1's other changes,
# so it should not grow with LOG_ROWS at the same number of deleted users'
# rows (e.g. 1000000 100000 10 against the defaults).  Not run by the test
# suite.
set -euo pipefail
LOGS=${1:-10000000}
USERS=${2:-100000}
PERMILLE=${3:-1}
ROUNDS=${ROUNDS:-2}
. "$(dirname "$0")/common.sh"
bench_cluster "max_wal_size = 4GB" "maintenance_work_mem = 256MB" "autovacuum = off"
PSQL="psql -X -q -At -v ON_ERROR_STOP=1"

echo "machine: $(uname -srm), $(nproc) CPU, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "building 1.0: $USERS users, $LOGS log rows ($PERMILLE per mille of deleted users' history)"
createdb v10
$PSQL -d v10 <<SQL
CREATE EXTENSION usrmgmt VERSION '1.0';
SET session_replication_role = replica;
INSERT INTO usrmgmt."user" (username) SELECT 'user_' || g FROM generate_series(1, $USERS) g;
DROP INDEX usrmgmt.user_log_username_idx, usrmgmt.user_log_user_id_idx, usrmgmt.user_log_timestamp_idx,
           usrmgmt.user_log_action_idx, usrmgmt.user_log_ip_address_idx, usrmgmt.user_log_session_id_idx;
ALTER TABLE usrmgmt.user_log DROP CONSTRAINT user_log_pkey;
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp", ip_address, session_id, user_agent, detail)
SELECT CASE WHEN g % 1000 < $PERMILLE THEN NULL ELSE 1 + (g::bigint * 7919) % $USERS END,
       'user_' || (1 + (g::bigint * 7919) % $USERS),
       CASE WHEN g % 2 = 0 THEN 'login' ELSE 'logout' END,
       now() - interval '365 days' + (g::float8 / $LOGS) * interval '364 days',
       ('10.' || (g % 200) || '.' || (g / 200 % 250) || '.' || (g % 250))::inet, g / 2,
       'Mozilla/5.0 agent/' || (g % 13), CASE WHEN g % 10 = 1 THEN 'expired' END
  FROM generate_series(1, $LOGS) g;
ALTER TABLE usrmgmt.user_log ADD CONSTRAINT user_log_pkey PRIMARY KEY (id);
CREATE INDEX user_log_username_idx ON usrmgmt.user_log (username);
CREATE INDEX user_log_user_id_idx ON usrmgmt.user_log (user_id);
CREATE INDEX user_log_timestamp_idx ON usrmgmt.user_log ("timestamp");
CREATE INDEX user_log_action_idx ON usrmgmt.user_log (action);
CREATE INDEX user_log_ip_address_idx ON usrmgmt.user_log (ip_address);
CREATE INDEX user_log_session_id_idx ON usrmgmt.user_log (session_id);
VACUUM ANALYZE;
SQL
echo "log: $($PSQL -d v10 -c "SELECT pg_size_pretty(pg_total_relation_size('usrmgmt.user_log'))")," \
     "$($PSQL -d v10 -c 'SELECT count(*) FROM usrmgmt.user_log WHERE user_id IS NULL') rows with user_id NULL"

declare -a SCAN UPD
for r in $(seq 1 "$ROUNDS"); do
    createdb -T v10 "v10_$r"
    out=$($PSQL -d "v10_$r" <<'SQL'
\timing on
SELECT count(*) FROM usrmgmt.user_log;
ALTER EXTENSION usrmgmt UPDATE TO '1.1';
SQL
)
    SCAN[$r]=$(echo "$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sed -n 1p)
    UPD[$r]=$(echo "$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sed -n 2p)
    parts=$($PSQL -d "v10_$r" -c "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'usrmgmt.user_log'::regclass")
    echo "round $r: one scan of the log ${SCAN[$r]} ms; ALTER EXTENSION UPDATE ${UPD[$r]} ms; partitions: $parts"
    dropdb "v10_$r"
done
awk -v s="$(median "${SCAN[@]}")" -v u="$(median "${UPD[@]}")" 'BEGIN {
    printf "median: update %.0f ms (goal < 5000), one scan of the log %.0f ms (update / scan %.2f)\n", u, s, u / s }'
