#!/usr/bin/env bash
# test/run-all.sh: every test suite of usrmgmt, from nothing.
#
# As root on a fresh Debian 12: installs the packages it needs, builds with
# -Werror, installs into the PostgreSQL of $PG_CONFIG (default: Debian's
# PostgreSQL 15), runs the plain C unit tests, then runs the server suites
# (pg_regress, isolation, TAP) and the example applications of
# test/clients as the unprivileged user usrmgmt_test against throwaway
# clusters, and the fuzzers and static analysis.  Ends with one
# line "N passed, N failed" (one count per stage) and exits non-zero when a
# stage failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

bash test/install-deps.sh || exit 1

export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
TESTUSER=${USRMGMT_TEST_USER:-usrmgmt_test}
passed=0
failed=0
failed_stages=()

stage() {
    local name=$1; shift
    echo "=== stage: $name"
    if "$@"; then
        echo "=== stage $name: passed"
        passed=$((passed + 1))
    else
        echo "=== stage $name: FAILED"
        failed=$((failed + 1))
        failed_stages+=("$name")
    fi
}

build() {
    make -s clean PG_CONFIG="$PG_CONFIG" >/dev/null &&
    make -s WERROR=1 PG_CONFIG="$PG_CONFIG" &&
    make -s install PG_CONFIG="$PG_CONFIG"
}

# The server suites and the example applications need a non-root user
# (initdb refuses root) and a tree that user can write its results into:
# a copy of this checkout.  as_test_user SCRIPT ARG... runs SCRIPT of
# that copy.
as_test_user() {
    local script=$1
    shift
    if [ "$(id -u)" -ne 0 ]; then
        bash "$script" "$@"
        return
    fi
    id "$TESTUSER" >/dev/null 2>&1 || useradd --system --shell /bin/bash --home-dir /nonexistent "$TESTUSER"
    local copy
    copy=$(mktemp -d /tmp/usrmgmt-tests.XXXXXX)
    tar --exclude=.git --exclude='*.o' --exclude='*.bc' --exclude=node_modules \
        --exclude=__pycache__ -cf - . | tar -xf - -C "$copy"
    chown -R "$TESTUSER" "$copy"
    runuser -u "$TESTUSER" -- env -i PATH=/usr/local/bin:/usr/bin:/bin \
        PG_CONFIG="$PG_CONFIG" TMPDIR=/tmp LANG=C.UTF-8 \
        bash "$copy/$script" "$@"
    local rc=$?
    [ $rc -eq 0 ] && rm -rf "$copy" || echo "$script: results kept in $copy"
    return $rc
}

stage build build || true
if [ "$failed" -eq 0 ]; then
    stage unit make -s unit-check
    # libFuzzer targets (test/fuzz), briefly: ~15 s each.
    stage fuzz make -s fuzz FUZZ_SECONDS="${USRMGMT_FUZZ_SECONDS:-15}"
    # cppcheck and clang-tidy over src/ and src/cli/ (a few seconds).
    stage lint make -s lint
    stage server as_test_user test/server-suites.sh
    # the example applications of test/clients (Flask, Django,
    # node-postgres) as the application role: test/clients/run.sh
    stage clients as_test_user test/server-suites.sh clients
fi

echo
[ ${#failed_stages[@]} -gt 0 ] && echo "failed stages: ${failed_stages[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
