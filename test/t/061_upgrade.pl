# test/t/061_upgrade.pl: version discipline (the spec's "Migrations and
# lifecycle"; doc/usrmgmt.md, "Upgrades and version discipline"), in the
# manner of contrib/pg_stat_statements' oldextversions test.
#
# For every version of usrmgmt the server offers (pg_available_extension_
# versions: each install script, and each version reachable by update
# scripts), install it, walk ALTER EXTENSION usrmgmt UPDATE to the default
# version and compare the catalog with a fresh install of the default:
# tables, columns, constraints, indexes, triggers, functions, sequences,
# comments, privileges, extension membership and configuration-dump
# registrations must be identical.  The extension's own migration_history
# rows must record the install script and every update script walked, with
# ids -1, -2, ...  The schema manifest of each updated database must equal
# the fresh install's, and validate_schema() must find nothing.  Picks up
# new versions by itself; 1.0 and 1.1 must be among them (1.0 updated to
# 1.1 is the path every 1.0 database takes).  Also: no released script
# (test/released-scripts.sha256) has changed.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Digest::SHA;
use File::Basename;

# Released scripts are never edited.
my $srcdir = dirname(__FILE__) . '/../..';
open(my $fh, '<', "$srcdir/test/released-scripts.sha256")
  or die "cannot open test/released-scripts.sha256: $!";
my $released = 0;
while (my $line = <$fh>)
{
	next if $line =~ /^\s*(#|$)/;
	my ($sum, $path) = $line =~ /^([0-9a-f]{64})\s+\*?(\S+)\s*$/
	  or die "bad line in released-scripts.sha256: $line";
	ok(-f "$srcdir/$path", "released script $path exists");
	is(Digest::SHA->new(256)->addfile("$srcdir/$path")->hexdigest, $sum,
		"released script $path is unchanged");
	$released++;
}
close $fh;
note "$released released scripts checked";

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->start;

my $default = $node->safe_psql('postgres',
	q{SELECT default_version FROM pg_available_extensions WHERE name = 'usrmgmt'});
ok($default ne '', "default version is $default");
my @versions = split /\n/, $node->safe_psql('postgres',
	q{SELECT version FROM pg_available_extension_versions WHERE name = 'usrmgmt' ORDER BY version});
ok(scalar(grep { $_ eq $default } @versions), 'the default version is available');
for my $v ('1.0', '1.1')
{
	ok(scalar(grep { $_ eq $v } @versions), "version $v is available");
}

# The installed scripts agree with what the server offers.
my $sharedir = `pg_config --sharedir`;
chomp $sharedir;
my @install_scripts = map { m{usrmgmt--([^-]+)\.sql$} ? $1 : () }
  glob("$sharedir/extension/usrmgmt--*.sql");
for my $v (@install_scripts)
{
	ok(scalar(grep { $_ eq $v } @versions), "install script of $v is offered");
}

# One line per catalog fact about the objects of the extension, sorted.
my $catalog_sql = q{
WITH ext AS (SELECT oid, extconfig, extcondition FROM pg_extension WHERE extname = 'usrmgmt'),
ns AS (SELECT 'usrmgmt'::regnamespace AS oid),
rel AS (SELECT c.* FROM pg_class c, ns WHERE c.relnamespace = ns.oid)
SELECT line FROM (
  SELECT 'schema acl=' || coalesce(nspacl::text, '-') || ' owner=' || pg_get_userbyid(nspowner) AS line
    FROM pg_namespace, ns WHERE pg_namespace.oid = ns.oid
  UNION ALL
  SELECT format('relation %s kind=%s persistence=%s options=%s acl=%s owner=%s comment=%s',
                relname, relkind, relpersistence, reloptions, relacl, pg_get_userbyid(relowner),
                obj_description(oid, 'pg_class'))
    FROM rel
  UNION ALL
  SELECT format('column %s.%s pos=%s type=%s notnull=%s identity=%s generated=%s default=%s collation=%s acl=%s',
                r.relname, a.attname,
                row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
                format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity, a.attgenerated,
                pg_get_expr(d.adbin, d.adrelid), a.attcollation, a.attacl)
    FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attnum > 0 AND NOT a.attisdropped AND r.relkind IN ('r', 'p', 'v', 'm', 'f')
  UNION ALL
  SELECT format('constraint %s.%s type=%s def=%s validated=%s deferrable=%s deferred=%s',
                r.relname, co.conname, co.contype, pg_get_constraintdef(co.oid),
                co.convalidated, co.condeferrable, co.condeferred)
    FROM pg_constraint co JOIN rel r ON r.oid = co.conrelid
  UNION ALL
  SELECT format('index %s valid=%s def=%s', i.relname, x.indisvalid,
                pg_get_indexdef(x.indexrelid))
    FROM pg_index x JOIN rel i ON i.oid = x.indexrelid
  UNION ALL
  SELECT format('trigger %s.%s enabled=%s def=%s', r.relname, t.tgname, t.tgenabled,
                pg_get_triggerdef(t.oid))
    FROM pg_trigger t JOIN rel r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal
  UNION ALL
  SELECT format('sequence %s type=%s start=%s inc=%s min=%s max=%s cache=%s cycle=%s',
                r.relname, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
                s.seqcache, s.seqcycle)
    FROM pg_sequence s JOIN rel r ON r.oid = s.seqrelid
  UNION ALL
  SELECT format('function %s(%s) returns %s kind=%s lang=%s secdef=%s config=%s volatile=%s strict=%s parallel=%s leakproof=%s cost=%s rows=%s src=%s bin=%s acl=%s owner=%s comment=%s',
                p.proname, pg_get_function_identity_arguments(p.oid), pg_get_function_result(p.oid),
                p.prokind, l.lanname, p.prosecdef, p.proconfig, p.provolatile, p.proisstrict,
                p.proparallel, p.proleakproof, p.procost, p.prorows, p.prosrc, p.probin,
                p.proacl, pg_get_userbyid(p.proowner), obj_description(p.oid, 'pg_proc'))
    FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang, ns WHERE p.pronamespace = ns.oid
  UNION ALL
  SELECT format('type %s kind=%s', t.typname, t.typtype)
    FROM pg_type t, ns WHERE t.typnamespace = ns.oid AND t.typtype <> 'b' AND t.typrelid = 0
  UNION ALL
  SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
    FROM pg_depend d, ext WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid
     AND d.deptype = 'e'
  UNION ALL
  SELECT format('config-dump %s where=%s', c.cfg::regclass, c.cond)
    FROM ext, unnest(ext.extconfig, ext.extcondition) AS c (cfg, cond)
) facts ORDER BY line COLLATE "C";
};

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION usrmgmt');
my $fresh = $node->safe_psql('fresh', $catalog_sql);
my $manifest_sql = q{SELECT string_agg(concat_ws('|', object_type, object_name, table_name, definition,
                                                  state, check_expr), E'\n'
                                        ORDER BY object_type COLLATE "C", object_name COLLATE "C")
                       FROM usrmgmt.schema_manifest};
my $fresh_manifest = $node->safe_psql('fresh', $manifest_sql);
# The dump covers what it must (so that a comparison can fail).
for my $kind (qw(relation column constraint index trigger sequence function member config-dump))
{
	like($fresh, qr/^\Q$kind\E /m, "catalog dump lists ${kind}s");
}
my $tables = () = $fresh =~ /^relation \S+ kind=r /mg;
is($tables, 9, 'catalog dump: seven data tables, change_log_default and schema_manifest');
my $configs = () = $fresh =~ /^config-dump /mg;
is($configs, 16, 'catalog dump: sixteen configuration-dump registrations (three of the change audit, user_auth)');
is($node->safe_psql('fresh',
		q{SELECT string_agg(id || ':' || migration_name, ',' ORDER BY id DESC)
		    FROM usrmgmt.migration_history WHERE kind = 'extension'}),
	"-1:usrmgmt--$default", 'fresh install records its install script as -1')
  if grep { $_ eq $default } @install_scripts;

my $n = 0;
for my $v (@versions)
{
	my $db = 'from_' . ++$n;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, "CREATE EXTENSION usrmgmt VERSION '$v'");
	$node->safe_psql($db, 'ALTER EXTENSION usrmgmt UPDATE');
	is($node->safe_psql($db, q{SELECT extversion FROM pg_extension WHERE extname = 'usrmgmt'}),
		$default, "$v updated to $default");
	my $got = $node->safe_psql($db, $catalog_sql);
	if ($got eq $fresh)
	{
		pass("$v updated to $default: catalog identical to a fresh install");
	}
	else
	{
		my %f = map { $_ => 1 } split /\n/, $fresh;
		my %g = map { $_ => 1 } split /\n/, $got;
		fail("$v updated to $default: catalog identical to a fresh install");
		diag("only in fresh: $_") for grep { !$g{$_} } sort keys %f;
		diag("only in updated: $_") for grep { !$f{$_} } sort keys %g;
	}
	is($node->safe_psql($db, $manifest_sql), $fresh_manifest,
		"$v updated to $default: schema manifest identical to a fresh install's");
	is($node->safe_psql($db, q{SELECT count(*) FROM usrmgmt.validate_schema()}), '0',
		"$v updated to $default: validate_schema() finds nothing");

	# The history: the install script as -1, then each update script walked
	# in order as -2, -3, ..., ending at the default version.
	my @rows = split /\n/, $node->safe_psql($db,
		q{SELECT id || ' ' || migration_name FROM usrmgmt.migration_history
		   WHERE kind = 'extension' ORDER BY id DESC});
	my $ok = @rows >= 1;
	my $at;
	for my $i (0 .. $#rows)
	{
		my ($id, $name) = split / /, $rows[$i];
		if ($i == 0)
		{
			$ok &&= $id == -1 && $name =~ /^usrmgmt--([^-]+)$/;
			$at = $1;
		}
		else
		{
			$ok &&= $id == -1 - $i && $name =~ /^usrmgmt--\Q$at\E--([^-]+)$/;
			$at = $1;
		}
	}
	ok($ok && defined $at && $at eq $default,
		"$v: migration_history records the install script and each update script in order")
	  or diag(join("\n", @rows));
}

$node->stop;
done_testing();
