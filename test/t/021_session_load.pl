# Load test of session logging: pgbench, 8 clients, each transaction a
# random login / logout / logout_user / touch_session over 20 users; then a
# second run that also deactivates, deletes, re-creates and renames users
# and expires sessions; then the invariants:
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
		qr{^number of failed transactions: 0 }m
	],
	[qr{^$}],
	'8 clients of random login/logout/logout_user: no failed transaction',
	{ '021_session_load' => $script });

# Phase 2, churn: the same, plus deactivations and reactivations, deletes
# and re-creations of users, renames and expiry.  A login or logout_user
# that loses its race to these fails with 42704 or 28000, which the
# wrappers below swallow; any other error (a deadlock, a foreign-key or
# serialization error) aborts the client and fails the test.
$node->safe_psql('postgres', q{
	CREATE FUNCTION public.try_login(u text) RETURNS bigint LANGUAGE plpgsql AS $$
	BEGIN
	    RETURN usrmgmt.login(u, '192.0.2.2', 'churn');
	EXCEPTION WHEN undefined_object OR invalid_authorization_specification THEN
	    RETURN NULL;
	END$$;
	CREATE FUNCTION public.try_logout_user(u text) RETURNS integer LANGUAGE plpgsql AS $$
	BEGIN
	    RETURN usrmgmt.logout_user(u);
	EXCEPTION WHEN undefined_object THEN
	    RETURN NULL;
	END$$;
});
my $churn = q{
\set u random(1, 20)
\set op random(1, 100)
SELECT CASE
    WHEN :op <= 40 THEN public.try_login('user' || :u)::text
    WHEN :op <= 65 THEN usrmgmt.logout(coalesce(
        (SELECT o.id FROM usrmgmt.online_user o
          WHERE o.username = 'user' || :u ORDER BY o.id LIMIT 1), 0))::text
    WHEN :op <= 75 THEN public.try_logout_user('user' || :u)::text
    ELSE NULL
  END;
UPDATE usrmgmt."user" SET is_active = NOT is_active
 WHERE username = 'user' || :u AND :op BETWEEN 76 AND 85;
DELETE FROM usrmgmt."user" WHERE username = 'user' || :u AND :op BETWEEN 86 AND 89;
INSERT INTO usrmgmt."user" (username) SELECT 'user' || :u WHERE :op BETWEEN 90 AND 95
    ON CONFLICT DO NOTHING;
\set r random(1, 1000000000)
UPDATE usrmgmt."user" SET username = 'renamed' || :client_id || '_' || :r
 WHERE username = 'user' || :u AND :op BETWEEN 96 AND 98;
SELECT usrmgmt.expire_sessions('1 second') WHERE :op = 99;
};
$node->pgbench(
	"--no-vacuum --client=$clients --jobs=2 --transactions=$per_client",
	0,
	[
		qr{number of transactions actually processed: $total/$total},
		qr{^number of failed transactions: 0 }m
	],
	[qr{^$}],
	'churn (deactivate, delete, rename, expire) with logins: no failed transaction',
	{ '021_session_churn' => $churn });

# The invariants: test/sql/session_invariants.sql, the definition the
# isolation specs use (prove runs in the top directory of the tree).
$node->safe_psql('postgres', slurp_file('test/sql/session_invariants.sql'));
my $inv = $node->safe_psql('postgres', q{
	SELECT concat_ws(' ', unbalanced_users, bad_sessions, unlogged_sessions,
	                 inactive_sessions, stale_names)
	  FROM public.session_invariants()
});
is($inv, '0 0 0 0 0',
	'unbalanced users, bad sessions, unlogged sessions, sessions of inactive users, sessions with stale names: none');
my $details = $node->safe_psql('postgres', q{
	SELECT string_agg(DISTINCT coalesce(detail, 'asked'), ',' ORDER BY coalesce(detail, 'asked'))
	  FROM usrmgmt.user_log WHERE action = 'logout'});
note("logout details seen: $details");

my ($logins, $sessions) = split /\|/, $node->safe_psql('postgres', q{
	SELECT (SELECT count(*) FROM usrmgmt.user_log WHERE action = 'login'),
	       (SELECT count(*) FROM usrmgmt.online_user)});
cmp_ok($logins, '>', $total / 4, "the load logged in ($logins logins)");
note("open sessions at the end: $sessions");

$node->safe_psql('postgres', 'DROP EXTENSION usrmgmt');
$node->stop;
done_testing();
