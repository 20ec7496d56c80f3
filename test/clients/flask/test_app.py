"""test/clients/flask/test_app.py: the Flask example, run as the
application role against a database prepared by test/clients/setup.sql,
after `flask --app app db upgrade` (test/clients/run.sh does both).

    /usr/bin/python3 -m unittest -v test_app
"""
import json
import os
import subprocess
import sys
import unittest
import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.exc import ProgrammingError, SAWarning

from app import Note, User, app, db, register, RegistrationError
from app import usrmgmt_include_name, usrmgmt_include_object


# what each example's registration must answer (shared by the three tests)
with open(os.path.join(os.path.dirname(__file__), '..', 'registration_cases.json')) as f:
    REGISTRATION_CASES = json.load(f)['cases']


class FlaskExample(unittest.TestCase):

    def setUp(self):
        self.ctx = app.app_context()
        self.ctx.push()
        self.client = app.test_client()

    def tearDown(self):
        db.session.rollback()
        self.ctx.pop()

    def test_1_model_is_the_table(self):
        # every column of usrmgmt."user", in the table's order
        names = db.session.execute(text(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'usrmgmt.user'::regclass"
            " AND attnum > 0 AND NOT attisdropped ORDER BY attnum")).scalars().all()
        self.assertEqual([c.name for c in User.__table__.columns], names)

    def test_2_orm_insert_select_update_delete(self):
        u = User(username='orm_user', email='orm@example.com')
        db.session.add(u)
        db.session.commit()
        self.assertIsInstance(u.id, int)
        self.assertEqual((u.is_admin, u.is_active), (False, True))
        self.assertIsNotNone(u.created_at)
        u.first_name = 'Orm'
        u.is_active = False
        db.session.commit()
        got = db.session.get(User, u.id)
        self.assertEqual((got.first_name, got.is_active), ('Orm', False))
        self.assertGreaterEqual(got.updated_at, got.created_at)
        db.session.delete(got)
        db.session.commit()
        self.assertIsNone(db.session.get(User, u.id))

    def test_3_registration_messages(self):
        register('alice', 'correct horse', 'alice@example.com', 'Alice')
        for case in REGISTRATION_CASES:
            with self.subTest(form=case['form']):
                with self.assertRaises(RegistrationError) as cm:
                    register(**case['form'])
                self.assertEqual((cm.exception.field, cm.exception.message),
                                 (case['field'], case['message']))
        # nothing of the failed registrations stayed
        self.assertEqual(db.session.scalar(
            select(func.count()).select_from(User).where(User.username == 'bob')), 0)

    def test_4_login_notes_logout(self):
        r = self.client.post('/register', data={
            'username': 'carol', 'password': 'carol secret', 'email': 'carol@example.com'})
        self.assertEqual(r.status_code, 201, r.get_json())
        r = self.client.post('/register', data={'username': 'carol', 'password': 'x' * 10})
        self.assertEqual((r.status_code, r.get_json()),
                         (400, {'field': 'username', 'error': 'This username is taken.'}))

        r = self.client.post('/login', data={'username': 'carol', 'password': 'wrong'})
        self.assertEqual((r.status_code, r.get_json()),
                         (401, {'error': 'Wrong username or password.'}))
        self.assertEqual(self.client.get('/notes').status_code, 401)

        r = self.client.post('/login', data={'username': 'carol', 'password': 'carol secret'})
        self.assertEqual(r.status_code, 200)
        sid, user_id = r.get_json()['session'], r.get_json()['user_id']
        self.assertEqual(db.session.scalar(text(
            'SELECT username FROM usrmgmt.online_user WHERE id = :s'), {'s': sid}), 'carol')
        # what the application may know of the login state
        self.assertIsNotNone(db.session.scalar(select(func.usrmgmt.last_login(user_id))))

        r = self.client.post('/notes', data={'body': 'first note'})
        self.assertEqual(r.get_json(), {'notes': ['first note']})

        r = self.client.post('/logout')
        self.assertEqual(r.get_json(), {'closed': True})
        self.assertEqual(self.client.get('/notes').status_code, 401)
        self.assertEqual(db.session.scalar(text(
            "SELECT string_agg(action, ',' ORDER BY id) FROM usrmgmt.user_log"
            " WHERE user_id = :u"), {'u': user_id}), 'login,logout')

        # the foreign key: deleting the user deletes its notes
        carol = db.session.scalar(select(User).where(User.username == 'carol'))
        db.session.delete(carol)
        db.session.commit()
        self.assertEqual(db.session.scalar(select(func.count()).select_from(Note)), 0)

    def test_5_secrets_stay_out_of_reach(self):
        for sql in ('SELECT * FROM usrmgmt.user_auth',
                    "INSERT INTO usrmgmt.user_log (user_id, username, action) VALUES (1, 'x', 'login')"):
            with self.subTest(sql=sql):
                with self.assertRaises(ProgrammingError) as cm:
                    db.session.execute(text(sql))
                self.assertEqual(cm.exception.orig.pgcode, '42501')
                db.session.rollback()

    def test_6_autogenerate_leaves_usrmgmt_alone(self):
        # `flask db migrate`, as a developer runs it: no revision
        versions = sorted(os.listdir('migrations/versions'))
        run = subprocess.run([sys.executable, '-m', 'flask', '--app', 'app', 'db', 'migrate'],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn('No changes in schema detected.', run.stderr)
        self.assertEqual(sorted(os.listdir('migrations/versions')), versions)

        def diff(**opts):
            # Reflecting usrmgmt's tables (the target of note's foreign key;
            # all of them without the hooks), SQLAlchemy 1.4 skips the
            # expression indexes of usrmgmt."user" and the xid8 type of
            # change_log, with a warning each: harmless here.
            with warnings.catch_warnings(), db.engine.connect() as conn:
                warnings.filterwarnings('ignore', 'Skipped unsupported reflection', SAWarning)
                warnings.filterwarnings('ignore', 'Did not recognize type', SAWarning)
                mc = MigrationContext.configure(conn, opts=opts)
                return compare_metadata(mc, db.metadata)

        hooks = dict(include_name=usrmgmt_include_name,
                     include_object=usrmgmt_include_object)
        self.assertEqual(diff(include_schemas=True, **hooks), [])
        self.assertEqual(diff(include_schemas=False, **hooks), [])
        # without the hooks, autogenerate would create usrmgmt."user" ...
        plain = diff()
        self.assertIn(('add_table', 'usrmgmt', 'user'),
                      [(d[0], d[1].schema, d[1].name) for d in plain if d[0] == 'add_table'])
        # ... and, comparing every schema, drop the log and the secrets
        removed = {d[1].name for d in diff(include_schemas=True)
                   if d[0] == 'remove_table' and d[1].schema == 'usrmgmt'}
        self.assertTrue({'user_log', 'user_auth', 'online_user',
                         'migration_history'} <= removed, removed)


if __name__ == '__main__':
    unittest.main()
