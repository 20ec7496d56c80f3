# test/t/131_attack_review_1_1.pl: the attack review of what 1.1 added,
# replayed (the manual: Security, "The attack review of 1.1").
#
# As 130_attack_review.pl does for 1.0: each subtest performs an attack and
# asserts that it is refused (the exact SQLSTATE) or harmless (the exact
# state afterwards).  The three recipes are made the way the manual's "The
# three recipes" says, with grant_recipe(), and the attacks run over real
# logins as those roles (psql -U, trust on the unix socket).
#
#   1  the change audit: a non-superuser made um_restoring() true (both
#      settings off), so the writes of usrmgmt's SECURITY DEFINER functions
#      (set_password(), authenticate(), unlock_user(), the cascade of a
#      user's DELETE) went unrecorded; every other path is recorded
#   2  user ids: the application chose the id of a new user (OVERRIDING
#      SYSTEM VALUE, COPY with an id column), a deleted user's included,
#      whose history the new account then owned
#   -  the reference triggers' restore rule (no finding: a COPY by a role
#      that is not a superuser is checked as an INSERT)
#   3  grant_recipe()/revoke_recipe(): '-' and bare OIDs reached GRANT as a
#      syntax error; who may call them, role names that need quoting,
#      what revoke takes (no finding)
#   -  user_auth stays secret and written only by the functions, lockout
#      (no finding)
#   -  the application's table-level rights on "user", its own foreign
#      keys (by design, documented)
#   -  the 1.0 -> 1.1 update leaves no secret readable (no finding)
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::Bin/../perl";
use UsrmgmtLogins;

my $node = PostgreSQL::Test::Cluster->new('attack11');
$node->init(extra => [ '--encoding=UTF8', '--locale=C.UTF-8' ]);
$node->append_conf('postgresql.conf', qq{
fsync = off
usrmgmt.password_iterations = 4096
usrmgmt.max_failed_logins = 3
});
$node->start;
my $super = $node->safe_psql('postgres', 'SELECT current_user');

logins_on($node, 'verbose');

sub q_super { return $node->safe_psql($_[1] // 'postgres', $_[0]); }

# The three recipes, as the manual makes them.
q_super(q{
	CREATE EXTENSION usrmgmt;
	CREATE ROLE usrmgmt_app LOGIN;
	CREATE ROLE usrmgmt_monitor LOGIN;
	CREATE ROLE usrmgmt_admin LOGIN;
	SELECT usrmgmt.grant_recipe('usrmgmt_app', 'application');
	SELECT usrmgmt.grant_recipe('usrmgmt_monitor', 'monitor');
	SELECT usrmgmt.grant_recipe('usrmgmt_admin', 'administrator');
	INSERT INTO usrmgmt."user" (username, email) VALUES
	    ('alice', 'alice@example.com'), ('bob', 'bob@example.com'),
	    ('carol', 'carol@example.com'), ('dave', NULL);
	SELECT usrmgmt.set_password('alice', 'alice password');
	SELECT usrmgmt.set_password('carol', 'carol password');
});
my %uid = map { split /\|/ } split /\n/,
  q_super(q{SELECT username || '|' || id FROM usrmgmt."user"});

# change_log rows since mark, one line each: table|operation|row_id|role|changed_by
sub changes_since
{
	my ($mark) = @_;
	return q_super(qq{SELECT string_agg(table_name || '|' || operation || '|' || coalesce(row_id::text, '-')
	                                    || '|' || role || '|' || changed_by, E'\\n' ORDER BY id)
	                    FROM usrmgmt.change_log WHERE id > $mark});
}
sub log_mark { return q_super(q{SELECT coalesce(max(id), 0) FROM usrmgmt.change_log}); }

# What pg_dump's output sets before it loads data.
my $restore_look = "SET row_security = off;\nSET check_function_bodies = off;\n";

subtest 'finding 1: no non-superuser makes a write look like a restore to the change audit' => sub {
	my $mark = log_mark();
	runs('usrmgmt_app', $restore_look . q{SELECT usrmgmt.set_password('alice', 'alice password 2');
SELECT usrmgmt.authenticate('carol', 'wrong');},
		'the application, both settings off, sets a password and fails a login');
	runs('usrmgmt_admin', $restore_look . q{SELECT usrmgmt.unlock_user('carol');},
		'the administrator, both settings off, unlocks a user');
	runs('usrmgmt_app', $restore_look . q{DELETE FROM usrmgmt."user" WHERE username = 'carol';},
		'the application, both settings off, deletes a user with a secret');
	is(changes_since($mark),
		join("\n",
			"user_auth|UPDATE|$uid{alice}|$super|usrmgmt_app",
			"user_auth|UPDATE|$uid{carol}|$super|usrmgmt_app",
			"user_auth|UPDATE|$uid{carol}|$super|usrmgmt_admin",
			"user|DELETE|$uid{carol}|usrmgmt_app|usrmgmt_app",
			"user_auth|DELETE|$uid{carol}|$super|usrmgmt_app"),
		'every write is recorded: the new secret, the failure, the unlock, the delete and its cascade');
	is(q_super(qq{SELECT string_agg(coalesce(old->>'password_hash', '-') || '>' || coalesce(new->>'password_hash', '-'), ',' ORDER BY id)
	                FROM usrmgmt.change_log WHERE id > $mark AND table_name = 'user_auth'}),
		'redacted>redacted,->-,->-,redacted>-',
		'secrets are "redacted" on every path');

	# Every other way into an audited table is recorded too.
	$mark = log_mark();
	runs('usrmgmt_app', q{COPY usrmgmt."user" (username) FROM STDIN;
erin
\.
INSERT INTO usrmgmt."user" (username, email) VALUES ('alice', 'alice2@example.com')
    ON CONFLICT ((usrmgmt.ascii_lower(username))) DO UPDATE SET email = excluded.email;
INSERT INTO usrmgmt."user" (username) VALUES ('frank')
    ON CONFLICT ((usrmgmt.ascii_lower(username))) DO NOTHING;
UPDATE usrmgmt."user" SET is_admin = true WHERE username = 'frank';
}, 'COPY, INSERT ... ON CONFLICT DO UPDATE / DO NOTHING, UPDATE by the application');
	my %new = map { split /\|/ } split /\n/,
	  q_super(q{SELECT username || '|' || id FROM usrmgmt."user" WHERE username IN ('erin', 'frank')});
	is(changes_since($mark),
		join("\n",
			"user|INSERT|$new{erin}|usrmgmt_app|usrmgmt_app",
			"user|UPDATE|$uid{alice}|usrmgmt_app|usrmgmt_app",
			"user|INSERT|$new{frank}|usrmgmt_app|usrmgmt_app",
			"user|UPDATE|$new{frank}|usrmgmt_app|usrmgmt_app"),
		'each is recorded as the application');

	# A superuser's session with both settings off is what a restore is:
	# still not recorded (doc: What is not protected).
	$mark = log_mark();
	runs($super, $restore_look . q{SELECT usrmgmt.set_password('alice', 'alice password 3');},
		"a superuser's session with both settings off");
	is(changes_since($mark), '', 'is taken as a restore, as documented');
	q_super(q{SELECT usrmgmt.set_password('alice', 'alice password')});

	# Neither reads the log.
	refused('usrmgmt_app', q{SELECT count(*) FROM usrmgmt.change_log}, '42501',
		'the application cannot read change_log: 42501');
	refused('usrmgmt_monitor', q{SELECT count(*) FROM usrmgmt.change_log_default}, '42501',
		'the monitor cannot read change_log: 42501');
};

subtest 'finding 2: user ids come from the identity' => sub {
	# bob logs in and out: his id is in the log; then he is deleted.
	my $s = q_super(q{SELECT usrmgmt.login('bob')});
	q_super("SELECT usrmgmt.logout($s)");
	runs('usrmgmt_app', q{DELETE FROM usrmgmt."user" WHERE username = 'bob'},
		'the application deletes bob');
	my $err = refused('usrmgmt_app', qq{INSERT INTO usrmgmt."user" (id, username)
	        OVERRIDING SYSTEM VALUE VALUES ($uid{bob}, 'mallory')},
		'55000', "OVERRIDING SYSTEM VALUE with bob's id: 55000");
	like($err, qr/user id $uid{bob} was not given by the identity of usrmgmt\."user"/,
		'the message names the id');
	refused('usrmgmt_app', q{INSERT INTO usrmgmt."user" (id, username)
	        OVERRIDING SYSTEM VALUE VALUES (900000, 'mallory')},
		'55000', 'a future id: 55000');
	refused('usrmgmt_app', qq{COPY usrmgmt."user" (id, username) FROM STDIN;
$uid{bob}\tmallory
\\.
}, '55000', 'a COPY with an id column: 55000');
	refused('usrmgmt_admin', qq{INSERT INTO usrmgmt."user" (id, username)
	        OVERRIDING SYSTEM VALUE VALUES ($uid{bob}, 'mallory')},
		'55000', 'the administrator neither: 55000');
	refused('usrmgmt_app', q{INSERT INTO usrmgmt."user" (username) VALUES ('gina') RETURNING id \gset
DELETE FROM usrmgmt."user" WHERE id = :id;
INSERT INTO usrmgmt."user" (id, username) OVERRIDING SYSTEM VALUE VALUES (:id, 'mallory');},
		'55000', 'the id this session just gave a user it deleted: 55000');
	is(q_super(qq{SELECT count(*) FROM usrmgmt."user" WHERE id = $uid{bob} OR username = 'mallory'}),
		'0', "nobody took bob's id");
	is(q_super(qq{SELECT string_agg(username || ':' || action, ',' ORDER BY id)
	                FROM usrmgmt.user_log WHERE user_id = $uid{bob}}),
		'bob:login,bob:logout', "bob's history names nobody else");

	# What an ORM does still works, several rows at once too.
	my $ids = runs('usrmgmt_app', q{INSERT INTO usrmgmt."user" (username)
	        SELECT 'orm' || g FROM generate_series(1, 3) g ORDER BY g DESC RETURNING id;
COPY usrmgmt."user" (username) FROM STDIN;
orm4
orm5
\.
SELECT count(*) FROM usrmgmt."user" WHERE username LIKE 'orm%';},
		'INSERT ... SELECT and COPY without ids');
	like($ids, qr/\n5$/, 'five users made');
	runs('usrmgmt_admin', q{SELECT usrmgmt.load_sample_data()},
		"the administrator's load_sample_data()");

	# A superuser's session brings its own ids (pg_restore, pg_dump --inserts).
	runs($super, q{INSERT INTO usrmgmt."user" (id, username) OVERRIDING SYSTEM VALUE VALUES (900001, 'restored')},
		"a superuser's INSERT with its own id");
	runs($super, q{SET ROLE usrmgmt_app;
INSERT INTO usrmgmt."user" (id, username) OVERRIDING SYSTEM VALUE VALUES (900002, 'restored2')},
		"in a superuser's session under --role too");
	q_super(q{DELETE FROM usrmgmt."user" WHERE id IN (900001, 900002)});
};

subtest "the reference triggers take no non-superuser's write for a restore" => sub {
	# What a restore looks like (a COPY into the table itself, both
	# settings off) from the application: checked as an INSERT.
	refused('usrmgmt_app', $restore_look . q{COPY usrmgmt.server (server_name, owner_id) FROM STDIN;
ghost	999999
\.
}, '23503', "the application's COPY of a server owned by nobody: 23503");
	refused('usrmgmt_app', $restore_look . q{COPY usrmgmt.configuration (key, value, updated_by) FROM STDIN;
ghost.key	v	999999
\.
}, '23503', "the application's COPY of a setting made by nobody: 23503");
	refused('usrmgmt_admin', $restore_look . q{COPY usrmgmt.online_user (user_id, username) FROM STDIN;
999999	ghost
\.
}, '23503', "the administrator's COPY of a session of nobody: 23503");
	is(q_super(q{SELECT count(*) FROM usrmgmt.server WHERE owner_id = 999999}
	           . q{ UNION ALL SELECT count(*) FROM usrmgmt.configuration WHERE updated_by = 999999}),
		"0\n0", 'nothing dangling was written');
};

subtest 'finding 3: grant_recipe() and revoke_recipe()' => sub {
	refused($super, q{SELECT usrmgmt.grant_recipe('-', 'monitor')}, '42704',
		"'-' (regrole's no role): 42704, not a syntax error");
	refused($super, q{SELECT usrmgmt.revoke_recipe('4294967295', 'monitor')}, '42704',
		'an OID that names no role: 42704');

	# Names that need quoting get the recipe, and nothing goes to PUBLIC.
	q_super(q{CREATE ROLE "o'Brien.Admin" LOGIN; CREATE ROLE "PUBLIC" LOGIN;
	          CREATE ROLE "usrmgmt_app; DROP TABLE usrmgmt.user_log" LOGIN});
	runs($super, q{SELECT usrmgmt.grant_recipe('"o''Brien.Admin"', 'administrator');
SELECT usrmgmt.grant_recipe('"PUBLIC"', 'application');
SELECT usrmgmt.grant_recipe('"usrmgmt_app; DROP TABLE usrmgmt.user_log"', 'monitor');},
		'recipes for a quote, a dot and capitals, "PUBLIC", and a name with SQL in it');
	is(q_super(q{SELECT has_table_privilege('o''Brien.Admin', 'usrmgmt.user_auth', 'SELECT')
	                 || ',' || has_table_privilege('PUBLIC', 'usrmgmt."user"', 'INSERT')
	                 || ',' || has_function_privilege('usrmgmt_app; DROP TABLE usrmgmt.user_log', 'usrmgmt.health()', 'EXECUTE')
	                 || ',' || (to_regclass('usrmgmt.user_log') IS NOT NULL)}),
		'true,true,true,true', 'each role got its recipe; user_log is still there');
	is(q_super(q{SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a
	              WHERE c.relnamespace = 'usrmgmt'::regnamespace AND a.grantee = 0}),
		'0', 'PUBLIC holds no table privilege');
	is(q_super(q{SELECT string_agg(p.proname, ',' ORDER BY p.proname) FROM pg_proc p, aclexplode(p.proacl) a
	              WHERE p.pronamespace = 'usrmgmt'::regnamespace AND a.grantee = 0}),
		'ascii_lower,is_valid_config_key,is_valid_email,is_valid_person_name,is_valid_scram_secret,is_valid_server_name,is_valid_username',
		'PUBLIC executes the validators and ascii_lower() only');
	runs($super, q{SELECT usrmgmt.revoke_recipe('"o''Brien.Admin"', 'administrator');
SELECT usrmgmt.revoke_recipe('"PUBLIC"', 'application');
SELECT usrmgmt.revoke_recipe('"usrmgmt_app; DROP TABLE usrmgmt.user_log"', 'monitor');},
		'and revoked');
	is(q_super(q{SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a, pg_roles r
	              WHERE c.relnamespace = 'usrmgmt'::regnamespace AND a.grantee = r.oid
	                AND r.rolname IN ('o''Brien.Admin', 'PUBLIC', 'usrmgmt_app; DROP TABLE usrmgmt.user_log')}),
		'0', 'nothing left');

	# Nobody grants himself a recipe.
	refused('usrmgmt_admin', q{SELECT usrmgmt.grant_recipe('usrmgmt_app', 'administrator')}, '42501',
		'the administrator cannot call grant_recipe(): 42501');
	q_super(q{CREATE ROLE regress_creator CREATEROLE LOGIN;
	          GRANT EXECUTE ON FUNCTION usrmgmt.grant_recipe(regrole, text),
	                usrmgmt._recipe_run(regrole, text, boolean) TO regress_creator});
	refused('regress_creator', q{SELECT usrmgmt.grant_recipe('regress_creator', 'administrator')}, '42501',
		'a CREATEROLE role granted EXECUTE cannot grant itself a recipe: 42501');
	refused('regress_creator', qq{GRANT $super TO regress_creator}, '42501',
		'nor become a member of the owner');
	refused('usrmgmt_app', q{SET search_path = public, pg_catalog;
SELECT usrmgmt.grant_recipe('usrmgmt_app', 'administrator')}, '42501',
		'the application cannot either, whatever its search_path: 42501');
	is(q_super(q{SELECT has_table_privilege('usrmgmt_app', 'usrmgmt.user_auth', 'SELECT')
	                 OR has_table_privilege('regress_creator', 'usrmgmt.user_auth', 'SELECT')}),
		'f', 'neither reads user_auth');

	# revoke_recipe() takes what the recipe grants, not a DBA's other grants.
	q_super(q{CREATE ROLE regress_reporting LOGIN;
	          GRANT SELECT ON usrmgmt.user_log TO regress_reporting;
	          SELECT usrmgmt.grant_recipe('regress_reporting', 'monitor');
	          SELECT usrmgmt.revoke_recipe('regress_reporting', 'monitor')});
	is(q_super(q{SELECT has_table_privilege('regress_reporting', 'usrmgmt.user_log', 'SELECT')
	                 || ',' || has_function_privilege('regress_reporting', 'usrmgmt.health()', 'EXECUTE')}),
		'true,false', "the DBA's own grant stays");
};

subtest 'user_auth: the secret is read and written by nobody but the functions' => sub {
	for my $role ('usrmgmt_app', 'usrmgmt_monitor')
	{
		refused($role, q{SELECT password_hash FROM usrmgmt.user_auth}, '42501',
			"$role cannot read user_auth: 42501");
		refused($role, q{SELECT usrmgmt.unlock_user('alice')}, '42501',
			"$role cannot unlock a user: 42501");
	}
	refused('usrmgmt_app', q{UPDATE usrmgmt.user_auth SET failed_logins = 0}, '42501',
		'the application cannot reset failed_logins: 42501');
	refused('usrmgmt_admin', q{UPDATE usrmgmt.user_auth SET failed_logins = 0}, '42501',
		'nor the administrator: 42501');
	refused('usrmgmt_admin', qq{INSERT INTO usrmgmt.user_auth (user_id, password_hash)
	        SELECT $uid{dave}, password_hash FROM usrmgmt.user_auth WHERE user_id = $uid{alice}}, '42501',
		"the administrator cannot copy alice's secret to dave: 42501");

	# A row the application writes badly is printed in the error, but no
	# secret is in that row any more.
	my $err = refused('usrmgmt_app', qq{UPDATE usrmgmt."user" SET username = 'no good' WHERE id = $uid{alice}},
		'23514', 'a CHECK violation on "user"');
	like($err, qr/Failing row contains \($uid{alice}, no good, /, 'prints the row');
	unlike($err, qr/SCRAM-SHA-256/, 'with no secret in it');
	my $secret = q_super(qq{SELECT password_hash FROM usrmgmt.user_auth WHERE user_id = $uid{alice}});
	my ($state, $out, $e) = run_as('usrmgmt_app', qq{SELECT usrmgmt.last_login($uid{alice});
SELECT usrmgmt.authenticate('alice', repeat('x', 2000));
SELECT usrmgmt.set_password('alice', 'short');});
	unlike($out . $e, qr/\Q$secret\E|SCRAM-SHA-256\$/, 'last_login(), authenticate(), set_password() errors print no secret');

	# Lockout: three failures lock; a delete and a new user of the same
	# name starts from nothing, under a new id.
	q_super(q{SELECT usrmgmt.set_password('dave', 'dave password')});
	runs('usrmgmt_app', q{SELECT usrmgmt.authenticate('dave', 'wrong') FROM generate_series(1, 3)},
		'three failures');
	is(runs('usrmgmt_app', q{SELECT usrmgmt.authenticate('dave', 'dave password') IS NULL}, 'the right password'),
		't', 'is refused once locked');
	runs('usrmgmt_app', q{DELETE FROM usrmgmt."user" WHERE username = 'dave';
INSERT INTO usrmgmt."user" (username) VALUES ('dave');},
		'the application deletes dave and makes him again');
	is(q_super(q{SELECT count(*) FROM usrmgmt.user_auth a JOIN usrmgmt."user" u ON u.id = a.user_id
	              WHERE u.username = 'dave'}),
		'0', 'the new dave has no secret and no lockout of the old one');
	is(q_super(qq{SELECT count(*) FROM usrmgmt.user_auth WHERE user_id = $uid{dave}}),
		'0', "the old dave's row went with him");
};

subtest "the application's table-level rights on \"user\"" => sub {
	refused('usrmgmt_app', q{TRUNCATE usrmgmt."user"}, '42501', 'TRUNCATE: 42501');
	refused('usrmgmt_app', qq{UPDATE usrmgmt."user" SET id = 5 WHERE id = $uid{alice}}, '428C9',
		'UPDATE of id to a value: 428C9 (GENERATED ALWAYS)');
	refused('usrmgmt_app', qq{UPDATE usrmgmt."user" SET id = DEFAULT WHERE id = $uid{alice}}, '23503',
		'renumbering a user with a secret: 23503 (user_auth_user_id_fkey)');

	# The application's own tables: a foreign key that blocks the delete
	# of a user says so; one that cascades touches only its own rows.
	q_super(q{CREATE SCHEMA regress_app AUTHORIZATION usrmgmt_app});
	runs('usrmgmt_app', qq{CREATE TABLE regress_app.orders (user_id bigint REFERENCES usrmgmt."user" (id));
CREATE TABLE regress_app.prefs (user_id bigint REFERENCES usrmgmt."user" (id) ON DELETE CASCADE);
INSERT INTO regress_app.orders VALUES ($uid{alice});
INSERT INTO regress_app.prefs VALUES ($uid{alice});},
		'the application references "user" from its own tables');
	my $err = refused('usrmgmt_admin', qq{DELETE FROM usrmgmt."user" WHERE id = $uid{alice}}, '23503',
		"an order blocks alice's delete: 23503");
	like($err, qr/violates foreign key constraint "orders_user_id_fkey" on table "orders"/,
		"naming the application's constraint");
	is(q_super(qq{SELECT count(*) FROM usrmgmt.user_auth WHERE user_id = $uid{alice}}), '1',
		'nothing of alice went');
	refused('usrmgmt_admin', q{SELECT usrmgmt.reset(true)}, '0A000',
		"reset() is refused while the application's tables reference users: 0A000");
	runs('usrmgmt_app', q{DELETE FROM regress_app.orders}, 'the order goes');
	runs('usrmgmt_admin', qq{DELETE FROM usrmgmt."user" WHERE id = $uid{alice}}, 'alice can go');
	is(q_super(q{SELECT count(*) FROM regress_app.prefs}), '0', "and takes her prefs with her");
	is(q_super(q{SELECT count(*) FROM usrmgmt."user" WHERE username = 'erin'}), '1',
		'and nobody else');
	q_super(q{DROP SCHEMA regress_app CASCADE});
};

subtest 'the 1.0 -> 1.1 update leaves no secret readable' => sub {
	q_super('CREATE DATABASE upd');
	# the most a 1.0 DBA could have handed out on "user"
	q_super(q{CREATE EXTENSION usrmgmt VERSION '1.0';
	          INSERT INTO usrmgmt."user" (username) VALUES ('alice');
	          SELECT usrmgmt.set_password('alice', 'alice password');
	          GRANT SELECT, INSERT, UPDATE ON usrmgmt."user" TO usrmgmt_app;
	          GRANT SELECT (password_hash, failed_logins), UPDATE (password_hash) ON usrmgmt."user" TO usrmgmt_monitor;
	          ALTER EXTENSION usrmgmt UPDATE TO '1.1';}, 'upd');
	is(q_super(q{SELECT count(*) FROM usrmgmt.user_auth WHERE password_hash LIKE 'SCRAM-SHA-256$%'}, 'upd'),
		'1', 'the secret moved to user_auth');
	my $out = runs('usrmgmt_app', q{SELECT * FROM usrmgmt."user"},
		'the application reads "user" as its 1.0 grant lets it', 'upd');
	unlike($out, qr/SCRAM/, 'and sees no secret there');
	is(q_super(q{SELECT has_any_column_privilege('usrmgmt_monitor', 'usrmgmt."user"', 'SELECT')
	                 OR has_any_column_privilege('usrmgmt_monitor', 'usrmgmt."user"', 'UPDATE')}, 'upd'),
		'f', "the grants on the moved columns went with them");
	for my $role ('usrmgmt_app', 'usrmgmt_monitor')
	{
		refused($role, q{SELECT * FROM usrmgmt.user_auth}, '42501', "$role cannot read user_auth: 42501", 'upd');
		refused($role, q{SELECT * FROM usrmgmt.change_log}, '42501', "$role cannot read change_log: 42501", 'upd');
	}
};

is($node->safe_psql('postgres', 'SELECT count(*) FROM usrmgmt.validate_data_integrity()'),
	'0', 'after every attack: the data is consistent');
$node->stop;
done_testing();
