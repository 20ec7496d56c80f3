# test/t/081_cli_backup.pl: usrmgmt backup, list and restore (doc/usrmgmt.md,
# "The command-line tool"): a backup restored into a fresh database gives
# identical tables (per-table checksums, row counts, identity positions);
# backups are written 0600 and two in the same second (one after the other,
# or at once) both succeed under distinct names; restore refuses without
# --confirm and refuses a file that is not a pg_dump custom archive;
# restore over a changed database puts the backup's rows back.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use UsrmgmtCli;
use IPC::Run;
use JSON::PP;
use POSIX qw(strftime);

my $node = PostgreSQL::Test::Cluster->new('cli_backup');
$node->init;
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;

sub um
{
	my ($db, @args) = @_;
	return usrmgmt_cli($node, { PGDATABASE => $db }, @args);
}

# Content of every usrmgmt table: count, md5 of the rows in id order
# (user_auth: user_id order), and where each identity stands.
my @tables = qw("user" user_auth online_user user_log server configuration migration_history);
sub fingerprint
{
	my ($db) = @_;
	my @q;
	for my $t (@tables)
	{
		my $key = $t eq 'user_auth' ? 'user_id' : 'id';
		push @q, "SELECT '$t', count(*), md5(COALESCE(string_agg(t::text, '|' ORDER BY t.$key), ''))"
		  . " FROM usrmgmt.$t t"
		  . ($t eq 'migration_history' ? " WHERE kind = 'application'" : '');
	}
	my $rows = $node->safe_psql($db, join(' UNION ALL ', @q) . ' ORDER BY 1');
	my $seqs = $node->safe_psql($db,
		q{SELECT string_agg(s.relname || '=' || ps.last_value, ',' ORDER BY s.relname)
		    FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
		    JOIN pg_sequences ps ON ps.schemaname = n.nspname AND ps.sequencename = s.relname
		   WHERE n.nspname = 'usrmgmt' AND s.relkind = 'S'});
	return "$rows\n$seqs";
}

$node->safe_psql('postgres', 'CREATE DATABASE src');
my ($rc, $out, $err) = um('src', 'init');
is($rc, 0, 'init src');
$node->safe_psql('src', q{
INSERT INTO usrmgmt."user" (username, email, first_name, is_admin)
SELECT 'user_' || g, 'u' || g || '@example.com', 'First ' || g, g % 10 = 0
  FROM generate_series(1, 300) g;
DELETE FROM usrmgmt."user" WHERE id % 50 = 0;
INSERT INTO usrmgmt.online_user (user_id, username, ip_address, user_agent)
SELECT id, username, '10.1.2.3', 'agent/' || id FROM usrmgmt."user" WHERE id % 3 = 0;
INSERT INTO usrmgmt.user_log (user_id, username, action, ip_address, detail)
SELECT id, username, 'logout', '192.0.2.1', 'expired' FROM usrmgmt."user" WHERE id % 7 = 0;
INSERT INTO usrmgmt.server (server_name, owner_id, port, memory_mb)
SELECT 'server-' || id, id, 20000 + id, 1024 FROM usrmgmt."user" WHERE id % 11 = 0;
INSERT INTO usrmgmt.configuration (key, value, updated_by) VALUES ('site.name', 'Example', 1), ('x', 'y', NULL);
INSERT INTO usrmgmt.user_auth (user_id, password_hash, failed_logins, last_login_at)
SELECT id, CASE WHEN id % 2 = 0 THEN 'SCRAM-SHA-256$4096:rz6E4ktgKhYPl6Ijm6/l1g==$7j2uSGDTIqoCK5a/kGbV9+plY/CCBTKXTCMimNb58GY=:9D5tpQ9xpUnO+rfyps7GgERguEcSGs8Mp0dUlbmEFBA=' END,
       id % 4, '2025-01-01'::timestamptz + id * interval '1 minute'
  FROM usrmgmt."user" WHERE id % 5 = 0;
INSERT INTO usrmgmt.migration_history (migration_name, kind, checksum, down_sql)
VALUES ('001_app', 'application', repeat('ab', 32), 'SELECT 1');
});
my $src_fp = fingerprint('src');
like($src_fp, qr/"user"\|294\|/, 'source has its users');
like($src_fp, qr/user_auth\|54\|/, 'and the authentication state of 54 of them');

# ---- backup ----
my $dir = "$tmp/backups dir";    # a space in the path
($rc, $out, $err) = um('src', 'backup', '--dir', $dir);
is($rc, 0, 'backup exits 0') or diag($err);
like($out, qr{^backup of database "src" written to \Q$dir\E/db_backup_\d{8}_\d{6}\.dump \(\d+ bytes, [\d.]+ s\)$},
	'backup message names the file');
my ($file) = $out =~ m{written to (.*\.dump) \(};
ok(-f $file, 'backup file exists');
open(my $fh, '<', $file) or die;
read($fh, my $magic, 5);
close($fh);
is($magic, 'PGDMP', 'backup is a pg_dump custom archive');
opendir(my $dh, $dir) or die;
my @left = grep { /partial/ } readdir($dh);
closedir($dh);
is(scalar @left, 0, 'no partial file left');

is((stat($file))[2] & 07777, 0600, 'backup file is mode 0600');

# into an existing directory open to others, under a permissive umask:
# still 0600, and the directory is left as it is
my $open = "$tmp/open";
mkdir $open or die;
chmod 0755, $open;
{
	my $old = umask(022);
	($rc, $out, $err) = um('src', 'backup', '--dir', $open);
	umask($old);
}
is($rc, 0, 'backup into a 0755 directory') or diag($err);
my ($openfile) = $out =~ m{written to (.*\.dump) \(};
is((stat($openfile))[2] & 07777, 0600, 'backup into a 0755 directory is mode 0600');
is((stat($open))[2] & 07777, 0755, 'the directory keeps its mode');

# a backup whose second is taken already gets the next free name: plant a
# file for this second and the next few, whichever the backup lands in
my $same = "$tmp/same";
mkdir $same or die;
my $t0 = time;
my %planted;
for my $t ($t0 .. $t0 + 10)
{
	my $p = "$same/db_backup_" . strftime('%Y%m%d_%H%M%S', localtime $t) . '.dump';
	open(my $pf, '>', $p) or die;
	print $pf "planted\n";
	close($pf);
	$planted{$p} = 1;
}
($rc, $out, $err) = um('src', 'backup', '--dir', $same);
is($rc, 0, 'backup in a second that has a backup already succeeds') or diag($err);
like($out, qr{written to \Q$same\E/db_backup_\d{8}_\d{6}_02\.dump \(}, 'it is named ..._02.dump');
is(scalar(grep { -s $_ == 8 } keys %planted), scalar(keys %planted), 'the existing backups are untouched');
($rc, $out, $err) = um('src', 'list', '--dir', $same, '--json');
ok((grep { $_->{file} =~ /^db_backup_\d{8}_\d{6}_02\.dump$/ } @{ decode_json($out) }),
	'list shows the _02 backup');

# two backups at the same time: both succeed, under distinct names
my $twice = "$tmp/twice";
my @runs;
for my $i (0, 1)
{
	my %run = (out => '', err => '');
	local %ENV = %ENV;
	delete $ENV{DATABASE_URL};
	$ENV{PGHOST} = $node->host;
	$ENV{PGPORT} = $node->port;
	$ENV{PGDATABASE} = 'src';
	$run{h} = IPC::Run::start([ 'usrmgmt', 'backup', '--dir', $twice ],
		'<', \undef, '>', \$run{out}, '2>', \$run{err});
	push @runs, \%run;
}
my @names;
for my $run (@runs)
{
	ok($run->{h}->finish, 'concurrent backup succeeds') or diag($run->{err});
	push @names, $run->{out} =~ m{written to (.*\.dump) \(};
}
is(scalar(@names), 2, 'both concurrent backups name their file');
isnt($names[0], $names[1], 'concurrent backups get distinct names');
is(scalar(grep { -f $_ && ((stat($_))[2] & 07777) == 0600 } @names), 2, 'both files exist, mode 0600');
opendir(my $tdh, $twice) or die;
is(scalar(grep { /partial/ } readdir($tdh)), 0, 'no partial file left by concurrent backups');
closedir($tdh);

# ---- list ----
($rc, $out, $err) = um('src', 'list', '--dir', $dir);
is($rc, 0, 'list exits 0');
my $base = $file;
$base =~ s{.*/}{};
like($out, qr/^file\s+bytes\s+modified/, 'list header');
like($out, qr/^\Q$base\E\s+\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m, 'list shows the backup, size and date');
($rc, $out, $err) = um('src', 'list', '--dir', $dir, '--json');
is($rc, 0, 'list --json exits 0');
my $list = decode_json($out);
ok(scalar @$list >= 1, 'list --json: backups listed');
is($list->[0]{file}, $base, 'list --json: file');
is($list->[0]{size_bytes}, -s $file, 'list --json: size_bytes');
like($list->[0]{modified}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$/, 'list --json: modified');
($rc, $out, $err) = um('src', 'list', '--dir', "$tmp/none");
is($rc, 0, 'list of a missing directory exits 0');
like($out, qr/^no backups in /, 'list of a missing directory says so');
($rc, $out, $err) = um('src', 'list', '--dir', "$tmp/none", '--json');
is($out, "[]\n", 'list --json of a missing directory: []');

# ---- restore refusals ----
$node->safe_psql('postgres', 'CREATE DATABASE dst');
($rc, $out, $err) = um('dst', 'restore', $file);
is($rc, 1, 'restore without --confirm exits 1');
like($err, qr/^usrmgmt: restore: refusing to replace the data of the connected database without --confirm$/,
	'restore refusal message');
is($node->safe_psql('dst', q{SELECT count(*) FROM pg_extension WHERE extname = 'usrmgmt'}), '0',
	'refused restore did nothing');
my $junk = "$tmp/junk.dump";
open($fh, '>', $junk) or die;
print $fh "PGDM not an archive\n";
close($fh);
($rc, $out, $err) = um('dst', 'restore', $junk, '--confirm');
is($rc, 1, 'restore of a non-archive exits 1');
like($err, qr/^usrmgmt: restore: "\Q$junk\E" is not a pg_dump custom-format archive \(no PGDMP header\)$/,
	'restore of a non-archive: message');
($rc, $out, $err) = um('dst', 'restore', "$tmp/missing.dump", '--confirm');
is($rc, 1, 'restore of a missing file exits 1');
like($err, qr/^usrmgmt: restore: could not open ".*missing\.dump": No such file or directory$/,
	'restore of a missing file: message');
# a truncated archive: pg_restore fails, nothing is restored (one transaction)
my $trunc = "$tmp/trunc.dump";
{
	open(my $in, '<', $file) or die;
	binmode $in;
	my $n = read($in, my $buf, (-s $file) - 200);
	close($in);
	open(my $o, '>', $trunc) or die;
	binmode $o;
	print $o $buf;
	close($o);
}
($rc, $out, $err) = um('dst', 'restore', $trunc, '--confirm');
is($rc, 1, 'restore of a truncated archive exits 1');
like($err, qr/^usrmgmt: restore: pg_restore failed, nothing restored: .+/m, 'truncated archive: message');
is(($err =~ tr/\n//), 1, 'truncated archive: one line on stderr');
is($node->safe_psql('dst', q{SELECT count(*) FROM pg_extension WHERE extname = 'usrmgmt'}), '0',
	'failed restore left nothing behind');

# ---- restore into a fresh database: identical content ----
($rc, $out, $err) = um('dst', 'restore', $file, '--confirm');
is($rc, 0, 'restore exits 0') or diag($err);
like($out, qr/^restored \Q$file\E into database "dst" in [\d.]+ s$/m, 'restore message with elapsed time');
is(fingerprint('dst'), $src_fp, 'restored tables identical to the source (checksums, counts, identities)');
is($node->safe_psql('dst', q{SELECT count(*) FROM usrmgmt.migration_history WHERE kind = 'extension'}),
	'1', 'extension row of migration_history not doubled');
($rc, $out, $err) = um('dst', 'migrations', '--json');
my $mig = decode_json($out);
is_deeply([ sort map { $_->{name} } @$mig ], [ '001_app', 'usrmgmt--1.1' ], 'migrations of the restored database');

# ---- restore over a changed database puts the backup back ----
$node->safe_psql('dst', q{DELETE FROM usrmgmt.server; UPDATE usrmgmt."user" SET first_name = 'changed'});
isnt(fingerprint('dst'), $src_fp, 'destination changed');
($rc, $out, $err) = um('dst', '-v', 'restore', $file, '--confirm');
is($rc, 0, 'restore over an existing usrmgmt database') or diag($err);
like($err, qr/^usrmgmt: running \S*pg_restore --clean --if-exists --single-transaction --exit-on-error --no-password --dbname=dbname='dst' -- \Q$file\E$/m,
	'-v shows the whole pg_restore command line');
is(fingerprint('dst'), $src_fp, 'restore over a changed database: identical again');

# a new user after restore gets an id above the restored ones
my $maxid = $node->safe_psql('dst', 'SELECT max(id) FROM usrmgmt."user"');
my $newid = $node->safe_psql('dst', q{INSERT INTO usrmgmt."user" (username) VALUES ('after_restore') RETURNING id});
cmp_ok($newid, '>', $maxid, 'identity continues after the restored ids');

# ---- long work shows progress: pg_dump waits behind a lock for 3 s ----
{
	my ($lout, $lerr) = ('', '');
	my $locker = IPC::Run::start(
		[ 'psql', '-X', '-h', $node->host, '-p', $node->port, '-d', 'src', '-c',
		  'BEGIN; LOCK TABLE usrmgmt.server; SELECT pg_sleep(3); COMMIT' ],
		'>', \$lout, '2>', \$lerr);
	$node->poll_query_until('src',
		q{SELECT count(*) > 0 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
		   WHERE c.relname = 'server' AND l.mode = 'AccessExclusiveLock' AND l.granted})
	  or die 'lock not taken';
	($rc, $out, $err) = um('src', 'backup', '--dir', "$tmp/slow");
	$locker->finish;
	is($rc, 0, 'a slow backup succeeds') or diag($err);
	like($err, qr/^usrmgmt: backup: pg_dump running, \d+ s elapsed, [\d.]+ k?B written$/m,
		'a slow backup prints progress with elapsed time and size');
}

# ---- a password reaches pg_dump without its command line ----
$node->safe_psql('postgres', q{CREATE ROLE pwuser SUPERUSER LOGIN PASSWORD 'sec ret'});
{
	my $hba = $node->data_dir . '/pg_hba.conf';
	open(my $in, '<', $hba) or die;
	my $text = do { local $/; <$in> };
	close($in);
	open(my $o, '>', $hba) or die;
	print $o "local all pwuser scram-sha-256\n" . $text;
	close($o);
	$node->reload;
}
{
	local $ENV{PGUSER} = 'pwuser';
	($rc, $out, $err) = um('src', 'backup', '--dir', "$tmp/pw");
	is($rc, 1, 'without the password: refused');
	like($err, qr/^usrmgmt: backup: could not connect: .*(password|authentication)/,
		'without the password: one-line connection error');
	($rc, $out, $err) = um('src', '-v', '-d', q{dbname=src user=pwuser password='sec ret'}, 'backup', '--dir', "$tmp/pw");
	is($rc, 0, 'a password given in CONNINFO reaches pg_dump (through the environment)') or diag($err);
	like($err, qr/^usrmgmt: running \S*pg_dump --format=custom --no-password --file=\S+$/m,
		'-v shows the whole pg_dump command line');
	unlike($err, qr/sec ret/, 'the password is not on the pg_dump command line');
	my $uri = 'postgresql://pwuser:sec%20ret@/dst?host=' . $node->host . '&port=' . $node->port;
	my ($pwfile) = $out =~ m{written to (.*\.dump) \(};
	($rc, $out, $err) = um('ignored', '-d', $uri, 'restore', $pwfile, '--confirm');
	is($rc, 0, 'a password given in a URI reaches pg_restore') or diag($err);
}
is(fingerprint('dst'), $src_fp, 'restored with password authentication: identical');

# ---- backup failure: the tool reports pg_dump's error, leaves no file ----
($rc, $out, $err) = um('nosuchdb', 'backup', '--dir', "$tmp/fail");
is($rc, 1, 'backup of a missing database exits 1');
like($err, qr/^usrmgmt: backup: could not connect: .*"nosuchdb" does not exist/, 'backup failure message');

$node->stop;
done_testing();
