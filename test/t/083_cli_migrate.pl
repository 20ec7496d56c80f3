# test/t/083_cli_migrate.pl: usrmgmt migrate, migrations, rollback
# (doc/usrmgmt.md, "The command-line tool"): the extension update, a
# directory of three files applied in name order (a "-- down" section
# stored), a rerun applying nothing, a failing file stopping the run with
# its name and the server's error, a changed file refused (up or down
# section), rollback of the latest migration only (unless --force), and
# migrate as a deployer that does not own the extension (the administrator
# recipe): nothing to update is no error, a due update it cannot run is.  The blocks that need
# usrmgmt.apply_migration() / rollback_migration() are skipped, with the
# reason, while those functions are not in the build.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use UsrmgmtCli;
use JSON::PP;

my $node = PostgreSQL::Test::Cluster->new('cli_migrate');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE clidb');
my $tmp = PostgreSQL::Test::Utils::tempdir;

sub um { return usrmgmt_cli($node, { PGDATABASE => 'clidb' }, @_); }

sub have
{
	my ($sig) = @_;
	return $node->safe_psql('clidb', "SELECT to_regprocedure('usrmgmt.$sig') IS NOT NULL") eq 't';
}

# The SQL of a role recipe of doc/usrmgmt.md, exactly as written there
# (the sql block after "**NAME**"), for roles regress_monitor/regress_admin.
sub recipe
{
	my ($name) = @_;
	open(my $fh, '<', 'doc/usrmgmt.md') or die "doc/usrmgmt.md: $!";
	my $doc = do { local $/; <$fh> };
	close($fh);
	my ($sql) = $doc =~ /^\*\*\Q$name\E\*\*.*?^```sql\n(.*?)^```/ms
	  or die "no $name recipe in doc/usrmgmt.md";
	$sql =~ s/usrmgmt_monitor/regress_monitor/g;
	$sql =~ s/usrmgmt_admin/regress_admin/g;
	$sql =~ s/ PASSWORD '\.\.\.'//g;
	return $sql;
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
like($out, qr/^extension usrmgmt 1\.1 is up to date$/, 'migrate: up to date');
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
	skip 'usrmgmt.apply_migration(text,text,text) is not in this build (migrations branch not merged)', 47
	  unless have('apply_migration(text,text,text)');

	($rc, $out, $err) = um('migrate', $dir);
	is($rc, 0, 'migrate DIR exits 0') or diag($err);
	like($out, qr/^extension usrmgmt 1\.1 is up to date\napplied 001_create_note \([\d.]+ ms\)\napplied 002_add_column \([\d.]+ ms\)\napplied 010_seed \([\d.]+ ms\)\napplied 3 migrations from \Q$dir\E \(0 already applied\)$/,
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

	# an applied file whose down section was edited is refused like a changed up
	write_file("$dir/001_create_note.sql",
		"-- up\nCREATE TABLE public.note (id int PRIMARY KEY, body text);\n-- down\nDROP TABLE public.note CASCADE;\n");
	($rc, $out, $err) = um('migrate', $dir);
	is($rc, 1, 'an applied migration with an edited down section fails');
	like($err, qr/^usrmgmt: migrate: \Q$dir\E\/001_create_note\.sql: migration "001_create_note" was already applied with a different down section DETAIL: /m,
		'an edited down section: the file and the migration are named');
	unlike($out, qr/^applied /m, 'an edited down section: nothing applied');
	is($node->safe_psql('clidb', q{SELECT down_sql FROM usrmgmt.migration_history WHERE migration_name = '001_create_note'}),
		"DROP TABLE public.note;\n", 'the stored down_sql is unchanged');
	write_file("$dir/001_create_note.sql",
		"-- up\nCREATE TABLE public.note (id int PRIMARY KEY, body text);\n");
	($rc, $out, $err) = um('migrate', $dir);
	is($rc, 1, 'an applied migration whose down section was removed fails');
	write_file("$dir/001_create_note.sql",
		"-- up\nCREATE TABLE public.note (id int PRIMARY KEY, body text);\n-- down\nDROP TABLE public.note;\n");
	($rc, $out, $err) = um('migrate', $dir);
	is($rc, 0, 'the original file again: nothing to apply') or diag($err);

  SKIP:
	{
		skip 'usrmgmt.rollback_migration(text) is not in this build', 21
		  unless have('rollback_migration(text)');
		write_file("$dir/040_index.sql",
			"CREATE INDEX note_body ON public.note (body);\n-- down\nDROP INDEX public.note_body;\n");
		($rc, $out, $err) = um('migrate', $dir);
		is($rc, 0, 'migrate 040_index');
		unlink("$dir/040_index.sql");

		# --dry-run: the down SQL and whose rights it runs with; nothing runs
		my $me = $node->safe_psql('clidb', 'SELECT current_user');
		($rc, $out, $err) = um('rollback', '040_index', '--dry-run');
		is($rc, 0, 'rollback --dry-run exits 0') or diag($err);
		is($out, "-- rollback of 040_index runs, with the rights of role $me:\nDROP INDEX public.note_body;\n",
			'rollback --dry-run prints the down SQL and the role it runs as');
		is($node->safe_psql('clidb', q{SELECT to_regclass('public.note_body') IS NOT NULL}), 't',
			'rollback --dry-run: nothing ran');
		is($node->safe_psql('clidb', q{SELECT count(*) FROM usrmgmt.migration_history WHERE migration_name = '040_index'}),
			'1', 'rollback --dry-run: still recorded');
		($rc, $out, $err) = um('rollback', '999_none', '--dry-run');
		is($rc, 1, 'rollback --dry-run of an unknown migration exits 1');
		like($err, qr/^usrmgmt: rollback: migration "999_none" has not been applied$/,
			'rollback --dry-run of an unknown migration: the message');

		# the latest one rolls back
		($rc, $out, $err) = um('rollback', '040_index');
		is($rc, 0, 'rollback of the latest migration exits 0') or diag($err);
		like($out, qr/^rolled back 040_index$/, 'rollback message');
		is($node->safe_psql('clidb', q{SELECT to_regclass('public.note_body') IS NULL}), 't', 'the down SQL ran');

		# an earlier one is refused: later ones may depend on it
		($rc, $out, $err) = um('rollback', '002_add_column');
		is($rc, 1, 'rollback of a migration with later ones applied is refused');
		like($err, qr/^usrmgmt: rollback: migration "002_add_column" is not the latest application migration: "030_after" \(and more\) was applied after it and may depend on it; .*--force/,
			'the refusal names the newest later migration and --force');
		is($node->safe_psql('clidb',
			q{SELECT count(*) FROM information_schema.columns WHERE table_name = 'note' AND column_name = 'tag'}),
			'1', 'refused: the down SQL did not run');
		is($node->safe_psql('clidb', q{SELECT count(*) FROM usrmgmt.migration_history WHERE migration_name = '002_add_column'}),
			'1', 'refused: still recorded');

		# --force: done, and it says what stays recorded
		($rc, $out, $err) = um('rollback', '002_add_column', '--force');
		is($rc, 0, 'rollback --force exits 0') or diag($err);
		like($out, qr/^rolled back 002_add_column$/, 'rollback --force message');
		like($err, qr/^usrmgmt: rollback: --force: 3 later migrations \(newest "030_after"\) stay recorded as applied$/,
			'rollback --force says what it leaves behind');
		is($node->safe_psql('clidb',
			q{SELECT count(*) FROM information_schema.columns WHERE table_name = 'note' AND column_name = 'tag'}),
			'0', 'rollback --force: the down SQL ran');
		($rc, $out, $err) = um('rollback', 'no_such_migration');
		is($rc, 1, 'rollback of an unknown migration fails');
		like($err, qr/^usrmgmt: rollback: migration "no_such_migration" has not been applied \(SQLSTATE 42704\)/,
			'rollback of an unknown migration: the server says so');
		($rc, $out, $err) = um('rollback', '030_after');
		like($err, qr/has no down_sql/, 'the latest migration without down SQL: the server refuses');
	}

	# a deployer that does not own the extension: the administrator recipe
	# of doc/usrmgmt.md ("Privileges and role recipes")
	$node->safe_psql('clidb', recipe('Monitor') . recipe('Administrator')
		  . 'GRANT CREATE ON SCHEMA public TO regress_admin;');
	my $adir = "$tmp/admin_migrations";
	mkdir $adir or die;
	write_file("$adir/050_admin.sql", "CREATE TABLE public.admin_note (id int);\n-- down\nDROP TABLE public.admin_note;\n");
	{
		local $ENV{PGUSER} = 'regress_admin';
		($rc, $out, $err) = um('migrate', $adir);
	}
	is($rc, 0, 'migrate as a deployer that does not own the extension, nothing to update') or diag($err);
	like($out, qr/^extension usrmgmt 1\.1 is up to date\napplied 050_admin /, 'deployer: up to date, the migration applied');
	unlike($err, qr/must be owner/, 'deployer: no ALTER EXTENSION tried');

	# an update is due (the installed version made older than the default)
	$node->safe_psql('clidb', q{UPDATE pg_extension SET extversion = '0.9' WHERE extname = 'usrmgmt'});
	write_file("$adir/060_later.sql", "CREATE TABLE public.later_note (id int);\n");
	{
		local $ENV{PGUSER} = 'regress_admin';
		($rc, $out, $err) = um('migrate', $adir);
	}
	is($rc, 1, 'deployer: an update it cannot run fails');
	like($err, qr/^usrmgmt: migrate: extension usrmgmt 0\.9 is installed and 1\.1 is available, but role "regress_admin" cannot update it: ALTER EXTENSION usrmgmt UPDATE needs a superuser or the extension's owner \(role "\w+"\); .*no migration was applied/,
		'deployer: the message says who can update');
	is($node->safe_psql('clidb', q{SELECT to_regclass('public.later_note') IS NULL}), 't',
		'deployer: nothing applied when the update is due');
	($rc, $out, $err) = um('migrate', $adir);
	is($rc, 1, 'superuser: the update is tried');
	like($err, qr/^usrmgmt: migrate: extension "usrmgmt" has no update path from version "0\.9" to version "1\.1"/,
		'superuser: ALTER EXTENSION ran (and found no path from the faked version)');
	$node->safe_psql('clidb', q{UPDATE pg_extension SET extversion = '1.1' WHERE extname = 'usrmgmt'});
}

$node->stop;
done_testing();
