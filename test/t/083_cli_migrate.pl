# test/t/083_cli_migrate.pl: usrmgmt migrate, migrations, rollback (SPEC
# §10 over SPEC §8): the extension update, a directory of three files
# applied in name order (a "-- down" section stored), a rerun applying
# nothing, a failing file stopping the run with its name and the server's
# error, a changed file refused, rollback.  The blocks that need
# usrmgmt.apply_migration() / rollback_migration() are skipped, with the
# reason, while those functions are not in the build.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use JSON::PP;

my $node = PostgreSQL::Test::Cluster->new('cli_migrate');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE clidb');
my $tmp = PostgreSQL::Test::Utils::tempdir;

sub um
{
	my (@args) = @_;
	local %ENV = %ENV;
	delete $ENV{DATABASE_URL};
	$ENV{PGHOST} = $node->host;
	$ENV{PGPORT} = $node->port;
	$ENV{PGDATABASE} = 'clidb';
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'usrmgmt', @args ], '<', \undef, '>', \$out, '2>', \$err);
	my $rc = $? & 127 ? 128 + ($? & 127) : $? >> 8;
	return ($rc, $out, $err);
}

sub have
{
	my ($sig) = @_;
	return $node->safe_psql('clidb', "SELECT to_regprocedure('usrmgmt.$sig') IS NOT NULL") eq 't';
}

sub write_file
{
	my ($path, $text) = @_;
	open(my $fh, '>', $path) or die "$path: $!";
	print $fh $text;
	close($fh);
}

my ($rc, $out, $err) = um('migrate');
is($rc, 1, 'migrate without the extension fails');
like($err, qr/^usrmgmt: migrate: extension "usrmgmt" is not installed in database "clidb"/, 'migrate: message');

($rc) = um('init');
($rc, $out, $err) = um('migrate');
is($rc, 0, 'migrate without DIR: the extension update only');
like($out, qr/^extension usrmgmt 1\.0 is up to date$/, 'migrate: up to date');
($rc, $out, $err) = um('migrate', "$tmp/nonexistent");
is($rc, 1, 'migrate of a missing directory fails');
like($err, qr/^usrmgmt: migrate: could not open directory ".*nonexistent": No such file or directory$/,
	'migrate of a missing directory: message');

my $dir = "$tmp/migrations";
mkdir $dir or die;
write_file("$dir/001_create_note.sql",
	"-- up\nCREATE TABLE public.note (id int PRIMARY KEY, body text);\n-- down\nDROP TABLE public.note;\n");
write_file("$dir/002_add_column.sql",
	"ALTER TABLE public.note ADD COLUMN tag text;\n\n--  DOWN:\nALTER TABLE public.note DROP COLUMN tag;\n");
write_file("$dir/010_seed.sql", "INSERT INTO public.note VALUES (1, 'hello', 'x');\n");
write_file("$dir/README.txt", "not a migration\n");
my $empty = "$tmp/empty_up";
mkdir $empty or die;
write_file("$empty/001_only_down.sql", "-- down\nDROP TABLE x;\n");
($rc, $out, $err) = um('migrate', $empty);
is($rc, 1, 'a file without up SQL fails before reaching the server');
like($err, qr/^usrmgmt: migrate: .*001_only_down\.sql: no SQL before the "-- down" marker$/,
	'a file without up SQL: message');

SKIP:
{
	skip 'usrmgmt.apply_migration(text,text,text) is not in this build (migrations branch not merged)', 22
	  unless have('apply_migration(text,text,text)');

	($rc, $out, $err) = um('migrate', $dir);
	is($rc, 0, 'migrate DIR exits 0') or diag($err);
	like($out, qr/^extension usrmgmt 1\.0 is up to date\napplied 001_create_note \([\d.]+ ms\)\napplied 002_add_column \([\d.]+ ms\)\napplied 010_seed \([\d.]+ ms\)\napplied 3 migrations from \Q$dir\E \(0 already applied\)$/,
		'migrate applies the three files in name order and says so');
	is($node->safe_psql('clidb', 'SELECT id, body, tag FROM public.note'), '1|hello|x', 'the migrations ran');
	is($node->safe_psql('clidb',
		q{SELECT string_agg(migration_name || ':' || COALESCE(down_sql, '<null>'), ',' ORDER BY id)
		    FROM usrmgmt.migration_history WHERE kind = 'application'}),
		"001_create_note:DROP TABLE public.note;\n,002_add_column:ALTER TABLE public.note DROP COLUMN tag;\n,010_seed:<null>",
		'the down sections were stored as down_sql');

	($rc, $out, $err) = um('migrate', $dir);
	is($rc, 0, 'migrate rerun exits 0');
	like($out, qr/^no migration to apply in \Q$dir\E \(3 already applied\)$/m, 'migrate rerun applies nothing');

	($rc, $out, $err) = um('migrations', '--json');
	my $m = decode_json($out);
	is_deeply([ map { $_->{name} } grep { $_->{kind} eq 'application' } @$m ],
		[ '001_create_note', '002_add_column', '010_seed' ], 'migrations --json lists them');
	is_deeply([ map { $_->{reversible} ? 1 : 0 } grep { $_->{kind} eq 'application' } @$m ],
		[ 1, 1, 0 ], 'migrations --json: reversible where a down section exists');
	like($m->[-1]{checksum}, qr/^[0-9a-f]{64}$/, 'migrations --json: checksum');

	# a failing file stops the run; the files after it are not applied
	write_file("$dir/020_bad.sql", "INSERT INTO public.note VALUES (2, 'two', 'y');\nSELECT * FROM public.no_such_table;\n");
	write_file("$dir/030_after.sql", "INSERT INTO public.note VALUES (3, 'three', 'z');\n");
	($rc, $out, $err) = um('migrate', $dir);
	is($rc, 1, 'a failing migration exits 1');
	like($err, qr/^usrmgmt: migrate: \Q$dir\E\/020_bad\.sql: relation "public\.no_such_table" does not exist \(SQLSTATE 42P01\)/m,
		'the failure names the file and quotes the server');
	unlike($out, qr/030_after/, 'the run stopped at the failure');
	is($node->safe_psql('clidb', 'SELECT count(*) FROM public.note'), '1',
		'the failing migration was rolled back and the next one not run');
	is($node->safe_psql('clidb',
		q{SELECT count(*) FROM usrmgmt.migration_history WHERE migration_name IN ('020_bad', '030_after')}),
		'0', 'neither is recorded');

	# fixed: the rest applies
	write_file("$dir/020_bad.sql", "INSERT INTO public.note VALUES (2, 'two', 'y');\n");
	($rc, $out, $err) = um('migrate', $dir);
	is($rc, 0, 'migrate after the fix');
	like($out, qr/^applied 020_bad .*\napplied 030_after .*\napplied 2 migrations from \Q$dir\E \(3 already applied\)$/m,
		'the fixed file and the next one are applied');

	# a changed file that was applied already is an error
	write_file("$dir/010_seed.sql", "INSERT INTO public.note VALUES (9, 'changed', 'x');\n");
	($rc, $out, $err) = um('migrate', $dir);
	is($rc, 1, 'a changed applied migration fails');
	like($err, qr/^usrmgmt: migrate: \Q$dir\E\/010_seed\.sql: /m, 'a changed migration: the file is named');
	write_file("$dir/010_seed.sql", "INSERT INTO public.note VALUES (1, 'hello', 'x');\n");

  SKIP:
	{
		skip 'usrmgmt.rollback_migration(text) is not in this build', 4
		  unless have('rollback_migration(text)');
		($rc, $out, $err) = um('rollback', '002_add_column');
		is($rc, 0, 'rollback exits 0') or diag($err);
		like($out, qr/^rolled back 002_add_column$/, 'rollback message');
		is($node->safe_psql('clidb',
			q{SELECT count(*) FROM information_schema.columns WHERE table_name = 'note' AND column_name = 'tag'}),
			'0', 'the down SQL ran');
		($rc, $out, $err) = um('rollback', 'no_such_migration');
		is($rc, 1, 'rollback of an unknown migration fails');
	}
}

$node->stop;
done_testing();
