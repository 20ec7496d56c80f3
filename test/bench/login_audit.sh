#!/usr/bin/env bash
# test/bench/login_audit.sh: what auditing every login's user_auth stamp
# would cost (doc/usrmgmt.md, "Change audit" and §13 "Change audit").
#
# usrmgmt 1.1 does not record an UPDATE of user_auth that changes only
# last_login_at (src/change_audit.c, um_ignored_columns): the 'login' row of
# user_log is its record.  This measures the alternative, interleaved in
# one run: login+logout throughput of the library as built ("shipped")
# against a second build of the same source in which last_login_at is an
# ordinary audited column ("audited": one more change_log row per login).
# Make the second library first, from the top of the tree:
#
#   cp -r src Makefile usrmgmt.control sql /tmp/audited && cd /tmp/audited &&
#   sed -i 's/{"updated_at", "last_login_at"}/{"updated_at"}/' src/change_audit.c &&
#   make PG_CONFIG=... usrmgmt.so
#
# and pass its directory as AUDITED_LIBDIR (readable by the server).  The
# database "audited" gets the extension and then points its C functions at
# that library (pg_proc.probin; superuser), so both run side by side
# without touching the installed one.
#
# pgbench, $CLIENTS clients over 100 users who have all logged in once (the
# steady state: a login updates its user_auth row), $ROUNDS rounds of
# $SECONDS_PER_RUN s each, alternating; prints each round, the change_log
# rows per login of each, and the ratio of the summed rates.  Connection
# from the PG* variables; creates and drops usrmgmt_bench_la_shipped and
# usrmgmt_bench_la_audited.
set -euo pipefail
: "${AUDITED_LIBDIR:?set AUDITED_LIBDIR to the directory of the audited usrmgmt.so}"
CLIENTS=${CLIENTS:-8}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-6}
ROUNDS=${ROUNDS:-6}
A=usrmgmt_bench_la_shipped
B=usrmgmt_bench_la_audited
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; dropdb --if-exists "$A" >/dev/null 2>&1 || true; dropdb --if-exists "$B" >/dev/null 2>&1 || true' EXIT

for db in "$A" "$B"; do
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    createdb "$db"
done
psql -X -q -v ON_ERROR_STOP=1 -d "$B" -v lib="$AUDITED_LIBDIR/usrmgmt" <<'SQL'
CREATE EXTENSION usrmgmt;
UPDATE pg_catalog.pg_proc SET probin = :'lib'
 WHERE probin = '$libdir/usrmgmt'
   AND pronamespace = 'usrmgmt'::regnamespace;
SQL
psql -X -q -v ON_ERROR_STOP=1 -d "$A" -c 'CREATE EXTENSION usrmgmt'
for db in "$A" "$B"; do
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
SELECT usrmgmt.maintain() IS NOT NULL;
INSERT INTO usrmgmt."user" (username) SELECT 'bench' || g FROM generate_series(1, 100) g;
SELECT count(usrmgmt.logout(usrmgmt.login('bench' || g))) FROM generate_series(1, 100) g;
SQL
done

cat >"$TMP/cycle.sql" <<'EOF2'
\set u random(1, 100)
SELECT usrmgmt.logout(usrmgmt.login('bench' || :u, '192.0.2.1', 'bench'));
EOF2

run() {
    pgbench -n -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -f "$TMP/cycle.sql" "$1" 2>/dev/null |
        sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}
audit_rows() {   # change_log rows per login so far
    psql -X -At -d "$1" -c "SELECT round((SELECT count(*) FROM usrmgmt.change_log)::numeric
                                        / NULLIF((SELECT count(*) FROM usrmgmt.user_log WHERE action = 'login'), 0), 3)"
}

pgbench -n -c "$CLIENTS" -j 2 -T 2 -f "$TMP/cycle.sql" "$A" >/dev/null 2>&1
pgbench -n -c "$CLIENTS" -j 2 -T 2 -f "$TMP/cycle.sql" "$B" >/dev/null 2>&1

a_sum=0
b_sum=0
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then a=$(run "$A"); b=$(run "$B"); else b=$(run "$B"); a=$(run "$A"); fi
    awk -v r="$r" -v a="$a" -v b="$b" 'BEGIN { printf "round %d: shipped %8.1f tps  audited %8.1f tps  ratio %.3f\n", r, a, b, b / a }'
    a_sum=$(awk -v s="$a_sum" -v a="$a" 'BEGIN { print s + a }')
    b_sum=$(awk -v s="$b_sum" -v b="$b" 'BEGIN { print s + b }')
done
awk -v a="$a_sum" -v b="$b_sum" -v n="$ROUNDS" \
    'BEGIN { printf "mean:    shipped %8.1f tps  audited %8.1f tps  audited/shipped %.3f\n", a / n, b / n, b / a }'
echo "change_log rows per login: shipped $(audit_rows "$A"), audited $(audit_rows "$B")"

# Backend CPU per login+logout in one session ($CYCLES cycles, one
# transaction each), read from /proc/<backend pid>/stat (utime + stime, 10 ms
# ticks): less disturbed by a loaded machine than the rate.  Median of
# $ROUNDS interleaved rounds.
CYCLES=${CYCLES:-5000}
cpu_us() {
    psql -X -At -q -v ON_ERROR_STOP=1 -d "$1" <<SQL
CREATE FUNCTION pg_temp.cpu() RETURNS bigint LANGUAGE sql AS \$\$
    SELECT s[12]::bigint + s[13]::bigint
      FROM (SELECT regexp_split_to_array(split_part(pg_read_file('/proc/' || pg_backend_pid() || '/stat'), ') ', 2), ' ') s) x
\$\$;
SELECT pg_temp.cpu() AS c0 \gset
DO \$\$
BEGIN
    FOR g IN 1..$CYCLES LOOP
        PERFORM usrmgmt.logout(usrmgmt.login('bench' || (g % 100 + 1), '192.0.2.1', 'bench'));
        COMMIT;
    END LOOP;
END
\$\$;
SELECT round((pg_temp.cpu() - :c0) * 10000.0 / $CYCLES, 1);
SQL
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ca=(); cb=()
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then x=$(cpu_us "$A"); y=$(cpu_us "$B"); else y=$(cpu_us "$B"); x=$(cpu_us "$A"); fi
    echo "cpu round $r: shipped $x us/cycle  audited $y us/cycle"
    ca+=("$x"); cb+=("$y")
done
ma=$(median "${ca[@]}"); mb=$(median "${cb[@]}")
awk -v a="$ma" -v b="$mb" 'BEGIN { printf "median backend CPU per login+logout: shipped %.1f us, audited %.1f us, shipped/audited %.3f\n", a, b, a / b }'
