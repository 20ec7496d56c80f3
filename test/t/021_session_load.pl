# Load test of session logging: pgbench, 8 clients, each transaction a
# random login / logout / logout_user / touch_session over 20 users, then
# the invariants:
#   - no failed transaction (no deadlock, no error);
#   - per user, open sessions = 'login' rows - 'logout' rows;
#   - every session in the log has exactly one 'login' row and one
#     'logout' row when closed, none when open;
#   - every open session has its 'login' row.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('load');
$node->init;
$node->append_conf('postgresql.conf', "max_connections = 30\nfsync = off");
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION usrmgmt;
	INSERT INTO usrmgmt."user" (username)
	    SELECT 'user' || g FROM generate_series(1, 20) g;
});

my $script = q{
\set u random(1, 20)
\set op random(1, 100)
SELECT CASE
    WHEN :op <= 50 THEN usrmgmt.login('user' || :u, '192.0.2.1', 'pgbench')::text
    WHEN :op <= 85 THEN usrmgmt.logout(coalesce(
        (SELECT o.id FROM usrmgmt.online_user o
          WHERE o.user_id = :u ORDER BY o.id LIMIT 1), 0))::text
    WHEN :op <= 95 THEN usrmgmt.logout_user('USER' || :u)::text
    ELSE usrmgmt.touch_session(coalesce(
        (SELECT max(o.id) FROM usrmgmt.online_user o WHERE o.user_id = :u), 0))::text
  END;
};

my $clients = 8;
my $per_client = 250;
my $total = $clients * $per_client;
$node->pgbench(
	"--no-vacuum --client=$clients --jobs=2 --transactions=$per_client",
	0,
	[
		qr{number of transactions actually processed: $total/$total},
		qr{number of failed transactions: 0 }
	],
	[qr{^$}],
	'8 clients of random login/logout/logout_user: no failed transaction',
	{ '021_session_load' => $script });

my $inv = $node->safe_psql('postgres', q{
	SELECT
	  (SELECT count(*) FROM usrmgmt."user" u
	    WHERE (SELECT count(*) FROM usrmgmt.online_user o WHERE o.user_id = u.id) <>
	          (SELECT count(*) FILTER (WHERE l.action = 'login')
	                  - count(*) FILTER (WHERE l.action = 'logout')
	             FROM usrmgmt.user_log l WHERE l.user_id = u.id))
	  || ' ' ||
	  (SELECT count(*) FROM (SELECT l.session_id FROM usrmgmt.user_log l GROUP BY l.session_id
	    HAVING count(*) FILTER (WHERE l.action = 'login') <> 1
	        OR count(*) FILTER (WHERE l.action = 'logout') <>
	           CASE WHEN EXISTS (SELECT 1 FROM usrmgmt.online_user o WHERE o.id = l.session_id)
	                THEN 0 ELSE 1 END) x)
	  || ' ' ||
	  (SELECT count(*) FROM usrmgmt.online_user o WHERE NOT EXISTS
	    (SELECT 1 FROM usrmgmt.user_log l WHERE l.session_id = o.id AND l.action = 'login'))
});
is($inv, '0 0 0', 'unbalanced users, bad sessions, unlogged sessions: none');

my ($logins, $sessions) = split /\|/, $node->safe_psql('postgres', q{
	SELECT (SELECT count(*) FROM usrmgmt.user_log WHERE action = 'login'),
	       (SELECT count(*) FROM usrmgmt.online_user)});
cmp_ok($logins, '>', $total / 4, "the load logged in ($logins logins)");
note("open sessions at the end: $sessions");

$node->safe_psql('postgres', 'DROP EXTENSION usrmgmt');
$node->stop;
done_testing();
