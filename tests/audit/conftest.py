import pytest
from django.db import connection

from beaconport.audit.permissions import AUDITOR_GROUP


@pytest.fixture
def auditor(make_user):
    from django.contrib.auth.models import Group

    user = make_user("aud.auditor")
    user.groups.add(Group.objects.get(name=AUDITOR_GROUP))
    return user


@pytest.fixture
def on_postgresql():
    """Tests of PostgreSQL's own guards; they skip on SQLite, and fail under CI without PG."""
    from tests.services import require_service

    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
