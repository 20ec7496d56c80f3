#!/usr/bin/env bash
# test/valgrind-check.sh: the pg_regress suites against a server running
# under valgrind memcheck (`make valgrind-check`, doc/usrmgmt.md, "Security").
#
# Starts a throwaway cluster from $PG_CONFIG's binaries with the postmaster
# (and so every backend it forks) under memcheck, runs `make installcheck`
# without the isolation and TAP parts, stops the server, then reads the
# valgrind logs: every error whose stack has a frame in usrmgmt's code
# (a source file under this tree's src/, usrmgmt.so, or a usrmgmt_/um_
# function) fails the check; errors elsewhere (PostgreSQL itself, libc)
# are counted and listed but do not fail it.  Suppressions: test/valgrind.supp.
#
# Limits (see doc/usrmgmt.md, "Security"): Debian's PostgreSQL is not built with
# USE_VALGRIND, so memcheck cannot see palloc chunk boundaries inside a
# memory context's blocks: it finds reads of uninitialised memory, invalid
# reads and writes outside malloc'd/mapped memory, and bad syscall buffers,
# but not an overrun from one palloc chunk into the next, nor a use after
# pfree within a live context.  Leak checking is off: PostgreSQL frees by
# context, not by pointer, and backends exit without freeing.
#
# As root, re-runs itself as the unprivileged test user in a copy of the
# tree (initdb refuses root).  Environment: PG_CONFIG, VALGRIND_TIMEOUT
# (seconds to wait for the server to start, default 300), USRMGMT_TEST_USER.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

if [ "$(id -u)" -eq 0 ]; then
    TESTUSER=${USRMGMT_TEST_USER:-usrmgmt_test}
    id "$TESTUSER" >/dev/null 2>&1 || useradd --system --shell /bin/bash --home-dir /nonexistent "$TESTUSER"
    copy=$(mktemp -d /tmp/usrmgmt-valgrind.XXXXXX)
    tar --exclude=.git --exclude='*.o' --exclude='*.bc' -cf - . | tar -xf - -C "$copy"
    chown -R "$TESTUSER" "$copy"
    runuser -u "$TESTUSER" -- env -i PATH=/usr/local/bin:/usr/bin:/bin \
        PG_CONFIG="$PG_CONFIG" TMPDIR=/tmp LANG=C.UTF-8 \
        VALGRIND_TIMEOUT="${VALGRIND_TIMEOUT:-300}" \
        USRMGMT_SOURCE_TREE="$ROOT" \
        bash "$copy/test/valgrind-check.sh"
    rc=$?
    # keep the valgrind logs in this tree (test/valgrind), drop the copy
    rm -rf "$ROOT/test/valgrind"
    cp -r "$copy/test/valgrind" "$ROOT/test/valgrind" 2>/dev/null
    [ $rc -eq 0 ] && rm -rf "$copy" || echo "valgrind-check: results kept in $copy"
    echo "valgrind-check: logs in $ROOT/test/valgrind"
    exit $rc
fi

command -v valgrind >/dev/null || { echo "valgrind-check: valgrind is not installed" >&2; exit 1; }
BINDIR=$("$PG_CONFIG" --bindir)
export PATH="$BINDIR:$PATH"
# The source tree the installed usrmgmt.so was built from (its debug info
# names files there); when run directly, this tree.
SRCTREE=${USRMGMT_SOURCE_TREE:-$ROOT}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/usrmgmt-vg.XXXXXX")
LOGDIR=$ROOT/test/valgrind
rm -rf "$LOGDIR"; mkdir -p "$LOGDIR"
cleanup() {
    pg_ctl -D "$TMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

initdb -D "$TMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$TMP/initdb.log" || exit 1
# Few processes, no background work that is not the suites' own.
cat >>"$TMP/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$TMP'
port = 5432
fsync = off
max_connections = 20
shared_buffers = 32MB
autovacuum = off
max_worker_processes = 4
max_parallel_workers_per_gather = 0
jit = off
CONF

echo "valgrind-check: starting the server under valgrind (slow)"
valgrind --quiet --tool=memcheck --trace-children=yes \
    --leak-check=no --track-origins=yes --read-var-info=no \
    --num-callers=40 --fullpath-after= \
    --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END \
    --suppressions="$ROOT/test/valgrind.supp" --gen-suppressions=all \
    --log-file="$LOGDIR/%p.log" \
    postgres -D "$TMP/data" >"$TMP/server.log" 2>&1 &
waited=0
until pg_isready -h "$TMP" -p 5432 -q; do
    sleep 2; waited=$((waited + 2))
    if [ $waited -ge "${VALGRIND_TIMEOUT:-300}" ]; then
        echo "valgrind-check: the server did not start"; tail -n 30 "$TMP/server.log"; exit 1
    fi
done

export PGHOST="$TMP" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
status=0
make -s installcheck PG_CONFIG="$PG_CONFIG" ISOLATION= TAP_TESTS= || status=$?
[ $status -ne 0 ] && [ -f regression.diffs ] && head -c 20000 regression.diffs
pg_ctl -D "$TMP/data" -m fast -w -t 300 stop >/dev/null || true
wait

# Split the logs into error blocks and sort them: ours or not.
ours=0
others=0
for log in "$LOGDIR"/*.log; do
    [ -s "$log" ] || continue
    awk -v src="$SRCTREE/src/" -v ourfile="$LOGDIR/ours.txt" -v otherfile="$LOGDIR/others.txt" '
        /VALGRINDERROR-BEGIN/ { inblock = 1; block = ""; mine = 0; next }
        /VALGRINDERROR-END/ {
            inblock = 0
            if (mine) print "#### " FILENAME "\n" block >> ourfile
            else print "#### " FILENAME "\n" block >> otherfile
            next
        }
        inblock {
            block = block $0 "\n"
            if (index($0, src) || $0 ~ /usrmgmt\.so/ || $0 ~ /: (usrmgmt_|um_)[A-Za-z0-9_]* \(/)
                mine = 1
        }' "$log"
done
[ -f "$LOGDIR/ours.txt" ] && ours=$(grep -c '^#### ' "$LOGDIR/ours.txt")
[ -f "$LOGDIR/others.txt" ] && others=$(grep -c '^#### ' "$LOGDIR/others.txt")

echo "valgrind-check: $ours error(s) in usrmgmt code, $others elsewhere (logs in $LOGDIR)"
if [ "$others" -gt 0 ]; then
    echo "valgrind-check: errors outside usrmgmt (first lines):"
    awk '/^#### /{getline; sub(/^==[0-9]*== /, ""); print}' "$LOGDIR/others.txt" | sort | uniq -c
fi
if [ "$ours" -gt 0 ]; then
    cat "$LOGDIR/ours.txt"
    status=1
fi
exit $status
