#!/usr/bin/env bash
# test/demo-cli.sh: the SQL demo, then the command-line tool, against the
# cluster that pg_virtualenv set up for test/demo.sh (PG* variables).
set -uo pipefail
cd "$(dirname "$0")/.."
BINDIR=$("${PG_CONFIG:-pg_config}" --bindir)

psql -X -d postgres -f test/demo.sql

echo
echo "== The command-line tool ($BINDIR/usrmgmt)"
export PGDATABASE=postgres
BACKUPS=$(mktemp -d)
for cmd in "status" "health" "verify" "migrations" "backup --dir $BACKUPS" "list --dir $BACKUPS"; do
    echo "\$ usrmgmt $cmd"
    # shellcheck disable=SC2086
    "$BINDIR/usrmgmt" $cmd
    echo "(exit $?)"
done
echo "\$ usrmgmt reset            # refused without --confirm"
"$BINDIR/usrmgmt" reset
echo "(exit $?)"
rm -rf "$BACKUPS"
