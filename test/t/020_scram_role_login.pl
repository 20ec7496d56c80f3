# A secret made by usrmgmt.set_password() is PostgreSQL's own SCRAM-SHA-256
# secret: ALTER ROLE ... PASSWORD '<secret>' stores it as it is, and the
# role then logs in over TCP with scram-sha-256 authentication and the same
# password (and not with another one).  The passwords are non-ASCII too, to
# cover SASLprep on both sides.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# The harness picks a port free for TCP too (get_free_port), so parallel
# runs of the suite do not collide.
my $node = PostgreSQL::Test::Cluster->new('scram');
$node->init;
$node->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION usrmgmt;
	INSERT INTO usrmgmt."user" (username) VALUES ('app_user'), ('intl_user');
	SET usrmgmt.password_iterations = 4096;
	SELECT usrmgmt.set_password('app_user', 'S3cret pass phrase');
	SELECT usrmgmt.set_password('intl_user', 'Grüße ñandú ①');
	CREATE ROLE regress_app_user LOGIN;
	CREATE ROLE regress_intl_user LOGIN;
});

for my $pair (['app_user', 'regress_app_user'], ['intl_user', 'regress_intl_user'])
{
	my ($user, $role) = @$pair;
	my $secret = $node->safe_psql('postgres',
		qq{SELECT a.password_hash FROM usrmgmt.user_auth a JOIN usrmgmt."user" u ON u.id = a.user_id
		    WHERE u.username = '$user'});
	like($secret, qr/^SCRAM-SHA-256\$4096:[A-Za-z0-9+\/=]+\$[A-Za-z0-9+\/=]+:[A-Za-z0-9+\/=]+$/,
		"$user: secret in pg_authid format");
	$node->safe_psql('postgres', qq{ALTER ROLE $role PASSWORD '$secret'});
	is($node->safe_psql('postgres',
			qq{SELECT rolpassword FROM pg_authid WHERE rolname = '$role'}),
		$secret, "$role: ALTER ROLE stored the secret as it is");
}

# Only TCP with scram-sha-256 from now on (the harness keeps local trust
# for its own connections).
open(my $hba, '>', $node->data_dir . '/pg_hba.conf') or die $!;
print $hba "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
close($hba);
$node->reload;

my $tcp = 'host=127.0.0.1 port=' . $node->port . ' dbname=postgres';
$ENV{PGPASSWORD} = 'S3cret pass phrase';
$node->connect_ok("$tcp user=regress_app_user",
	'role logs in over TCP with the password set by set_password()',
	sql => 'SELECT current_user', expected_stdout => qr/^regress_app_user$/);
$ENV{PGPASSWORD} = 'S3cret pass phrasE';
$node->connect_fails("$tcp user=regress_app_user",
	'a wrong password is refused',
	expected_stderr => qr/password authentication failed/);
$ENV{PGPASSWORD} = 'Grüße ñandú ①';
$node->connect_ok("$tcp user=regress_intl_user",
	'non-ASCII password: the same SASLprep on both sides',
	sql => 'SELECT current_user', expected_stdout => qr/^regress_intl_user$/);
delete $ENV{PGPASSWORD};

# And check_password agrees with the server about the same secrets.
is($node->safe_psql('postgres', q{
	SELECT usrmgmt.check_password('app_user', 'S3cret pass phrase')::text
	    || usrmgmt.check_password('app_user', 'S3cret pass phrasE')::text
	    || usrmgmt.check_password('intl_user', 'Grüße ñandú ①')::text}),
	'truefalsetrue', 'check_password agrees with the server');

$node->safe_psql('postgres', q{
	DROP ROLE regress_app_user;
	DROP ROLE regress_intl_user;
	DROP EXTENSION usrmgmt;
});
$node->stop;
done_testing();
