# 040_health_standby.pl: health() and metrics() on a primary and on a
# streaming standby made with pg_basebackup; writes on the standby fail
# with 25006 (read_only_sql_transaction), not a crash.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $primary = PostgreSQL::Test::Cluster->new('health_primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION usrmgmt');
# the log's partitions (doc: Retention and partitions), as usrmgmt init does:
# without them health() is 'degraded' (log_future_partitions)
$primary->safe_psql('postgres', 'SELECT usrmgmt.maintain()');
$primary->safe_psql('postgres', q{
	SET session_replication_role = replica;
	INSERT INTO usrmgmt."user" (username) SELECT 'user' || i FROM generate_series(1, 50) i;
	INSERT INTO usrmgmt.online_user (user_id, username) SELECT id, username FROM usrmgmt."user" WHERE id <= 4;
});

$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('health_standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
$primary->safe_psql('postgres', 'INSERT INTO usrmgmt.configuration (key, value) VALUES (\'site.name\', \'demo\')');
$primary->wait_for_catchup($standby);

# The primary sees its standby.
my $p = $primary->safe_psql('postgres', q{
	SELECT h->>'status', h->'in_recovery', h->'replication'->>'role',
	       h->'replication'->>'standbys'
	  FROM usrmgmt.health() h});
is($p, 'healthy|false|primary|1', 'primary: healthy, not in recovery, one standby');

# The standby reports recovery and its replication lag.
my $s = $standby->safe_psql('postgres', q{
	SELECT h->>'status', h->'in_recovery', h->'replication'->>'role',
	       jsonb_typeof(h->'replication'->'lag_s'),
	       (h->'replication'->>'lag_s')::float8 >= 0,
	       (h->'replication'->>'lag_bytes')::float8 >= 0,
	       h->'replication'->>'wal_receiver',
	       h->'sessions_online'
	  FROM usrmgmt.health() h});
is($s, 'healthy|true|standby|number|t|t|streaming|4',
	'standby: in recovery, lag reported, sessions counted');

# A lag beyond the threshold degrades the standby: pause replay, write on
# the primary, wait until the standby has received but not replayed it,
# and look a second past a 1 s threshold.
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
$primary->safe_psql('postgres', 'UPDATE usrmgmt.configuration SET value = \'demo2\'');
$standby->poll_query_until('postgres', q{
	SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()})
  or die 'standby did not receive the write';
sleep 2;
my $lagged = $standby->safe_psql('postgres', q{
	SET usrmgmt.health_replication_lag = 1;
	SELECT h->>'status', p->>'check'
	  FROM usrmgmt.health() h, jsonb_array_elements(h->'problems') p});
is($lagged, 'degraded|replication_lag', 'standby: replay lag beyond the threshold degrades');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
$primary->wait_for_catchup($standby);

# Writes on the standby: 25006, and the server carries on.
my ($ret, $stdout, $stderr) = $standby->psql('postgres', q{
	\set VERBOSITY verbose
	INSERT INTO usrmgmt."user" (username) VALUES ('mallory')});
isnt($ret, 0, 'INSERT on the standby fails');
like($stderr, qr/25006/, 'INSERT on the standby fails with 25006');
is($standby->safe_psql('postgres', 'SELECT 1'), '1', 'standby still serves reads');

# Every writing function of the extension fails the same way on the
# standby: 25006 with PostgreSQL's read-only message, never a crash.
my $postmaster_start =
  $standby->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');
foreach my $call (
	q{SELECT usrmgmt.login('user5', '192.0.2.1')},
	q{SELECT usrmgmt.logout(1)},
	q{SELECT usrmgmt.logout_user('user1')},
	q{SELECT usrmgmt.touch_session(1)},
	q{SELECT usrmgmt.expire_sessions('1 second')},
	q{SELECT usrmgmt.set_password('user5', 'correct horse battery')},
	q{SELECT usrmgmt.purge_user_log(now())},
	q{SELECT usrmgmt.apply_migration('m1', 'SELECT 1')},
	q{SELECT usrmgmt.reset(confirm => true)})
{
	my ($r, $out, $err) = $standby->psql('postgres',
		"SET usrmgmt.password_iterations = 4096;\n\\set VERBOSITY verbose\n$call");
	isnt($r, 0, "standby: $call fails");
	like($err, qr/ERROR:  25006: cannot execute [A-Z ]+ in a read-only transaction/,
		"standby: $call fails with 25006");
}
# authenticate() reads first and writes (failed_logins, the session) after:
# on a standby it must fail, not silently return NULL.
my ($ar, $aout, $aerr) = $standby->psql('postgres',
	"SET usrmgmt.password_iterations = 4096;\n\\set VERBOSITY verbose\n"
	  . "SELECT usrmgmt.authenticate('user5', 'whatever')");
like($aerr, qr/ERROR:  25006:/, 'standby: authenticate() fails with 25006');
is($standby->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
	$postmaster_start, 'standby: no write attempt restarted the server');

# status() and database_stats() are read-only too.
is($standby->safe_psql('postgres', q{SELECT usrmgmt.status()->>'version'}),
	'1.1', 'status() on the standby');
is($standby->safe_psql('postgres', q{
	SELECT row_count FROM usrmgmt.database_stats(true) WHERE table_name = 'user'}),
	'50', 'database_stats(exact) on the standby');

# The integrity checks run on the standby too (read-only subtransactions):
# the four sessions were written in replica mode, without login rows.
is($standby->safe_psql('postgres', q{
	SELECT category || ':' || count(*) FROM usrmgmt.validate_data_integrity() GROUP BY category}),
	'data_inconsistency:4', 'validate_data_integrity() on the standby');
is($standby->safe_psql('postgres', q{SELECT usrmgmt.verify()->>'ok'}),
	'false', 'verify() on the standby');

# metrics(), parsed line by line on both servers.
for my $node ($primary, $standby)
{
	my $name = $node->name;
	my $text = $node->safe_psql('postgres', 'SELECT usrmgmt.metrics()');
	my (%help, %type, @bad);
	my $samples = 0;
	for my $line (split /\n/, $text)
	{
		if ($line =~ /^# HELP (usrmgmt_[a-z_]+) \S/)
		{
			$help{$1} = 1;
		}
		elsif ($line =~ /^# TYPE (usrmgmt_[a-z_]+) (gauge|counter)$/)
		{
			$type{$1} = $2;
		}
		elsif ($line =~ /^(usrmgmt_[a-z_]+)(\{[a-z_]+="(?:[^"\\\n]|\\[\\"n])*"\})? (-?[0-9.]+(?:e[+-]?[0-9]+)?)$/)
		{
			push @bad, "sample before its TYPE: $line" unless $type{$1};
			$samples++;
		}
		else
		{
			push @bad, $line;
		}
	}
	is_deeply(\@bad, [], "$name: every metrics line is a comment or a sample");
	is_deeply([ sort keys %help ], [ sort keys %type ], "$name: every metric has HELP and TYPE");
	ok($samples > 20, "$name: metrics has samples");
	# Prometheus's own linter (promtool, Debian's prometheus package,
	# test/install-deps.sh) finds nothing to say
	my ($out, $err);
	my $lint = IPC::Run::run([ 'promtool', 'check', 'metrics' ], '<', \$text,
		'>', \$out, '2>', \$err);
	ok($lint, "$name: promtool check metrics exits 0");
	is($out . $err, '', "$name: promtool check metrics reports nothing");
	# the states of usrmgmt_connections add up to health()'s total: no
	# "total" sample beside its parts
	my ($states, $sum) = ('', 0);
	while ($text =~ /^usrmgmt_connections\{state="([a-z_]+)"\} ([0-9]+)$/mg)
	{
		$states .= "$1,";
		$sum += $2;
	}
	is($states, 'active,idle,idle_in_transaction,other,',
		"$name: usrmgmt_connections states");
	my $total = $node->safe_psql('postgres',
		q{SELECT usrmgmt.health()->'connections'->>'total'});
	is($sum, $total, "$name: sum(usrmgmt_connections) is health()'s total");
	my $recovery = $node eq $standby ? 1 : 0;
	like($text, qr/^usrmgmt_in_recovery $recovery$/m, "$name: usrmgmt_in_recovery");
	if ($node eq $standby)
	{
		like($text, qr/^usrmgmt_replication_lag_seconds [0-9.e+-]+$/m,
			'standby: replication lag in metrics');
	}
}

$standby->stop;
$primary->stop;
done_testing();
