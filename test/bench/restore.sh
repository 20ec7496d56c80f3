#!/usr/bin/env bash
# test/bench/restore.sh: dump + restore of a usrmgmt 1.1 database against
# the same data in plain tables, in the same run (doc: Performance,
# "Backups"; SPEC "Restore": goal <= 1.2x).
#
#   PG_CONFIG=/path/to/pg_config bash test/bench/restore.sh [USERS] [LOG_ROWS] [SESSIONS]
#
# Defaults: 1,000,000 users, 5,000,000 log rows over 12 monthly partitions,
# 100,000 open sessions.  Starts a throwaway cluster of its own (run as a
# non-root user) and builds two databases with identical rows:
#   ext    CREATE EXTENSION usrmgmt (1.1), maintain() from 11 months ago
#   plain  the same tables, columns, keys, indexes and CHECKs (regular
#          expressions), user_log partitioned the same way with the same
#          partitions and indexes, the foreign keys of the schema's rules
#          declared (online_user, server, configuration -> user), no
#          extension, no trigger
# then ROUNDS times (default 2), interleaved (the order alternates): for
# each database, pg_dump -Fc + pg_restore, and pg_dump -Fd -j 4 +
# pg_restore -j 4, into a new database; prints each time, the medians and
# the ratios ext/plain.  Not run by the test suite.  Defaults plus
# fsync=off.
set -euo pipefail
USERS=${1:-1000000}
LOGS=${2:-5000000}
SESSIONS=${3:-100000}
ROUNDS=${ROUNDS:-2}
. "$(dirname "$0")/common.sh"
bench_cluster "max_wal_size = 4GB" "maintenance_work_mem = 256MB"
PSQL="psql -X -q -v ON_ERROR_STOP=1"

# The plain mirror of the 1.1 schema.
plain_schema() {
cat <<'SQL'
CREATE SCHEMA usrmgmt;
CREATE TABLE usrmgmt."user" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username text NOT NULL CHECK (username ~ '^[A-Za-z0-9_-]{3,80}$'),
    email text CHECK (email ~ '^[^@]{1,64}@[A-Za-z0-9.-]+$'),
    first_name text CHECK (char_length(first_name) <= 100 AND first_name ~ '[^[:space:]]'),
    last_name text CHECK (char_length(last_name) <= 100 AND last_name ~ '[^[:space:]]'),
    is_admin boolean NOT NULL DEFAULT false,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now());
CREATE UNIQUE INDEX ON usrmgmt."user" (lower(username));
CREATE UNIQUE INDEX ON usrmgmt."user" (lower(email));
CREATE INDEX ON usrmgmt."user" (created_at);
CREATE INDEX ON usrmgmt."user" (id) WHERE is_admin;
CREATE INDEX ON usrmgmt."user" (id) WHERE NOT is_active;
CREATE TABLE usrmgmt.user_auth (
    user_id bigint PRIMARY KEY REFERENCES usrmgmt."user" (id) ON DELETE CASCADE,
    password_hash text CHECK (password_hash ~ '^SCRAM-SHA-256\$[1-9][0-9]{0,9}:[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$'),
    failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_at timestamptz, password_changed_at timestamptz, last_login_at timestamptz);
CREATE TABLE usrmgmt.online_user (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES usrmgmt."user" (id) ON DELETE CASCADE,
    username text NOT NULL,
    login_datetime timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    ip_address inet, user_agent text);
CREATE INDEX ON usrmgmt.online_user (username);
CREATE INDEX ON usrmgmt.online_user (user_id);
CREATE INDEX ON usrmgmt.online_user (login_datetime);
CREATE INDEX ON usrmgmt.online_user (last_seen_at);
CREATE TABLE usrmgmt.user_log (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id bigint NOT NULL,
    username text NOT NULL,
    action text NOT NULL CHECK (action = ANY ('{login,logout}')),
    "timestamp" timestamptz NOT NULL DEFAULT now(),
    ip_address inet, session_id bigint, user_agent text, detail text) PARTITION BY RANGE ("timestamp");
CREATE TABLE usrmgmt.user_log_default PARTITION OF usrmgmt.user_log DEFAULT;
ALTER TABLE usrmgmt.user_log_default ADD PRIMARY KEY (user_id, "timestamp", id);
CREATE INDEX ON usrmgmt.user_log_default (username);
CREATE INDEX ON usrmgmt.user_log_default ("timestamp");
CREATE INDEX ON usrmgmt.user_log_default (action);
CREATE INDEX ON usrmgmt.user_log_default (ip_address);
CREATE INDEX ON usrmgmt.user_log_default (session_id);
-- the months maintain() makes in ext
DO $$
DECLARE m timestamptz := date_trunc('month', now()) - interval '11 months';
BEGIN
    WHILE m <= date_trunc('month', now()) + interval '3 months' LOOP
        EXECUTE format('CREATE TABLE usrmgmt.%I (LIKE usrmgmt.user_log_default INCLUDING ALL)',
                       'user_log_' || to_char(m, 'YYYY_MM'));
        EXECUTE format('ALTER TABLE usrmgmt.user_log ATTACH PARTITION usrmgmt.%I FOR VALUES FROM (%L) TO (%L)',
                       'user_log_' || to_char(m, 'YYYY_MM'), m, m + interval '1 month');
        m := m + interval '1 month';
    END LOOP;
END $$;
CREATE TABLE usrmgmt.migration_history (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    migration_name text NOT NULL UNIQUE, kind text NOT NULL DEFAULT 'application',
    checksum text, applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT CURRENT_USER, execution_ms double precision, down_sql text);
CREATE TABLE usrmgmt.server (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    server_name text NOT NULL UNIQUE CHECK (server_name ~ '^[A-Za-z0-9_-]{3,150}$'),
    owner_id bigint NOT NULL REFERENCES usrmgmt."user" (id) ON DELETE RESTRICT,
    port integer NOT NULL DEFAULT 25565 CHECK (port BETWEEN 1024 AND 65535),
    memory_mb integer NOT NULL DEFAULT 1024 CHECK (memory_mb BETWEEN 512 AND 32768),
    status text NOT NULL DEFAULT 'Stopped', game_mode text NOT NULL DEFAULT 'survival',
    difficulty text NOT NULL DEFAULT 'normal',
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX ON usrmgmt.server (port);
CREATE INDEX ON usrmgmt.server (status);
CREATE INDEX ON usrmgmt.server (owner_id);
CREATE INDEX ON usrmgmt.server (memory_mb);
CREATE TABLE usrmgmt.configuration (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key text NOT NULL UNIQUE CHECK (key ~ '^[A-Za-z0-9._-]{1,100}$'),
    value text NOT NULL CHECK (value <> ''),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by bigint REFERENCES usrmgmt."user" (id) ON DELETE SET NULL);
CREATE INDEX ON usrmgmt.configuration (updated_at);
CREATE INDEX ON usrmgmt.configuration (updated_by);
SQL
}

# The same rows in both databases (deterministic), the log over 11 months.
fill() {
cat <<SQL
SET session_replication_role = replica;
INSERT INTO usrmgmt."user" (username, email, first_name, is_admin, is_active, created_at, updated_at)
SELECT 'user_' || g, 'user' || g || '@example.com', 'First' || (g % 1000), g % 1000 = 0, g % 50 <> 0,
       '2024-01-01'::timestamptz + g * interval '10 seconds', '2024-01-01'::timestamptz + g * interval '10 seconds'
  FROM generate_series(1, $USERS) g;
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp", ip_address, session_id, user_agent, detail)
SELECT 1 + (g::bigint * 7919) % $USERS, 'user_' || (1 + (g::bigint * 7919) % $USERS),
       CASE WHEN g % 2 = 0 THEN 'login' ELSE 'logout' END,
       date_trunc('month', now()) - interval '11 months' + (g::float8 / $LOGS) * interval '330 days',
       ('10.' || (g % 200) || '.' || (g / 200 % 250) || '.' || (g % 250))::inet, g / 2,
       'agent/' || (g % 13), CASE WHEN g % 10 = 1 THEN 'expired' END
  FROM generate_series(1, $LOGS) g;
INSERT INTO usrmgmt.user_auth (user_id, failed_logins, last_login_at)
SELECT g, g % 3, '2025-01-01'::timestamptz + g * interval '1 second'
  FROM generate_series(1, $USERS) g WHERE g % 2 = 0;
INSERT INTO usrmgmt.online_user (user_id, username, login_datetime, last_seen_at, ip_address, user_agent)
SELECT g, 'user_' || g, '2025-01-01'::timestamptz + g * interval '1 second',
       '2025-01-01'::timestamptz + g * interval '2 seconds', '192.0.2.1', 'agent/1'
  FROM generate_series(1, $SESSIONS) g;
INSERT INTO usrmgmt.server (server_name, owner_id, port, memory_mb)
SELECT 'server-' || g, g, 1024 + g % 60000, 512 * (1 + g % 8) FROM generate_series(1, 1000) g;
INSERT INTO usrmgmt.configuration (key, value, updated_by)
SELECT 'key.' || g, 'value ' || g, g FROM generate_series(1, 100) g;
VACUUM ANALYZE;
SQL
}

echo "machine: $(uname -srm), $(nproc) CPU, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "building: $USERS users, $LOGS log rows, $SESSIONS sessions in each database"
createdb ext; createdb plain
$PSQL -d ext -c 'CREATE EXTENSION usrmgmt' -c "SELECT usrmgmt.maintain(date_trunc('month', now()) - interval '11 months') IS NOT NULL" >/dev/null
plain_schema | $PSQL -d plain
fill | $PSQL -d ext
fill | $PSQL -d plain

declare -A T
run() {   # db format round
    local db=$1 f=$2 r=$3 t0 t1 t2
    rm -rf "$TMP/d"; dropdb --if-exists "r_$db" >/dev/null 2>&1
    t0=$(now_ms)
    if [ "$f" = c ]; then pg_dump -Fc -d "$db" -f "$TMP/d"; else pg_dump -Fd -j 4 -d "$db" -f "$TMP/d"; fi
    t1=$(now_ms)
    createdb "r_$db"
    if [ "$f" = c ]; then pg_restore --exit-on-error -d "r_$db" "$TMP/d"; else pg_restore --exit-on-error -j 4 -d "r_$db" "$TMP/d"; fi
    t2=$(now_ms)
    T[$db,$f,$r]=$((t2 - t0))
    rows=$(psql -X -At -d "r_$db" -c "SELECT format('%s users, %s log rows, %s sessions', (SELECT count(*) FROM usrmgmt.\"user\"), (SELECT count(*) FROM usrmgmt.user_log), (SELECT count(*) FROM usrmgmt.online_user))")
    echo "round $r $db -F$f: dump $((t1 - t0)) ms, restore $((t2 - t1)) ms, total $((t2 - t0)) ms; $rows"
}
for r in $(seq 1 "$ROUNDS"); do
    for f in c d; do
        if [ $((r % 2)) -eq 1 ]; then run plain "$f" "$r"; run ext "$f" "$r"; else run ext "$f" "$r"; run plain "$f" "$r"; fi
    done
done
for f in c d; do
    p=(); e=()
    for r in $(seq 1 "$ROUNDS"); do p+=("${T[plain,$f,$r]}"); e+=("${T[ext,$f,$r]}"); done
    mp=$(median "${p[@]}"); me=$(median "${e[@]}")
    awk -v f="$f" -v p="$mp" -v e="$me" 'BEGIN { printf "median -F%s dump+restore: plain %.1f s, usrmgmt %.1f s, ratio %.2f (goal <= 1.2)\n", f, p / 1000, e / 1000, e / p }'
done
