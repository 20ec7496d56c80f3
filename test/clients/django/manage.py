#!/usr/bin/env python3
"""test/clients/django/manage.py: Django's command-line utility for the
example (python3 manage.py migrate, inspectdb, makemigrations)."""
import os
import sys

if __name__ == '__main__':
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'notesite.settings')
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
