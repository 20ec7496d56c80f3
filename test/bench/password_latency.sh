#!/usr/bin/env bash
# test/bench/password_latency.sh: latency of usrmgmt.check_password() at
# the default 600000 iterations and at 4096, for a known user with the
# right and a wrong password and for an unknown user (the dummy work).
# Baseline, in the same run: the ratio unknown/known (goal about 1.0: no
# user enumeration by timing) and 600000/4096 (expected about 146).
# Connection from the PG* variables; creates and drops the database
# usrmgmt_bench_pw.
set -euo pipefail
N_SLOW=${N_SLOW:-5}
N_FAST=${N_FAST:-200}
DB=usrmgmt_bench_pw
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT

dropdb --if-exists "$DB" >/dev/null 2>&1 || true
createdb "$DB"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" <<SQL
CREATE EXTENSION usrmgmt;
INSERT INTO usrmgmt."user" (username) VALUES ('slow'), ('fast');
SELECT usrmgmt.set_password('slow', 'correct horse battery');
SET usrmgmt.password_iterations = 4096;
SELECT usrmgmt.set_password('fast', 'correct horse battery');
CREATE FUNCTION pg_temp.ms(u text, p text, n int, iters int) RETURNS numeric
LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz;
BEGIN
    PERFORM set_config('usrmgmt.password_iterations', iters::text, true);
    t0 := clock_timestamp();
    FOR i IN 1..n LOOP
        PERFORM usrmgmt.check_password(u, p);
    END LOOP;
    RETURN round((extract(epoch FROM clock_timestamp() - t0) * 1000 / n)::numeric, 3);
END\$\$;
\pset footer off
SELECT iterations, right_ms, wrong_ms, unknown_ms,
       round(unknown_ms / right_ms, 3) AS unknown_over_known
  FROM (VALUES
    (600000, pg_temp.ms('slow', 'correct horse battery', $N_SLOW, 600000),
             pg_temp.ms('slow', 'wrong horse battery', $N_SLOW, 600000),
             pg_temp.ms('nobody', 'correct horse battery', $N_SLOW, 600000)),
    (4096, pg_temp.ms('fast', 'correct horse battery', $N_FAST, 4096),
           pg_temp.ms('fast', 'wrong horse battery', $N_FAST, 4096),
           pg_temp.ms('nobody', 'correct horse battery', $N_FAST, 4096))
  ) v(iterations, right_ms, wrong_ms, unknown_ms);
SQL
