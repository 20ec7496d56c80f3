"""test/clients/django/accounts/models.py: usrmgmt."user" and an
application table that references it.

User is managed = False: usrmgmt creates and migrates its tables (ALTER
EXTENSION usrmgmt UPDATE), so Django's migrations never touch them.
`manage.py inspectdb user` writes its fields; Django 3.2 reads the
identity column as a BigIntegerField (make it a BigAutoField, so that an
INSERT leaves it to the identity) and knows no column default (add them).
"""
from django.db import models


class User(models.Model):
    """usrmgmt."user": the profile, every column as the table has it.

    Secrets and login state live in usrmgmt.user_auth, which no
    application reads: passwords go through usrmgmt.set_password() and
    usrmgmt.authenticate() (accounts/services.py).  created_at and
    updated_at: the table's defaults and trigger keep them; Django fills
    them too because its INSERT and UPDATE write every field.
    """
    id = models.BigAutoField(primary_key=True)
    username = models.TextField()
    email = models.TextField(blank=True, null=True)
    first_name = models.TextField(blank=True, null=True)
    last_name = models.TextField(blank=True, null=True)
    is_admin = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        managed = False
        db_table = 'user'


class Note(models.Model):
    """The application's own data: a user's notes, deleted with the user."""
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = 'note'
