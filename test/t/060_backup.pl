# test/t/060_backup.pl: pg_dump/pg_restore round trips of a usrmgmt
# database (the spec's "Migrations and lifecycle", item "Backups").
#
# A source database gets the sample data, an application migration, the
# monthly partitions of user_log and change_log from February 2024
# (usrmgmt.maintain()), change_log history imported into past months,
# 10,000 generated users with open sessions and log rows, a few deleted
# users (gaps in the identities; their log rows keep their user_id) and
# extra identity values burnt by a rolled-back insert, and authentication
# state (user_auth rows: secrets, failed logins, lockouts, logins).  It is
# then dumped and restored five ways:
#   plain      pg_dump | psql
#   custom     pg_dump -Fc + pg_restore (then --clean over the same database)
#   directory  pg_dump -Fd + pg_restore -j 4 (parallel data load), as it is:
#              no section-by-section workaround
#   inserts    pg_dump --inserts | psql with session_replication_role=replica
#   data-only  CREATE EXTENSION and maintain() (the partitions are schema),
#              then pg_restore --data-only of the -Fc dump
# and a second source of 300,000 users (enough for the parallel workers'
# race to show: with 1.0's foreign keys the config tables' rows were lost)
# restored with pg_restore -j 4.  Then a database with a retired month
# waiting to be freed (doc: Retention and partitions): pg_dump -Fc and
# pg_restore bring it back as a plain table, which the next maintain()
# frees.
# After each, every table's content checksum and row count, and every
# identity sequence's position, must equal the source's: no missing, extra
# or duplicated row (the session triggers must not write 'login' rows for
# sessions loaded by COPY), the extension's own migration_history row not
# doubled, and new rows get ids above the restored ones.
#
# Finally: usrmgmt is not a trusted extension, so a database owner who is
# not a superuser can neither create it nor restore a dump that contains
# it (doc/usrmgmt.md, "Why usrmgmt is not trusted", gives the reasons).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('backup');
$node->init;
$node->start;

my $tmp = PostgreSQL::Test::Utils::tempdir;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
CREATE EXTENSION usrmgmt;
SELECT usrmgmt.maintain('2024-02-01 00:00:00+00') IS NOT NULL;
SELECT usrmgmt.load_sample_data();
SELECT usrmgmt.apply_migration('001_app_table',
    'CREATE TABLE public.app_note (id int PRIMARY KEY, note text)',
    'DROP TABLE public.app_note');
INSERT INTO usrmgmt."user" (username, email, first_name, is_admin, is_active, created_at)
SELECT 'gen_' || g, 'gen' || g || '@example.com', 'Gen ' || g, g % 500 = 0, true,
       '2024-03-01 00:00:00+00'::timestamptz + g * interval '1 minute'
  FROM generate_series(1, 10000) g;
INSERT INTO usrmgmt.online_user (user_id, username, ip_address, user_agent, login_datetime, last_seen_at)
SELECT u.id, u.username, ('10.0.' || (u.id / 250) || '.' || (u.id % 250))::inet, 'gen-agent/' || (u.id % 7),
       '2024-04-01 00:00:00+00'::timestamptz + u.id * interval '1 second',
       '2024-04-01 01:00:00+00'::timestamptz + u.id * interval '1 second'
  FROM usrmgmt."user" u WHERE u.username LIKE 'gen\_%' ORDER BY u.id;
-- every 97th user deactivated: the trigger closes its session (103 'logout'
-- rows with detail 'user deactivated', which the dump must carry too)
UPDATE usrmgmt."user" SET is_active = false
 WHERE username LIKE 'gen\_%' AND pg_catalog.substr(username, 5)::int % 97 = 0;
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp", ip_address, session_id, user_agent, detail)
SELECT u.id, u.username, a.action, '2024-02-15 00:00:00+00'::timestamptz + u.id * interval '1 second' + a.off,
       '198.51.100.7', NULL, 'old-agent', a.detail
  FROM usrmgmt."user" u,
       (VALUES ('login', interval '0', NULL), ('logout', interval '5 minutes', 'expired')) a (action, off, detail)
 WHERE u.username LIKE 'gen\_%' ORDER BY u.id, a.off;
INSERT INTO usrmgmt.server (server_name, owner_id, port, memory_mb)
SELECT 'gen-server-' || u.id, u.id, 20000 + u.id % 40000, 512 * (1 + u.id % 8)
  FROM usrmgmt."user" u WHERE u.username LIKE 'gen\_%' AND u.id % 100 = 0;
INSERT INTO usrmgmt.configuration (key, value, updated_by)
SELECT 'gen.key.' || g, 'value ' || g, g FROM generate_series(1, 50) g;
-- change history imported for past months: rows in maintained partitions
-- of change_log other than this month's
INSERT INTO usrmgmt.change_log (changed_at, table_name, operation, row_id, user_id, new)
SELECT '2024-05-01 00:00:00+00'::timestamptz + g * interval '2 hours', 'server', 'INSERT', g, g,
       jsonb_build_object('server_name', 'old-' || g)
  FROM generate_series(1, 600) g;
-- authentication state (user_auth) of every third generated user: secrets,
-- failed logins, lockouts, logins
INSERT INTO usrmgmt.user_auth (user_id, password_hash, failed_logins, locked_at, password_changed_at, last_login_at)
SELECT u.id,
       CASE WHEN u.id % 2 = 0 THEN 'SCRAM-SHA-256$4096:rz6E4ktgKhYPl6Ijm6/l1g==$7j2uSGDTIqoCK5a/kGbV9+plY/CCBTKXTCMimNb58GY=:9D5tpQ9xpUnO+rfyps7GgERguEcSGs8Mp0dUlbmEFBA=' END,
       u.id % 6,
       CASE WHEN u.id % 6 = 5 THEN '2024-05-01 00:00:00+00'::timestamptz + u.id * interval '1 second' END,
       CASE WHEN u.id % 2 = 0 THEN '2024-03-15 00:00:00+00'::timestamptz + u.id * interval '1 second' END,
       '2024-04-01 00:00:00+00'::timestamptz + u.id * interval '1 second'
  FROM usrmgmt."user" u WHERE u.username LIKE 'gen\_%' AND u.id % 3 = 0 ORDER BY u.id;
});
# Deleted users: their sessions go (cascade), their log rows keep their
# user_id, their settings lose updated_by.
$node->safe_psql('src', q{
DELETE FROM usrmgmt."user" WHERE username IN ('gen_7', 'gen_8', 'gen_9999', 'dave');
});
# Burn identity values: the sequences end above max(id).
$node->safe_psql('src', q{
BEGIN;
INSERT INTO usrmgmt."user" (username) SELECT 'burnt_' || g FROM generate_series(1, 5) g;
INSERT INTO usrmgmt.user_log (user_id, username, action) SELECT 1, 'burnt', 'login' FROM generate_series(1, 5);
ROLLBACK;
});

# Role recipe grants, which a full restore must keep.
$node->safe_psql('postgres', 'CREATE ROLE regress_backup_app');
$node->safe_psql('src', q{
GRANT SELECT (id, username) ON usrmgmt."user" TO regress_backup_app;
GRANT SELECT ON usrmgmt.online_user TO regress_backup_app;
GRANT EXECUTE ON FUNCTION usrmgmt.load_sample_data() TO regress_backup_app;
});

# change_log: the change audit of every write above (doc §14); a restore
# must bring it back as it was, without recording the restored rows again.
my @tables = qw(user online_user user_log server configuration migration_history change_log);

# Per table: row count, min/max id and an md5 of every row in id order;
# per identity sequence: its last value (NULL until first called).
sub fingerprint
{
	my ($db, $no_acl) = @_;
	my @parts;
	for my $t (@tables)
	{
		# The extension's own rows are written anew (with a new applied_at)
		# by CREATE EXTENSION on restore: compared below by id and name.
		my $where = $t eq 'migration_history' ? q{WHERE kind <> 'extension'} : '';
		push @parts, "$t " . $node->safe_psql($db, qq{
SELECT count(*) || ' ' || coalesce(min(id), 0) || ' ' || coalesce(max(id), 0) || ' '
       || coalesce(md5(string_agg(x::text, ',' ORDER BY x.id)), '-')
  FROM usrmgmt."$t" x $where});
		push @parts, "$t seq " . $node->safe_psql($db, qq{
SELECT coalesce(pg_catalog.pg_sequence_last_value(
           pg_catalog.pg_get_serial_sequence('usrmgmt."$t"', 'id')::regclass)::text, 'not called')});
	}
	# The partitions maintenance created come back, with their indexes.
	# user_auth: keyed by user_id, no identity.
	push @parts, 'user_auth ' . $node->safe_psql($db, q{
SELECT count(*) || ' ' || coalesce(min(user_id), 0) || ' ' || coalesce(max(user_id), 0) || ' '
       || coalesce(md5(string_agg(x::text, ',' ORDER BY x.user_id)), '-')
  FROM usrmgmt.user_auth x});
	push @parts, 'partitions ' . $node->safe_psql($db, q{
SELECT string_agg(p.partition::text || ' ' || coalesce(p.lower_bound::text, 'MINVALUE') || ' '
                  || (SELECT count(*) FROM pg_index x WHERE x.indrelid = p.partition),
                  ',' ORDER BY p.upper_bound)
  FROM usrmgmt._log_partitions() p});
	push @parts, 'log rows by partition ' . $node->safe_psql($db, q{
SELECT string_agg(t || '=' || n, ',' ORDER BY t)
  FROM (SELECT tableoid::regclass::text AS t, count(*) AS n FROM usrmgmt.user_log GROUP BY 1) x});
	# change_log's too: its partitions, with their key and indexes, and
	# where its rows are, with a digest per partition.
	push @parts, 'change_log partitions ' . $node->safe_psql($db, q{
SELECT string_agg(p.partition::text || ' ' || p.lower_bound::text || ' '
                  || (SELECT count(*) FROM pg_index x WHERE x.indrelid = p.partition),
                  ',' ORDER BY p.upper_bound)
  FROM usrmgmt._log_partitions('usrmgmt.change_log') p});
	push @parts, 'change_log rows by partition ' . $node->safe_psql($db, q{
SELECT string_agg(t || '=' || n || ':' || h, ',' ORDER BY t)
  FROM (SELECT tableoid::regclass::text AS t, count(*) AS n,
               md5(string_agg(x::text, ',' ORDER BY x.id)) AS h
          FROM usrmgmt.change_log x GROUP BY 1) y});
	push @parts, 'extension rows ' . $node->safe_psql($db,
		q{SELECT string_agg(id || ':' || migration_name, ',' ORDER BY id)
		    FROM usrmgmt.migration_history WHERE kind = 'extension'});
	# Privileges granted after CREATE EXTENSION (the role recipes of
	# doc/usrmgmt.md, "Privileges and role recipes") travel with a full
	# dump; a data-only restore has none.
	push @parts, 'acl ' . $node->safe_psql($db, q{
SELECT string_agg(x, ' ' ORDER BY x COLLATE "C") FROM (
  SELECT 'schema=' || coalesce(nspacl::text, '-') AS x FROM pg_namespace WHERE nspname = 'usrmgmt'
  UNION ALL SELECT relname || '=' || coalesce(relacl::text, '-') FROM pg_class
   WHERE relnamespace = 'usrmgmt'::regnamespace AND relkind IN ('r', 'S')
  UNION ALL SELECT proname || '=' || coalesce(proacl::text, '-') FROM pg_proc
   WHERE pronamespace = 'usrmgmt'::regnamespace
  UNION ALL SELECT c.relname || '.' || a.attname || '=' || a.attacl::text
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
   WHERE c.relnamespace = 'usrmgmt'::regnamespace AND a.attacl IS NOT NULL) a}) unless $no_acl;
	return join("\n", @parts);
}

my $expected = fingerprint('src');
my $expected_no_acl = fingerprint('src', 1);
# The owner's full set of table privileges: PostgreSQL 17 added MAINTAIN (m).
my $owner_table_acl = $node->pg_version >= 17 ? 'arwdDxtm' : 'arwdDxt';
like($expected, qr/online_user=\{\w+=$owner_table_acl\/\w+,regress_backup_app=r\/\w+\} .*user\.username=\{regress_backup_app=r\/\w+\}/,
	'source: granted privileges are in the fingerprint');
like($expected, qr/^user 10002 1 10006 /m, 'source: 10,002 users');
like($expected, qr/^change_log rows by partition usrmgmt\.change_log_2024_05=\d+:\w+,usrmgmt\.change_log_2024_06=\d+:\w+,usrmgmt\.change_log_\d{4}_\d\d=\d+:\w+$/m,
	'source: change_log rows in three maintained partitions, none in the default');
like($expected, qr/^change_log partitions usrmgmt\.change_log_2024_02 2024-02-01 00:00:00\+00 3,/m,
	'source: change_log partitions from February 2024, each with its key and two indexes');
like($expected, qr/^user seq 10011$/m, 'source: 5 user ids burnt');
like($expected, qr/^online_user 9897 1 10003 /m,
	'source: 9,897 open sessions (10,000 less 103 closed by deactivation)');
like($expected, qr/^migration_history 1 1 1 /m, 'source: one application migration');
like($expected, qr/^user_auth 3337 1 10002 /m,
	'source: 3,337 user_auth rows (5 sample users, every third generated user but gen_9999, deleted)');
my $default_version = $node->safe_psql('postgres',
	q{SELECT default_version FROM pg_available_extensions WHERE name = 'usrmgmt'});
like($expected, qr/^extension rows -1:usrmgmt--\Q$default_version\E$/m, 'source: one extension row');
like($expected, qr/^partitions usrmgmt\.user_log_2024_02 2024-02-01 /m, 'source: monthly partitions from February 2024');

# Check a restored database against the source, then write to it.
sub check_restored
{
	my ($db, $how, $no_acl) = @_;
	my $got = fingerprint($db, $no_acl);
	my $want = $no_acl ? $expected_no_acl : $expected;
	is($got, $want, "$how: every table and identity identical to the source");

	my $new_user = $node->safe_psql($db, q{
INSERT INTO usrmgmt."user" (username) VALUES ('after_restore') RETURNING id});
	is($new_user, '10012', "$how: a new user continues the identity (10006 + 5 burnt + 1)");
	my $new_session = $node->safe_psql($db, qq{
INSERT INTO usrmgmt.online_user (user_id, username) VALUES ($new_user, 'after_restore') RETURNING id});
	is($new_session, '10004', "$how: a new session gets an id above the restored ones");
	my $new_migration = $node->safe_psql($db, q{
SELECT usrmgmt.apply_migration('002_after_restore', 'SELECT 1');
SELECT max(id) FROM usrmgmt.migration_history});
	is($new_migration, "t\n2", "$how: migrations continue after the restored one");
	my ($ret, $out, $err) = $node->psql($db,
		q{SELECT usrmgmt.apply_migration('001_app_table', 'CREATE TABLE public.app_note (id int PRIMARY KEY, note text)', 'DROP TABLE public.app_note')});
	is($out, 'f', "$how: the restored migration counts as applied");
	return;
}

sub run_ok
{
	my ($cmd, $name) = @_;
	my ($stdout, $stderr);
	my $ok = IPC::Run::run($cmd, '>', \$stdout, '2>', \$stderr);
	ok($ok, $name) or diag("command: @$cmd\nstderr: $stderr");
	is($stderr, '', "$name: no error or warning")
	  or diag($stderr);
	return;
}

my $src = $node->connstr('src');

# 1. plain: pg_dump | psql
run_ok([ 'pg_dump', '-d', $src, '-f', "$tmp/plain.sql" ], 'plain: pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE r_plain');
run_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('r_plain'),
		'-f', "$tmp/plain.sql", '-o', '/dev/null' ], 'plain: psql');
check_restored('r_plain', 'plain');

# 2. custom: pg_dump -Fc + pg_restore
run_ok([ 'pg_dump', '-Fc', '-d', $src, '-f', "$tmp/custom.dump" ], 'custom: pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE r_custom');
run_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('r_custom'), "$tmp/custom.dump" ],
	'custom: pg_restore');
check_restored('r_custom', 'custom');

# 2b. --clean into the same, now modified, database: back to the source.
run_ok([ 'pg_restore', '--exit-on-error', '--clean', '--if-exists', '-d', $node->connstr('r_custom'),
		"$tmp/custom.dump" ], 'custom --clean: pg_restore over the modified database');
is(fingerprint('r_custom'), $expected, 'custom --clean: identical to the source again');

# 3. directory format, parallel restore, as a DBA types it.  pg_restore -j
# loads the rows of extension configuration tables in any order; no foreign
# key between usrmgmt's tables is left to refuse a row whose user has not
# arrived yet (doc/usrmgmt.md, "Restore").
run_ok([ 'pg_dump', '-Fd', '-j', '4', '-d', $src, '-f', "$tmp/dir.dump" ], 'directory: pg_dump -Fd -j 4');
$node->safe_psql('postgres', 'CREATE DATABASE r_dir');
run_ok([ 'pg_restore', '--exit-on-error', '-j', '4', '-d', $node->connstr('r_dir'), "$tmp/dir.dump" ],
	'directory: pg_restore -j 4');
check_restored('r_dir', 'directory');

# 4. --inserts: rows arrive by INSERT, not COPY, so the session triggers
# would treat restored sessions as new logins; replica mode keeps ordinary
# triggers from firing (superuser only).  See doc/usrmgmt.md, "Backup and
# restore for DBAs".
run_ok([ 'pg_dump', '--inserts', '--rows-per-insert=1000', '-d', $src, '-f', "$tmp/inserts.sql" ],
	'inserts: pg_dump --inserts');
$node->safe_psql('postgres', 'CREATE DATABASE r_inserts');
{
	local $ENV{PGOPTIONS} = '-c session_replication_role=replica';
	run_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('r_inserts'),
			'-f', "$tmp/inserts.sql", '-o', '/dev/null' ], 'inserts: psql in replica mode');
}
check_restored('r_inserts', 'inserts');

# 5. data only, into a database where the extension already exists and
# is empty: --schema=usrmgmt leaves out the application's own tables.  The
# monthly partitions are schema: maintain() from the same month first.
$node->safe_psql('postgres', 'CREATE DATABASE r_data');
$node->safe_psql('r_data', q{CREATE EXTENSION usrmgmt;
SELECT usrmgmt.maintain('2024-02-01 00:00:00+00') IS NOT NULL;});
run_ok([ 'pg_restore', '--exit-on-error', '--data-only', '--schema=usrmgmt', '-d', $node->connstr('r_data'),
		"$tmp/custom.dump" ],
	'data-only: pg_restore --data-only --schema=usrmgmt');
check_restored('r_data', 'data-only', 1);

# 6. hundreds of thousands of users: the data of the tables that refer to
# "user" is loaded by parallel workers while "user" still is.
$node->safe_psql('postgres', 'CREATE DATABASE big');
$node->safe_psql('big', q{
CREATE EXTENSION usrmgmt;
SELECT usrmgmt.maintain(now() - interval '2 months') IS NOT NULL;
INSERT INTO usrmgmt."user" (username, email)
SELECT 'big_' || g, 'big' || g || '@example.com' FROM generate_series(1, 300000) g;
INSERT INTO usrmgmt.online_user (user_id, username)
SELECT g * 150, 'big_' || (g * 150) FROM generate_series(1, 2000) g;
SELECT usrmgmt.logout(id) FROM usrmgmt.online_user WHERE id % 3 = 0;
INSERT INTO usrmgmt.server (server_name, owner_id) SELECT 'big-' || g, g * 997 FROM generate_series(1, 300) g;
INSERT INTO usrmgmt.configuration (key, value, updated_by) SELECT 'big.' || g, 'v', g * 4999 FROM generate_series(1, 60) g;
INSERT INTO usrmgmt.user_auth (user_id, failed_logins, last_login_at)
SELECT g * 7, g % 5, '2024-06-01 00:00:00+00'::timestamptz + g * interval '1 second' FROM generate_series(1, 40000) g;
});
my $digest_sql = q{
SELECT string_agg(t || ' ' || n || ' ' || h, E'\n' ORDER BY t) FROM (
  SELECT 'user' t, count(*) n, md5(string_agg(x::text, ',' ORDER BY id)) h FROM usrmgmt."user" x
  UNION ALL SELECT 'user_auth', count(*), md5(string_agg(x::text, ',' ORDER BY user_id)) FROM usrmgmt.user_auth x
  UNION ALL SELECT 'online_user', count(*), md5(string_agg(x::text, ',' ORDER BY id)) FROM usrmgmt.online_user x
  UNION ALL SELECT 'user_log', count(*), md5(string_agg(x::text, ',' ORDER BY id)) FROM usrmgmt.user_log x
  UNION ALL SELECT 'server', count(*), md5(string_agg(x::text, ',' ORDER BY id)) FROM usrmgmt.server x
  UNION ALL SELECT 'configuration', count(*), md5(string_agg(x::text, ',' ORDER BY id)) FROM usrmgmt.configuration x
  UNION ALL SELECT 'change_log ' || tableoid::regclass::text, count(*), md5(string_agg(x::text, ',' ORDER BY id))
              FROM usrmgmt.change_log x GROUP BY tableoid) d};
my $big = $node->safe_psql('big', $digest_sql);
like($big, qr/^online_user 1334 /m, 'big: 1,334 open sessions');
like($big, qr/^user_log 2666 /m, 'big: 2,666 log rows');
like($big, qr/^change_log usrmgmt\.change_log_\d{4}_\d\d \d{6} /m,
	'big: the change audit of the 300,000 users and their other rows (hundreds of thousands) in this month\'s partition of change_log');
like($big, qr/^user_auth 40000 /m, 'big: 40,000 user_auth rows');
run_ok([ 'pg_dump', '-Fd', '-j', '4', '-d', $node->connstr('big'), '-f', "$tmp/big.dump" ], 'big: pg_dump -Fd -j 4');
$node->safe_psql('postgres', 'CREATE DATABASE r_big');
run_ok([ 'pg_restore', '--exit-on-error', '-j', '4', '-d', $node->connstr('r_big'), "$tmp/big.dump" ],
	'big: pg_restore -j 4');
is($node->safe_psql('r_big', $digest_sql), $big, 'big: every table identical after pg_restore -j 4');

# 7. a month retired by maintain()'s retention, not yet freed, at dump
# time: a member of the extension, which pg_dump leaves out, so the dump
# holds none of its expired rows and a restore (whole, or data-only into
# the schema restored first) has nothing to put back: no retired table,
# the log as it was.  DROP EXTENSION drops it.
$node->safe_psql('postgres', 'CREATE DATABASE ret');
$node->safe_psql('ret', q{
CREATE EXTENSION usrmgmt;
SELECT usrmgmt.maintain(date_trunc('month', now()) - interval '2 months') IS NOT NULL;});
my $m2 = $node->safe_psql('ret', q{
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp", session_id)
VALUES (5, 'old_user', 'login', date_trunc('month', now()) - interval '2 months' + interval '1 day', 1),
       (5, 'old_user', 'logout', date_trunc('month', now()) - interval '2 months' + interval '2 days', 1);
SELECT to_char(date_trunc('month', now()) - interval '2 months', 'YYYY_MM');});
my $retention = $node->safe_psql('ret', q{
SELECT floor(extract(epoch FROM now() - (date_trunc('month', now()) - interval '1 month' + interval '1 day')) / 60) || 'min'});
is($node->safe_psql('ret', qq{SET usrmgmt.log_retention = '$retention';
SELECT r->'dropped' FROM usrmgmt.maintain() r;}), qq{["usrmgmt.user_log_$m2"]}, 'retired: maintain() retires m-2');
my $retired_sql = q{
SELECT string_agg(c.relname || ' ' || c.relispartition
                  || ' ' || EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e'),
                  ',' ORDER BY c.relname)
       || ' ' || (SELECT count(*) FROM usrmgmt.user_log)
  FROM usrmgmt._log_retired() r JOIN pg_class c ON c.oid = r};
is($node->safe_psql('ret', $retired_sql), "user_log_${m2}_retired false true 0",
	'retired: one retired table waits, a member of the extension; the log is empty');
run_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('ret'), '-f', "$tmp/ret.dump" ], 'retired: pg_dump -Fc');
my $toc = `pg_restore -l $tmp/ret.dump`;
like($toc, qr/TABLE DATA usrmgmt user_log_default/, 'retired: the dump lists the log\'s partitions');
unlike($toc, qr/_retired/, 'retired: but not the retired month');
$node->safe_psql('postgres', 'CREATE DATABASE r_ret');
run_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('r_ret'), "$tmp/ret.dump" ],
	'retired: pg_restore');
is($node->safe_psql('r_ret', q{SELECT count(*) FROM pg_class WHERE relname ~ '_retired$'}), '0',
	'retired: no retired table restored');
is($node->safe_psql('r_ret', q{SELECT count(*) FROM usrmgmt.user_log}), '0', 'retired: the log as it was');
is($node->safe_psql('r_ret', q{SELECT count(*) FROM usrmgmt.validate_schema()}), '0', 'retired: no schema drift');
is($node->safe_psql('r_ret', q{SELECT r->'freed' FROM usrmgmt.maintain() r}), '[]',
	'retired: nothing for the next maintain() to free');
$node->safe_psql('postgres', 'CREATE DATABASE r_ret_data');
run_ok([ 'pg_restore', '--exit-on-error', '--schema-only', '-d', $node->connstr('r_ret_data'), "$tmp/ret.dump" ],
	'retired: pg_restore --schema-only');
run_ok([ 'pg_restore', '--exit-on-error', '--data-only', '--disable-triggers', '--single-transaction',
		'-d', $node->connstr('r_ret_data'), "$tmp/ret.dump" ],
	'retired: then --data-only, without error');
is($node->safe_psql('r_ret_data', q{SELECT count(*) FROM usrmgmt.user_log}), '0', 'retired: data-only, the log as it was');
$node->safe_psql('ret', 'DROP EXTENSION usrmgmt CASCADE');
is($node->safe_psql('ret', q{SELECT count(*) FROM pg_class WHERE relname ~ '^(user|change)_log'}), '0',
	'retired: DROP EXTENSION drops the retired month with the logs');

# Not trusted: a database owner without superuser cannot create the
# extension (42501) nor restore a dump of it; a superuser can.
$node->safe_psql('postgres', q{
CREATE ROLE regress_dbowner LOGIN;
CREATE DATABASE r_owner OWNER regress_dbowner;
});
my $owner_conn = $node->connstr('r_owner') . ' user=regress_dbowner';
my ($ret, $out, $err) = $node->psql('postgres', 'CREATE EXTENSION usrmgmt',
	connstr => $owner_conn, extra_params => [ '-v', 'VERBOSITY=verbose' ]);
isnt($ret, 0, 'untrusted: a database owner cannot create the extension');
like($err, qr/42501.*permission denied to create extension "usrmgmt"/, 'untrusted: 42501 permission denied');
my ($rstdout, $rstderr);
my $restored = IPC::Run::run([ 'pg_restore', '-d', $owner_conn, "$tmp/custom.dump" ],
	'>', \$rstdout, '2>', \$rstderr);
ok(!$restored, 'untrusted: the database owner cannot restore the dump');
like($rstderr, qr/permission denied to create extension "usrmgmt"/, 'untrusted: restore fails at CREATE EXTENSION');
is($node->safe_psql('r_owner', q{SELECT count(*) FROM pg_extension WHERE extname = 'usrmgmt'}), '0',
	'untrusted: nothing was created');
$node->safe_psql('postgres', q{
DROP DATABASE r_owner;
DROP ROLE regress_dbowner;
});

$node->stop;
done_testing();
