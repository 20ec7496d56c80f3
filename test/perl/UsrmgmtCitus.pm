# test/perl/UsrmgmtCitus.pm: a Citus cluster for the TAP tests of
# usrmgmt on Citus (doc: Scaling out with Citus; test/t/140_citus.pl,
# test/t/141_citus_restore.pl).
#
#   citus_missing($node)          the reason to skip ('' when Citus is
#                                 installed in the PostgreSQL of $node);
#   citus_nodes($prefix, $n)      a coordinator and $n workers, started
#                                 with citus in shared_preload_libraries and
#                                 CREATE EXTENSION citus in database
#                                 postgres; plan skip_all, with the reason,
#                                 where Citus is not installed; returns
#                                 ($coordinator, @workers);
#   citus_database($db, $coord, @workers)
#                                 a database $db on every node with citus
#                                 in it and the workers registered on the
#                                 coordinator ('postgres' exists already);
#   error_of($node, $db, $sql[, $role])
#                                 the SQLSTATE and message of the
#                                 statement's error ('' when none), run
#                                 as $role (a connection of its own) when
#                                 given;
#   worker_session_invariants($worker, $db)
#                                 test/sql/session_invariants.sql's
#                                 invariants on each local shard group of
#                                 online_user and user_log (with the local
#                                 placement of "user"); returns (the shard
#                                 groups whose invariants fail, the shard
#                                 groups, the 'login' rows seen), and
#                                 diag()s every failing group.
package UsrmgmtCitus;

use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT =
  qw(citus_missing citus_nodes citus_database error_of worker_session_invariants);

sub citus_missing
{
	my ($node) = @_;
	my ($libdir, $sharedir) = $node->config_data('--pkglibdir', '--sharedir');
	return '' if -e "$libdir/citus.so" && -e "$sharedir/extension/citus.control";
	return "Citus is not installed in this PostgreSQL ($libdir/citus.so missing); "
	  . "build Citus 13 against it to run this test (doc: Scaling out with Citus)";
}

sub citus_nodes
{
	my ($prefix, $n) = @_;
	my $coord = PostgreSQL::Test::Cluster->new("${prefix}_coordinator");
	my $missing = citus_missing($coord);
	plan skip_all => $missing if $missing ne '';

	my @workers =
	  map { PostgreSQL::Test::Cluster->new("${prefix}_worker$_") } (1 .. $n);
	for my $node ($coord, @workers)
	{
		$node->init;
		$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'citus'
max_connections = 60
max_prepared_transactions = 60
fsync = off
citus.node_conninfo = 'sslmode=disable'
citus.local_hostname = '@{[ $node->host ]}'
usrmgmt.password_iterations = 4096
});
		$node->start;
		$node->safe_psql('postgres', 'CREATE EXTENSION citus');
	}
	return ($coord, @workers);
}

sub citus_database
{
	my ($db, $coord, @workers) = @_;
	if ($db ne 'postgres')
	{
		for my $node ($coord, @workers)
		{
			$node->safe_psql('postgres', qq{CREATE DATABASE "$db"});
			$node->safe_psql($db, 'CREATE EXTENSION citus');
		}
	}
	$coord->safe_psql($db,
		sprintf(q{SELECT citus_set_coordinator_host('%s', %d)},
			$coord->host, $coord->port));
	$coord->safe_psql($db,
		sprintf(q{SELECT citus_add_node('%s', %d)}, $_->host, $_->port))
	  for @workers;
	return;
}

sub error_of
{
	my ($node, $db, $sql, $as) = @_;
	my ($ret, $out, $err) = $node->psql($db, "\\set VERBOSITY verbose\n$sql",
		defined $as ? (extra_params => [ '-U', $as ]) : ());
	return '' if $ret == 0;
	return $1 if $err =~ /ERROR:\s+(\w{5}: [^\n]*)/;
	return $err;
}

sub worker_session_invariants
{
	my ($w, $db) = @_;
	my ($inv_sql) = slurp_file('test/sql/session_invariants.sql')
	  =~ /FUNCTION public\.session_invariants\(.*?AS \$\$\n(.*?)\$\$;/s;
	die 'no invariants in test/sql/session_invariants.sql' unless defined $inv_sql;
	my $user_shard = $w->safe_psql($db,
		q{SELECT shardid FROM pg_dist_shard WHERE logicalrelid = 'usrmgmt."user"'::regclass});
	my @groups = split /\n/, $w->safe_psql($db, q{
		SELECT o.shardid || ' ' || l.shardid
		  FROM pg_dist_shard o
		  JOIN pg_dist_shard l ON l.logicalrelid = 'usrmgmt.user_log'::regclass
		                      AND l.shardminvalue = o.shardminvalue
		  JOIN pg_dist_placement p ON p.shardid = o.shardid
		 WHERE o.logicalrelid = 'usrmgmt.online_user'::regclass
		   AND p.groupid = (SELECT groupid FROM pg_dist_local_group)
		 ORDER BY 1});
	my ($bad, $logins) = (0, 0);
	for my $g (@groups)
	{
		my ($o, $l) = split / /, $g;
		my $q = $inv_sql;
		$q =~ s/usrmgmt\.online_user\b/usrmgmt.online_user_$o/g;
		$q =~ s/usrmgmt\.user_log\b/usrmgmt.user_log_$l/g;
		$q =~ s/usrmgmt\."user"/usrmgmt.user_$user_shard/g;
		my $r = $w->safe_psql($db,
			"SELECT concat_ws(' ', a, b, c, d, e) FROM ($q) x(a, b, c, d, e)");
		if ($r ne '0 0 0 0 0')
		{
			$bad++;
			diag($w->name . " shard $o/$l: $r");
		}
		$logins += $w->safe_psql($db,
			"SELECT count(*) FROM usrmgmt.user_log_$l WHERE action = 'login'");
	}
	return ($bad, scalar(@groups), $logins);
}

1;
