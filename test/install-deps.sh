#!/usr/bin/env bash
# test/install-deps.sh: install, on Debian 12, every package the build, the
# demo and the test suites need; does nothing when all are present.
set -euo pipefail

PKGS=(
    build-essential             # gcc, make
    postgresql-15               # server, pg_dump, pg_virtualenv (postgresql-common)
    postgresql-server-dev-15    # PGXS, pg_regress, isolation tester, TAP modules
    postgresql-client-15        # psql, pgbench
    libpq-dev                   # libpq for the command-line tool
    libipc-run-perl             # TAP tests
    libio-pty-perl              # TAP: the CLI's confirmation prompt on a terminal
    libmonitoring-plugin-perl   # TAP: usrmgmt health's performance data, parsed by Monitoring::Plugin
    prometheus                  # TAP: promtool check metrics on usrmgmt.metrics()
    clang                       # libFuzzer targets
    libclang-rt-14-dev          # sanitizer and fuzzer runtimes
    cppcheck clang-tidy         # static analysis
    valgrind                    # make valgrind-check
    # the example applications of test/clients (test/clients/run.sh)
    python3-flask-sqlalchemy python3-flask-migrate python3-alembic
    python3-django python3-psycopg2
    nodejs                      # node-postgres (npm ci from the npm registry)
    git ca-certificates
)

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# npm: Debian's nodejs leaves it to the npm package; a nodejs that brings
# its own npm (e.g. a vendor's build) needs nothing more.
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
