# test/perl/UsrmgmtCli.pm: run the usrmgmt command-line tool against a
# PostgreSQL::Test::Cluster node, for the CLI TAP tests (test/t/08*.pl).
# The Makefile puts test/perl on prove's include path (PROVE_FLAGS).
#
#   my ($rc, $out, $err) = usrmgmt_cli($node, { PGDATABASE => 'clidb' }, 'status', '--json');
#
# The tool runs with the node's PGHOST and PGPORT, no DATABASE_URL, the
# given environment on top (a value of undef removes the variable), stdin
# empty.  Returns its exit status (128 + signal when killed), stdout and
# stderr.
package UsrmgmtCli;

use strict;
use warnings;
use Exporter 'import';
use IPC::Run;

our @EXPORT = qw(usrmgmt_cli);

sub usrmgmt_cli
{
	my ($node, $env, @args) = @_;
	local %ENV = %ENV;
	delete $ENV{DATABASE_URL};
	$ENV{PGHOST} = $node->host;
	$ENV{PGPORT} = $node->port;
	for my $k (keys %$env)
	{
		if (defined $env->{$k}) { $ENV{$k} = $env->{$k}; }
		else { delete $ENV{$k}; }
	}
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'usrmgmt', @args ], '<', \undef, '>', \$out, '2>', \$err);
	my $rc = $? & 127 ? 128 + ($? & 127) : $? >> 8;
	return ($rc, $out, $err);
}

1;
