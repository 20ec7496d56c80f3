#!/usr/bin/env bash
# test/bench/copy_users.sh: COPY of 1,000,000 users into usrmgmt.user
# against the same table without its CHECK constraints.
#
# The baseline, bench_user_nocheck, is made with
#   CREATE TABLE ... (LIKE usrmgmt."user" INCLUDING DEFAULTS
#                     INCLUDING IDENTITY INCLUDING INDEXES)
# so it has the same columns, NOT NULLs, defaults, identity, primary key and
# the same five indexes (unique lower(username), unique lower(email),
# created_at, the two partial boolean indexes), but none of the CHECK
# constraints.  The rows are generated once, deterministically, into a CSV
# file; every user has a username, an e-mail address, first and last
# names, so every constraint is evaluated (from 1.1 the password hash is in
# usrmgmt.user_auth, not loaded here).  Then, ROUNDS times (default 3), interleaved, each table is
# truncated, checkpointed and loaded with psql's \copy.  Prints each time,
# the medians and usrmgmt/baseline (goal: <= 1.3).
#
# Usage: PGHOST=... PGPORT=... PGUSER=<superuser> bash test/bench/copy_users.sh
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
N=${N:-1000000}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/usrmgmt-bench.XXXXXX")
cleanup() { rm -rf "$WORK"; bench_drop_db; }
bench_setup_db
trap cleanup EXIT
bench_machine

COLS="username, email, first_name, last_name, is_admin, is_active"
bpsql -c "CREATE TABLE bench_user_nocheck (LIKE usrmgmt.\"user\"
              INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)" \
      -c "\\copy (SELECT 'user_' || i,
                       'user.' || i || '@mail' || i % 100 || '.example.com',
                       'First' || i, 'Last-' || i,
                       i % 50 = 0, i % 20 <> 0
                  FROM generate_series(1, $N) AS i) TO '$WORK/users.csv' WITH (FORMAT csv)"
echo "rows:    $(wc -l < "$WORK/users.csv"), $(du -m "$WORK/users.csv" | cut -f1) MB of CSV"
bpsql -c "SELECT conname FROM pg_constraint WHERE conrelid = 'bench_user_nocheck'::regclass AND contype = 'c'" |
    grep . && { echo "baseline unexpectedly has CHECK constraints" >&2; exit 1; }
echo "indexes: usrmgmt.user $(bpsql -c "SELECT count(*) FROM pg_index WHERE indrelid = 'usrmgmt.\"user\"'::regclass"), baseline $(bpsql -c "SELECT count(*) FROM pg_index WHERE indrelid = 'bench_user_nocheck'::regclass")"

# The change audit (1.1) has a benchmark of its own (change_audit.sh):
# here it is switched off, so that this still measures the constraints.
bpsql -c "DO \$\$ BEGIN
            IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'usrmgmt.\"user\"'::regclass
                                                  AND tgname = 'change_audit') THEN
              ALTER TABLE usrmgmt.\"user\" DISABLE TRIGGER change_audit;
            END IF; END \$\$"

# Load one table from the CSV; sets SECS and CPU (bench_measure,
# common.sh).  Backend CPU time is what the constraints cost.
# usrmgmt.user is emptied by reset() (its logs refuse a TRUNCATE).
load() {
    if [ "$1" = 'usrmgmt."user"' ]; then
        bpsql -c "SELECT usrmgmt.reset(confirm => true)" >/dev/null
    else
        bpsql -c "TRUNCATE $1 RESTART IDENTITY"
    fi
    bpsql -c "CHECKPOINT"
    bench_measure "\\copy $1 ($COLS) FROM '$WORK/users.csv' WITH (FORMAT csv)"
    [ "$(bpsql -c "SELECT count(*) FROM $1")" -eq "$N" ] || { echo "COPY into $1 lost rows" >&2; exit 1; }
}

um_s=(); base_s=(); um_cpu=(); base_cpu=()
for r in $(seq 1 "$ROUNDS"); do
    # alternate which table goes first
    if [ $((r % 2)) -eq 1 ]; then
        load 'usrmgmt."user"'; um_s+=("$SECS"); um_cpu+=("$CPU")
        load bench_user_nocheck; base_s+=("$SECS"); base_cpu+=("$CPU")
    else
        load bench_user_nocheck; base_s+=("$SECS"); base_cpu+=("$CPU")
        load 'usrmgmt."user"'; um_s+=("$SECS"); um_cpu+=("$CPU")
    fi
    printf 'round %d: usrmgmt.user %7.2f s (backend CPU %s s)   baseline %7.2f s (backend CPU %s s)\n' \
        "$r" "${um_s[-1]}" "${um_cpu[-1]}" "${base_s[-1]}" "${base_cpu[-1]}"
done

um_med=$(median "${um_s[@]}"); base_med=$(median "${base_s[@]}")
echo "median wall: usrmgmt.user $um_med s, baseline $base_med s"
awk -v u="$um_med" -v b="$base_med" 'BEGIN {
    ratio = u / b
    printf "ratio usrmgmt.user/baseline, wall clock:  %.2fx (goal <= 1.3x: %s)\n", ratio, (ratio <= 1.3 ? "met" : "MISSED")
}'
if [ "${um_cpu[0]}" != "n/a" ]; then
    um_cmed=$(median "${um_cpu[@]}"); base_cmed=$(median "${base_cpu[@]}")
    echo "median backend CPU: usrmgmt.user $um_cmed s, baseline $base_cmed s"
    awk -v u="$um_cmed" -v b="$base_cmed" 'BEGIN {
        ratio = u / b
        printf "ratio usrmgmt.user/baseline, backend CPU: %.2fx (goal <= 1.3x: %s)\n", ratio, (ratio <= 1.3 ? "met" : "MISSED")
    }'
fi
