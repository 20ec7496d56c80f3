"""test/clients/django/test_app.py: the Django example, run as the
application role against a database prepared by test/clients/setup.sql,
after `manage.py migrate` (test/clients/run.sh does both).  Plain
unittest on that database: Django's test runner would create a database
of its own, which the application role may not.

    DJANGO_SETTINGS_MODULE=notesite.settings /usr/bin/python3 -m unittest -v test_app
"""
import io
import json
import os
import unittest

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'notesite.settings')
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import ProgrammingError, connection  # noqa: E402

from accounts.models import Note, User  # noqa: E402
from accounts.services import (RegistrationError, last_login, login,  # noqa: E402
                               logout, register, session_user)


# what each example's registration must answer (shared by the three tests)
with open(os.path.join(os.path.dirname(__file__), '..', 'registration_cases.json')) as f:
    REGISTRATION_CASES = json.load(f)['cases']


def scalar(sql, params=()):
    with connection.cursor() as c:
        c.execute(sql, params)
        return c.fetchone()[0]


class DjangoExample(unittest.TestCase):

    def test_1_model_is_the_table(self):
        with connection.cursor() as c:
            c.execute("SELECT attname FROM pg_attribute WHERE attrelid = 'usrmgmt.user'::regclass"
                      " AND attnum > 0 AND NOT attisdropped ORDER BY attnum")
            names = [r for (r,) in c.fetchall()]
        self.assertEqual([f.column for f in User._meta.fields], names)

    def test_2_orm_insert_select_update_delete(self):
        u = User.objects.create(username='orm_user', email='orm@example.com')
        self.assertIsInstance(u.pk, int)
        got = User.objects.get(pk=u.pk)
        self.assertEqual((got.is_admin, got.is_active), (False, True))
        got.first_name = 'Orm'
        got.is_active = False
        got.save()  # an UPDATE of every column
        again = User.objects.get(pk=u.pk)
        self.assertEqual((again.first_name, again.is_active), ('Orm', False))
        self.assertGreaterEqual(again.updated_at, again.created_at)
        again.delete()
        self.assertFalse(User.objects.filter(pk=u.pk).exists())

    def test_3_registration_messages(self):
        register('alice', 'correct horse', 'alice@example.com', 'Alice')
        for case in REGISTRATION_CASES:
            with self.subTest(form=case['form']):
                with self.assertRaises(RegistrationError) as cm:
                    register(**case['form'])
                self.assertEqual((cm.exception.field, cm.exception.message),
                                 (case['field'], case['message']))
        self.assertFalse(User.objects.filter(username='bob').exists())

    def test_4_login_notes_logout(self):
        carol = register('carol', 'carol secret', 'carol@example.com')
        self.assertIsNone(login('carol', 'wrong'))
        self.assertIsNone(last_login(carol))
        sid = login('carol', 'carol secret', '192.0.2.1', 'test')
        self.assertIsInstance(sid, int)
        self.assertEqual(session_user(sid), carol)
        self.assertIsNotNone(last_login(carol))
        Note.objects.create(user=carol, body='first note')
        self.assertEqual([n.body for n in carol.note_set.all()], ['first note'])
        self.assertTrue(logout(sid))
        self.assertFalse(logout(sid))
        self.assertIsNone(session_user(sid))
        self.assertEqual(scalar(
            "SELECT string_agg(action, ',' ORDER BY id) FROM usrmgmt.user_log"
            " WHERE user_id = %s", [carol.pk]), 'login,logout')
        # the foreign key: deleting the user deletes its notes
        carol.delete()
        self.assertEqual(Note.objects.count(), 0)

    def test_5_secrets_stay_out_of_reach(self):
        for sql in ('SELECT * FROM usrmgmt.user_auth',
                    "INSERT INTO usrmgmt.user_log (user_id, username, action) VALUES (1, 'x', 'login')"):
            with self.subTest(sql=sql):
                with self.assertRaises(ProgrammingError) as cm:
                    scalar(sql)
                self.assertEqual(cm.exception.__cause__.pgcode, '42501')

    def test_6_migrations_leave_usrmgmt_alone(self):
        out = io.StringIO()
        call_command('makemigrations', '--check', '--dry-run', stdout=out)
        self.assertEqual(out.getvalue(), 'No changes detected\n')
        out = io.StringIO()
        call_command('sqlmigrate', 'accounts', '0001', stdout=out)
        ddl = [line for line in out.getvalue().splitlines()
               if line and not line.startswith('--') and line not in ('BEGIN;', 'COMMIT;')]
        # the only DDL is the application's note table, its key and index
        self.assertEqual([line.split(' ')[0:3] for line in ddl],
                         [['CREATE', 'TABLE', '"note"'], ['ALTER', 'TABLE', '"note"'],
                          ['CREATE', 'INDEX', '"note_user_id_7bea5a45"']])
        # inspectdb reads usrmgmt."user" as the application role: unmanaged
        out = io.StringIO()
        call_command('inspectdb', 'user', stdout=out)
        self.assertIn("        managed = False\n        db_table = 'user'\n", out.getvalue())
        for f in User._meta.fields:
            self.assertIn('    %s = models.' % f.column, out.getvalue())


if __name__ == '__main__':
    unittest.main()
