"""test/clients/flask/app.py: a small Flask application on usrmgmt.

What to copy from it (test/clients/README.md explains each part):
- ``User``: a Flask-SQLAlchemy model of ``usrmgmt."user"`` with every
  column as the table has it (its defaults are the table's own);
- ``Note``: an application table with a foreign key to
  ``usrmgmt."user"(id)``;
- ``register()``: the constraint names usrmgmt raises (23514, 23505)
  mapped to messages for the form;
- ``/login`` and ``/logout``: sessions through ``usrmgmt.authenticate()``
  and ``usrmgmt.logout()``;
- ``usrmgmt_include_name()`` and ``usrmgmt_include_object()``: what makes
  Flask-Migrate/Alembic autogenerate leave usrmgmt's objects alone.

It connects as the application role of doc/usrmgmt.md, "Privileges and
role recipes", through DATABASE_URL or libpq's PG* variables.

    flask --app app db upgrade     # Alembic: the application's tables
    flask --app app run
"""
import os

from flask import Flask, jsonify, request, session
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Identity, func, select, text
from sqlalchemy.exc import DataError, IntegrityError

db = SQLAlchemy()


class User(db.Model):
    """usrmgmt."user": the profile, every column as the table has it.

    Secrets and login state live in usrmgmt.user_auth, which no
    application reads: passwords go through usrmgmt.set_password() and
    usrmgmt.authenticate().
    """
    __tablename__ = 'user'
    __table_args__ = {'schema': 'usrmgmt'}

    id = db.Column(db.BigInteger, Identity(always=True), primary_key=True)
    username = db.Column(db.Text, nullable=False)
    email = db.Column(db.Text)
    first_name = db.Column(db.Text)
    last_name = db.Column(db.Text)
    is_admin = db.Column(db.Boolean, nullable=False, server_default=text('false'))
    is_active = db.Column(db.Boolean, nullable=False, server_default=text('true'))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False,
                           server_default=func.now())
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False,
                           server_default=func.now())


class Note(db.Model):
    """The application's own data: a user's notes, deleted with the user."""
    __tablename__ = 'note'

    id = db.Column(db.BigInteger, Identity(), primary_key=True)
    user_id = db.Column(db.BigInteger,
                        db.ForeignKey('usrmgmt.user.id', ondelete='CASCADE'),
                        nullable=False, index=True)
    body = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False,
                           server_default=func.now())


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
    user = User(username=username, email=email,
                first_name=first_name, last_name=last_name)
    db.session.add(user)
    try:
        db.session.flush()
        db.session.execute(select(func.usrmgmt.set_password(username, password)))
        db.session.commit()
    except IntegrityError as e:  # 23514 check_violation, 23505 unique_violation
        db.session.rollback()
        known = CONSTRAINT_MESSAGES.get(e.orig.diag.constraint_name)
        if known is None:
            raise
        raise RegistrationError(*known) from None
    except DataError as e:  # 22023: set_password()'s length rule
        db.session.rollback()
        if e.orig.pgcode != '22023':
            raise
        raise RegistrationError('password', 'This password is too short.') from None
    return user


def usrmgmt_include_name(name, type_, parent_names):
    """Alembic's include_name: schema usrmgmt is not even reflected."""
    return not (type_ == 'schema' and name == 'usrmgmt')


def usrmgmt_include_object(obj, name, type_, reflected, compare_to):
    """Alembic's include_object: nothing in schema usrmgmt is compared.

    usrmgmt's tables belong to the extension and change only with it
    (ALTER EXTENSION usrmgmt UPDATE); Alembic migrates the application's
    own schema.  Our tables that reference usrmgmt."user" are compared
    as usual.
    """
    table = obj if type_ == 'table' else getattr(obj, 'table', None)
    return getattr(table, 'schema', None) != 'usrmgmt'


# Flask-Migrate passes these to Alembic's context.configure() in its
# default migrations/env.py, which stays as `flask db init` wrote it.
# include_schemas=True compares every schema the role sees (the
# application's own, if it has more than public), and the two hooks take
# usrmgmt out: its tables in our metadata (User) are not created, its
# tables in the database are not dropped.
migrate = Migrate(include_name=usrmgmt_include_name,
                  include_object=usrmgmt_include_object,
                  include_schemas=True)


def current_session():
    """The open usrmgmt session of this browser session, or None."""
    sid = session.get('usrmgmt_session')
    if sid is None:
        return None
    if not db.session.scalar(select(func.usrmgmt.touch_session(sid))):
        session.pop('usrmgmt_session')  # logged out or expired meanwhile
        return None
    db.session.commit()
    return sid, session['user_id']


def create_app(config=None):
    app = Flask(__name__)
    app.config['SQLALCHEMY_DATABASE_URI'] = os.environ.get(
        'DATABASE_URL', 'postgresql+psycopg2://')  # empty: libpq's PG* variables
    app.config['SECRET_KEY'] = os.environ.get('SECRET_KEY', 'dev only')
    app.config.update(config or {})
    db.init_app(app)
    migrate.init_app(app, db)

    @app.post('/register')
    def register_view():
        f = request.form
        try:
            user = register(f['username'], f['password'], f.get('email') or None,
                            f.get('first_name') or None, f.get('last_name') or None)
        except RegistrationError as e:
            return jsonify(field=e.field, error=e.message), 400
        return jsonify(id=user.id, username=user.username), 201

    @app.post('/login')
    def login():
        sid = db.session.scalar(select(func.usrmgmt.authenticate(
            request.form['username'], request.form['password'],
            request.remote_addr, request.user_agent.string or None)))
        if sid is None:  # unknown, inactive, locked out or a wrong password
            db.session.commit()  # keeps the failed-login count
            return jsonify(error='Wrong username or password.'), 401
        user_id = db.session.scalar(text(
            'SELECT user_id FROM usrmgmt.online_user WHERE id = :sid'), {'sid': sid})
        db.session.commit()
        session['usrmgmt_session'] = sid
        session['user_id'] = user_id
        return jsonify(session=sid, user_id=user_id)

    @app.post('/logout')
    def logout():
        sid = session.pop('usrmgmt_session', None)
        closed = False
        if sid is not None:
            closed = db.session.scalar(select(func.usrmgmt.logout(sid)))
            db.session.commit()
        return jsonify(closed=closed)

    @app.route('/notes', methods=['GET', 'POST'])
    def notes():
        current = current_session()
        if current is None:
            return jsonify(error='Log in first.'), 401
        _, user_id = current
        if request.method == 'POST':
            db.session.add(Note(user_id=user_id, body=request.form['body']))
            db.session.commit()
        rows = db.session.scalars(
            select(Note).where(Note.user_id == user_id).order_by(Note.id))
        return jsonify(notes=[n.body for n in rows])

    return app


app = create_app()
