# test/t/085_settings_before_load.pl: a usrmgmt setting SET by a session
# before the usrmgmt library is loaded in its backend (doc/usrmgmt.md,
# "Settings set before the library is loaded").  Loaded or not, a role
# that may not set a superuser-only setting gets 42501 and the value is
# never applied; a misspelt name gets 42602.  Before the load the error
# comes at the first call of a function that reads the settings (once),
# after it at the SET itself, and with session_preload_libraries at the
# SET too.  Each psql call is a new backend, where the library is not
# loaded yet.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('settings_before_load');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION usrmgmt;
	CREATE ROLE regress_settings_app LOGIN;
	GRANT EXECUTE ON FUNCTION usrmgmt.check_password(text, text),
	      usrmgmt.set_password(text, text), usrmgmt.health(), usrmgmt.metrics(),
	      usrmgmt.maintain(timestamptz) TO regress_settings_app;
	INSERT INTO usrmgmt."user" (username) VALUES ('alice');
});

# psql as ROLE (undef: the superuser) in a new backend; returns (exit code, stdout, stderr
# without the psql:<stdin>:N: prefixes), VERBOSITY sqlstate.
sub run_as
{
	my ($role, $sql) = @_;
	my ($out, $err) = ('', '');
	my $rc = $node->psql('postgres', "\\set VERBOSITY sqlstate\n$sql",
		stdout => \$out, stderr => \$err, on_error_stop => 0,
		extra_params => $role ? [ '-U', $role ] : []);
	$err =~ s/^psql:<stdin>:\d+: //mg;
	return ($rc, $out, $err);
}

my ($rc, $out, $err);

# 1. Loaded: the SET itself is 42501.
($rc, $out, $err) = run_as('regress_settings_app', q{
	SELECT usrmgmt.is_valid_email('a@example.com');
	SET usrmgmt.password_iterations = 4096;
	SHOW usrmgmt.password_iterations;});
is($out, "t\n600000", 'loaded: the SET is refused, the value stays');
is($err, "ERROR:  42501", 'loaded: SET usrmgmt.password_iterations is 42501');

# 2. Not loaded: the SET is accepted as a placeholder, PostgreSQL drops it
# when the library loads; the first check_password() is then 42501 (with
# the value and the reason), once; the setting keeps its default.
($rc, $out, $err) = run_as('regress_settings_app', q{
	SET usrmgmt.password_iterations = 4096;
	SELECT usrmgmt.check_password('alice', 'secret');
	SELECT usrmgmt.check_password('alice', 'secret');
	SHOW usrmgmt.password_iterations;});
is($out, "f\n600000", 'not loaded: the value is never applied');
is($err, "WARNING:  42501\nERROR:  42501",
	'not loaded: the first function that reads the settings is 42501, once');
($rc, $out, $err) = $node->psql('postgres', q{
	SET usrmgmt.password_iterations = 4096;
	SELECT usrmgmt.set_password('alice', 'secret password');},
	stderr => \$err, on_error_stop => 0,
	extra_params => [ '-U', 'regress_settings_app' ]);
like($err, qr/ERROR:  permission denied to set parameter "usrmgmt.password_iterations"
DETAIL:  The value "4096" was SET in this session before the usrmgmt library was loaded; PostgreSQL did not apply it when the library loaded.
HINT:  Only a superuser, or a role granted SET on the parameter, may set it. Load usrmgmt at session start \(session_preload_libraries\) to have such a SET refused at once./,
	'not loaded: the message names the setting, its value and the remedy');
is($node->safe_psql('postgres', q{
	SELECT usrmgmt.check_password('alice', 'secret password')}), 'f',
	'not loaded: set_password() stored nothing');

# The other functions that read superuser-only settings: health() and
# metrics() (usrmgmt.health_*), maintain() (usrmgmt.log_retention).
for my $case ([ 'health_query_ms = 1', q{usrmgmt.health() IS NOT NULL} ],
	[ 'health_query_ms = 1', q{usrmgmt.metrics() <> ''} ],
	[ q{log_retention = '1d'}, q{usrmgmt.maintain() IS NOT NULL} ])
{
	($rc, $out, $err) = run_as('regress_settings_app', qq{
		SET usrmgmt.$case->[0];
		SELECT $case->[1];
		SELECT $case->[1];});
	is("$out|$err", "t|WARNING:  42501\nERROR:  42501",
		"not loaded: SET usrmgmt.$case->[0], then $case->[1]: 42501 once");
}

# 3. A misspelt name: 42602 at the SET once loaded, at the first function
# call before.
($rc, $out, $err) = run_as('regress_settings_app', q{
	SELECT usrmgmt.is_valid_email('a@example.com');
	SET usrmgmt.pasword_iterations = 4096;});
is($err, "ERROR:  42602", 'loaded: a misspelt usrmgmt setting is 42602');
($rc, $out, $err) = run_as('regress_settings_app', q{
	SET usrmgmt.pasword_iterations = 4096;
	SELECT usrmgmt.check_password('alice', 'secret');
	SELECT usrmgmt.check_password('alice', 'secret');});
is($out, 'f', 'not loaded, misspelt: the second call answers');
is($err, "WARNING:  42602\nERROR:  42602",
	'not loaded, misspelt: the first function call is 42602');

# expire_sessions() without an interval reads usrmgmt.session_timeout: a
# misspelt SET of it before the load is 42602 there too, once, rather than
# the default of 30 minutes taken in silence.
($rc, $out, $err) = run_as(undef, q{
	SET usrmgmt.sesion_timeout = '1min';
	SELECT usrmgmt.expire_sessions();
	SELECT usrmgmt.expire_sessions();});
is("$out|$err", "0|WARNING:  42602\nERROR:  42602",
	'not loaded, misspelt usrmgmt.session_timeout: expire_sessions() is 42602 once');

# 4. A role that may set it, a superuser or a role granted SET on the
# parameter: applied, loaded or not, no warning, no error.
$node->safe_psql('postgres',
	'GRANT SET ON PARAMETER usrmgmt.password_iterations TO regress_settings_app');
for my $who ([ undef, 'superuser' ], [ 'regress_settings_app', 'GRANT SET ON PARAMETER' ])
{
	($rc, $out, $err) = run_as($who->[0], q{
		SET usrmgmt.password_iterations = 4096;
		SELECT usrmgmt.check_password('alice', 'secret');
		SHOW usrmgmt.password_iterations;});
	is($out, "f\n4096", "$who->[1], not loaded: the value is applied");
	is($err, '', "$who->[1], not loaded: no warning, no error");
}
$node->safe_psql('postgres',
	'REVOKE SET ON PARAMETER usrmgmt.password_iterations FROM regress_settings_app');

# 5. session_preload_libraries for the role: the library is loaded when the
# session starts, so the SET is refused at once.
$node->safe_psql('postgres',
	q{ALTER ROLE regress_settings_app SET session_preload_libraries = 'usrmgmt'});
($rc, $out, $err) = run_as('regress_settings_app', q{
	SET usrmgmt.password_iterations = 4096;
	SHOW usrmgmt.password_iterations;});
is($out, '600000', 'session_preload_libraries: the value stays');
is($err, "ERROR:  42501", 'session_preload_libraries: the SET itself is 42501');

$node->safe_psql('postgres', q{
	DROP EXTENSION usrmgmt;
	DROP OWNED BY regress_settings_app;
	DROP ROLE regress_settings_app;});
$node->stop;
done_testing();
