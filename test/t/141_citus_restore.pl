# pg_dump / pg_restore of a distributed usrmgmt (doc: Backup and restore
# for DBAs, "On Citus"; Scaling out with Citus): a coordinator and two
# workers hold a source database with data in every table of usrmgmt
# (users, passwords and a failed login in user_auth, open and closed sessions,
# log rows over several months in partitions that maintain() made,
# change_log, servers, configuration, an application migration).  It is
# dumped from the coordinator and restored by the documented path into a
# second database of the same nodes: CREATE EXTENSION usrmgmt,
# distribute(), maintain(since), a data-only pg_restore through the
# coordinator with --disable-triggers in one transaction, distribute()
# again.  Then:
#   - every table's row count and md5 of its rows in key order, and where
#     the log rows lie by partition, equal the source's: nothing lost,
#     nothing doubled (no second 'login' row for a restored session, no
#     change_log row for a restored row);
#   - the triggers are enabled again on every node, so an application
#     role's INSERT ... SELECT into online_user is checked and logged;
#   - identities continue: a new user's id, a new session's id and new
#     log and audit ids collide with none restored;
#   - the session invariants hold on every worker, shard group by shard
#     group;
#   - without --disable-triggers the restore is refused, nothing loaded;
#   - health() counts the connections and transactions of every node.
# Skipped, with the reason, where Citus is not installed.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use UsrmgmtCitus;

my ($coord, @workers) = citus_nodes('citus_restore', 2);
citus_database('postgres', $coord, @workers);
# a database of the coordinator without Citus: health() as on one node
$coord->safe_psql('postgres', 'CREATE DATABASE plain');
$coord->safe_psql('plain', 'CREATE EXTENSION usrmgmt');
my $tmp = PostgreSQL::Test::Utils::tempdir;

# --- the source: data in every table --------------------------------------
# Partitions from three months back (maintain(since)); users, some with
# passwords, failed logins and a lockout; sessions opened by login(), some
# closed; a deactivated and a deleted user; historical log rows in past
# months (login/logout pairs whose session ids carry their user); servers;
# configuration; the change audit of all of it; an application migration.
$coord->safe_psql('postgres', q{
CREATE EXTENSION usrmgmt;
SELECT usrmgmt.distribute(8) IS NOT NULL;
SELECT usrmgmt.maintain(date_trunc('month', now()) - interval '3 months') IS NOT NULL;
INSERT INTO usrmgmt."user" (username, email, first_name, is_admin)
SELECT 'user' || g, 'user' || g || '@example.com', 'User ' || g, g % 10 = 0
  FROM generate_series(1, 40) g;
SELECT usrmgmt.set_password('user' || g, 'secret ' || g) FROM generate_series(1, 12) g;
SELECT usrmgmt.authenticate('user3', 'wrong');
SELECT usrmgmt.apply_migration('001_app_note',
    'CREATE TABLE public.app_note (id int PRIMARY KEY, note text)',
    'DROP TABLE public.app_note');
INSERT INTO usrmgmt.server (server_name, owner_id, port, memory_mb)
SELECT 'server-' || g, g, 20000 + g, 512 * g FROM generate_series(1, 6) g;
INSERT INTO usrmgmt.configuration (key, value, updated_by)
SELECT 'app.key.' || g, 'value ' || g, g FROM generate_series(1, 8) g;
});
# Sessions one call at a time (doc: Scaling out with Citus: call the
# functions with values).
for my $u (1 .. 30)
{
	$coord->safe_psql('postgres',
		"SELECT usrmgmt.login('user$u', '192.0.2.$u', 'agent/$u')");
}
$coord->safe_psql('postgres', "SELECT usrmgmt.login('user$_', '198.51.100.1', 'second')")
  for (1 .. 5);
for my $u (1 .. 10)
{
	my $sid = $coord->safe_psql('postgres',
		"SELECT min(id) FROM usrmgmt.online_user WHERE username = 'user$u'");
	$coord->safe_psql('postgres', "SELECT usrmgmt.logout($sid)");
}
$coord->safe_psql('postgres', q{
SELECT usrmgmt.logout_user('user11');
UPDATE usrmgmt."user" SET is_active = false WHERE username = 'user12';
UPDATE usrmgmt."user" SET username = 'user13_renamed' WHERE username = 'user13';
DELETE FROM usrmgmt."user" WHERE username = 'user40';
-- history: a login/logout pair per user and month, three months back,
-- with session ids that carry their user (doc: Scaling out with Citus)
INSERT INTO usrmgmt.user_log (user_id, username, action, "timestamp", ip_address, session_id, user_agent, detail)
SELECT u.id, u.username, a.action,
       date_trunc('month', now()) - m * interval '1 month' + u.id * interval '1 hour' + a.off,
       '203.0.113.9', (u.id << 32) + 500000 + m, 'old-agent', a.detail
  FROM usrmgmt."user" u, generate_series(1, 3) m,
       (VALUES ('login', interval '0', NULL), ('logout', interval '5 minutes', 'expired')) a (action, off, detail)
 WHERE u.id <= 20;
});

# Per table: row count and md5 of its rows in key order; where the rows of
# the two logs lie, by partition; migration_history without the
# extension's own rows (CREATE EXTENSION writes them anew).
my %key = (user => 'id', online_user => 'id', user_log => 'id', server => 'id',
	configuration => 'id', migration_history => 'id', change_log => 'id',
	user_auth => 'user_id');
sub digests
{
	my ($db) = @_;
	my @parts;
	for my $t (sort keys %key)
	{
		my $where = $t eq 'migration_history' ? q{WHERE kind <> 'extension'} : '';
		push @parts, "$t " . $coord->safe_psql($db, qq{
SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, ',' ORDER BY x.$key{$t})), '-')
  FROM usrmgmt."$t" x $where});
	}
	for my $log (qw(user_log change_log))
	{
		push @parts, "$log by partition " . $coord->safe_psql($db, qq{
SELECT string_agg(t || '=' || n, ',' ORDER BY t)
  FROM (SELECT regexp_replace(tableoid::regclass::text, '_[0-9]+\$', '') AS t, count(*) AS n
          FROM usrmgmt.$log GROUP BY 1) x});
	}
	return join("\n", @parts);
}

my $source = digests('postgres');
like($source, qr/^user 39 /m, 'source: 39 users');
like($source, qr/^user_auth 30 /m,
	'source: 30 user_auth rows (12 passwords, the last logins of 30 users)');
like($source, qr/^online_user 23 /m, 'source: 23 open sessions');
like($source, qr/^user_log 167 /m,
	'source: 167 log rows (35 logins, 12 logouts, 120 of history)')
  or diag($source);
like($source, qr/^server 6 /m, 'source: 6 servers');
like($source, qr/^configuration 8 /m, 'source: 8 settings');
like($source, qr/^migration_history 1 /m, 'source: one application migration');
like($source, qr/^change_log [1-9]\d* /m, 'source: change_log rows');
like($source, qr/^user_log by partition (usrmgmt\.user_log_\d{4}_\d\d=\d+,){3}usrmgmt\.user_log_\d{4}_\d\d=\d+$/m,
	'source: log rows in four monthly partitions made by maintain()');

# --- dump from the coordinator ---------------------------------------------
my $dump = "$tmp/usrmgmt.dump";
command_ok([ 'pg_dump', '-Fc', '-d', $coord->connstr('postgres'), '-f', $dump ],
	'pg_dump -Fc of the coordinator');
# The dump's data of schema usrmgmt: usrmgmt's tables and partitions only.
# The coordinator's placements of the reference tables (user_102008, ...)
# are tables of schema usrmgmt too; pg_dump must not carry them.
my ($toc) = run_command([ 'pg_restore', '-l', $dump ]);
my @data = sort map { /TABLE DATA usrmgmt (\S+)/ ? $1 : () } split /\n/, $toc;
is(join(' ', grep { !/^(user_log|change_log)_(\d{4}_\d\d|default)$/ } @data),
	'configuration migration_history online_user server user user_auth',
	'the dump carries usrmgmt\'s tables (and the logs\' partitions), no Citus shard');

# --- restore: the documented path ------------------------------------------
citus_database('restored', $coord, @workers);
my $oldest = $coord->safe_psql('postgres',
	q{SELECT min(lower_bound) FROM usrmgmt._log_partitions()});
$coord->safe_psql('restored', qq{
CREATE EXTENSION usrmgmt;
SELECT usrmgmt.distribute(8) IS NOT NULL;
SELECT usrmgmt.maintain(since => '$oldest') IS NOT NULL;
});
{
	# ALTER TABLE ... DISABLE TRIGGER on a Citus table needs this setting
	local $ENV{PGOPTIONS} = '-c citus.enable_unsafe_triggers=on';
	command_ok([ 'pg_restore', '--data-only', '--schema=usrmgmt', '--disable-triggers',
		'--single-transaction', '--exit-on-error',
		'-d', $coord->connstr('restored'), $dump ],
	'pg_restore --data-only --disable-triggers --single-transaction through the coordinator');
}
# Without --disable-triggers the shards' triggers would take every row for
# a new write; the documented restore says why it needs the option.
citus_database('wrong', $coord, @workers);
$coord->safe_psql('wrong', qq{
CREATE EXTENSION usrmgmt;
SELECT usrmgmt.distribute(8) IS NOT NULL;
SELECT usrmgmt.maintain(since => '$oldest') IS NOT NULL;
});
my ($wrong_out, $wrong_err) = run_command([ 'pg_restore', '--data-only', '--schema=usrmgmt',
		'--single-transaction', '--exit-on-error', '-d', $coord->connstr('wrong'), $dump ]);
like($wrong_err, qr/COPY failed for table "configuration": ERROR:  insert or update on table "configuration_\d+" violates foreign key constraint "configuration_updated_by_fkey"/,
	'without --disable-triggers: a setting whose user is not loaded yet is refused on its shard');
is($coord->safe_psql('wrong', q{SELECT count(*) FROM usrmgmt."user"}), '0',
	'and nothing is loaded (one transaction)');

# distribute() again: every node's sequences move past the restored ids.
like($coord->safe_psql('restored',
		q{SELECT (r->>'made') || ' ' || (r->>'sequences_advanced') FROM usrmgmt.distribute(8) r}),
	qr/^\[\] [1-9]\d*$/, 'distribute() after the restore: nothing made, sequences advanced');
is($coord->safe_psql('restored',
		q{SELECT (r->>'made') || ' ' || (r->>'sequences_advanced') FROM usrmgmt.distribute(8) r}),
	'[] 0', 'and a third call: nothing left to advance');

is(digests('restored'), $source, 'every table restored exactly: counts, digests, partitions');


# The triggers are enabled again on every node, as many as in the source.
for my $n ($coord, @workers)
{
	my $q = q{SELECT count(*) FILTER (WHERE t.tgenabled = 'O') || ' enabled, '
	                 || count(*) FILTER (WHERE t.tgenabled <> 'O') || ' not'
	            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	           WHERE c.relnamespace = 'usrmgmt'::regnamespace AND NOT t.tgisinternal};
	my $was = $n->safe_psql('postgres', $q);
	like($was, qr/^[1-9]\d* enabled, 0 not$/, $n->name . ": the source's triggers ($was)");
	is($n->safe_psql('restored', $q), $was, $n->name . ': the same triggers, enabled, after the restore');
}

# The session invariants on every worker, shard group by shard group.
for my $w (@workers)
{
	my ($bad, $groups, $logins) = worker_session_invariants($w, 'restored');
	cmp_ok($groups, '>', 0, $w->name . " holds shard groups ($groups)");
	cmp_ok($logins, '>', 0, $w->name . " holds restored logins ($logins)");
	is($bad, 0, $w->name . ': the session invariants hold on every shard');
}
is($coord->safe_psql('restored', q{SELECT count(*) FROM usrmgmt.validate_data_integrity()}),
	'0', 'validate_data_integrity() on the restored cluster: clean');

# --- identities continue ---------------------------------------------------
my $max = $coord->safe_psql('restored', q{
	SELECT (SELECT max(id) FROM usrmgmt."user") || ' ' || (SELECT max(id) FROM usrmgmt.server)
	       || ' ' || (SELECT max(id) FROM usrmgmt.configuration)});
my ($max_user, $max_server, $max_conf) = split / /, $max;
$coord->safe_psql('restored', q{
	INSERT INTO usrmgmt."user" (username) VALUES ('fresh');
	INSERT INTO usrmgmt.server (server_name, owner_id, port, memory_mb) VALUES ('fresh', 1, 30000, 512);
	INSERT INTO usrmgmt.configuration (key, value) VALUES ('fresh.key', 'v');});
is($coord->safe_psql('restored', q{
	SELECT (SELECT id FROM usrmgmt."user" WHERE username = 'fresh') > $1,
	       (SELECT id FROM usrmgmt.server WHERE server_name = 'fresh') > $2,
	       (SELECT id FROM usrmgmt.configuration WHERE key = 'fresh.key') > $3}
	  =~ s/\$1/$max_user/r =~ s/\$2/$max_server/r =~ s/\$3/$max_conf/r),
	't|t|t', 'a new user, server and setting get ids above the restored ones');
# New sessions of every user with restored sessions or history, and of the
# new user: no id that the restored log or sessions hold.
my @logins = split /\n/, $coord->safe_psql('restored', q{
	SELECT username FROM usrmgmt."user" WHERE is_active ORDER BY id});
$coord->safe_psql('restored', "SELECT usrmgmt.login('$_', '192.0.2.200', 'after-restore')")
  for @logins;
is($coord->safe_psql('restored', q{
	SELECT count(*),
	       count(*) FILTER (WHERE o.id IN (SELECT l.session_id FROM usrmgmt.user_log l
	                                        WHERE l.user_id = o.user_id
	                                          AND l.user_agent IS DISTINCT FROM 'after-restore'))
	  FROM usrmgmt.online_user o WHERE o.user_agent = 'after-restore'}),
	scalar(@logins) . '|0', 'new sessions of every active user: no session id of the restored log again');
is($coord->safe_psql('restored', q{
	SELECT (SELECT count(*) = count(DISTINCT id) FROM usrmgmt.user_log),
	       (SELECT count(*) = count(DISTINCT id) FROM usrmgmt.change_log),
	       (SELECT count(*) = count(DISTINCT id) FROM usrmgmt.online_user)}),
	't|t|t', 'log, audit and session ids unique after new activity');

# --- an application's INSERT ... SELECT is still checked and logged -------
$coord->safe_psql('restored', q{
	CREATE ROLE regress_orm LOGIN;
	SELECT usrmgmt.grant_recipe('regress_orm', 'application');
	GRANT INSERT ON usrmgmt.online_user TO regress_orm;
	GRANT USAGE ON SEQUENCE usrmgmt.online_user_id_seq TO regress_orm;});
is($coord->safe_psql('restored', q{
	INSERT INTO usrmgmt.online_user (user_id, username, user_agent)
	SELECT u.id, 'x', 'bulk-app' FROM usrmgmt."user" u WHERE u.username IN ('user20', 'user21', 'user22');
	SELECT count(*) FROM usrmgmt.user_log WHERE action = 'login' AND user_agent = 'bulk-app';},
	extra_params => [ '-U', 'regress_orm' ]),
	'3', 'an application role\'s INSERT ... SELECT of sessions: each logged');
like(error_of($coord, 'restored', q{
	SET ROLE regress_orm;
	INSERT INTO usrmgmt.online_user (user_id, username, user_agent)
	SELECT u.id, 'x', 'bulk-app' FROM usrmgmt."user" u WHERE u.username IN ('user12', 'user23');}),
	qr/^\w{5}: user "user12" is not active$/,
	'and checked: an inactive user\'s session refused (Citus reports its SQLSTATE from a COPY as XX000)');

# --- health(): the connections and transactions of every node -------------
# health()'s connections against pg_stat_activity summed over the nodes
# (less the probe's own connection to each worker), both read in one
# statement; $cond leaves connections out of the second.  Citus's own
# daemons come and go, so it is read until two figures are steady.
sub health_less_nodes
{
	my ($cond) = @_;
	my $q = qq{
	WITH h AS (SELECT usrmgmt.health() h),
	     n AS (SELECT count(*) AS total,
	                  count(*) FILTER (WHERE state LIKE 'idle in transaction%') AS idle_xact
	             FROM pg_stat_activity WHERE backend_type = 'client backend' AND $cond
	           UNION ALL
	           SELECT split_part(result, ',', 1)::int, split_part(result, ',', 2)::int
	             FROM run_command_on_workers(\$\$
	               SELECT count(*) || ',' || count(*) FILTER (WHERE state LIKE 'idle in transaction%')
	                 FROM pg_stat_activity
	                WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
	                  AND $cond\$\$))
	SELECT ((h->'connections'->>'total')::int - (SELECT sum(total) FROM n)) || ' '
	       || ((h->'connections'->>'idle_in_transaction')::int - (SELECT sum(idle_xact) FROM n))
	  FROM h};
	my ($last, $now) = ('', '');
	for (1 .. 30)
	{
		$now = $coord->safe_psql('restored', $q);
		return $now if $now eq $last;
		$last = $now;
		sleep 1;
	}
	return $now;
}
is(health_less_nodes('true'), '0 0',
	'health(): connections and idle transactions equal pg_stat_activity summed over the nodes');
is($coord->safe_psql('restored', q{SELECT usrmgmt.health()->'connections'->>'max'}),
	3 * 60, 'health(): max_connections of the three nodes');

# Connections held open on worker 1, one idle in a transaction.
my @held;
for my $stmt ('SELECT 1;', 'SELECT 2;', 'BEGIN; SELECT 3;')
{
	my ($in, $out) = ("$stmt\n", '');
	local $ENV{PGAPPNAME} = 'regress_hold';
	my $h = IPC::Run::start([ 'psql', '-XAtq', '-d', $workers[0]->connstr('restored') ],
		'<', \$in, '>', \$out, '2>', \$out);
	$h->pump until $out =~ /\d/;
	push @held, [ $h, \$in ];
}
$workers[0]->poll_query_until('restored',
	q{SELECT count(*) = 3 FROM pg_stat_activity WHERE application_name = 'regress_hold'})
  or die 'the held connections did not show';
sleep 1;
is(health_less_nodes(q{application_name IS DISTINCT FROM 'regress_hold'}), '3 1',
	'health(): three connections held on a worker counted, one idle in a transaction');
my $oldest_s = $coord->safe_psql('restored', q{SELECT usrmgmt.health()->>'oldest_transaction_age_s'});
cmp_ok($oldest_s, '>=', 1, "health(): the worker's open transaction is the oldest ($oldest_s s)");
for my $held (@held)
{
	${ $held->[1] } .= "\\q\n";
	$held->[0]->finish;
}
my $single = $coord->safe_psql('plain', q{SELECT usrmgmt.health()->'connections'->>'max'});
is($single, '60', 'health() of a database without Citus: this node\'s figures only');

done_testing();
