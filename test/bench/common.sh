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
