# test/t/084_cli_maintain.pl: `usrmgmt maintain` (doc/usrmgmt.md, "Retention
# and partitions" and "The command-line tool"): the job cron runs.  Exit 0
# when all is well, 1 when the report says otherwise (rows in the default
# partition), 3 when maintain() fails (nothing changed), 2 on bad usage;
# --json prints the server's report; SINCE creates past months and moves
# their rows out of the default partition; change_log's lines follow
# user_log's, then the retired months freed; a run that retires an
# expired month is followed by a second one that frees it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use UsrmgmtCli;
use JSON::PP;

my $node = PostgreSQL::Test::Cluster->new('cli_maintain');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE clidb');
$node->safe_psql('clidb', 'CREATE EXTENSION usrmgmt');

sub um { return usrmgmt_cli($node, { PGDATABASE => 'clidb' }, @_); }

my ($rc, $out, $err);

($rc, $out, $err) = um('maintain', '--help');
is($rc, 0, 'maintain --help exits 0');
like($out, qr/^usage: usrmgmt \[CONNECTION\] maintain \[SINCE\] \[--json\]/, 'maintain --help prints its usage');

# A fresh install has no monthly partition: the first run creates four.
($rc, $out, $err) = um('maintain');
is($rc, 0, 'maintain: exit 0');
is($err, '', 'maintain: nothing on stderr');
like($out, qr/^maintain: OK in database "clidb"\n  created: user_log_\d{4}_\d\d, user_log_\d{4}_\d\d, user_log_\d{4}_\d\d, user_log_\d{4}_\d\d\n/,
	'maintain: four months created');
like($out, qr/^  future: 3$/m, 'maintain: three future partitions');
like($out, qr/^  change_log created: change_log_\d{4}_\d\d, change_log_\d{4}_\d\d, change_log_\d{4}_\d\d, change_log_\d{4}_\d\d\n(?:  change_log .*\n)*  change_log future: 3\n  change_log in_default: 0\n  freed: -\n\z/m,
	'maintain: change_log\'s four months, its lines after user_log\'s, freed last');

# Idempotent.
($rc, $out, $err) = um('maintain');
is($rc, 0, 'maintain again: exit 0');
like($out, qr/^  created: -$/m, 'maintain again: nothing created');

# A row outside every partition: exit 1 until SINCE covers its month.
$node->safe_psql('clidb', q{
INSERT INTO usrmgmt."user" (username) VALUES ('old_timer');
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp")
VALUES (1, 'old_timer', 'login', date_trunc('month', now()) - interval '2 months' + interval '1 day');});
($rc, $out, $err) = um('maintain', '--json');
is($rc, 1, 'a row in the default partition: exit 1');
my $report = decode_json($out);
is($report->{ok}, JSON::PP::false, '--json: ok false');
is($report->{in_default}, 1, '--json: one row in the default partition');
my $since = $node->safe_psql('clidb', q{SELECT to_char(date_trunc('month', now()) - interval '2 months', 'YYYY-MM-DD')});
($rc, $out, $err) = um('maintain', $since);
is($rc, 0, "maintain $since: exit 0");
like($out, qr/^  moved: 1$/m, "maintain $since: the row moved out of the default partition");
like($out, qr/^  in_default: 0$/m, "maintain $since: the default partition is empty");

# Retention: the months older than it are retired by the run, and a
# second run frees them at once (freed: both logs' retired tables); exit 0.
# A retention reaching back to the second day of last month: the month
# before ($since's, where old_timer's login, now balanced by a logout,
# lies) expires.
$node->safe_psql('clidb', q{
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp")
VALUES (1, 'old_timer', 'logout', date_trunc('month', now()) - interval '2 months' + interval '2 days');});
my ($retention, $m2) = split /\|/, $node->safe_psql('clidb', q{
SELECT floor(extract(epoch FROM now() - (date_trunc('month', now()) - interval '1 month' + interval '1 day')) / 60) || 'min|' ||
       to_char(date_trunc('month', now()) - interval '2 months', 'YYYY_MM')});
$node->safe_psql('clidb', qq{ALTER DATABASE clidb SET usrmgmt.log_retention = '$retention';
ALTER DATABASE clidb SET usrmgmt.change_log_retention = '$retention';});
($rc, $out, $err) = um('maintain');
is($rc, 0, 'maintain with a retention: exit 0');
like($out, qr/^  dropped: usrmgmt\.user_log_$m2$/m, 'maintain with a retention: the expired month of user_log retired');
like($out, qr/^  change_log dropped: usrmgmt\.change_log_$m2$/m, 'and of change_log');
like($out, qr/^  freed: usrmgmt\.change_log_${m2}_retired, usrmgmt\.user_log_${m2}_retired$/m,
	'and freed by the second run');
is($node->safe_psql('clidb', 'SELECT count(*) FROM usrmgmt._log_retired()'), '0', 'no retired table is left');
($rc, $out, $err) = um('maintain', '--json');
$report = decode_json($out);
is_deeply([$report->{dropped}, $report->{freed}], [[], []], '--json, again: nothing dropped, nothing freed');
$node->safe_psql('clidb', q{ALTER DATABASE clidb RESET usrmgmt.log_retention;
ALTER DATABASE clidb RESET usrmgmt.change_log_retention;});

# Errors: maintain() refuses (nothing changed), bad usage.
my $parts = $node->safe_psql('clidb', 'SELECT count(*) FROM usrmgmt._log_partitions()');
($rc, $out, $err) = um('maintain', '1900-01-01');
is($rc, 3, 'since far in the past: exit 3');
like($err, qr/^usrmgmt: maintain: since .* is more than 25 years ago \(SQLSTATE 22023\)/, 'since far in the past: one line, the SQLSTATE');
is($node->safe_psql('clidb', 'SELECT count(*) FROM usrmgmt._log_partitions()'), $parts, 'nothing created');
($rc, $out, $err) = um('maintain', 'not-a-date');
is($rc, 3, 'not a date: exit 3');
like($err, qr/SQLSTATE 22007/, 'not a date: 22007');
($rc, $out, $err) = um('maintain', 'a', 'b');
is($rc, 2, 'two arguments: exit 2');

$node->stop;
done_testing();
