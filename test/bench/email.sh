#!/usr/bin/env bash
# test/bench/email.sh: usrmgmt.is_valid_email() against the same rule
# written as a SQL regular expression.
#
# Generates 1,000,000 addresses deterministically in SQL (a mix of valid and
# invalid ones, see GEN below) into a table, then, ROUNDS times (default 3),
# interleaved, counts the valid ones with
#   (C)     usrmgmt.is_valid_email(addr)
#   (regex) addr ~ WHATWG regex AND octet_length(addr) <= 254
#           AND strpos(addr, '@') <= 65          (the same length limits)
# and a scan baseline (count(*) over the same rows, no predicate).  Both
# predicates must find the same number of valid addresses, or the run
# fails.  Prints each time, the medians and regex/C (goal: >= 3).
#
# Usage: PGHOST=... PGPORT=... PGUSER=<superuser> bash test/bench/email.sh
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
N=${N:-1000000}

# The WHATWG HTML "valid e-mail address" regex, as a PostgreSQL ARE.
read -r RE <<'REGEX'
^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$
REGEX

GEN="
SELECT i, CASE i % 12
    WHEN 0 THEN 'user' || i || '@example.com'
    WHEN 1 THEN 'first.last+tag' || i || '@mail-' || i % 97 || '.example.org'
    WHEN 2 THEN pg_catalog.md5(i::text) || '@' || pg_catalog.substr(pg_catalog.md5((i + 1)::text), 1, 12) || '.test'
    WHEN 3 THEN 'o''brien.' || i || '@sub' || i % 7 || '.example.co.uk'
    WHEN 4 THEN pg_catalog.repeat('x', 56) || i || '@example.net'        -- local part 57-62: valid
    WHEN 5 THEN pg_catalog.repeat('y', 60) || i || '@example.net'        -- local part 61-66: some too long
    WHEN 6 THEN 'no-at-sign-' || i || '.example.com'                      -- invalid: no @
    WHEN 7 THEN 'two@at@' || i || '.example.com'                          -- invalid: second @
    WHEN 8 THEN 'user' || i || '@-leading-hyphen.example.com'             -- invalid: label starts with -
    WHEN 9 THEN 'user' || i || '@under_score.example.com'                 -- invalid: _ in domain
    WHEN 10 THEN '\"quoted ' || i || '\"@example.com'                     -- invalid: quoted string
    ELSE 'user' || i || '@' || pg_catalog.repeat('d', 60) || '.' || pg_catalog.repeat('e', 60) || '.' || pg_catalog.repeat('f', 60) || '.example.com' -- valid, long
  END
FROM pg_catalog.generate_series(1, $N) AS i"

C_Q="SELECT count(*) FILTER (WHERE usrmgmt.is_valid_email(addr)) FROM bench_email"
RE_Q="SELECT count(*) FILTER (WHERE addr ~ '$(printf '%s' "$RE" | sed "s/'/''/g")' AND octet_length(addr) <= 254 AND strpos(addr, '@') <= 65) FROM bench_email"
SCAN_Q="SELECT count(*) FROM bench_email"

# run one query, print "<ms> <result>"
timed() {
    bpsql -c 'SET max_parallel_workers_per_gather = 0' -c '\timing on' -c "$1" |
        awk '/^Time:/ { t = $2 } !/^Time:/ { r = $0 } END { print t, r }'
}

bench_setup_db
trap bench_drop_db EXIT
bench_machine
bpsql -c "CREATE TABLE bench_email (id integer, addr text)" \
      -c "INSERT INTO bench_email $GEN" -c "VACUUM ANALYZE bench_email"
echo "rows:    $(bpsql -c 'SELECT count(*) FROM bench_email'), avg $(bpsql -c 'SELECT round(avg(octet_length(addr)), 1) FROM bench_email') bytes"

# warm the cache
timed "$SCAN_Q" >/dev/null; timed "$C_Q" >/dev/null; timed "$RE_Q" >/dev/null

c_ms=(); re_ms=(); scan_ms=()
for r in $(seq 1 "$ROUNDS"); do
    # alternate the order from round to round
    if [ $((r % 2)) -eq 1 ]; then order="scan c re"; else order="re c scan"; fi
    for q in $order; do
        case $q in
            c)    read -r ms c_valid < <(timed "$C_Q"); c_ms+=("$ms") ;;
            re)   read -r ms re_valid < <(timed "$RE_Q"); re_ms+=("$ms") ;;
            scan) read -r ms _ < <(timed "$SCAN_Q"); scan_ms+=("$ms") ;;
        esac
    done
    printf 'round %d: C %8.1f ms   regex %8.1f ms   scan %8.1f ms   valid: C %s, regex %s\n' \
        "$r" "${c_ms[-1]}" "${re_ms[-1]}" "${scan_ms[-1]}" "$c_valid" "$re_valid"
    if [ "$c_valid" != "$re_valid" ]; then
        echo "MISMATCH: C and regex disagree ($c_valid vs $re_valid valid)" >&2
        exit 1
    fi
done

c_med=$(median "${c_ms[@]}"); re_med=$(median "${re_ms[@]}"); scan_med=$(median "${scan_ms[@]}")
echo "median:  C $c_med ms, regex $re_med ms, scan alone $scan_med ms"
awk -v c="$c_med" -v re="$re_med" -v s="$scan_med" 'BEGIN {
    ratio = re / c
    printf "ratio regex/C: %.2fx (goal >= 3x: %s)\n", ratio, (ratio >= 3 ? "met" : "MISSED")
    if (c > s && re > s)
        printf "predicate cost alone (minus scan): C %.1f ms, regex %.1f ms, ratio %.2fx\n", c - s, re - s, (re - s) / (c - s)
}'
