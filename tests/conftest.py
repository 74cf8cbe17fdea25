"""Personas and real-service fixtures shared by the whole suite.

Personas are users in role groups: every view test can ask for the person who should see
a thing and for the outsider who should not. Services (PostgreSQL, Redis, the Celery
worker, Chromium) are real; a test that needs one it cannot find skips on a laptop but
fails under CI (CI=true).
"""

import importlib
import os

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from beaconport.roles import Role
from tests.services import require_service

pytest_plugins = ["tests.worker", "tests.browser", "tests.fuzzing", "tests.storage"]


def pytest_configure(config):
    # Serve static files through the finders in tests: no collectstatic manifest needed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    # Personas are created per test: a fast hasher saves ~0.5 s each (tests only).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Keep test email in Django's outbox, never on the wire.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if os.environ.get("CI", "").lower() == "true":
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError("Under CI the suite must run on PostgreSQL (set DATABASE_URL).")
        if not settings.REDIS_URL:
            raise pytest.UsageError("Under CI the suite must run against Redis (set REDIS_URL).")


# What data migrations load (roles, forces, ...). Transactional tests (real workers, the
# browser) flush the database after each test, so these are put back before each one.
REFERENCE_DATA = [
    ("beaconport.migrations.0001_roles", "create_roles"),
    ("cases.migrations.0002_forces", "load_forces"),
    ("beaconport.audit.migrations.0003_auditor_role", "create_auditor_role"),
    ("liaison.migrations.0002_victims_code_rules", "load_rules"),
    ("cases.migrations.0006_national_lead", "create_national_lead_role"),
    ("liaison.migrations.0011_message_templates", "load_message_templates"),
]


@pytest.fixture(autouse=True)
def _reference_data(request):
    marker = request.node.get_closest_marker("django_db")
    marked = marker is not None and marker.kwargs.get("transaction", False)
    if not marked and not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


def clear_throttles():
    """Forget every API throttle count (DRF keys `throttle_*`) in the shared cache.

    On Redis only those keys go: a FLUSHDB would also take the Celery broker's bindings.
    A Redis that is down (a test restarting it) has nothing to forget: the tests that need
    it fail on their own, the others do not fail for it.
    """
    from django.core.cache import cache
    from redis.exceptions import ConnectionError as RedisDown

    client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client is None:
        cache.clear()  # a file or memory cache holds nothing but these in tests
        return
    try:
        redis = client(None, write=True)
        keys = list(redis.scan_iter(match=cache.make_key("throttle_*")))
        if keys:
            redis.delete(*keys)
    except RedisDown:
        return


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Each test starts with no API throttle history, so none is throttled by another."""
    clear_throttles()


@pytest.fixture(scope="session", autouse=True)
def _forced_logins_pass_the_second_step():
    """`client.force_login(user)` gives a session past two-step verification (issue 8), for
    leads and administrators as for everyone; production settings have no such switch."""
    from django.test import Client

    from tests.signin.helpers import verified_force_login

    original = Client.force_login
    Client.force_login = verified_force_login(original)
    yield
    Client.force_login = original


@pytest.fixture
def make_user(db, django_user_model):
    """Create a user holding the given roles."""

    def make(username: str, *roles: Role, **extra):
        user = django_user_model.objects.create_user(
            username=username,
            password="correct-horse-battery-staple",
            email=f"{username}@test.beaconport.invalid",
            **extra,
        )
        if roles:
            user.groups.add(*Group.objects.filter(name__in=[r.value for r in roles]))
        return user

    return make


# Teams (issue 8): the personas' team covers every force but the other team's, so the cases
# and victims the factories make (Kent, Durham, ...) are theirs; the other team covers
# Cumbria only, so its leads see none of them.
OTHER_TEAM_FORCES = ("cumbria",)


@pytest.fixture
def team(db):
    """The personas' team: every force but Cumbria, with the personas as members."""
    from cases.models import Force, Team

    team, _ = Team.objects.get_or_create(name="South, Midlands and North East")
    team.forces.set(Force.objects.exclude(slug__in=OTHER_TEAM_FORCES))
    return team


@pytest.fixture
def other_team(db):
    """Another region's team (Cumbria), whose leads are outsiders to the personas' cases."""
    from cases.models import Force, Team

    team, _ = Team.objects.get_or_create(name="North West")
    team.forces.set(Force.objects.filter(slug__in=OTHER_TEAM_FORCES))
    return team


@pytest.fixture
def investigator(make_user, team):
    return _in(team, make_user("ivy.investigator", Role.INVESTIGATOR))


@pytest.fixture
def other_investigator(make_user, team):
    return _in(team, make_user("otto.investigator", Role.INVESTIGATOR))


@pytest.fixture
def review_lead(make_user, team):
    return _in(team, make_user("rowan.lead", Role.REVIEW_LEAD))


@pytest.fixture
def liaison_officer(make_user, team):
    return _in(team, make_user("lee.liaison", Role.LIAISON_OFFICER))


@pytest.fixture
def other_liaison_officer(make_user, team):
    return _in(team, make_user("lou.liaison", Role.LIAISON_OFFICER))


@pytest.fixture
def liaison_lead(make_user, team):
    return _in(team, make_user("lena.liaisonlead", Role.LIAISON_LEAD))


@pytest.fixture
def other_team_review_lead(make_user, other_team):
    """A review lead of another region: the personas' cases answer 404 to them."""
    return _in(other_team, make_user("olga.lead", Role.REVIEW_LEAD))


@pytest.fixture
def other_team_liaison_lead(make_user, other_team):
    """A liaison lead of another region: the personas' victims answer 404 to them."""
    return _in(other_team, make_user("olly.liaisonlead", Role.LIAISON_LEAD))


@pytest.fixture
def national_lead(make_user):
    """Sees every case and liaison record nationally, as a lead (pseudonyms); in no team."""
    return make_user("nia.national", Role.NATIONAL_LEAD)


def _in(team, user):
    team.members.add(user)
    return user


@pytest.fixture
def analyst(make_user):
    return make_user("ana.analyst", Role.ANALYST)


@pytest.fixture
def admin_user(make_user):
    return make_user("ada.admin", Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def redis_url():
    """The Redis server the suite runs against (skips without one, except under CI)."""
    require_service("Redis", bool(settings.REDIS_URL))
    return settings.REDIS_URL


@pytest.fixture(scope="session")
def referral_schema():
    """The referral file JSON Schema the importer validates against."""
    import json
    from pathlib import Path

    import cases

    path = Path(cases.__file__).parent / "referrals" / "referral.schema.json"
    return json.loads(path.read_text())
