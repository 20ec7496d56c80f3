#!/usr/bin/env bash
# test/clients/run.sh: the example applications of test/clients (Flask with
# Flask-Migrate, Django, node-postgres), each run by its own tests against
# the server of libpq's PG* variables (usrmgmt installed there, PGUSER a
# superuser, default postgres), in a database of its own that setup.sql
# prepared (after dropping any left from an earlier run), as the
# application role that setup.sql made with the application recipe.
# After each, usrmgmt's schema must still be exactly the installed
# version's (validate_schema() empty): the application's migrations left
# it alone; and the change audit must hold the ORM's INSERT, UPDATE and
# DELETE of usrmgmt."user" (as the application role) and no secret.
#
# test/run-all.sh runs it in its stage "clients", through
# `test/server-suites.sh clients` (a throwaway cluster, the test user).
# Needs Debian's python3-flask-sqlalchemy, python3-flask-migrate,
# python3-alembic, python3-django, python3-psycopg2 (used through
# /usr/bin/python3, whatever python3 comes first on PATH), nodejs with npm,
# and the npm registry for `npm ci`.  Ends with "clients: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
HERE=$PWD
PYTHON=/usr/bin/python3
SUPERUSER=${PGUSER:-postgres}
unset PGUSER PGDATABASE DATABASE_URL

TMP=$(mktemp -d "${TMPDIR:-/tmp}/usrmgmt-clients.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# npm: a cache of its own; no home directory needed
export npm_config_cache="$TMP/npm-cache" npm_config_update_notifier=false \
       npm_config_audit=false npm_config_fund=false

passed=0
failed=0

# example NAME ROLE DB COMMAND...: prepare DB with setup.sql, run COMMAND
# in test/clients/NAME as ROLE, then check usrmgmt's schema.
example() {
    local name=$1 role=$2 db=$3
    shift 3
    local log="$TMP/$name.log" ok=1
    echo "--- clients: $name"
    if ! psql -X -q -v ON_ERROR_STOP=1 -U "$SUPERUSER" -d postgres \
            -c "DROP DATABASE IF EXISTS \"$db\"" -c "DROP ROLE IF EXISTS \"$role\"" \
            -v role="$role" -v db="$db" -f "$HERE/setup.sql" >"$log" 2>&1; then
        ok=0
    elif ! (cd "$HERE/$name" && export PGUSER="$role" PGDATABASE="$db" && "$@") >>"$log" 2>&1; then
        ok=0
    else
        local drift
        drift=$(psql -X -At -U "$SUPERUSER" -d "$db" \
            -c 'SELECT count(*) FROM usrmgmt.validate_schema()' 2>&1)
        if [ "$drift" != 0 ]; then
            echo "usrmgmt's schema changed: validate_schema() has $drift rows" >>"$log"
            ok=0
        fi
        # The change audit recorded the ORM's own writes of usrmgmt."user"
        # (INSERT, UPDATE, DELETE, made as the application role), and no
        # secret appears in any row of it (doc: Change audit).
        local audit
        audit=$(psql -X -At -U "$SUPERUSER" -d "$db" -v role="$role" <<'SQL' 2>&1
SELECT string_agg(DISTINCT l.operation, ',' ORDER BY l.operation)
       || ' secrets:' || (SELECT count(*) FROM usrmgmt.change_log s
                           WHERE pg_catalog.strpos(COALESCE(s.old::text, '') || COALESCE(s.new::text, ''),
                                                   'SCRAM-SHA-256$') > 0)
  FROM usrmgmt.change_log l
 WHERE l.table_name = 'user' AND l.role = :'role';
SQL
)
        if [ "$audit" != "DELETE,INSERT,UPDATE secrets:0" ]; then
            echo "change_log of the application's writes of \"user\": got '$audit'," \
                 "expected 'DELETE,INSERT,UPDATE secrets:0'" >>"$log"
            ok=0
        fi
    fi
    if [ $ok -eq 1 ]; then
        passed=$((passed + 1))
        grep -E '^(Ran [0-9]+ tests?|# (pass|fail) [0-9]+)' "$log" | sed 's/^/    /'
        echo "--- clients: $name passed"
    else
        failed=$((failed + 1))
        cat "$log"
        echo "--- clients: $name FAILED"
    fi
}

flask_example() {
    "$PYTHON" -m flask --app app db upgrade &&
    "$PYTHON" -m unittest -v test_app
}
django_example() {
    "$PYTHON" manage.py migrate &&
    "$PYTHON" -m unittest -v test_app
}
node_example() {
    npm ci --no-audit --no-fund &&
    npm run -s migrate &&
    node --test test.js
}

example flask flask_app flask_notes flask_example
example django django_app django_notes django_example
example node node_app node_notes node_example

echo "clients: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -eq 3 ]
