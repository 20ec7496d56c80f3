# test/perl/UsrmgmtLogins.pm: SQL over a real login as a role, for the TAP
# tests that attack usrmgmt through the role recipes
# (test/t/130_attack_review.pl, test/t/131_attack_review_1_1.pl).
#
#   logins_on($node, $verbosity)  the cluster the calls below log in to
#                                 (psql -U role, trust on the unix socket)
#                                 and the psql VERBOSITY of their errors
#                                 ('sqlstate' unless given);
#   run_as($role, $sql, $db)      runs $sql; returns (SQLSTATE or '',
#                                 stdout, stderr);
#   refused($role, $sql, $want, $name, $db)
#                                 asserts it fails with exactly SQLSTATE
#                                 $want; returns stderr;
#   runs($role, $sql, $name, $db) asserts it succeeds; returns stdout.
package UsrmgmtLogins;

use strict;
use warnings;
use Exporter 'import';
use Test::More;

our @EXPORT = qw(logins_on run_as refused runs);

my ($node, $verbosity);

sub logins_on
{
	($node, $verbosity) = @_;
	$verbosity //= 'sqlstate';
	return;
}

sub run_as
{
	my ($role, $sql, $db) = @_;
	my ($out, $err) = ('', '');
	$node->psql($db // 'postgres', "\\set VERBOSITY $verbosity\n" . $sql,
		stdout => \$out, stderr => \$err,
		extra_params => [ '-U', $role ]);
	my ($state) = $err =~ /ERROR:\s+([0-9A-Z]{5})/;
	return ($state // '', $out, $err);
}

sub refused
{
	my ($role, $sql, $want, $name, $db) = @_;
	my ($state, undef, $err) = run_as($role, $sql, $db);
	is($state, $want, $name) or diag($err);
	return $err;
}

sub runs
{
	my ($role, $sql, $name, $db) = @_;
	my ($state, $out, $err) = run_as($role, $sql, $db);
	is($state, '', $name) or diag($err);
	return $out;
}

1;
