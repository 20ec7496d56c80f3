"""test/clients/django/notesite/settings.py: the settings of the Django
example on usrmgmt (test/clients/README.md).

It connects as the application role of doc/usrmgmt.md, "Privileges and
role recipes", with libpq's PG* variables.  usrmgmt's tables are reached
through the search path: Django 3.2 has no schema option for a model, so
the connection puts usrmgmt after public, where Django keeps its own
tables (django_migrations and the application's).
"""
import os

SECRET_KEY = os.environ.get('SECRET_KEY', 'dev only')
DEBUG = False
ALLOWED_HOSTS = []
USE_TZ = True
TIME_ZONE = 'UTC'
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'

# usrmgmt keeps the users: no django.contrib.auth.
INSTALLED_APPS = ['accounts']

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': os.environ.get('PGDATABASE', 'notes'),
        'USER': os.environ.get('PGUSER', ''),
        'PASSWORD': os.environ.get('PGPASSWORD', ''),
        'HOST': os.environ.get('PGHOST', ''),
        'PORT': os.environ.get('PGPORT', ''),
        'OPTIONS': {'options': '-c search_path=public,usrmgmt'},
    },
}
