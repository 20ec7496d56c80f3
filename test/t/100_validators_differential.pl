# test/t/100_validators_differential.pl
#
# Differential test of the SQL-level validators (the fmgr wrappers of
# src/validate.c over src/validate_core.c) against references written here
# from the spec's "Schema (version 1.0)" and "Validation" and the WHATWG
# "valid e-mail address" expression.  The libFuzzer targets (test/fuzz)
# check the plain-C core; this checks what a client sees: values sent as
# text, stored in a table (short, long, toasted out of line and compressed)
# and judged by the server.  A fixed random seed keeps the run
# reproducible.  The server must not restart.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

srand(20261121);

my $node = PostgreSQL::Test::Cluster->new('hard_diff');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION usrmgmt');
my $start = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

# References, on the UTF-8 bytes of the value.
my $atext = qr{[a-zA-Z0-9.!#\$%&'*+/=?^_`{|}~-]};
my $label = qr{[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?};
sub ref_email
{
	my ($v) = @_;
	return 0 if length($v) > 254;
	return 0 unless $v =~ /\A($atext+)\@$label(?:\.$label)*\z/;
	return length($1) <= 64 ? 1 : 0;
}
sub ref_ident
{
	my ($v, $min, $max, $set) = @_;
	return (length($v) >= $min && length($v) <= $max && $v =~ /\A[$set]*\z/) ? 1 : 0;
}

# Random values: pieces that make near-valid addresses and names, with
# hostile bytes mixed in (controls, quotes, multibyte characters).
my @pieces = (
	'a', 'Z', '9', '.', '@', '-', '_', '!', '+', '~', '`', ' ', '"', "'",
	'\\', ';', '(', ')', '[', ']', "\t", "\n", "\x01", "\x1f", "\x7f",
	"\xc3\xa9", "\xe2\x80\x8b", "\xef\xbc\xa1", "\xf4\x8f\xbf\xbf",
	'example', 'com', 'x' x 61, 'y' x 62, 'z' x 63, 'w' x 64);
my @values;
for my $i (1 .. 4000)
{
	my $n = int(rand(12));
	$n = int(rand(60)) if $i % 10 == 0;
	push @values, join('', map { $pieces[ int(rand(@pieces)) ] } 1 .. $n);
}
# boundaries of every rule
push @values, map { 'u' x $_ } (0 .. 3, 79 .. 81, 99 .. 101, 149 .. 151);
push @values, map { ('a' x $_) . '@example.com' } (63 .. 65);
push @values, map { 'a@' . ('b' x $_) . '.com' } (62 .. 64);
push @values, map { ('a' x 64) . '@' . ('b' x 63) . '.' . ('c' x 63) . '.' . ('d' x $_) } (60 .. 63);
# long values: stored inline, out of line, and compressed
push @values, 'a' x 3000, ('ab' x 524288), join('', map { sprintf('%08x', $_) } 1 .. 131072);

# Load them as hex (exact bytes, nothing to escape) into a table.
my $sql = "CREATE TABLE regress_values (i int, v text);\n"
  . "INSERT INTO regress_values VALUES\n"
  . join(",\n",
	map { sprintf("(%d, convert_from(decode('%s', 'hex'), 'UTF8'))", $_, unpack('H*', $values[$_])) }
	  0 .. $#values)
  . ";\n";
$node->safe_psql('postgres', $sql);

my $out = $node->safe_psql('postgres',
	q{SELECT i, usrmgmt.is_valid_email(v)::int, usrmgmt.is_valid_username(v)::int,
	         usrmgmt.is_valid_server_name(v)::int, usrmgmt.is_valid_config_key(v)::int
	    FROM regress_values ORDER BY i});
my @rows = split /\n/, $out;
is(scalar(@rows), scalar(@values), 'every value judged');

my %wrong;
my %accepted;
for my $row (@rows)
{
	my ($i, @got) = split /\|/, $row;
	my $v = $values[$i];
	my @want = (
		ref_email($v),
		ref_ident($v, 3, 80, 'A-Za-z0-9_-'),
		ref_ident($v, 3, 150, 'A-Za-z0-9_-'),
		ref_ident($v, 1, 100, 'A-Za-z0-9._-'));
	my @names = qw(email username server_name config_key);
	for my $k (0 .. 3)
	{
		$accepted{ $names[$k] } += $want[$k];
		next if $got[$k] == $want[$k];
		push @{ $wrong{ $names[$k] } },
		  sprintf('%s (%d bytes): server %d, reference %d',
			substr(unpack('H*', $v), 0, 80), length($v), $got[$k], $want[$k]);
	}
}
for my $name (qw(email username server_name config_key))
{
	is(scalar(@{ $wrong{$name} // [] }), 0, "$name: server agrees with the reference")
	  or diag(join("\n", @{ $wrong{$name} }[ 0 .. 9 ]));
	# the random set must exercise both verdicts, or the test proves little
	cmp_ok($accepted{$name} // 0, '>', 5, "$name: some values valid");
}

is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'), $start, 'server never restarted');
$node->stop;
done_testing();
