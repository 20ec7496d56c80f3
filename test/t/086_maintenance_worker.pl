# test/t/086_maintenance_worker.pl: the background worker that runs
# usrmgmt.maintain() by itself (doc/usrmgmt.md, "Retention and partitions",
# "The maintenance worker"), with usrmgmt in shared_preload_libraries:
# visible in pg_stat_activity; a database without usrmgmt, or with 1.0,
# skipped and logged once; a SIGHUP change of the interval taking effect
# (a long one holds the runs back, a short one starts them, 0 stops them);
# the worker alone creating the months of user_log and change_log, moving
# rows out of the default partitions, retiring what log_retention and
# change_log_retention expired and freeing it in a second run at once; a
# run that cannot get its lock failing
# after lock_timeout without holding logins back, or after a shorter
# statement_timeout, the next one succeeding;
# pg_terminate_backend ending it without a crash, the postmaster starting
# it again 60 s later; a new maintenance_database; never on a hot standby,
# and started by the promotion.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('maint_worker');
$node->init(allows_streaming => 1);
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE appdb');
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'usrmgmt'
usrmgmt.maintenance_database = 'appdb'
usrmgmt.maintenance_interval = '1s'
});
$node->restart;

my $worker_sql = q{SELECT count(*) FROM pg_stat_activity
 WHERE backend_type = 'usrmgmt maintenance' AND application_name = 'usrmgmt maintenance'
   AND datname = 'appdb'};

# Count the lines of the server log that match a pattern.
sub log_count
{
	my ($node, $re) = @_;
	my $log = slurp_file($node->logfile);
	my @m = ($log =~ /$re/gm);
	return scalar @m;
}

# Wait until the server log has n lines that match (30 s at most).
sub wait_for_log
{
	my ($node, $re, $n) = @_;
	for (my $i = 0; $i < 300; $i++)
	{
		return 1 if log_count($node, $re) >= $n;
		usleep(100_000);
	}
	return 0;
}

# Change settings by ALTER SYSTEM and reload, then wait until the worker
# has said it took the interval.
sub set_and_reload
{
	my ($node, $interval, %more) = @_;
	my $before = log_count($node, qr/usrmgmt maintenance: now every $interval s$/m);
	my $sql = '';
	$sql .= "ALTER SYSTEM SET " . ($_ =~ /_retention$/ ? "usrmgmt.$_" : $_) . " = '$more{$_}';\n" for sort keys %more;
	$sql .= "ALTER SYSTEM SET usrmgmt.maintenance_interval = '${interval}s';\nSELECT pg_reload_conf();";
	$node->safe_psql('postgres', $sql);
	ok(wait_for_log($node, qr/usrmgmt maintenance: now every $interval s$/m, $before + 1),
		"SIGHUP: the worker now runs every $interval s");
}

# The worker is there, in pg_stat_activity, named.
ok($node->poll_query_until('postgres', "SELECT ($worker_sql) = 1"), 'the worker is in pg_stat_activity');
ok(wait_for_log($node, qr/usrmgmt maintenance: started in database "appdb", every 1 s$/m, 1),
	'the worker logged its start');

# Without usrmgmt: skipped, logged once although it looks every second.
ok(wait_for_log($node, qr/database "appdb" has no usrmgmt extension, skipping it/, 1),
	'a database without usrmgmt: skipped');
sleep 3;
is(log_count($node, qr/database "appdb" has no usrmgmt extension, skipping it/), 1,
	'skipping is logged once, not at every run');

# With 1.0 (no maintain()): skipped, logged once.
$node->safe_psql('appdb', q{CREATE EXTENSION usrmgmt VERSION '1.0'});
ok(wait_for_log($node, qr/database "appdb" has usrmgmt 1\.0, which has no maintain\(\), skipping it/, 1),
	'a database with usrmgmt 1.0: skipped');
sleep 2;
is(log_count($node, qr/has usrmgmt 1\.0, which has no maintain\(\)/), 1, 'that too is logged once');

# SIGHUP: a long interval holds the runs back...
set_and_reload($node, 3600);
$node->safe_psql('appdb', 'ALTER EXTENSION usrmgmt UPDATE');
sleep 3;
is($node->safe_psql('appdb', 'SELECT count(*) FROM usrmgmt._log_partitions()'), '0',
	'interval 1 h: no run within seconds of the update');
# ... and a short one starts them at once: the worker alone creates this
# month and three ahead, for both logs.
set_and_reload($node, 1);
ok($node->poll_query_until('appdb', q{SELECT count(*) = 4 FROM usrmgmt._log_partitions()}),
	'the worker created the four months of user_log');
ok($node->poll_query_until('appdb', q{SELECT count(*) = 4 FROM usrmgmt._log_partitions('usrmgmt.change_log')}),
	'and of change_log');
is( $node->safe_psql('appdb', q{SELECT string_agg(partition::text, ',' ORDER BY lower_bound) FROM usrmgmt._log_partitions()}),
	$node->safe_psql('appdb', q{SELECT string_agg('usrmgmt.user_log_' || to_char(m, 'YYYY_MM'), ',' ORDER BY m)
	  FROM generate_series(date_trunc('month', now()), date_trunc('month', now()) + interval '3 months', interval '1 month') m}),
	'this month and three ahead');
ok(wait_for_log($node, qr/usrmgmt maintenance: maintaining usrmgmt 1\.1 in database "appdb"/, 1),
	'the worker logged that it maintains 1.1');
ok(wait_for_log($node, qr/usrmgmt maintenance: \{"ok": true, .*"created": \["user_log_/, 1),
	'a run that created partitions logs its report');
is($node->safe_psql('appdb', q{SELECT usrmgmt.health()->>'status'}), 'healthy', 'health() is healthy');

# The partitions are the extension owner's (maintain() is SECURITY DEFINER).
is( $node->safe_psql('appdb', q{SELECT count(*) FROM pg_class c, pg_extension e
	 WHERE c.relname ~ '^(user|change)_log_\d{4}_\d\d$' AND c.relkind = 'r'
	   AND e.extname = 'usrmgmt' AND c.relowner = e.extowner}),
	'8', 'the partitions belong to the extension owner');

# Interval 0 stops the runs; rows of a month without a partition land in
# the default partitions; back at 1 s, the worker creates the month and
# moves them in.
set_and_reload($node, 0);
my $m3 = $node->safe_psql('appdb', q{SELECT to_char(date_trunc('month', now()) + interval '3 months', 'YYYY_MM')});
$node->safe_psql('appdb', qq{
DROP TABLE usrmgmt.user_log_$m3, usrmgmt.change_log_$m3;
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp")
    VALUES (42, 'future_row', 'login', date_trunc('month', now()) + interval '3 months 1 day');
INSERT INTO usrmgmt.change_log (changed_at, table_name, operation, row_id)
    VALUES (date_trunc('month', now()) + interval '3 months 1 day', 'server', 'DELETE', 42);});
sleep 2;
is( $node->safe_psql('appdb', q{SELECT (SELECT count(*) FROM usrmgmt.user_log_default) || ',' ||
	                              (SELECT count(*) FROM usrmgmt.change_log_default)}),
	'1,1', 'interval 0: no run, the rows stay in the default partitions');
set_and_reload($node, 1);
ok($node->poll_query_until('appdb', q{SELECT count(*) = 0 FROM usrmgmt.user_log_default}),
	'the worker moved the user_log row out of the default partition');
ok($node->poll_query_until('appdb', q{SELECT count(*) = 0 FROM usrmgmt.change_log_default}),
	'and the change_log row');
is( $node->safe_psql('appdb', q{SELECT tableoid::regclass FROM usrmgmt.user_log WHERE username = 'future_row'}),
	"usrmgmt.user_log_$m3", 'into the month it belongs to');
is( $node->safe_psql('appdb', q{SELECT tableoid::regclass FROM usrmgmt.change_log WHERE row_id = 42}),
	"usrmgmt.change_log_$m3", 'the same for change_log');

# Retention: past months (made by hand) with old rows; with log_retention
# and change_log_retention of 60 days the worker retires every month
# wholly older than that, and nothing else, and frees them at once: a
# second run right after the one that retired them.  Started by a restart
# with an interval of 1 h, so that no later run could be what frees them.
set_and_reload($node, 0);
$node->safe_psql('appdb', q{
SELECT usrmgmt.maintain(now() - interval '6 months');
-- a balanced pair without session ids: an unbalanced one would stay
-- (doc: Retention and partitions)
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp")
    VALUES (43, 'old_row', 'login', date_trunc('month', now()) - interval '5 months' + interval '1 day'),
           (43, 'old_row', 'logout', date_trunc('month', now()) - interval '5 months' + interval '2 days');
INSERT INTO usrmgmt.change_log (changed_at, table_name, operation, row_id)
    VALUES (date_trunc('month', now()) - interval '5 months' + interval '1 day', 'server', 'DELETE', 43);});
my $expired = $node->safe_psql('appdb', q{SELECT count(*) FROM usrmgmt._log_partitions()
	WHERE upper_bound <= now() - interval '60 days'});
my $kept = $node->safe_psql('appdb', q{SELECT count(*) FROM usrmgmt._log_partitions()
	WHERE upper_bound > now() - interval '60 days'});
ok($expired >= 3, "$expired months older than 60 days");
my $freed_before = log_count($node, qr/usrmgmt maintenance: \{.*"freed": \["usrmgmt\.change_log_\d{4}_\d\d_retired"/m);
$node->safe_psql('postgres', q{ALTER SYSTEM SET usrmgmt.log_retention = '60d';
ALTER SYSTEM SET usrmgmt.change_log_retention = '60d';
ALTER SYSTEM SET usrmgmt.maintenance_interval = '3600s';});
$node->restart;
ok( $node->poll_query_until('appdb', q{SELECT count(*) = 0 FROM usrmgmt._log_partitions()
	 WHERE upper_bound <= now() - interval '60 days'}),
	'the worker retired the expired months of user_log');
ok( $node->poll_query_until('appdb', q{SELECT count(*) = 0 FROM usrmgmt._log_partitions('usrmgmt.change_log')
	 WHERE upper_bound <= now() - interval '60 days'}),
	'and of change_log');
ok($node->poll_query_until('appdb', q{SELECT count(*) = 0 FROM usrmgmt._log_retired()}),
	'and freed them in a second run: no retired table is left');
ok( wait_for_log($node, qr/usrmgmt maintenance: \{.*"freed": \["usrmgmt\.change_log_\d{4}_\d\d_retired"/m, $freed_before + 1),
	'the second run logged what it freed');
is($node->safe_psql('appdb', 'SELECT count(*) FROM usrmgmt._log_partitions()'), $kept, 'the other months stay');
is( $node->safe_psql('appdb', q{SELECT (SELECT count(*) FROM usrmgmt.user_log WHERE username = 'old_row') || ',' ||
	                              (SELECT count(*) FROM usrmgmt.change_log WHERE row_id = 43)}),
	'0,0', 'the old rows went with them');

# A run that cannot get its lock: maintain() gives up after its
# lock_timeout (5 s), the error is logged, logins are not held back, and
# the next run succeeds.
set_and_reload($node, 0);
my $m4 = $node->safe_psql('appdb', q{SELECT to_char(date_trunc('month', now()) + interval '3 months', 'YYYY_MM')});
$node->safe_psql('appdb', qq{DROP TABLE usrmgmt.user_log_$m4});
my $errors = log_count($node, qr/ERROR:  canceling statement due to lock timeout/);
my $holder = $node->background_psql('appdb');
$holder->query_safe('BEGIN; LOCK TABLE usrmgmt.change_log IN SHARE UPDATE EXCLUSIVE MODE;');
set_and_reload($node, 1);
ok(wait_for_log($node, qr/ERROR:  canceling statement due to lock timeout/, $errors + 1),
	'a run blocked by a lock fails after lock_timeout, logged');
$node->safe_psql('appdb', q{INSERT INTO usrmgmt."user" (username) VALUES ('lock_user')});
is($node->safe_psql('appdb', q{SELECT usrmgmt.login('lock_user') > 0}), 't', 'a login meanwhile is not held back');
is($node->safe_psql('appdb', "SELECT to_regclass('usrmgmt.user_log_$m4') IS NULL"), 't',
	'the failed run created nothing');
$holder->query_safe('COMMIT;');
$holder->quit;
ok($node->poll_query_until('appdb', "SELECT to_regclass('usrmgmt.user_log_$m4') IS NOT NULL"),
	'the next run succeeds');
ok($node->poll_query_until('postgres', "SELECT ($worker_sql) = 1"), 'the same worker goes on');

# statement_timeout bounds a run too: shorter than maintain()'s
# lock_timeout, it is what ends the blocked run.
set_and_reload($node, 0);
$node->safe_psql('appdb', qq{DROP TABLE usrmgmt.user_log_$m4});
$errors = log_count($node, qr/ERROR:  canceling statement due to statement timeout/);
$holder = $node->background_psql('appdb');
$holder->query_safe('BEGIN; LOCK TABLE usrmgmt.change_log IN SHARE UPDATE EXCLUSIVE MODE;');
set_and_reload($node, 1, statement_timeout => '1s');
ok(wait_for_log($node, qr/ERROR:  canceling statement due to statement timeout/, $errors + 1),
	'statement_timeout ends a blocked run, logged');
$holder->query_safe('COMMIT;');
$holder->quit;
$node->safe_psql('postgres', 'ALTER SYSTEM RESET statement_timeout; SELECT pg_reload_conf();');
ok($node->poll_query_until('appdb', "SELECT to_regclass('usrmgmt.user_log_$m4') IS NOT NULL"),
	'the next run succeeds');

# pg_terminate_backend ends it cleanly: no crash, the server goes on (the
# postmaster starts it again after 60 s).
my $pid = $node->safe_psql('postgres', q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'usrmgmt maintenance'});
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
ok($node->poll_query_until('postgres', "SELECT ($worker_sql) = 0"), 'SIGTERM: the worker exits');
ok(wait_for_log($node, qr/terminating background worker "usrmgmt maintenance" due to administrator command/, 1),
	'SIGTERM: logged as the administrator\'s command');
is(log_count($node, qr/terminating any other active server processes|was terminated by signal/), 0,
	'no crash, no restart of the server');
is($node->safe_psql('appdb', 'SELECT 1'), '1', 'the server goes on');

# The postmaster starts it again after 60 s, with the configuration of
# then: a new usrmgmt.maintenance_database.  A change while it runs makes
# it exit, to be started again connected to the new database.
$node->safe_psql('postgres', q{ALTER SYSTEM SET usrmgmt.maintenance_database = 'postgres'; SELECT pg_reload_conf();});
ok( $node->poll_query_until('postgres', q{SELECT count(*) = 1 FROM pg_stat_activity
	 WHERE backend_type = 'usrmgmt maintenance' AND datname = 'postgres'}),
	'started again by the postmaster, in the new database');
ok(wait_for_log($node, qr/database "postgres" has no usrmgmt extension, skipping it/, 1),
	'which has no usrmgmt: skipped');
$node->safe_psql('postgres', q{ALTER SYSTEM SET usrmgmt.maintenance_database = 'appdb'; SELECT pg_reload_conf();});
ok(wait_for_log($node, qr/usrmgmt maintenance: usrmgmt\.maintenance_database is now "appdb", restarting/, 1),
	'a new database while it runs: it exits to reconnect');
ok($node->poll_query_until('postgres', q{SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'usrmgmt maintenance'}),
	'and is gone until the postmaster starts it again');

# A hot standby never runs it; its promotion starts it.
$node->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('maint_standby');
$standby->init_from_backup($node, 'base', has_streaming => 1);
$standby->start;
$node->wait_for_catchup($standby, 'replay', $node->lsn('insert'));
sleep 3;
is($standby->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'usrmgmt maintenance'}),
	'0', 'hot standby: no worker');
is(log_count($standby, qr/usrmgmt maintenance: started/), 0, 'hot standby: the worker never started');
$standby->promote;
ok($standby->poll_query_until('postgres', "SELECT ($worker_sql) = 1"), 'promoted: the worker runs');
ok(wait_for_log($standby, qr/usrmgmt maintenance: maintaining usrmgmt 1\.1 in database "appdb"/, 1),
	'promoted: it maintains the database');

$standby->stop;
$node->stop;
done_testing();
