#!/usr/bin/env bash
# test/bench/session_instructions.sh: the CPU instructions one login +
# logout costs in usrmgmt 1.1 against the same writes on the mirrors of
# its tables (test/bench/session_setup.sql), counted by valgrind's
# callgrind (doc: Performance, "Login and logout on the 1.1 tables").
#
# The rate that session_throughput.sh measures depends on what else runs
# on the machine: on a shared 2-CPU host its rounds scatter by more than
# the goal's 5 %.  The instructions a backend executes for a cycle do not:
# this script counts them, so that the cost of usrmgmt's own work (the
# triggers, the switch to the functions' owner, the change audit) can be read
# exactly.  It is the same work as one transaction of session_throughput.sh
# (a plpgsql loop of login() + logout() with a COMMIT per cycle, as its CPU
# rounds run), in a single-user backend (postgres --single) under
# callgrind, collecting only inside the loop (--toggle-collect on
# plpgsql_inline_handler): instructions per cycle = instructions / CYCLES.
# Rounds alternate the order; callgrind's counts do not depend on the load,
# so the rounds agree to a fraction of a percent (the log grows a little
# between them).
#
# Also printed: the instructions per cycle spent saving, setting and
# restoring search_path (what a SECURITY DEFINER function with SET
# search_path in the cycle costs; login() and logout() had one until they
# switched to their owner in C, and the figure is now near 0): ProcessGUCArray,
# AtEOXact_GUC and the plan cache's check of the search path
# (OverrideSearchPathMatchesCurrent, which recomputes the path after each
# change), and the instructions of usrmgmt's trigger calls.
#
# LOG_ROWS (default 0): first load that many rows of history into each
# log, usrmgmt's and the mirror's, over the last 12 months
# (bench_load_session_log of common.sh, as session_throughput.sh does), to
# count the cycle on a large log.
#
# Needs valgrind and a PostgreSQL with usrmgmt installed (PG_CONFIG, else
# pg_config on PATH); makes its own throwaway cluster (initdb), so it must
# run as a user initdb accepts (not root).  Not run by the test suite.
# Goal (issue 12, for the rate): usrmgmt/baseline >= 0.95; here the
# baseline's instructions / usrmgmt's.
set -euo pipefail
CYCLES=${CYCLES:-1000}
ROUNDS=${ROUNDS:-2}
LOG_ROWS=${LOG_ROWS:-0}     # > 0: that many rows of history in each log first
PG_CONFIG=${PG_CONFIG:-pg_config}
BIN=$("$PG_CONFIG" --bindir)
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"     # median, bench_load_session_log
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
command -v callgrind_annotate >/dev/null || { echo "callgrind_annotate is not installed" >&2; exit 1; }
TMP=$(mktemp -d)
trap '"$BIN/pg_ctl" -D "$TMP/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT

echo "machine: $(uname -srm), $(nproc) CPU, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "server:  $("$BIN/postgres" --version)"

"$BIN/initdb" -D "$TMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
"$BIN/pg_ctl" -D "$TMP/data" -w -l "$TMP/log" \
    -o "-c listen_addresses='' -k $TMP -c fsync=off" start >/dev/null
"$BIN/psql" -X -q -h "$TMP" -U postgres -d postgres -c 'CREATE DATABASE bench' >/dev/null
"$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$TMP" -U postgres -d bench -f "$HERE/session_setup.sql" >/dev/null
if [ "$LOG_ROWS" -gt 0 ]; then
    PATH="$BIN:$PATH" PGHOST="$TMP" PGUSER=postgres bench_load_session_log bench "$LOG_ROWS"
    echo "log:     $LOG_ROWS rows of history in each log"
fi
"$BIN/pg_ctl" -D "$TMP/data" -w -m fast stop >/dev/null

# count SCHEMA: sets IR (instructions per cycle), GUC (of them, search_path's
# save/set/restore and re-check) and TRG (usrmgmt's trigger calls)
count() {
    local out="$TMP/callgrind.$1" total
    echo "DO \$\$ BEGIN FOR g IN 1..$CYCLES LOOP PERFORM $1.logout($1.login('bench' || (g % 100 + 1), '192.0.2.1', 'bench')); COMMIT; END LOOP; END \$\$;" |
        valgrind --tool=callgrind --collect-atstart=no --toggle-collect=plpgsql_inline_handler \
            --callgrind-out-file="$out" \
            "$BIN/postgres" --single -D "$TMP/data" -c fsync=off bench >/dev/null 2>"$TMP/valgrind.err"
    callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null >"$out.txt"
    total=$(sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' "$out.txt" | tr -d ,)
    IR=$((total / CYCLES))
    # inclusive counts of the named functions (each counted once)
    sum() {
        awk -v re="$1" '$0 ~ re { gsub(",", "", $1); if (!seen[$3]++) s += $1 } END { print s + 0 }' "$out.txt"
    }
    GUC=$(( $(sum ':(ProcessGUCArray|AtEOXact_GUC|OverrideSearchPathMatchesCurrent) ') / CYCLES ))
    TRG=$(( $(sum ':usrmgmt_(online_user_before_write|online_user_after_insert|online_user_after_delete|change_audit|reference_check) ') / CYCLES ))
}

exts=(); bases=(); ratios=()
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then order="usrmgmt bench_base"; else order="bench_base usrmgmt"; fi
    for s in $order; do
        count "$s"
        if [ "$s" = usrmgmt ]; then e=$IR; eg=$GUC; et=$TRG; else b=$IR; fi
    done
    exts+=("$e"); bases+=("$b")
    ratios+=("$(awk -v e="$e" -v b="$b" 'BEGIN { printf "%.3f", b / e }')")
    printf 'round %d: usrmgmt %d instructions/cycle (search_path %d, triggers %d)  baseline %d  baseline/usrmgmt %s\n' \
        "$r" "$e" "$eg" "$et" "$b" "${ratios[-1]}"
done
printf 'median: usrmgmt %s  baseline %s instructions per login+logout; baseline/usrmgmt %s (goal for the rate >= 0.95)\n' \
    "$(median "${exts[@]}")" "$(median "${bases[@]}")" "$(median "${ratios[@]}")"
