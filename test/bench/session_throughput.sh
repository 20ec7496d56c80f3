#!/usr/bin/env bash
# test/bench/session_throughput.sh: session throughput of usrmgmt against a
# hand-written baseline, interleaved in the same run.
#
#   usrmgmt:  one transaction = SELECT usrmgmt.logout(usrmgmt.login(...))
#             (C functions, C triggers, foreign keys, the append-only guard)
#   baseline: one transaction = SELECT bench_base.login_logout(...), a
#             PL/pgSQL function (cached plans) doing the same writes on
#             copies of the tables (same columns, defaults, CHECKs, indexes)
#             without triggers or foreign keys: look up the user, insert the
#             session, insert the 'login' row, set last_login_at (in the
#             user's user_auth row, as 1.1 keeps it), delete the session,
#             insert the 'logout' row.
#
# A third variant, "baseline+FK", is the baseline with the foreign key the
# schema's rules amount to (1.1: online_user -> user and user_auth -> user,
# which usrmgmt keeps by triggers; the log has none), to show what part of
# the difference it is.
# The mirrors have the 1.1 shape: user_log partitioned by month with the
# partitions' indexes (usrmgmt.maintain() makes this month's partition).
#
# pgbench, $CLIENTS clients over 100 users, $ROUNDS rounds of
# $SECONDS_PER_RUN s each for usrmgmt, the baseline and baseline+FK; prints
# each round and the ratio of the summed rates (goal, 1.1: >= 0.95 against
# baseline+FK).  Connection from the PG* variables; it
# creates and drops the database usrmgmt_bench_sess.
set -euo pipefail
CLIENTS=${CLIENTS:-8}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-6}
ROUNDS=${ROUNDS:-5}
DB=usrmgmt_bench_sess
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT

dropdb --if-exists "$DB" >/dev/null 2>&1 || true
createdb "$DB"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" <<'SQL'
CREATE EXTENSION usrmgmt;
SELECT usrmgmt.maintain() IS NOT NULL;   -- 1.1: this month's partition of user_log
INSERT INTO usrmgmt."user" (username) SELECT 'bench' || g FROM generate_series(1, 100) g;
-- every user has logged in once: the steady state, where a login updates
-- its user_auth row
SELECT count(usrmgmt.logout(usrmgmt.login('bench' || g))) FROM generate_series(1, 100) g;

-- The mirrors of the 1.1 tables: same columns, defaults, CHECKs, indexes
-- and partitioning (user_log partitioned by month, this month's partition
-- and the default one, each with user_log_default's indexes), no trigger.
CREATE FUNCTION pg_temp.mirror(s text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE format('CREATE TABLE %I."user" (LIKE usrmgmt."user" INCLUDING ALL)', s);
    EXECUTE format('CREATE TABLE %I.user_auth (LIKE usrmgmt.user_auth INCLUDING ALL)', s);
    EXECUTE format('CREATE TABLE %I.online_user (LIKE usrmgmt.online_user INCLUDING ALL)', s);
    EXECUTE format('CREATE TABLE %I.user_log (LIKE usrmgmt.user_log INCLUDING ALL) PARTITION BY RANGE ("timestamp")', s);
    EXECUTE format('CREATE TABLE %I.user_log_default (LIKE usrmgmt.user_log_default INCLUDING ALL)', s);
    EXECUTE format('ALTER TABLE %I.user_log ATTACH PARTITION %I.user_log_default DEFAULT', s, s);
    EXECUTE format('CREATE TABLE %I.user_log_now (LIKE usrmgmt.user_log_default INCLUDING ALL)', s);
    EXECUTE format('ALTER TABLE %I.user_log ATTACH PARTITION %I.user_log_now FOR VALUES FROM (%L) TO (%L)',
                   s, s, date_trunc('month', now()), date_trunc('month', now()) + interval '1 month');
    EXECUTE format('INSERT INTO %I."user" (username) SELECT ''bench'' || g FROM generate_series(1, 100) g', s);
    EXECUTE format('INSERT INTO %I.user_auth (user_id, last_login_at) SELECT id, now() FROM %I."user"', s, s);
END$f$;
CREATE SCHEMA bench_base;
SELECT pg_temp.mirror('bench_base');

-- The same with the foreign key the 1.1 rules amount to (online_user ->
-- user, ON DELETE CASCADE; usrmgmt keeps it by triggers, the log has none),
-- to show what part of the difference it accounts for.
CREATE SCHEMA bench_fk;
SELECT pg_temp.mirror('bench_fk');
ALTER TABLE bench_fk.online_user ADD FOREIGN KEY (user_id) REFERENCES bench_fk."user" (id) ON DELETE CASCADE;
ALTER TABLE bench_fk.user_auth ADD FOREIGN KEY (user_id) REFERENCES bench_fk."user" (id) ON DELETE CASCADE;

CREATE FUNCTION bench_base.login_logout(p_username text, p_ip inet, p_agent text)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
    v_name text;
    v_active boolean;
    v_sid bigint;
BEGIN
    SELECT id, username, is_active INTO v_id, v_name, v_active
      FROM bench_base."user" WHERE lower(username) = lower(p_username);
    IF NOT FOUND OR NOT v_active THEN
        RAISE EXCEPTION 'no such active user';
    END IF;
    INSERT INTO bench_base.online_user (user_id, username, ip_address, user_agent)
        VALUES (v_id, v_name, p_ip, p_agent) RETURNING id INTO v_sid;
    INSERT INTO bench_base.user_log (user_id, username, action, session_id, ip_address, user_agent)
        VALUES (v_id, v_name, 'login', v_sid, p_ip, p_agent);
    UPDATE bench_base.user_auth SET last_login_at = now() WHERE user_id = v_id;
    DELETE FROM bench_base.online_user WHERE id = v_sid;
    INSERT INTO bench_base.user_log (user_id, username, action, session_id, ip_address, user_agent)
        VALUES (v_id, v_name, 'logout', v_sid, p_ip, p_agent);
    RETURN true;
END$$;
SELECT format($f$CREATE FUNCTION bench_fk.login_logout(p_username text, p_ip inet, p_agent text)
RETURNS boolean LANGUAGE plpgsql AS %L$f$,
    replace(prosrc, 'bench_base.', 'bench_fk.'))
  FROM pg_proc WHERE oid = 'bench_base.login_logout'::regproc \gexec
SQL

cat >"$TMP/ext.sql" <<'EOF2'
\set u random(1, 100)
SELECT usrmgmt.logout(usrmgmt.login('bench' || :u, '192.0.2.1', 'bench'));
EOF2
cat >"$TMP/base.sql" <<'EOF2'
\set u random(1, 100)
SELECT bench_base.login_logout('bench' || :u, '192.0.2.1', 'bench');
EOF2
cat >"$TMP/fk.sql" <<'EOF2'
\set u random(1, 100)
SELECT bench_fk.login_logout('bench' || :u, '192.0.2.1', 'bench');
EOF2

run() {
    pgbench -n -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -f "$1" "$DB" 2>/dev/null |
        sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}

# warm up both (plans, caches)
pgbench -n -c "$CLIENTS" -j 2 -T 2 -f "$TMP/ext.sql" "$DB" >/dev/null 2>&1
pgbench -n -c "$CLIENTS" -j 2 -T 2 -f "$TMP/base.sql" "$DB" >/dev/null 2>&1
pgbench -n -c "$CLIENTS" -j 2 -T 2 -f "$TMP/fk.sql" "$DB" >/dev/null 2>&1

ext_sum=0
base_sum=0
fk_sum=0
for r in $(seq 1 "$ROUNDS"); do
    e=$(run "$TMP/ext.sql")
    b=$(run "$TMP/base.sql")
    f=$(run "$TMP/fk.sql")
    awk -v r="$r" -v e="$e" -v b="$b" -v f="$f" 'BEGIN { printf "round %d: usrmgmt %8.1f tps  baseline %8.1f tps  baseline+FK %8.1f tps  ratio %.3f (vs +FK %.3f)\n", r, e, b, f, e / b, e / f }'
    ext_sum=$(awk -v s="$ext_sum" -v e="$e" 'BEGIN { print s + e }')
    base_sum=$(awk -v s="$base_sum" -v b="$b" 'BEGIN { print s + b }')
    fk_sum=$(awk -v s="$fk_sum" -v f="$f" 'BEGIN { print s + f }')
done
awk -v e="$ext_sum" -v b="$base_sum" -v f="$fk_sum" -v n="$ROUNDS" \
    'BEGIN { printf "mean:    usrmgmt %8.1f tps  baseline %8.1f tps  baseline+FK %8.1f tps  ratio %.3f (goal 1.1: >= 0.95 vs +FK; %.3f)\n", e / n, b / n, f / n, e / b, e / f }'
