# test/bench/common.sh: helpers shared by the usrmgmt benchmarks (sourced).
#
# The benchmarks connect with libpq's usual variables (PGHOST, PGPORT,
# PGUSER) as a superuser, create a scratch database $BENCH_DB (default
# usrmgmt_bench), install the extension there and drop the database at the
# end.  The PostgreSQL they talk to must have usrmgmt installed.

BENCH_DB=${BENCH_DB:-usrmgmt_bench}
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
PSQL=${PSQL:-psql}
ROUNDS=${ROUNDS:-3}

# psql on the scratch database: quiet, no psqlrc, stop on the first error
bpsql() {
    "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$BENCH_DB" "$@"
}

bench_setup_db() {
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres \
        -c "DROP DATABASE IF EXISTS $BENCH_DB" \
        -c "CREATE DATABASE $BENCH_DB" >/dev/null
    bpsql -c "CREATE EXTENSION usrmgmt"
}

bench_drop_db() {
    "$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB" >/dev/null
}

# seconds since the epoch with nanoseconds
now_s() { date +%s.%N; }

# median of the arguments (numbers)
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# a one-line description of the machine and server
bench_machine() {
    echo "machine: $(uname -srm), $(nproc) CPU ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
    echo "server:  $(bpsql -c 'SELECT version()')"
    echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
}

# Run one psql command (e.g. a \copy) in a session of its own and measure
# it: sets SECS (wall clock) and CPU (CPU seconds, user + system, that the
# server backend spent on it, read from /proc/<pid>/stat: only when the
# server runs on this machine, else "n/a").  Backend CPU time is what the
# server's work costs; wall time also counts waiting for a CPU, which on a
# shared machine can dwarf it.
bench_measure() {
    local out ticks
    ticks=$(getconf CLK_TCK)
    out=$(bpsql <<SQL
SELECT pg_backend_pid() AS pid \\gset
\\setenv BENCH_BACKEND_PID :pid
\\! [ -r /proc/\$BENCH_BACKEND_PID/stat ] && awk '{ print "cpu0", \$14 + \$15 }' /proc/\$BENCH_BACKEND_PID/stat; echo "t0 \$(date +%s.%N)"
$1
\\! [ -r /proc/\$BENCH_BACKEND_PID/stat ] && awk '{ print "cpu1", \$14 + \$15 }' /proc/\$BENCH_BACKEND_PID/stat; echo "t1 \$(date +%s.%N)"
SQL
)
    SECS=$(awk '$1 == "t0" { a = $2 } $1 == "t1" { b = $2 } END { printf "%.3f", b - a }' <<<"$out")
    CPU=$(awk -v hz="$ticks" '$1 == "cpu0" { a = $2; n++ } $1 == "cpu1" { b = $2; n++ }
                              END { if (n == 2) printf "%.2f", (b - a) / hz; else print "n/a" }' <<<"$out")
}
# A throwaway cluster of the PostgreSQL of $PG_CONFIG (run as a non-root
# user): initdb in a temp dir, the settings given as arguments (lines of
# postgresql.conf) after listen_addresses/socket/fsync = off, start, export
# PGHOST/PGUSER/PGDATABASE for it, and stop and remove it on exit.  Sets
# TMP (the temp dir, also for the caller's scratch files).
bench_cluster() {
    local bindir
    bindir=$("${PG_CONFIG:-pg_config}" --bindir)
    export PATH="$bindir:$PATH"
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/usrmgmt-bench.XXXXXX")
    trap 'pg_ctl -D "$TMP/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
    initdb -D "$TMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$TMP'"
        echo "fsync = off"
        printf '%s\n' "$@"
    } >>"$TMP/data/postgresql.conf"
    pg_ctl -D "$TMP/data" -l "$TMP/server.log" -w start >/dev/null
    export PGHOST=$TMP PGUSER=postgres PGDATABASE=postgres
}

# milliseconds since the epoch
now_ms() { date +%s%3N; }

# Backend CPU time (µs) per cycle: in one session of database $1, the
# PL/pgSQL statement $2 (which may use the loop variable g, 1..$3) runs $3
# times, each in a transaction of its own (COMMIT), after one warm-up run;
# utime + stime of the backend read from /proc/<pid>/stat (10 ms ticks),
# which a loaded machine disturbs less than a rate.  Needs a superuser
# (pg_read_file) and the server on this machine.
bench_cpu_per_cycle() {
    psql -X -At -q -v ON_ERROR_STOP=1 -d "$1" <<SQL
CREATE FUNCTION pg_temp.cpu() RETURNS bigint LANGUAGE sql AS \$\$
    SELECT s[12]::bigint + s[13]::bigint
      FROM (SELECT regexp_split_to_array(split_part(pg_read_file('/proc/' || pg_backend_pid() || '/stat'), ') ', 2), ' ') s) x
\$\$;
DO \$\$ DECLARE g int := 1; BEGIN $2; END \$\$;
SELECT pg_temp.cpu() AS c0 \gset
DO \$\$
BEGIN
    FOR g IN 1..$3 LOOP
        $2;
        COMMIT;
    END LOOP;
END
\$\$;
SELECT round((pg_temp.cpu() - :c0) * 10000.0 / $3, 1);
SQL
}

# The history of session_setup.sql's database $1: $2 log rows in each of
# usrmgmt's and the mirror's user_log (same rows), spread evenly over the
# last 12 months (maintain()'s monthly partitions), sessions of the
# database's users as a year of logins would leave them; session triggers
# off (session_replication_role = replica: rows as a restore writes
# them); then VACUUM ANALYZE.  Connection from the PG* variables.
bench_load_session_log() {
    local s
    for s in usrmgmt bench_base; do
        psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" <<SQL
SET session_replication_role = replica;
INSERT INTO $s.user_log (user_id, username, action, "timestamp", ip_address, session_id, user_agent)
SELECT 1 + (g::bigint * 7919) % 100000, 'user_' || (1 + (g::bigint * 7919) % 100000),
       CASE WHEN g % 2 = 0 THEN 'login' ELSE 'logout' END,
       date_trunc('month', now()) - interval '11 months'
         + (g::float8 / $2) * (now() - interval '1 minute' - (date_trunc('month', now()) - interval '11 months')),
       ('10.' || (g % 200) || '.' || (g / 200 % 250) || '.' || (g % 250))::inet, g / 2,
       'agent/' || (g % 13)
  FROM generate_series(1, $2) g;
SQL
    done
    psql -X -q -d "$1" -c 'VACUUM ANALYZE'
}
