"""Accounts: API tokens (django-rest-knox), API throttles, and the audited admin of users,
groups and tokens."""
