#!/usr/bin/env bash
# test/demo.sh: the usrmgmt demo, end to end, on a fresh Debian 12 machine.
#
# As root: installs the packages (test/install-deps.sh), builds usrmgmt,
# installs it into Debian's PostgreSQL 15, starts a throwaway cluster with
# pg_virtualenv (postgresql-common), and runs test/demo-cli.sh there:
# test/demo.sql (the extension created, users inserted, bad rows refused by
# their named constraints, the validators, sessions and the audit log,
# passwords, integrity and health, migrations), then the command-line tool
# (status, health, verify, migrations, backup, list).  The cluster is
# removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
    echo "demo.sh: run as root (it installs packages and the extension)" >&2
    exit 1
fi

bash test/install-deps.sh

export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
echo "== building and installing into $("$PG_CONFIG" --bindir)/.."
make -s clean PG_CONFIG="$PG_CONFIG" >/dev/null
make -s PG_CONFIG="$PG_CONFIG"
make -s install PG_CONFIG="$PG_CONFIG"

# pg_virtualenv -t creates a temporary cluster of that version in a
# temporary directory (not /etc/postgresql, even as root), runs the
# command with PGHOST/PGPORT/PGUSER/PGPASSWORD set for it, and drops it.
echo "== starting a throwaway PostgreSQL $("$PG_CONFIG" --version | awk '{ print $2 }' | cut -d. -f1) cluster (pg_virtualenv)"
pg_virtualenv -t -v "$("$PG_CONFIG" --version | awk '{ print $2 }' | cut -d. -f1)" \
    bash test/demo-cli.sh
echo
echo "== demo done; run every test suite with: bash test/run-all.sh"
