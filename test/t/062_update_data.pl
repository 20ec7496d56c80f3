# test/t/062_update_data.pl: ALTER EXTENSION usrmgmt UPDATE from 1.0 to 1.1
# on a database in use (doc/usrmgmt.md, "Retention and partitions" and
# "Upgrades"): passwords set, sessions open, users deleted with history
# (1.0 set their log rows' user_id to NULL), servers and settings, and a
# grant a DBA made on user_log.
#
# After the update: every row is still there and equal, but for the NULL
# user_id of deleted users' history, which is now the placeholder 0; the
# 1.0 log is the partition user_log_1_0 of the partitioned user_log; the
# identity continues; open sessions still log out with their 'logout' row
# and the session invariants hold; the grant carried over; maintain()
# adds the next months; purge_user_log() at a cut inside the 1.0 partition
# keeps the login rows of the open sessions; the updated database survives
# pg_dump -Fd + pg_restore -j 4 unchanged.  Last, one session across an
# update, its rollback and the update again logs in under each model.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('update_data');
$node->init;
$node->append_conf('postgresql.conf', 'usrmgmt.password_iterations = 4096');
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;

$node->safe_psql('postgres', 'CREATE ROLE regress_update_monitor');
$node->safe_psql('postgres', q{
CREATE EXTENSION usrmgmt VERSION '1.0';
INSERT INTO usrmgmt."user" (username, email)
SELECT 'upd_' || g, 'upd' || g || '@example.com' FROM generate_series(1, 200) g;
SELECT usrmgmt.set_password('upd_1', 'correct horse battery');
SELECT usrmgmt.set_password('upd_2', 'another long secret');
SELECT usrmgmt.set_password('upd_6', 'a third long secret');
-- upd_2 locked out (five wrong passwords), upd_4 (no password) two failures
SELECT count(*) FROM (SELECT usrmgmt.authenticate('upd_2', 'wrong ' || g) FROM generate_series(1, 5) g) x;
SELECT count(*) FROM (SELECT usrmgmt.authenticate('upd_4', 'wrong ' || g) FROM generate_series(1, 2) g) x;
SELECT count(*) FROM (SELECT usrmgmt.login('upd_' || g) FROM generate_series(1, 200) g) x;
SELECT count(*) FROM (SELECT usrmgmt.logout(id) FROM usrmgmt.online_user WHERE id % 2 = 0) x;
INSERT INTO usrmgmt.server (server_name, owner_id) VALUES ('srv-upd', 3);
INSERT INTO usrmgmt.configuration (key, value, updated_by) VALUES ('upd.key', 'v', 4), ('upd.gone', 'v', 5);
-- old history of a deleted user, and deleted users with open sessions
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp", session_id)
VALUES (5, 'upd_5', 'login', '2024-01-10 10:00:00+00', 900001),
       (5, 'upd_5', 'logout', '2024-01-10 11:00:00+00', 900001);
DELETE FROM usrmgmt."user" WHERE username IN ('upd_5', 'upd_7', 'upd_8');
GRANT SELECT ON usrmgmt.user_log TO regress_update_monitor;
});

# The authentication state, in 1.0 columns of "user" and in 1.1 rows of
# user_auth (one per user that has any): the same digest either way.
my $auth_10 = q{SELECT u.id AS user_id, u.password_hash, u.failed_logins, u.last_login_at FROM usrmgmt."user" u
                 WHERE u.password_hash IS NOT NULL OR u.failed_logins <> 0 OR u.last_login_at IS NOT NULL};
my $auth_11 = q{SELECT a.user_id, a.password_hash, a.failed_logins, a.last_login_at FROM usrmgmt.user_auth a};
my $digest_template = q{
SELECT string_agg(t || ' ' || n || ' ' || h, E'\n' ORDER BY t) FROM (
  SELECT 'user' t, count(*) n,
         md5(string_agg(concat_ws('|', id, username, email, first_name, last_name, is_admin, is_active,
                                  created_at, updated_at), ',' ORDER BY id)) h FROM usrmgmt."user" x
  UNION ALL SELECT 'user_auth', count(*), md5(string_agg(x::text, ',' ORDER BY user_id)) FROM (AUTH) x
  UNION ALL SELECT 'online_user', count(*), md5(string_agg(x::text, ',' ORDER BY id)) FROM usrmgmt.online_user x
  UNION ALL SELECT 'user_log', count(*),
         md5(string_agg(concat_ws('|', id, coalesce(user_id, 0), username, action, "timestamp",
                                  ip_address, session_id, user_agent, detail), ',' ORDER BY id))
    FROM usrmgmt.user_log x
  UNION ALL SELECT 'server', count(*), md5(string_agg(x::text, ',' ORDER BY id)) FROM usrmgmt.server x
  UNION ALL SELECT 'configuration', count(*), md5(string_agg(x::text, ',' ORDER BY id)) FROM usrmgmt.configuration x) d};
(my $digest_10 = $digest_template) =~ s/AUTH/$auth_10/;
(my $digest_sql = $digest_template) =~ s/AUTH/$auth_11/;
my $before = $node->safe_psql('postgres', $digest_10);
like($before, qr/^user_auth 197 /m, '1.0: 197 users with authentication state (every user logged in, 3 deleted)');
my $nulls = $node->safe_psql('postgres', 'SELECT count(*) FROM usrmgmt.user_log WHERE user_id IS NULL');
ok($nulls > 0, "1.0: $nulls history rows of deleted users have user_id NULL");
my $max_log_id = $node->safe_psql('postgres', 'SELECT max(id) FROM usrmgmt.user_log');

# The update does not scan the log: the CHECK that lets the 1.0 table
# become a partition (bound and user_id NOT NULL) is proven through its
# btree indexes (src/update_log_bound.c).  With sequential scans off for
# the planner (the script's own look-ups then go through indexes too), a
# sequential scan of the 1.0 table in this transaction could only be the
# validation's (VALIDATE CONSTRAINT, SET NOT NULL or ATTACH PARTITION).
my $t0 = time;
is($node->safe_psql('postgres', q{
BEGIN;
SET LOCAL enable_seqscan = off;
ALTER EXTENSION usrmgmt UPDATE TO '1.1';
SELECT pg_stat_get_xact_numscans('usrmgmt.user_log_1_0'::regclass);
COMMIT;}), '0', 'the update validated the 1.0 partition without scanning it');
note sprintf('ALTER EXTENSION usrmgmt UPDATE took about %d s', time - $t0);

is($node->safe_psql('postgres', $digest_sql), $before,
	'every row kept (the NULL user_id of deleted users now the placeholder 0; the secrets in user_auth)');
is($node->safe_psql('postgres', q{
SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
 WHERE attrelid = 'usrmgmt."user"'::regclass AND attnum > 0 AND NOT attisdropped}),
	'id,username,email,first_name,last_name,is_admin,is_active,created_at,updated_at',
	'"user" keeps the profile only');
is($node->safe_psql('postgres', q{
SELECT string_agg(u.username || '=' || a.failed_logins || coalesce(':' || left(a.password_hash, 19), ''), ','
                  ORDER BY u.id)
  FROM usrmgmt.user_auth a JOIN usrmgmt."user" u ON u.id = a.user_id
 WHERE a.failed_logins <> 0 OR a.password_hash IS NOT NULL}),
	'upd_1=0:SCRAM-SHA-256$4096:,upd_2=5:SCRAM-SHA-256$4096:,upd_4=2,upd_6=0:SCRAM-SHA-256$4096:',
	'passwords and failed logins moved to user_auth');
is($node->safe_psql('postgres', q{SELECT count(*) FROM usrmgmt.change_log}), '0',
	'the move is not in the change audit');
is($node->safe_psql('postgres', 'SELECT count(*) FROM usrmgmt.user_log WHERE user_id = 0'), $nulls,
	'the placeholder 0 where 1.0 had NULL');
is($node->safe_psql('postgres', q{
SELECT string_agg(c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid), ', ' ORDER BY c.relname)
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'usrmgmt.user_log'::regclass AND c.relname = 'user_log_default'}),
	'user_log_default DEFAULT', 'the log is partitioned, with its default partition');
like($node->safe_psql('postgres', q{
SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = 'usrmgmt.user_log_1_0'::regclass}),
	qr/^FOR VALUES FROM \(MINVALUE\) TO \('\d{4}-\d\d-01 00:00:00\+00'\)$/,
	'the 1.0 log is the partition user_log_1_0, up to the first month after its rows');
is($node->safe_psql('postgres', q{
SELECT count(*) FROM usrmgmt.user_log WHERE tableoid = 'usrmgmt.user_log_1_0'::regclass}),
	$node->safe_psql('postgres', 'SELECT count(*) FROM usrmgmt.user_log'),
	'every 1.0 row is in it');
# (NOT NULL constraints, catalogued from PostgreSQL 18, aside: attnotnull
# below says the same on every version)
is($node->safe_psql('postgres', q{
SELECT string_agg(conname || ' ' || contype::text || ' ' || convalidated, ', ' ORDER BY conname) FROM pg_constraint
 WHERE conrelid = 'usrmgmt.user_log_1_0'::regclass AND contype <> 'n'}),
	'user_log_1_0_pkey p true, user_log_action_valid c true',
	'its constraints validated, as a new partition\'s; the CHECK that proved the bound is gone');
is($node->safe_psql('postgres', q{
SELECT attnotnull FROM pg_attribute WHERE attrelid = 'usrmgmt.user_log_1_0'::regclass AND attname = 'user_id'}),
	't', 'its user_id is NOT NULL');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_proc WHERE proname = '_update_prove_log_bound'}),
	'0', 'the update dropped its helper _update_prove_log_bound()');
# What the proven CHECK said now holds as constraints of the partition
# (OVERRIDING SYSTEM VALUE: from PostgreSQL 17 a partition has its
# parent's GENERATED ALWAYS identity).
my $bound = $node->safe_psql('postgres', q{
SELECT substring(pg_get_expr(relpartbound, oid) FROM 'TO \\(''(.*)''\\)') FROM pg_class
 WHERE oid = 'usrmgmt.user_log_1_0'::regclass});
my ($ret, $out, $err) = $node->psql('postgres', qq{
INSERT INTO usrmgmt.user_log_1_0 (id, user_id, username, action, "timestamp") OVERRIDING SYSTEM VALUE
VALUES (1000001, 1, 'upd_1', 'login', '$bound')}, extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($err, qr/ERROR:  23514: new row for relation "user_log_1_0" violates partition constraint/,
	'a row at the bound is refused by user_log_1_0: 23514');
($ret, $out, $err) = $node->psql('postgres', q{
INSERT INTO usrmgmt.user_log_1_0 (id, user_id, username, action, "timestamp") OVERRIDING SYSTEM VALUE
VALUES (1000002, NULL, 'upd_1', 'login', '2024-02-01')}, extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($err, qr/ERROR:  23502: null value in column "user_id" of relation "user_log_1_0"/,
	'a row without user_id is refused by user_log_1_0: 23502');
is($node->safe_psql('postgres', q{SELECT has_table_privilege('regress_update_monitor', 'usrmgmt.user_log', 'SELECT')}),
	't', 'the grant on the 1.0 table carried over to the partitioned table');
is($node->safe_psql('postgres', q{
SELECT string_agg(c.relname || ' ' || (i.initprivs = acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char",
                                                            c.relowner))::text, ', ' ORDER BY c.relname)
  FROM pg_init_privs i JOIN pg_class c ON c.oid = i.objoid AND i.classoid = 'pg_class'::regclass
 WHERE c.relname IN ('user_log', 'user_log_id_seq') AND c.relnamespace = 'usrmgmt'::regnamespace}),
	'user_log true, user_log_id_seq true',
	'the carried-over grant is the DBA\'s: the initial privileges are the owner\'s only (pg_dump dumps the grant)');
is($node->safe_psql('postgres', 'SELECT count(*) FROM usrmgmt.validate_schema()'), '0',
	'validate_schema() finds nothing');
is($node->safe_psql('postgres', q{SELECT count(*) FROM usrmgmt.validate_data_integrity()}), '0',
	'validate_data_integrity() finds nothing (deleted users keep their history)');

# Sessions opened in 1.0 close normally; the identity continues.
$node->safe_psql('postgres', slurp_file('test/sql/session_invariants.sql'));
is($node->safe_psql('postgres', q{SELECT usrmgmt.logout(min(id)) FROM usrmgmt.online_user}), 't',
	'a session opened in 1.0 logs out');
my $session = $node->safe_psql('postgres', q{SELECT usrmgmt.login('upd_3')});
ok($session > 0, 'a new login');
cmp_ok($node->safe_psql('postgres', "SELECT id FROM usrmgmt.user_log WHERE session_id = $session AND action = 'login'"),
	'>', $max_log_id, 'its log row continues the identity');
is($node->safe_psql('postgres', q{SELECT usrmgmt.check_password('upd_1', 'correct horse battery')}), 't',
	'a password set in 1.0 still checks');
is($node->safe_psql('postgres', q{SELECT usrmgmt.authenticate('upd_6', 'a third long secret') > 0}), 't',
	'a password set in 1.0 still authenticates');
is($node->safe_psql('postgres', q{SELECT usrmgmt.authenticate('upd_2', 'another long secret') IS NULL}), 't',
	'a user locked out in 1.0 is still locked out');
is($node->safe_psql('postgres', q{SELECT usrmgmt.authenticate('upd_4', 'anything at all') IS NULL}), 't',
	'a failure counts on from the 1.0 count');
is($node->safe_psql('postgres', q{
SELECT a.failed_logins || ' ' || (a.locked_at IS NULL) FROM usrmgmt.user_auth a JOIN usrmgmt."user" u ON u.id = a.user_id
 WHERE u.username = 'upd_4'}), '3 true', 'upd_4: 3 failures, not locked');
is($node->safe_psql('postgres', q{SELECT usrmgmt.unlock_user('upd_2')}), 't', 'unlock_user() lifts the 1.0 lockout');
is($node->safe_psql('postgres', q{SELECT usrmgmt.authenticate('upd_2', 'another long secret') > 0}), 't',
	'and the password authenticates');
is($node->safe_psql('postgres', q{SELECT usrmgmt.last_login(id) > now() - interval '1 hour' FROM usrmgmt."user" WHERE username = 'upd_2'}),
	't', 'last_login() follows the new login');
is($node->safe_psql('postgres', q{
SELECT inactive_sessions + stale_names + bad_sessions + unlogged_sessions + unbalanced_users
  FROM public.session_invariants()}), '0', 'the session invariants hold');

# A deleted user's logout keeps the id now.
$node->safe_psql('postgres', q{DELETE FROM usrmgmt."user" WHERE username = 'upd_9'});
is($node->safe_psql('postgres', q{
SELECT user_id || ' ' || detail FROM usrmgmt.user_log WHERE username = 'upd_9' AND action = 'logout'}),
	'9 user deleted', 'a user deleted in 1.1: the logout row keeps its id');

# maintain() adds the months after the 1.0 partition.
like($node->safe_psql('postgres', q{SELECT usrmgmt.maintain()->>'created'}),
	qr/^\["user_log_\d{4}_\d\d"/, 'maintain() creates the months after the 1.0 partition');

# purge at a cut inside the 1.0 partition: old rows go, open sessions keep their login rows
my $open_logins = $node->safe_psql('postgres', q{
SELECT count(*) FROM usrmgmt.user_log l JOIN usrmgmt.online_user o ON o.id = l.session_id WHERE l.action = 'login'});
is($node->safe_psql('postgres', q{SELECT usrmgmt.purge_user_log('2024-06-01')}), '2',
	'purge_user_log() removes the two 2024 rows');
is($node->safe_psql('postgres', q{
SELECT count(*) FROM usrmgmt.user_log l JOIN usrmgmt.online_user o ON o.id = l.session_id WHERE l.action = 'login'}),
	$open_logins, 'the open sessions keep their login rows');

# The updated database survives a parallel restore unchanged, 1.0 partition included.
my $after = $node->safe_psql('postgres', $digest_sql);
my $parts = q{SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               WHERE i.inhparent = 'usrmgmt.user_log'::regclass};
my $parts_before = $node->safe_psql('postgres', $parts);
command_ok([ 'pg_dump', '-Fd', '-j', '4', '-d', $node->connstr('postgres'), '-f', "$tmp/upd.dump" ],
	'pg_dump -Fd of the updated database');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
command_ok([ 'pg_restore', '--exit-on-error', '-j', '4', '-d', $node->connstr('restored'), "$tmp/upd.dump" ],
	'pg_restore -j 4 of the updated database');
is($node->safe_psql('restored', $digest_sql), $after, 'restored: every table identical');
is($node->safe_psql('restored', $parts), $parts_before, 'restored: the same partitions, the 1.0 one included');
is($node->safe_psql('restored', q{
SELECT has_table_privilege('regress_update_monitor', 'usrmgmt.user_log', 'SELECT'),
       has_table_privilege('regress_update_monitor', 'usrmgmt.user_log_1_0', 'SELECT')}),
	't|t', 'restored: the DBA\'s grants on user_log and user_log_1_0 too');

$node->safe_psql('postgres', q{REVOKE ALL ON usrmgmt.user_log FROM regress_update_monitor;
REVOKE ALL ON usrmgmt.user_log_1_0 FROM regress_update_monitor;});
$node->safe_psql('restored', q{REVOKE ALL ON usrmgmt.user_log FROM regress_update_monitor;
REVOKE ALL ON usrmgmt.user_log_1_0 FROM regress_update_monitor;});
# what a DBA does to retire a role works (from PostgreSQL 17 a grant
# recorded as an initial privilege would keep it: "initial privileges for
# table usrmgmt.user_log")
is($node->psql('postgres', 'DROP ROLE regress_update_monitor'), 0,
	'the monitor role can be dropped after its grants are revoked');
# One backend across updates: the data model it remembers per backend
# (src/data_model.c) follows an ALTER EXTENSION UPDATE at once, forgets
# one that was rolled back, and follows it again; otherwise a login
# would run the other model's statements (user_auth or
# "user".last_login_at missing).
$node->safe_psql('postgres', 'CREATE DATABASE memo');
is($node->safe_psql('memo', q{
CREATE EXTENSION usrmgmt VERSION '1.0';
INSERT INTO usrmgmt."user" (username) VALUES ('memo_1');
SELECT usrmgmt.logout(usrmgmt.login('memo_1'));
BEGIN;
ALTER EXTENSION usrmgmt UPDATE TO '1.1';
SELECT usrmgmt.logout(usrmgmt.login('memo_1'));
SELECT count(*) FROM usrmgmt.user_auth;
ROLLBACK;
SELECT usrmgmt.logout(usrmgmt.login('memo_1'));
SELECT last_login_at IS NOT NULL FROM usrmgmt."user";
ALTER EXTENSION usrmgmt UPDATE TO '1.1';
SELECT usrmgmt.logout(usrmgmt.login('memo_1'));
SELECT usrmgmt.last_login(id) > now() - interval '1 hour' FROM usrmgmt."user";
}), "t\nt\n1\nt\nt\nt\nt",
	'one session: login follows the update, its rollback and the update again');

# The fallback: a 1.0 log whose "timestamp" has no btree index (a DBA
# replaced it with a BRIN index, as many do for logs) cannot be proven
# through its indexes; the update says so in a WARNING and validates the
# CHECK by a scan of the table: one sequential scan for max("timestamp")
# (no btree to read it from), one for the validation.
$node->safe_psql('postgres', 'CREATE DATABASE fallback');
$node->safe_psql('fallback', q{
CREATE EXTENSION usrmgmt VERSION '1.0';
INSERT INTO usrmgmt."user" (username) SELECT 'fb_' || g FROM generate_series(1, 20) g;
SELECT count(*) FROM (SELECT usrmgmt.login('fb_' || g) FROM generate_series(1, 20) g) x;
DELETE FROM usrmgmt."user" WHERE username IN ('fb_3', 'fb_4');
DROP INDEX usrmgmt.user_log_timestamp_idx;
CREATE INDEX user_log_timestamp_idx ON usrmgmt.user_log USING brin ("timestamp");
});
my $fb_before = $node->safe_psql('fallback', q{
SELECT count(*) FILTER (WHERE user_id IS NULL) || ' ' || count(*) FROM usrmgmt.user_log});
like($fb_before, qr/^[1-9]\d* \d+$/, "fallback: 1.0 log (user_id NULL, all): $fb_before");
($ret, $out, $err) = $node->psql('fallback', q{
BEGIN;
SET LOCAL enable_seqscan = off;
ALTER EXTENSION usrmgmt UPDATE TO '1.1';
SELECT pg_stat_get_xact_numscans('usrmgmt.user_log_1_0'::regclass);
COMMIT;});
is($ret, 0, 'fallback: the update succeeds');
is($out, '2', 'fallback: the 1.0 table scanned for its newest row and for the validation');
like($err, qr/WARNING:  validating constraint "user_log_1_0_bound" of usrmgmt.user_log_1_0 by a scan of the table\nDETAIL:  Not proven through its indexes: the table has no usable btree index on "timestamp"\./,
	'fallback: a WARNING says why');
is($node->safe_psql('fallback', q{
SELECT count(*) FILTER (WHERE user_id = 0) || ' ' || count(*) FROM usrmgmt.user_log_1_0}),
	$fb_before, 'fallback: every row in the partition, the deleted users\' rows with user_id 0');
is($node->safe_psql('fallback', q{
SELECT string_agg(conname || ' ' || convalidated, ', ' ORDER BY conname) FROM pg_constraint
 WHERE conrelid = 'usrmgmt.user_log_1_0'::regclass AND contype <> 'n'}),
	'user_log_1_0_pkey true, user_log_action_valid true', 'fallback: the same constraints');
($ret, $out, $err) = $node->psql('fallback', q{
INSERT INTO usrmgmt.user_log_1_0 (id, user_id, username, action, "timestamp") OVERRIDING SYSTEM VALUE
VALUES (1000001, NULL, 'fb_1', 'login', '2024-02-01')}, extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($err, qr/ERROR:  23502: null value in column "user_id" of relation "user_log_1_0"/,
	'fallback: a row without user_id is refused: 23502');

# The helper refuses to run outside the update, even for a superuser.
($ret, $out, $err) = $node->psql('fallback', q{
CREATE FUNCTION public.prove() RETURNS boolean AS '$libdir/usrmgmt', 'usrmgmt_update_prove_log_bound' LANGUAGE C;
SELECT public.prove();}, extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($err, qr/ERROR:  55000: usrmgmt\._update_prove_log_bound\(\) may only be called by the update script of usrmgmt/,
	'the helper outside the update: 55000');

$node->stop;
done_testing();
