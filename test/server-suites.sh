#!/usr/bin/env bash
# test/server-suites.sh [clients]: start a throwaway cluster from
# $PG_CONFIG's binaries and run against it `make installcheck` (the
# pg_regress suites, the isolation specs and the TAP tests, which start
# clusters of their own) or, with "clients", the example applications of
# test/clients (test/clients/run.sh).  Runs as a non-root user (initdb
# refuses root); test/run-all.sh calls it, once for each.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_CONFIG=${PG_CONFIG:-pg_config}
BINDIR=$("$PG_CONFIG" --bindir)
export PATH="$BINDIR:$PATH"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/usrmgmt-cluster.XXXXXX")
cleanup() {
    pg_ctl -D "$TMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

initdb -D "$TMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$TMP/initdb.log"
cat >>"$TMP/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$TMP'
port = 5432
fsync = off
max_connections = 60
max_prepared_transactions = 10
CONF
pg_ctl -D "$TMP/data" -l "$TMP/server.log" -w start >/dev/null

export PGHOST="$TMP" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
status=0
if [ "${1:-}" = clients ]; then
    bash test/clients/run.sh || status=$?
    exit $status
fi
make -s installcheck PG_CONFIG="$PG_CONFIG" || status=$?
if [ $status -ne 0 ]; then
    for f in regression.diffs test/output_iso/regression.diffs; do
        [ -f "$f" ] && { echo "==== $f"; head -c 20000 "$f"; }
    done
    echo "==== server log (tail)"; tail -n 50 "$TMP/server.log"
fi
exit $status
