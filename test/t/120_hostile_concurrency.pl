# Hostile values under concurrency: pgbench, 8 clients, every transaction
# a wrong-password authenticate() (counted), hostile names, user agents and
# ids through authenticate / check_password / login / logout /
# touch_session, and now and then logout_user and expire_sessions, all at
# once on 10 users.  Then:
#   - no failed transaction (no deadlock, no error);
#   - every wrong password was counted exactly once (sum of failed_logins
#     = transactions: the row lock of authenticate() loses no update);
#   - per user, open sessions = 'login' rows - 'logout' rows;
#   - the hostile user agent was stored verbatim, usrmgmt."user" is intact;
#   - the postmaster never restarted and no backend died.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('hostile');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_connections = 30
fsync = off
usrmgmt.password_iterations = 4096
usrmgmt.max_failed_logins = 0
});
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION usrmgmt;
	INSERT INTO usrmgmt."user" (username)
	    SELECT 'user' || g FROM generate_series(1, 10) g;
	SELECT usrmgmt.set_password('user' || g, 'correct horse ' || g)
	  FROM generate_series(1, 10) g;
});
my $start = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

# Every script run: exactly one wrong password for an existing user.  Each
# line is its own transaction (autocommit): the spec's "Session logging"
# promises no deadlock per call; a transaction that makes several session
# calls takes its row locks in the order of its calls and can deadlock
# with another one.
my $hostile = q{
\set u random(1, 10)
\set id random(-1000000000, 1000000000) * 9000000000
SELECT usrmgmt.authenticate('user' || :u, 'wrong ' || :u, '::1', E'\x01\x1f\x7f') IS NULL AS refused;
SELECT usrmgmt.authenticate($$'); DROP TABLE usrmgmt.user; --$$, 'x') IS NULL AS unknown;
SELECT usrmgmt.check_password(repeat(E'\x01', 200), E'\n') AS unknown_check;
SELECT usrmgmt.logout(:id) AS no_such_session, usrmgmt.touch_session(- :id) AS nor_this;
SELECT usrmgmt.login('USER' || :u, '192.0.2.1', $$'); DROP TABLE usrmgmt.user; --$$ || E'\x01') > 0 AS logged_in;
SELECT usrmgmt.logout(coalesce((SELECT min(o.id) FROM usrmgmt.online_user o WHERE o.user_id = :u), 0)) IS NOT NULL AS logged_out;
};
my $sweep = q{
\set u random(1, 10)
SELECT usrmgmt.authenticate('user' || :u, '', NULL, NULL) IS NULL AS refused;
SELECT usrmgmt.logout_user('user' || :u) >= 0 AS swept;
SELECT usrmgmt.expire_sessions('0') >= 0 AS expired;
};

my $clients = 8;
my $per_client = 100;
my $total = $clients * $per_client;
$node->pgbench(
	"--no-vacuum --client=$clients --jobs=2 --transactions=$per_client",
	0,
	[
		qr{number of transactions actually processed: $total/$total},
		qr{^number of failed transactions: 0 }m
	],
	[qr{^$}],
	'8 clients of hostile authenticate/login/logout/expire: no failed transaction',
	{ '120_hostile@9' => $hostile, '120_sweep@1' => $sweep });

is($node->safe_psql('postgres', 'SELECT sum(failed_logins) FROM usrmgmt.user_auth'),
	$total, 'every wrong password counted exactly once');

# per-user balance: test/sql/session_invariants.sql, the definition the
# isolation specs use (prove runs in the top directory of the tree)
$node->safe_psql('postgres', slurp_file('test/sql/session_invariants.sql'));
is( $node->safe_psql('postgres',
		'SELECT unbalanced_users FROM public.session_invariants()'),
	'0', 'per user: open sessions = logins - logouts');

is( $node->safe_psql('postgres', q{
	SELECT count(DISTINCT user_agent) FROM usrmgmt.user_log
	 WHERE action = 'login' AND user_agent IS NOT NULL}),
	'1', 'one user agent in the log');
is( $node->safe_psql('postgres', q{
	SELECT user_agent = $$'); DROP TABLE usrmgmt.user; --$$ || E'\x01'
	  FROM usrmgmt.user_log WHERE action = 'login' LIMIT 1}),
	't', 'the SQL fragment was stored verbatim, as a value');
is($node->safe_psql('postgres', q{SELECT count(*) FROM usrmgmt."user"}),
	'10', 'usrmgmt."user" intact');

is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
	$start, 'the postmaster never restarted');
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|server process .* exited with exit code [1-9]|PANIC|TRAP/,
	'no backend died');

$node->stop;
done_testing();
