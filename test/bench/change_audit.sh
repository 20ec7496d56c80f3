#!/usr/bin/env bash
# test/bench/change_audit.sh: what the change audit costs (doc/usrmgmt.md
# "Change audit" and "Performance").
#
# 1. Single-row UPDATE throughput on usrmgmt.user with the audit against
#    the same table without it: the audit triggers (change_audit,
#    change_audit_truncate) disabled, so that what remains is the table's
#    own updated_at trigger (and user_sync_sessions, whose WHEN clause is
#    false for these updates) in both runs.  pgbench, $CLIENTS clients,
#    one UPDATE of one random user's e-mail (always a new value, so every
#    update writes an audit row) per transaction, $ROUNDS rounds of
#    $SECONDS_PER_RUN s, interleaved (the order alternates).  Goal: ratio
#    of the summed rates >= 0.6.  Then the same UPDATEs ($UPDATES of
#    them) in one session, measured by the backend's CPU time with and
#    without the audit, which other load on the machine does not skew.
# 2. COPY of $N users (default 1,000,000) into usrmgmt.user with the audit
#    against without it, $COPY_ROUNDS rounds interleaved, reset() and a
#    CHECKPOINT before each load; wall clock and backend CPU.  Reported,
#    no goal.
#
# Usage: PGHOST=... PGPORT=... PGUSER=<superuser> bash test/bench/change_audit.sh
# Knobs: N, CLIENTS (2), SECONDS_PER_RUN (5), ROUNDS (5), UPDATES (20000),
# COPY_ROUNDS (2).
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
N=${N:-1000000}
CLIENTS=${CLIENTS:-2}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-5}
COPY_ROUNDS=${COPY_ROUNDS:-2}
UPDATES=${UPDATES:-20000}
PGBENCH=${PGBENCH:-pgbench}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/usrmgmt-bench.XXXXXX")
cleanup() { rm -rf "$WORK"; bench_drop_db; }
bench_setup_db
trap cleanup EXIT
bench_machine

audit() {   # audit on|off
    local verb=ENABLE
    [ "$1" = off ] && verb=DISABLE
    bpsql -c "ALTER TABLE usrmgmt.\"user\" $verb TRIGGER change_audit" \
          -c "ALTER TABLE usrmgmt.\"user\" $verb TRIGGER change_audit_truncate"
}

# ---------------------------------------------------------------- UPDATE
bpsql -c "INSERT INTO usrmgmt.\"user\" (username, email, first_name, last_name)
          SELECT 'bench' || g, 'bench' || g || '@example.com', 'First' || g, 'Last' || g
            FROM generate_series(1, 10000) g" -c "VACUUM ANALYZE usrmgmt.\"user\""
cat >"$WORK/update.sql" <<'SQL'
\set u random(1, 10000)
\set v random(1, 1000000000)
UPDATE usrmgmt."user" SET email = 'bench' || :u || '.' || :v || '@example.com' WHERE id = :u;
SQL
run() {
    "$PGBENCH" -n -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_PER_RUN" -f "$WORK/update.sql" "$BENCH_DB" 2>/dev/null |
        sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}
audit on;  run >/dev/null     # warm-up
audit off; run >/dev/null
on_sum=0; off_sum=0
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then
        audit on; on=$(run); audit off; off=$(run)
    else
        audit off; off=$(run); audit on; on=$(run)
    fi
    awk -v r="$r" -v a="$on" -v b="$off" 'BEGIN { printf "update round %d: audit %8.1f tps   no audit %8.1f tps   ratio %.3f\n", r, a, b, a / b }'
    on_sum=$(awk -v s="$on_sum" -v a="$on" 'BEGIN { print s + a }')
    off_sum=$(awk -v s="$off_sum" -v b="$off" 'BEGIN { print s + b }')
done
audit on
echo "audit rows written: $(bpsql -c "SELECT count(*) FROM usrmgmt.change_log WHERE operation = 'UPDATE'")"
awk -v a="$on_sum" -v b="$off_sum" -v n="$ROUNDS" 'BEGIN {
    ratio = a / b
    printf "update mean: audit %.1f tps, no audit %.1f tps, ratio %.3f (goal >= 0.6: %s)\n", a / n, b / n, ratio, (ratio >= 0.6 ? "met" : "MISSED")
}'

# The same UPDATEs, $UPDATES of them one statement at a time in one
# session, measured by the backend's CPU time: what one UPDATE costs the
# server with and without the audit, insensitive to other load on the
# machine.  Throughput ratio = CPU without / CPU with.
awk -v n="$UPDATES" 'BEGIN { srand(1); for (i = 0; i < n; i++) { u = 1 + int(rand() * 10000)
    printf "UPDATE usrmgmt.\"user\" SET email = '"'"'bench%d.%d@example.com'"'"' WHERE id = %d;\n", u, i, u } }' >"$WORK/updates.sql"
cpu_on=(); cpu_off=()
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then
        audit on; bench_measure "\\i $WORK/updates.sql"; cpu_on+=("$CPU")
        audit off; bench_measure "\\i $WORK/updates.sql"; cpu_off+=("$CPU")
    else
        audit off; bench_measure "\\i $WORK/updates.sql"; cpu_off+=("$CPU")
        audit on; bench_measure "\\i $WORK/updates.sql"; cpu_on+=("$CPU")
    fi
    echo "update CPU round $r: audit ${cpu_on[-1]} s, no audit ${cpu_off[-1]} s for $UPDATES UPDATEs"
done
audit on
if [ "${cpu_on[0]}" != "n/a" ]; then
    awk -v a="$(median "${cpu_on[@]}")" -v b="$(median "${cpu_off[@]}")" -v n="$UPDATES" 'BEGIN {
        ratio = b / a
        printf "update median backend CPU: audit %.1f us, no audit %.1f us per UPDATE; throughput ratio %.3f (goal >= 0.6: %s)\n", a * 1e6 / n, b * 1e6 / n, ratio, (ratio >= 0.6 ? "met" : "MISSED")
    }'
fi

# ------------------------------------------------------------------ COPY
COLS="username, email, first_name, last_name, is_admin, is_active"
bpsql -c "\\copy (SELECT 'user_' || i, 'user.' || i || '@mail' || i % 100 || '.example.com',
                       'First' || i, 'Last-' || i, i % 50 = 0, i % 20 <> 0
                  FROM generate_series(1, $N) AS i) TO '$WORK/users.csv' WITH (FORMAT csv)"
echo "rows:    $(wc -l < "$WORK/users.csv"), $(du -m "$WORK/users.csv" | cut -f1) MB of CSV"

# Load the CSV after a reset(); sets SECS and CPU (bench_measure,
# common.sh) and checks the rows and what the audit recorded.
load() {
    bpsql -c "SELECT usrmgmt.reset(confirm => true)" -c "CHECKPOINT" >/dev/null
    bench_measure "\\copy usrmgmt.\"user\" ($COLS) FROM '$WORK/users.csv' WITH (FORMAT csv)"
    [ "$(bpsql -c 'SELECT count(*) FROM usrmgmt."user"')" -eq "$N" ] || { echo "COPY lost rows" >&2; exit 1; }
    local logged
    logged=$(bpsql -c "SELECT count(*) FROM usrmgmt.change_log")
    if [ "$1" = on ] && [ "$logged" -ne "$N" ]; then echo "audit recorded $logged rows, not $N" >&2; exit 1; fi
    if [ "$1" = off ] && [ "$logged" -ne 0 ]; then echo "audit off recorded $logged rows" >&2; exit 1; fi
}
on_s=(); off_s=(); on_cpu=(); off_cpu=()
for r in $(seq 1 "$COPY_ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then
        audit on; load on; on_s+=("$SECS"); on_cpu+=("$CPU")
        audit off; load off; off_s+=("$SECS"); off_cpu+=("$CPU")
    else
        audit off; load off; off_s+=("$SECS"); off_cpu+=("$CPU")
        audit on; load on; on_s+=("$SECS"); on_cpu+=("$CPU")
    fi
    printf 'copy round %d: audit %7.2f s (backend CPU %s s)   no audit %7.2f s (backend CPU %s s)\n' \
        "$r" "${on_s[-1]}" "${on_cpu[-1]}" "${off_s[-1]}" "${off_cpu[-1]}"
done
audit on
on_med=$(median "${on_s[@]}"); off_med=$(median "${off_s[@]}")
awk -v a="$on_med" -v b="$off_med" 'BEGIN { printf "copy median wall: audit %.2f s, no audit %.2f s, ratio %.2fx\n", a, b, a / b }'
if [ "${on_cpu[0]}" != "n/a" ]; then
    awk -v a="$(median "${on_cpu[@]}")" -v b="$(median "${off_cpu[@]}")" \
        'BEGIN { printf "copy median backend CPU: audit %.2f s, no audit %.2f s, ratio %.2fx\n", a, b, a / b }'
fi
