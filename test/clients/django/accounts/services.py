"""test/clients/django/accounts/services.py: registration with usrmgmt's
constraint names mapped to messages, and sessions through
usrmgmt.authenticate() and usrmgmt.logout()."""
from django.db import DataError, IntegrityError, connection, transaction

from .models import User

# The constraint names of usrmgmt."user" (doc/usrmgmt.md, "Errors") and
# what the registration form says for each: (field, message).
CONSTRAINT_MESSAGES = {
    'user_username_format': ('username', 'A username has 3 to 80 letters, digits, "_" or "-".'),
    'user_username_key': ('username', 'This username is taken.'),
    'user_email_format': ('email', 'This is not a valid e-mail address.'),
    'user_email_key': ('email', 'This e-mail address is already registered.'),
    'user_first_name_length': ('first_name', 'A first name has 1 to 100 characters.'),
    'user_last_name_length': ('last_name', 'A last name has 1 to 100 characters.'),
}


class RegistrationError(Exception):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


def register(username, password, email=None, first_name=None, last_name=None):
    """Create a user and set its password in one transaction.

    Raises RegistrationError(field, message) for what the user can fix.
    """
    try:
        with transaction.atomic():
            user = User.objects.create(username=username, email=email,
                                       first_name=first_name, last_name=last_name)
            with connection.cursor() as c:
                c.execute('SELECT usrmgmt.set_password(%s, %s)', [username, password])
    except IntegrityError as e:  # 23514 check_violation, 23505 unique_violation
        known = CONSTRAINT_MESSAGES.get(e.__cause__.diag.constraint_name)
        if known is None:
            raise
        raise RegistrationError(*known) from None
    except DataError as e:  # 22023: set_password()'s length rule
        if e.__cause__.pgcode != '22023':
            raise
        raise RegistrationError('password', 'This password is too short.') from None
    return user


def login(username, password, ip_address=None, user_agent=None):
    """The new session's id, or None (unknown, inactive, locked out, or a
    wrong password: the caller cannot tell which, on purpose)."""
    with connection.cursor() as c:
        c.execute('SELECT usrmgmt.authenticate(%s, %s, %s, %s)',
                  [username, password, ip_address, user_agent])
        return c.fetchone()[0]


def session_user(session_id):
    """The User of an open session (touching it), or None."""
    with connection.cursor() as c:
        c.execute('SELECT usrmgmt.touch_session(%s)', [session_id])
        if not c.fetchone()[0]:
            return None
        c.execute('SELECT user_id FROM usrmgmt.online_user WHERE id = %s', [session_id])
        return User.objects.get(pk=c.fetchone()[0])


def logout(session_id):
    """True when the session was open."""
    with connection.cursor() as c:
        c.execute('SELECT usrmgmt.logout(%s)', [session_id])
        return c.fetchone()[0]


def last_login(user):
    """When the user last logged in (usrmgmt keeps it out of "user")."""
    with connection.cursor() as c:
        c.execute('SELECT usrmgmt.last_login(%s)', [user.pk])
        return c.fetchone()[0]
