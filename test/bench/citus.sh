#!/usr/bin/env bash
# test/bench/citus.sh: the hot path of usrmgmt on Citus against one node on
# the same machine (doc: Scaling out with Citus, "Measured").
#
#   cluster:  a coordinator and two workers (citus in
#             shared_preload_libraries), usrmgmt.distribute(8)
#   one node: plain PostgreSQL, the same settings, no Citus
#
# On each, pgbench with $CLIENTS clients (8) for $SECONDS_PER_RUN seconds
# (60) of test/sql/session_mix.pgbench (login, logout, logout_user,
# touch_session) over 100 users.
# Prints each side's rate and failed transactions and checks, on the
# cluster, that every user's open sessions = its logins - its logouts.
#
# Needs Citus built into the PostgreSQL of $PG_CONFIG (the test
# test/t/140_citus.pl says how); creates its clusters with initdb under a
# temporary directory, so it runs as a non-root user.  Ports 57401-57404.
set -euo pipefail
PG_CONFIG=${PG_CONFIG:-pg_config}
CLIENTS=${CLIENTS:-8}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-60}
BIN=$("$PG_CONFIG" --bindir)
if [ ! -e "$("$PG_CONFIG" --pkglibdir)/citus.so" ]; then
    echo "citus.sh: Citus is not installed in $("$PG_CONFIG" --pkglibdir); nothing to measure" >&2
    exit 1
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/usrmgmt-citus-bench.XXXXXX")
PORTS=(57401 57402 57403 57404)     # coordinator, worker 1, worker 2, one node
cleanup() {
    for p in "${PORTS[@]}"; do
        "$BIN/pg_ctl" -D "$TMP/$p" -m immediate stop >/dev/null 2>&1 || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

psql_at() { local port=$1; shift; "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$TMP" -p "$port" -U postgres -d postgres "$@"; }

for p in "${PORTS[@]}"; do
    "$BIN/initdb" -D "$TMP/$p" -U postgres -A trust --no-sync >/dev/null
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$TMP'"
        echo "port = $p"
        echo "fsync = off"
        echo "max_connections = 100"
        echo "max_prepared_transactions = 100"
        [ "$p" != 57404 ] && echo "shared_preload_libraries = 'citus'" && echo "citus.node_conninfo = 'sslmode=disable'"
    } >>"$TMP/$p/postgresql.conf"
    "$BIN/pg_ctl" -D "$TMP/$p" -l "$TMP/$p.log" -w start >/dev/null
done
for p in 57401 57402 57403; do psql_at $p -c 'CREATE EXTENSION citus'; done
psql_at 57401 -c "SELECT citus_set_coordinator_host('$TMP', 57401)" \
    -c "SELECT citus_add_node('$TMP', 57402)" -c "SELECT citus_add_node('$TMP', 57403)" >/dev/null
psql_at 57401 -c 'CREATE EXTENSION usrmgmt' -c 'SELECT usrmgmt.distribute(8)' >/dev/null
psql_at 57404 -c 'CREATE EXTENSION usrmgmt'
for p in 57401 57404; do
    psql_at $p -c "SELECT usrmgmt.maintain()" \
        -c "INSERT INTO usrmgmt.\"user\" (username) SELECT 'user' || g FROM generate_series(1, 100) g" >/dev/null
done

MIX="$(cd "$(dirname "$0")/.." && pwd)/sql/session_mix.pgbench"

run() {
    local name=$1 port=$2 out
    out=$("$BIN/pgbench" -n -h "$TMP" -p "$port" -U postgres -c "$CLIENTS" -j 2 \
          -T "$SECONDS_PER_RUN" -D first=1 -D last=100 -f "$MIX" postgres 2>&1)
    printf '%-9s %s, %s\n' "$name" \
        "$(sed -n 's/^tps = \([0-9.]*\) .*/\1 transactions\/s/p' <<<"$out")" \
        "$(sed -n 's/^number of failed transactions: \(.*\)/failed: \1/p' <<<"$out")"
}

echo "machine: $(uname -srm), $(nproc) CPU, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
echo "server:  $(psql_at 57404 -c 'SELECT version()'), Citus $(psql_at 57401 -c "SELECT extversion FROM pg_extension WHERE extname = 'citus'")"
echo "load:    $CLIENTS clients, ${SECONDS_PER_RUN} s each, login/logout/logout_user/touch_session over 100 users"
run "one node" 57404
run "cluster" 57401

bad=$(psql_at 57401 -c "
SELECT count(*) FROM
  (SELECT l.user_id, count(*) FILTER (WHERE l.action = 'login')
                     - count(*) FILTER (WHERE l.action = 'logout') AS open
     FROM usrmgmt.user_log l GROUP BY l.user_id) a
  FULL JOIN (SELECT o.user_id, count(*) AS n FROM usrmgmt.online_user o GROUP BY o.user_id) b
  USING (user_id)
 WHERE coalesce(a.open, 0) <> coalesce(b.n, 0)")
echo "cluster: users whose open sessions differ from logins - logouts: $bad"
[ "$bad" = 0 ]
