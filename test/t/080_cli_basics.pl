# test/t/080_cli_basics.pl: the usrmgmt command-line tool (doc/usrmgmt.md,
# "The command-line tool"):
# help and version, bad command lines, connection choice (-d, then
# DATABASE_URL, then PG* variables), -v, exit 3 when the server or the
# extension is missing, init and drop with and without confirmation, the
# migration history.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use UsrmgmtCli;
use IPC::Run;
use JSON::PP;

my $node = PostgreSQL::Test::Cluster->new('cli_basics');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE clidb');

# Run the tool (found in PATH: the installation's bindir) with the node's
# connection in PG* variables and no DATABASE_URL; %$env overrides
# (undef unsets).  Returns (exit code, stdout, stderr).
sub um
{
	my ($env, @args) = @_;
	return usrmgmt_cli($node, { PGDATABASE => 'clidb', %$env }, @args);
}

sub one_line
{
	my ($err) = @_;
	return ($err =~ tr/\n//) == 1;
}

my ($rc, $out, $err);

# ---- help, version ----
($rc, $out, $err) = um({}, '--help');
is($rc, 0, '--help exits 0');
like($out, qr/^usrmgmt - command-line tool/, '--help prints the tool usage');
for my $c (qw(init status verify stats health migrate migrations rollback
	backup list restore sample-data reset drop))
{
	($rc, $out, $err) = um({}, $c, '--help');
	is($rc, 0, "$c --help exits 0");
	like($out, qr/^usage: usrmgmt .*\b\Q$c\E\b/, "$c --help prints its usage");
}
($rc, $out) = um({}, 'help', 'restore');
like($out, qr/^usage: usrmgmt \[CONNECTION\] restore FILE --confirm/, 'help COMMAND');
($rc, $out) = um({}, '--version');
is($rc, 0, '--version exits 0');
like($out, qr/^usrmgmt \S+ \(libpq \d+\)$/, '--version prints the version and libpq\'s');
# the version lives in usrmgmt.control only: the tool prints its default_version
{
	open(my $fh, '<', 'usrmgmt.control') or die "usrmgmt.control: $!";
	my ($control) = map { /^default_version\s*=\s*'([^']*)'/ ? $1 : () } <$fh>;
	close($fh);
	ok(defined $control, 'usrmgmt.control has a default_version');
	my ($printed) = $out =~ /^usrmgmt (\S+) /;
	is($printed, $control, '--version prints the control file\'s default_version');
}

# ---- where the tool is: PostgreSQL's bindir (not on PATH on Debian), and
# the link `make install-link` makes, as README says ----
{
	my $bindir = `pg_config --bindir`;
	chomp $bindir;
	($rc, $out) = um({}, '--version');
	my $version = $out;
	ok(-x "$bindir/usrmgmt", 'usrmgmt is installed in pg_config --bindir');
	my $full = '';
	IPC::Run::run([ "$bindir/usrmgmt", '--version' ], '>', \$full);
	is($full, $version, 'the full path runs the tool');
	my $linkdir = PostgreSQL::Test::Utils::tempdir . '/bin';
	my ($mout, $merr) = ('', '');
	IPC::Run::run([ 'make', '-s', '-C', 'src/cli', 'install-link', "BINLINKDIR=$linkdir",
		'PG_CONFIG=' . "$bindir/pg_config" ], '>', \$mout, '2>', \$merr);
	is($?, 0, 'make install-link with BINLINKDIR') or diag($merr);
	is(readlink("$linkdir/usrmgmt"), "$bindir/usrmgmt", 'install-link: BINLINKDIR/usrmgmt links to the installed tool');
	my $linked = '';
	IPC::Run::run([ "$linkdir/usrmgmt", '--version' ], '>', \$linked);
	is($linked, $version, 'install-link: the link runs the tool');
}

# ---- bad command lines: exit 2 (health: 3), one line on stderr ----
my @bad = (
	[ [], qr/^usrmgmt: no command given/ ],
	[ ['bogus'], qr/^usrmgmt: unknown command "bogus"/ ],
	[ [ 'status', '--bogus' ], qr/^usrmgmt: unknown option "--bogus"/ ],
	[ [ 'status', '--force' ], qr/^usrmgmt: status: option "--force" does not apply/ ],
	[ [ 'status', 'extra' ], qr/^usrmgmt: status: unexpected argument "extra"/ ],
	[ ['rollback'], qr/^usrmgmt: rollback: missing argument/ ],
	[ [ 'rollback', 'a', 'b' ], qr/^usrmgmt: rollback: unexpected argument "b"/ ],
	[ [ 'list', '--dir' ], qr/^usrmgmt: option "--dir" needs a value/ ],
	[ [ 'list', '--dir=' ], qr/^usrmgmt: option "--dir" needs a non-empty value/ ],
	[ [ 'status', '--json=1' ], qr/^usrmgmt: option "--json" takes no value/ ],
	[ [ 'init', '--confirm' ], qr/^usrmgmt: init: --confirm only applies with --force/ ],
	[ [ '-d' ], qr/^usrmgmt: option "-d" needs a value/ ],
	[ [ '-x', 'status' ], qr/^usrmgmt: unknown option "-x"/ ]);
for my $b (@bad)
{
	my ($args, $re) = @$b;
	($rc, $out, $err) = um({}, @$args);
	is($rc, 2, "usage error exits 2: @$args");
	like($err, $re, "usage error message: @$args");
	ok(one_line($err), "one line on stderr: @$args");
	is($out, '', "nothing on stdout: @$args");
}
# health is a monitoring check: every error, a bad command line included,
# exits 3 (UNKNOWN) with a status line on stdout (monitoring systems read
# stdout only), of at most 80 characters, the whole message below it;
# with --json a {"status": "error", "message": ...} object.
sub unknown_ok
{
	my ($name, $re, @args) = @_;
	($rc, $out, $err) = um({}, @args);
	is($rc, 3, "$name: exits 3 (UNKNOWN)");
	like($out, qr/^USRMGMT UNKNOWN - /, "$name: UNKNOWN status line on stdout");
	my ($first) = split /\n/, $out;
	cmp_ok(length($first), '<=', 80, "$name: status line of at most 80 characters");
	like($out, $re, "$name: the message on stdout");
	like($err, $re, "$name: the message on stderr");
	($rc, $out, $err) = um({}, @args, '--json');
	is($rc, 3, "$name --json: exits 3");
	my $j = eval { decode_json($out) };
	is($j->{status}, 'error', "$name --json: status error");
	like($j->{message}, $re, "$name --json: the message");
}
unknown_ok('health: bad threshold', qr/invalid value "abc" for --warn-connect-ms/,
	'health', '--warn-connect-ms=abc');
unknown_ok('health: warn above crit', qr/--warn-roundtrip-ms \(50\) is above --crit-roundtrip-ms \(10\)/,
	'health', '--warn-roundtrip-ms=50', '--crit-roundtrip-ms=10');
unknown_ok('health: unknown option before the command', qr/unknown option "--bogus"/,
	'--bogus', 'health');
unknown_ok('health: option of another command', qr/option "--dir" does not apply/,
	'health', '--dir', 'x');
($rc, $out, $err) = um({}, 'health', '--warn-connect-ms=abc');
is($out, "USRMGMT UNKNOWN - invalid value \"abc\" for --warn-connect-ms: expected a numbe...\n"
	  . "invalid value \"abc\" for --warn-connect-ms: expected a number of milliseconds, 0 or more\n",
	'health: a long message is cut on the status line and whole on the next');
($rc, $out, $err) = um({}, 'health', '--crit-connect-ms=abc', '--json');
is($rc, 3, 'health: --json after the bad value is still honoured');
is($out, qq({"status": "error", "message": "invalid value \\"abc\\" for --crit-connect-ms: expected a number of milliseconds, 0 or more"}\n),
	'health --json: the exact error object');

# no crash on odd arguments: every run ends with an exit code, never a signal
for my $args ([ '-d', '' ], ['--'], [ '--', 'status' ], [ 'x' x 5000 ],
	[ '--' . ('y' x 5000) ], [ 'health', '--warn-connect-ms=1e309' ],
	[ 'health', '--crit-connect-ms=-1' ], [ 'health', '--warn-connect-ms=nan' ],
	[ 'restore', '' ], [ 'list', '--dir', '/nonexistent/dir' ], [ '-' ],
	[ "\x01\xff" ], [ 'migrate', '-' ], ['---'], [ '-vvvv', 'help' ])
{
	($rc, $out, $err) = um({ PGPORT => 1 }, @$args);
	ok($rc < 128, "no crash on odd arguments: " . substr("@$args", 0, 40));
}
($rc, $out, $err) = um({}, 'restore', '');
is($rc, 2, 'empty FILE is a usage error');
($rc, $out, $err) = um({}, "bad\ncommand\r");
is($err, "usrmgmt: unknown command \"bad?command?\" (try \"usrmgmt --help\")\n",
	'control characters of an argument never break the one-line error');

# ---- exit 3 / 1 when the server or the extension is missing ----
($rc, $out, $err) = um({ PGPORT => $node->port + 1 }, 'health');
is($rc, 3, 'health: cannot connect exits 3');
like($out, qr/^USRMGMT UNKNOWN - could not connect: /, 'health: UNKNOWN status line');
cmp_ok(length((split /\n/, $out)[0]), '<=', 80, 'health: UNKNOWN status line of at most 80 characters');
like($err, qr/^usrmgmt: health: could not connect: /, 'health: connection error on stderr');
ok(one_line($err), 'health: connection error is one line');
($rc, $out, $err) = um({ PGPORT => $node->port + 1 }, 'health', '--json');
is($rc, 3, 'health --json: cannot connect exits 3');
is(decode_json($out)->{status}, 'error', 'health --json: cannot connect gives status error');
like(decode_json($out)->{message}, qr/^could not connect: /, 'health --json: cannot connect message');
($rc, $out, $err) = um({}, 'health');
is($rc, 3, 'health: extension missing exits 3');
like($out, qr/^USRMGMT UNKNOWN - extension "usrmgmt" is not installed in database "clidb"/, 'health: missing extension status line');
like($err, qr/^usrmgmt: health: extension "usrmgmt" is not installed in database "clidb"/,
	'health: missing extension message');
($rc, $out, $err) = um({}, 'health', '--json');
is($rc, 3, 'health --json: extension missing exits 3');
is_deeply(decode_json($out),
	{ status => 'error', message => 'extension "usrmgmt" is not installed in database "clidb" (run "usrmgmt init")' },
	'health --json: extension missing gives the error object');
($rc, $out, $err) = um({}, 'status');
is($rc, 1, 'status: extension missing exits 1');
like($err, qr/^usrmgmt: status: extension "usrmgmt" is not installed in database "clidb" \(run "usrmgmt init"\)$/,
	'status: missing extension message');
($rc, $out, $err) = um({}, 'verify');
is($rc, 3, 'verify: extension missing exits 3');
($rc, $out, $err) = um({ PGPORT => $node->port + 1 }, 'status');
is($rc, 1, 'status: cannot connect exits 1');
ok(one_line($err), 'status: connection error is one line');

# ---- connection precedence: -d, then DATABASE_URL, then PG* ----
$node->safe_psql('postgres', 'CREATE DATABASE urldb');
$node->safe_psql('postgres', 'CREATE DATABASE ddb');
my $host = $node->host;
my $port = $node->port;
my $url = "postgresql:///urldb?host=$host&port=$port";
($rc, $out, $err) = um({ DATABASE_URL => $url }, 'init');
is($rc, 0, 'init through DATABASE_URL');
like($out, qr/^created extension usrmgmt 1\.1 in database "urldb"$/m, 'DATABASE_URL beats PGDATABASE');
($rc, $out, $err) = um({ DATABASE_URL => $url }, '-d', "host=$host port=$port dbname=ddb", 'init');
like($out, qr/in database "ddb"$/m, '-d (key=value) beats DATABASE_URL');
($rc, $out, $err) = um({ DATABASE_URL => "postgresql+psycopg2:///urldb?host=$host&port=$port" }, 'init');
like($out, qr/already installed in database "urldb"; nothing changed/,
	'a SQLAlchemy URL with +driver is accepted');
($rc, $out, $err) = um({ DATABASE_URL => '' }, 'init');
like($out, qr/^created extension usrmgmt 1\.1 in database "clidb"$/m, 'empty DATABASE_URL: PG* variables');
($rc, $out, $err) = um({}, '-d', "postgresql://$host:$port/ddb", 'status', '--help');
is($rc, 0, 'options before the command');
($rc, $out, $err) = um({ DATABASE_URL => 'postgresql://nohost.invalid:1/x' }, 'migrations');
is($rc, 1, 'a bad DATABASE_URL fails');
ok(one_line($err), 'a bad DATABASE_URL: one line');

# ---- -v echoes each statement before sending it ----
($rc, $out, $err) = um({}, '-v', 'migrations');
is($rc, 0, '-v migrations');
like($err, qr/^usrmgmt: sql: SELECT e\.extversion FROM pg_catalog\.pg_extension e/m, '-v echoes the extension check');
like($err, qr/^usrmgmt: sql: SELECT m\.id, m\.migration_name AS name/m, '-v echoes the query');
($rc, $out, $err) = um({}, 'migrations');
is($err, '', 'without -v nothing on stderr');

# ---- migrations (the install script's own row) ----
like($out, qr/^-1 \| usrmgmt--1\.1 \| extension \|/m, 'migrations: the 1.1 row');
($rc, $out, $err) = um({}, 'migrations', '--json');
is($rc, 0, 'migrations --json');
my $m = decode_json($out);
is(scalar @$m, 1, 'migrations --json: one row');
is($m->[0]{name}, 'usrmgmt--1.1', 'migrations --json: name');
is($m->[0]{kind}, 'extension', 'migrations --json: kind');
is($m->[0]{id}, -1, 'migrations --json: id');
ok(!$m->[0]{reversible}, 'migrations --json: not reversible');

# ---- init --force and drop: nothing destroyed without confirmation ----
$node->safe_psql('clidb', q{INSERT INTO usrmgmt."user" (username) VALUES ('keepme')});
($rc, $out, $err) = um({}, 'init', '--force');
is($rc, 1, 'init --force without --confirm (no terminal) refuses');
like($err, qr/^usrmgmt: init: refusing to drop extension usrmgmt 1\.1 in database "clidb" without --confirm$/,
	'init --force refusal message');
is($node->safe_psql('clidb', 'SELECT count(*) FROM usrmgmt."user"'), '1', 'refused init --force kept the data');
($rc, $out, $err) = um({}, 'init');
is($rc, 0, 'init on an installed extension exits 0');
is($node->safe_psql('clidb', 'SELECT count(*) FROM usrmgmt."user"'), '1', 'plain init kept the data');
($rc, $out, $err) = um({}, 'init', '--force', '--confirm');
is($rc, 0, 'init --force --confirm');
like($out, qr/^dropped and recreated extension usrmgmt 1\.1 in database "clidb"$/, 'init --force message');
is($node->safe_psql('clidb', 'SELECT count(*) FROM usrmgmt."user"'), '0', 'init --force emptied the tables');

# on a terminal, init --force asks; only "yes" goes ahead
SKIP:
{
	skip 'IO::Pty is not installed (Debian: libio-pty-perl)', 6
	  unless eval { require IO::Pty; 1 };
	$node->safe_psql('clidb', q{INSERT INTO usrmgmt."user" (username) VALUES ('keepme')});
	for my $answer ('no', 'yes')
	{
		local %ENV = %ENV;
		delete $ENV{DATABASE_URL};
		$ENV{PGHOST} = $node->host;
		$ENV{PGPORT} = $node->port;
		$ENV{PGDATABASE} = 'clidb';
		my ($in, $tty) = ("$answer\n", '');
		IPC::Run::run([ 'usrmgmt', 'init', '--force' ], '<pty<', \$in, '>pty>', \$tty, '2>&1');
		my $code = $? >> 8;
		like($tty, qr/init --force drops extension usrmgmt 1\.1 from database "clidb" with every row of its tables\.\s+Type "yes" to continue:/,
			"terminal: init --force asks ($answer)");
		if ($answer eq 'no')
		{
			is($code, 1, 'terminal: any answer but yes refuses');
			is($node->safe_psql('clidb', 'SELECT count(*) FROM usrmgmt."user"'), '1', 'terminal: refused, data kept');
		}
		else
		{
			is($code, 0, 'terminal: yes goes ahead');
			is($node->safe_psql('clidb', 'SELECT count(*) FROM usrmgmt."user"'), '0', 'terminal: yes recreated the extension');
		}
	}
}

($rc, $out, $err) = um({}, 'drop');
is($rc, 1, 'drop without --confirm refuses');
like($err, qr/^usrmgmt: drop: refusing to drop extension usrmgmt and all its data without --confirm$/,
	'drop refusal message');
is($node->safe_psql('clidb', q{SELECT count(*) FROM pg_extension WHERE extname = 'usrmgmt'}), '1',
	'refused drop kept the extension');
($rc, $out, $err) = um({}, 'reset');
is($rc, 1, 'reset without --confirm refuses');
like($err, qr/^usrmgmt: reset: refusing to empty every usrmgmt table without --confirm$/, 'reset refusal message');
($rc, $out, $err) = um({}, 'drop', '--confirm');
is($rc, 0, 'drop --confirm');
like($out, qr/^dropped extension usrmgmt 1\.1 from database "clidb"$/m, 'drop message');
is($node->safe_psql('clidb',
	q{SELECT count(*) FROM pg_extension WHERE extname = 'usrmgmt'} .
	q{ UNION ALL SELECT count(*) FROM pg_namespace WHERE nspname = 'usrmgmt'}), "0\n0",
	'drop removed the extension and its schema');
($rc, $out, $err) = um({}, 'drop', '--confirm');
is($rc, 1, 'drop of a missing extension fails');
like($err, qr/not installed in database "clidb"/, 'drop of a missing extension: message');

# drop keeps a schema that holds other objects, and says so
($rc) = um({}, 'init');
$node->safe_psql('clidb', 'CREATE TABLE usrmgmt.app_extra (x int)');
($rc, $out, $err) = um({}, 'drop', '--confirm');
is($rc, 0, 'drop with a foreign object in the schema');
like($out, qr/^schema usrmgmt kept: other objects live in it$/m, 'drop keeps a non-empty schema');

# the server refuses a drop while objects depend on the extension
($rc) = um({}, 'init');
$node->safe_psql('clidb', 'CREATE VIEW public.v AS SELECT username FROM usrmgmt."user"');
($rc, $out, $err) = um({}, 'drop', '--confirm');
is($rc, 1, 'drop with a dependent view fails');
like($err, qr/^usrmgmt: drop: cannot drop extension usrmgmt because other objects depend on it \(SQLSTATE 2BP01\)/,
	'drop failure quotes the server');
ok(one_line($err), 'drop failure is one line');

$node->stop;
done_testing();
