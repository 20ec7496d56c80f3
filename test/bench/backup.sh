#!/usr/bin/env bash
# test/bench/backup.sh: pg_dump -Fc + pg_restore time of a usrmgmt database
# against the same data in plain tables without the extension, same run.
#
#   PG_CONFIG=/path/to/pg_config bash test/bench/backup.sh [USERS] [LOG_ROWS] [SESSIONS]
#
# Defaults: 1,000,000 users, 5,000,000 log rows, 100,000 open sessions.
# Starts a throwaway cluster of its own (unix socket in a temp dir; run as
# a non-root user), builds two databases with identical data:
#   ext    CREATE EXTENSION usrmgmt (config tables, C check functions,
#          triggers)
#   plain  the same tables, columns, keys, indexes and CHECKs (written as
#          regular expressions) in an ordinary schema, no triggers
# then times, for each: pg_dump -Fc, and pg_restore into a new empty
# database (CREATE EXTENSION, COPY, index builds, foreign-key checks).
# Prints the times and the ratio ext/plain (goal: <= 1.2).  Not run by the
# test suite.  Not a tuned cluster: defaults plus fsync=off.
set -euo pipefail
USERS=${1:-1000000}
LOGS=${2:-5000000}
SESSIONS=${3:-100000}
PG_CONFIG=${PG_CONFIG:-pg_config}
BINDIR=$("$PG_CONFIG" --bindir)
export PATH="$BINDIR:$PATH"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/usrmgmt-bench.XXXXXX")
cleanup() { pg_ctl -D "$TMP/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$TMP"; }
trap cleanup EXIT
initdb -D "$TMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
cat >>"$TMP/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$TMP'
fsync = off
max_wal_size = 4GB
maintenance_work_mem = 256MB
CONF
pg_ctl -D "$TMP/data" -l "$TMP/server.log" -w start >/dev/null
export PGHOST=$TMP PGUSER=postgres PGDATABASE=postgres
PSQL="psql -X -q -v ON_ERROR_STOP=1"

# The plain baseline: same shape as usrmgmt 1.0, no extension.
plain_schema() {
cat <<'SQL'
CREATE SCHEMA usrmgmt;
CREATE TABLE usrmgmt."user" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username text NOT NULL CHECK (username ~ '^[A-Za-z0-9_-]{3,80}$'),
    email text CHECK (email ~ '^[^@]{1,64}@[A-Za-z0-9.-]+$'),
    first_name text CHECK (char_length(first_name) <= 100 AND first_name ~ '[^[:space:]]'),
    last_name text CHECK (char_length(last_name) <= 100 AND last_name ~ '[^[:space:]]'),
    password_hash text CHECK (password_hash ~ '^SCRAM-SHA-256\$[1-9][0-9]{0,9}:[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$'),
    is_admin boolean NOT NULL DEFAULT false,
    is_active boolean NOT NULL DEFAULT true,
    failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz);
CREATE UNIQUE INDEX ON usrmgmt."user" (lower(username));
CREATE UNIQUE INDEX ON usrmgmt."user" (lower(email));
CREATE INDEX ON usrmgmt."user" (created_at);
CREATE INDEX ON usrmgmt."user" (id) WHERE is_admin;
CREATE INDEX ON usrmgmt."user" (id) WHERE NOT is_active;
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
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint REFERENCES usrmgmt."user" (id) ON DELETE SET NULL,
    username text NOT NULL,
    action text NOT NULL CHECK (action = ANY ('{login,logout}')),
    "timestamp" timestamptz NOT NULL DEFAULT now(),
    ip_address inet, session_id bigint, user_agent text, detail text);
CREATE INDEX ON usrmgmt.user_log (username);
CREATE INDEX ON usrmgmt.user_log (user_id);
CREATE INDEX ON usrmgmt.user_log ("timestamp");
CREATE INDEX ON usrmgmt.user_log (action);
CREATE INDEX ON usrmgmt.user_log (ip_address);
CREATE INDEX ON usrmgmt.user_log (session_id);
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

# The same rows in both databases (deterministic).
fill() {
cat <<SQL
INSERT INTO usrmgmt."user" (username, email, first_name, is_admin, is_active, created_at, updated_at)
SELECT 'user_' || g, 'user' || g || '@example.com', 'First' || (g % 1000), g % 1000 = 0, g % 50 <> 0,
       '2024-01-01'::timestamptz + g * interval '10 seconds', '2024-01-01'::timestamptz + g * interval '10 seconds'
  FROM generate_series(1, $USERS) g;
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp", ip_address, session_id, user_agent, detail)
SELECT 1 + (g::bigint * 7919) % $USERS, 'user_' || (1 + (g::bigint * 7919) % $USERS),
       CASE WHEN g % 2 = 0 THEN 'login' ELSE 'logout' END,
       '2024-06-01'::timestamptz + g * interval '1 second',
       ('10.' || (g % 200) || '.' || (g / 200 % 250) || '.' || (g % 250))::inet, g / 2,
       'agent/' || (g % 13), CASE WHEN g % 10 = 1 THEN 'expired' END
  FROM generate_series(1, $LOGS) g;
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

now_ms() { date +%s%3N; }

echo "building: $USERS users, $LOGS log rows, $SESSIONS sessions in each database"
createdb ext; createdb plain
$PSQL -d ext -c 'CREATE EXTENSION usrmgmt'
plain_schema | $PSQL -d plain
fill | $PSQL -d ext
fill | $PSQL -d plain

declare -A DUMP RESTORE SIZE
for db in plain ext; do
    t0=$(now_ms)
    pg_dump -Fc -d "$db" -f "$TMP/$db.dump"
    t1=$(now_ms)
    createdb "r_$db"
    pg_restore --exit-on-error -d "r_$db" "$TMP/$db.dump"
    t2=$(now_ms)
    DUMP[$db]=$((t1 - t0)); RESTORE[$db]=$((t2 - t1))
    SIZE[$db]=$(stat -c %s "$TMP/$db.dump")
    rows=$(psql -X -At -d "r_$db" -c 'SELECT (SELECT count(*) FROM usrmgmt."user") || '"'"' users, '"'"' || (SELECT count(*) FROM usrmgmt.user_log) || '"'"' log rows'"'"'')
    echo "$db: dump ${DUMP[$db]} ms (${SIZE[$db]} bytes), restore ${RESTORE[$db]} ms; restored $rows"
done

# The same ext dump, restored section by section with the data loaded with
# triggers (foreign-key checks) disabled: the recipe of the doc's "Backup and restore for DBAs".
createdb r_ext2
t0=$(now_ms)
pg_restore --exit-on-error --section=pre-data -d r_ext2 "$TMP/ext.dump"
pg_restore --exit-on-error --section=data --disable-triggers -d r_ext2 "$TMP/ext.dump"
pg_restore --exit-on-error --section=post-data -d r_ext2 "$TMP/ext.dump"
t1=$(now_ms)
echo "ext, sections + --disable-triggers: restore $((t1 - t0)) ms"
awk -v rp="${RESTORE[plain]}" -v r2="$((t1 - t0))" 'BEGIN {
    printf "ratio ext (sections, --disable-triggers)/plain: restore %.2f\n", r2/rp }'

total_plain=$((DUMP[plain] + RESTORE[plain]))
total_ext=$((DUMP[ext] + RESTORE[ext]))
awk -v dp="${DUMP[plain]}" -v de="${DUMP[ext]}" -v rp="${RESTORE[plain]}" -v re="${RESTORE[ext]}" \
    -v tp="$total_plain" -v te="$total_ext" 'BEGIN {
    printf "ratio ext/plain: dump %.2f, restore %.2f, dump+restore %.2f (goal <= 1.2)\n", de/dp, re/rp, te/tp }'
