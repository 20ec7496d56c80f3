# test/t/082_cli_health.pl: usrmgmt health, status, verify, stats,
# sample-data and reset (doc/usrmgmt.md, "The command-line tool").
#
# health's exit codes are provoked for real: 0 on a fresh install, 1 with a
# client threshold forced to 0 and with an altered CHECK, 2 with a critical
# threshold forced to 0, with a disabled trigger and with a dropped table; 3
# is covered by 080_cli_basics.pl.  The plugin output is read as Nagios
# does (status text, long text, performance data split at the first "|")
# and its performance data with Monitoring::Plugin's own parser.  Each block needs a server function; it is skipped,
# with the reason, while that function does not exist in this build.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use UsrmgmtCli;
use JSON::PP;
use Monitoring::Plugin::Performance;

my $node = PostgreSQL::Test::Cluster->new('cli_health');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE clidb');

sub um { return usrmgmt_cli($node, { PGDATABASE => 'clidb' }, @_); }

# true when usrmgmt.SIGNATURE exists in this build
sub have
{
	my ($sig) = @_;
	return $node->safe_psql('clidb', "SELECT to_regprocedure('usrmgmt.$sig') IS NOT NULL") eq 't';
}

my ($rc, $out, $err) = um('init');
is($rc, 0, 'init');

# ---- health ----
SKIP:
{
	skip 'usrmgmt.health() is not in this build (integrity/health branch not merged)', 52
	  unless have('health()');

	($rc, $out, $err) = um('health');
	is($rc, 0, 'health: healthy exits 0') or diag($out, $err);
	like($out, qr/^USRMGMT OK - database "clidb" healthy, connect [\d.]+ ms, round trip [\d.]+ ms\|connect_ms=[\d.]+ms;1000;5000;0 roundtrip_ms=[\d.]+ms;200;1000;0/,
		'health: Nagios status line with perfdata');
	like($out, qr/^details:\n  /m, 'health: details follow the status line');
	like($out, qr/^  status: +healthy$/m, 'health: details show the status');
	is($err, '', 'health: nothing on stderr');

	($rc, $out, $err) = um('health', '--json');
	is($rc, 0, 'health --json: exits 0');
	my $h = decode_json($out);
	is($h->{status}, 'healthy', 'health --json: status at the top level');
	is($h->{server_status}, 'healthy', 'health --json: server_status');
	like($h->{connect_ms}, qr/^[\d.]+$/, 'health --json: connect_ms is a number');
	like($h->{roundtrip_ms}, qr/^[\d.]+$/, 'health --json: roundtrip_ms is a number');
	ok(exists $h->{query_ms} && exists $h->{database_size_bytes} && exists $h->{connections},
		'health --json: the server figures are kept');
	is_deeply($h->{problems}, [], 'health --json: no problems');

	# a client threshold forced low: degraded
	($rc, $out, $err) = um('health', '--warn-roundtrip-ms=0');
	is($rc, 1, 'health: round trip above the warning threshold exits 1');
	like($out, qr/^USRMGMT WARNING - database "clidb" degraded, 1 problem: roundtrip_time\|/,
		'health: WARNING status line names the check');
	like($out, qr/^problems:\n  - degraded roundtrip_time: query round trip [\d.]+ ms above the warning threshold 0 ms$/m,
		'health: the problem in full below the status line');
	like($out, qr/roundtrip_ms=[\d.]+ms;0;1000;0/, 'health: perfdata carries the given threshold');
	($rc, $out, $err) = um('health', '--json', '--warn-connect-ms=0');
	is($rc, 1, 'health --json: connection time above the warning threshold exits 1');
	$h = decode_json($out);
	is($h->{status}, 'degraded', 'health --json: degraded');
	is($h->{server_status}, 'healthy', 'health --json: the server alone says healthy');
	is_deeply([ sort keys %{ $h->{problems}[-1] } ], [qw(check message severity)],
		'health --json: the client problem is a {severity, check, message} object');
	is($h->{problems}[-1]{check}, 'connect_time', 'health --json: client problem check');
	is($h->{problems}[-1]{severity}, 'degraded', 'health --json: client problem severity');
	like($h->{problems}[-1]{message}, qr/^connection time [\d.]+ ms above the warning threshold 0 ms$/,
		'health --json: client problem message');
	($rc, $out, $err) = um('health', '--crit-connect-ms=0');
	is($rc, 2, 'health: connection time above the critical threshold exits 2');
	like($out, qr/^USRMGMT CRITICAL - database "clidb" unhealthy, 1 problem: connect_time\|/, 'health: CRITICAL status line');

	# a disabled trigger: unhealthy
	$node->safe_psql('clidb', 'ALTER TABLE usrmgmt."user" DISABLE TRIGGER user_set_updated_at');
	($rc, $out, $err) = um('health', '--json');
	is($rc, 2, 'health: a disabled trigger exits 2');
	$h = decode_json($out);
	is($h->{status}, 'unhealthy', 'health --json: unhealthy with a disabled trigger');
	ok(scalar @{ $h->{problems} } >= 1, 'health --json: the disabled trigger is a problem');
	is_deeply([ map { join ',', sort keys %$_ } @{ $h->{problems} } ],
		[ map { 'check,message,severity' } @{ $h->{problems} } ],
		'health --json: every server problem is a {severity, check, message} object');
	is($h->{problems}[0]{check}, 'schema', 'health --json: the server problem\'s check');
	$node->safe_psql('clidb', 'ALTER TABLE usrmgmt."user" ENABLE TRIGGER user_set_updated_at');
	($rc) = um('health');
	is($rc, 0, 'health: healthy again once the trigger is enabled');

	# a "|" in catalog text (an altered CHECK): the status text is exact and
	# short, the first "|" of the whole output is the performance data's,
	# and Monitoring::Plugin parses that performance data
	$node->safe_psql('clidb', q{ALTER TABLE usrmgmt.server DROP CONSTRAINT server_difficulty_valid,
		ADD CONSTRAINT server_difficulty_valid CHECK (difficulty <> '|x')});
	($rc, $out, $err) = um('health');
	is($rc, 1, 'health: an altered CHECK exits 1') or diag($out, $err);
	my ($first, @long) = split /\n/, $out;
	my ($text, $perf) = split /\|/, $first, 2;
	is($text, 'USRMGMT WARNING - database "clidb" degraded, 1 problem: schema', 'health: exact status text');
	cmp_ok(length($text), '<=', 80, 'health: status text of at most 80 characters');
	is(index($out, '|'), length($text), 'health: the first "|" of the output starts the performance data');
	is(scalar(grep { /\|/ } @long), 0, 'health: no "|" in the long text');
	like($out, qr{^  - degraded schema: constraint \S*server_difficulty_valid: altered: .*'/x'}m,
		'health: the "|" of the CHECK is shown as "/"');
	my @perf = Monitoring::Plugin::Performance->parse_perfstring($perf);
	is_deeply([ map { $_->label } @perf ],
		[qw(connect_ms roundtrip_ms query_ms database_size connections sessions_online)],
		'health: Monitoring::Plugin parses every performance figure');
	is_deeply([ map { $_->uom } @perf[0..3] ], [qw(ms ms ms B)], 'health: units of measure');
	is($perf[0]->threshold->warning->end, 1000, 'health: connect_ms warning threshold');
	is($perf[1]->threshold->critical->end, 1000, 'health: roundtrip_ms critical threshold');
	($rc, $out, $err) = um('health', '--json');
	$h = decode_json($out);
	is($h->{problems}[0]{check}, 'schema', 'health --json: the altered CHECK is a schema problem');
	like($h->{problems}[0]{message}, qr/'\|x'/, 'health --json: the JSON keeps the text as it is');
	$node->safe_psql('clidb', q{ALTER TABLE usrmgmt.server DROP CONSTRAINT server_difficulty_valid,
		ADD CONSTRAINT server_difficulty_valid
		CHECK (difficulty OPERATOR(pg_catalog.=) ANY ('{peaceful,easy,normal,hard}'::text[]))});
	($rc) = um('health');
	is($rc, 0, 'health: healthy again once the CHECK is restored');

	# a dropped table: unhealthy
	$node->safe_psql('clidb', 'ALTER EXTENSION usrmgmt DROP TABLE usrmgmt.configuration;'
		  . ' ALTER EXTENSION usrmgmt DROP SEQUENCE usrmgmt.configuration_id_seq;'
		  . ' DROP TABLE usrmgmt.configuration');
	($rc, $out, $err) = um('health');
	is($rc, 2, 'health: a dropped table exits 2');
	like($out, qr/^USRMGMT CRITICAL - database "clidb" unhealthy, \d+ problems?: schema\|/, 'health: CRITICAL with a dropped table');
	like($out, qr/^problems:\n  - unhealthy schema: .*configuration/m, 'health: the dropped table is listed among the problems');
	unlike($out, qr/^USRMGMT[^\n]*\{/, 'health: no JSON on the status line');
	($rc, $out, $err) = um('health', '--json');
	$h = decode_json($out);
	is($h->{status}, 'unhealthy', 'health --json: unhealthy with a dropped table');
	is($h->{server_status}, 'unhealthy', 'health --json: the server says so');

	# verify sees the same drift
  SKIP:
	{
		skip 'usrmgmt.verify() is not in this build', 2 unless have('verify()');
		($rc, $out, $err) = um('verify');
		is($rc, 1, 'verify: problems found exits 1');
		like($out, qr/^  schema: table configuration: missing/m, 'verify: names the missing table');
	}
}

# a fresh extension for what follows
($rc, $out, $err) = um('init', '--force', '--confirm');
is($rc, 0, 'init --force --confirm for a fresh extension');

# ---- status ----
SKIP:
{
	skip 'usrmgmt.status() is not in this build (integrity/health branch not merged)', 6
	  unless have('status()');
	($rc, $out, $err) = um('status', '--json');
	is($rc, 0, 'status --json exits 0');
	my $s = decode_json($out);
	is($s->{version}, '1.1', 'status --json: version');
	ok(exists $s->{tables} && exists $s->{migrations} && exists $s->{sessions_online},
		'status --json: tables, migrations, sessions_online');
	($rc, $out, $err) = um('status');
	is($rc, 0, 'status exits 0');
	like($out, qr/^usrmgmt status of database "clidb"\n/, 'status: heading');
	like($out, qr/^  version: +1\.1$/m, 'status: version line');
}

# ---- verify ----
SKIP:
{
	skip 'usrmgmt.verify() is not in this build (integrity/health branch not merged)', 9
	  unless have('verify()');
	($rc, $out, $err) = um('verify');
	is($rc, 0, 'verify: a fresh install exits 0');
	like($out, qr/^verify: OK: schema and data of database "clidb" as usrmgmt expects$/, 'verify: OK line');
	($rc, $out, $err) = um('verify', '--json');
	is($rc, 0, 'verify --json exits 0');
	my $v = decode_json($out);
	ok($v->{ok}, 'verify --json: ok');
	is_deeply([ $v->{schema}, $v->{data} ], [ [], [] ], 'verify --json: no problems');

	$node->safe_psql('clidb', 'DROP INDEX usrmgmt.server_status_idx');
	($rc, $out, $err) = um('verify', '--json');
	is($rc, 1, 'verify --json: a dropped index exits 1');
	$v = decode_json($out);
	ok(!$v->{ok}, 'verify --json: not ok');
	is($v->{schema}[0]{object_type}, 'index', 'verify --json: the index is reported');
	($rc, $out, $err) = um('verify');
	like($out, qr/^verify: 1 problem in database "clidb"\n  schema: index \S*server_status_idx: missing/,
		'verify: text lists the problem');
	$node->safe_psql('clidb', 'CREATE INDEX server_status_idx ON usrmgmt.server (status)');
}

# ---- sample-data, stats, reset ----
SKIP:
{
	skip 'usrmgmt.load_sample_data() is not in this build (migrations branch not merged)', 4
	  unless have('load_sample_data()');
	($rc, $out, $err) = um('sample-data');
	is($rc, 0, 'sample-data exits 0') or diag($err);
	like($out, qr/^sample data loaded\n/, 'sample-data message');
	my $users = $node->safe_psql('clidb', 'SELECT count(*) FROM usrmgmt."user"');
	cmp_ok($users, '>', 0, 'sample-data inserted users');
	($rc, $out, $err) = um('sample-data');
	is($node->safe_psql('clidb', 'SELECT count(*) FROM usrmgmt."user"'), $users,
		'sample-data twice changes nothing');
}

SKIP:
{
	skip 'usrmgmt.database_stats(boolean) is not in this build (integrity/health branch not merged)', 6
	  unless have('database_stats(boolean)');
	my $users = $node->safe_psql('clidb', 'SELECT count(*) FROM usrmgmt."user"');
	($rc, $out, $err) = um('stats', '--exact', '--json');
	is($rc, 0, 'stats --exact --json exits 0');
	my $st = decode_json($out);
	my ($u) = grep { $_->{table_name} =~ /^"?user"?$/ } @$st;
	ok(defined $u, 'stats --json: the user table is listed');
	is($u->{row_count}, $users, 'stats --exact: exact user count');
	ok(scalar @$st >= 6, 'stats --json: every table');
	($rc, $out, $err) = um('stats');
	is($rc, 0, 'stats exits 0');
	like($out, qr/^table_name +\| row_count +\|.*\n-+\+/, 'stats: a table with headers');
}

SKIP:
{
	skip 'usrmgmt.reset(boolean) is not in this build (migrations branch not merged)', 3
	  unless have('reset(boolean)');
	($rc, $out, $err) = um('reset');
	is($rc, 1, 'reset without --confirm refuses');
	($rc, $out, $err) = um('reset', '--confirm');
	is($rc, 0, 'reset --confirm exits 0') or diag($err);
	is($node->safe_psql('clidb', 'SELECT count(*) FROM usrmgmt."user"'), '0', 'reset emptied the tables');
}

$node->stop;
done_testing();
