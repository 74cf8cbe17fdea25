"""Replica reads (beaconport.db_routers): read-only pages read from `replica`, a user who has
just written reads from the primary, and nothing changes without DATABASE_REPLICA_URL.

The replica alias here is a second connection to the test database (as TEST MIRROR does):
which connection a query went through is what the routing decides, and what is counted.
The multi-process test checks the same against a real streaming replica.
"""

import pytest
from django.contrib.auth.models import User
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import ResolverMatch

from beaconport.db_routers import PIN_COOKIE, REPLICA_DATABASE, ReplicaPinMiddleware
from cases.models import Case
from cases.permissions import grant_case_access
from tests.factories import make_case

pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


@pytest.fixture
def replica(transactional_db, settings):
    """A `replica` alias on the test database, as DATABASE_REPLICA_URL would add."""
    alias = dict(connections["default"].settings_dict)
    connections.settings[REPLICA_DATABASE] = alias
    settings.DATABASES = {**settings.DATABASES, REPLICA_DATABASE: alias}
    replica = connections[REPLICA_DATABASE]
    # Connected here: the test case only lets aliases it knew at its start connect lazily.
    replica.connect()
    yield replica
    connections[REPLICA_DATABASE].close()
    del connections.settings[REPLICA_DATABASE]
    del connections[REPLICA_DATABASE]


def run(request, view, *, route="cases:my_cases"):
    """Pass a request through the middleware to `view`, as if it resolved to `route`."""
    namespace, name = route.split(":")
    request.resolver_match = ResolverMatch(view, (), {}, url_name=name, namespaces=[namespace])
    middleware = ReplicaPinMiddleware(
        lambda request: middleware.process_view(request, view, (), {}) or view(request)
    )
    return middleware(request)


def count_cases(request):
    return HttpResponse(str(Case.objects.count()))


def test_a_listed_read_only_page_reads_from_the_replica(replica):
    make_case()
    with CaptureQueriesContext(replica) as on_replica:
        response = run(RequestFactory().get("/cases/"), count_cases)
    assert response.content == b"1"
    assert len(on_replica) == 1
    assert PIN_COOKIE not in response.cookies


def test_a_page_not_listed_reads_from_the_primary(replica):
    with CaptureQueriesContext(replica) as on_replica:
        run(RequestFactory().get("/"), count_cases, route="cases:detail")
    assert len(on_replica) == 0


def test_a_post_reads_from_the_primary_and_pins_the_browser_there(replica, settings):
    with CaptureQueriesContext(replica) as on_replica:
        response = run(RequestFactory().post("/cases/"), count_cases)
    assert len(on_replica) == 0
    assert response.cookies[PIN_COOKIE]["max-age"] == settings.DATABASE_REPLICA_PIN_SECONDS

    # The next page, with the cookie the browser now sends, still reads the primary.
    after = RequestFactory().get("/cases/")
    after.COOKIES[PIN_COOKIE] = response.cookies[PIN_COOKIE].value
    with CaptureQueriesContext(replica) as on_replica:
        run(after, count_cases)
    assert len(on_replica) == 0


def test_a_write_during_a_get_keeps_the_rest_of_the_request_on_the_primary(replica):
    user = User.objects.create(username="synthetic.writer")

    def write_then_read(request):
        User.objects.filter(pk=user.pk).update(first_name="Synthetic")
        return count_cases(request)

    with CaptureQueriesContext(replica) as on_replica:
        response = run(RequestFactory().get("/cases/"), write_then_read)
    assert len(on_replica) == 0
    assert PIN_COOKIE in response.cookies


def test_a_forged_pin_cookie_is_ignored(replica):
    request = RequestFactory().get("/cases/")
    request.COOKIES[PIN_COOKIE] = "99999999999"  # unsigned
    with CaptureQueriesContext(replica) as on_replica:
        run(request, count_cases)
    assert len(on_replica) == 1


def test_reads_inside_a_transaction_and_of_sign_in_tables_stay_on_the_primary(replica):
    def reads(request):
        User.objects.count()  # auth: always the primary
        with transaction.atomic():
            Case.objects.count()
        return HttpResponse()

    with CaptureQueriesContext(replica) as on_replica:
        run(RequestFactory().get("/cases/"), reads)
    assert len(on_replica) == 0


def test_an_investigators_case_list_reads_cases_from_the_replica(replica, client, investigator):
    case = make_case()
    grant_case_access(investigator, case)
    client.force_login(investigator)

    with CaptureQueriesContext(replica) as on_replica:
        response = client.get("/cases/")

    assert response.status_code == 200
    assert case.reference in response.content.decode()
    assert any('"cases_case"' in query["sql"] for query in on_replica.captured_queries)
    assert not any('"django_session"' in query["sql"] for query in on_replica.captured_queries)


def test_without_a_replica_nothing_is_routed_or_pinned(transactional_db):
    make_case()
    response = run(RequestFactory().post("/cases/"), count_cases)
    assert response.content == b"1"
    assert PIN_COOKIE not in response.cookies
    assert REPLICA_DATABASE not in connections.settings


@pytest.fixture
def dead_replica(transactional_db, settings):
    """A replica alias on a port nothing listens on. Only the router's settings name it: the
    connection is handed over directly, so the test case's guard treats it as its own."""
    dead = {**connections["default"].settings_dict, "PORT": "9", "HOST": "127.0.0.1"}
    dead["OPTIONS"] = {**dead.get("OPTIONS", {}), "connect_timeout": 2}
    settings.DATABASES = {**settings.DATABASES, REPLICA_DATABASE: dead}
    replica = connections.create_connection("default")
    replica.settings_dict, replica.alias = dead, REPLICA_DATABASE
    setattr(connections._connections, REPLICA_DATABASE, replica)
    yield replica
    replica.close()
    delattr(connections._connections, REPLICA_DATABASE)


def test_a_replica_that_does_not_answer_leaves_the_page_on_the_primary(dead_replica):
    make_case()
    response = run(RequestFactory().get("/cases/"), count_cases)
    assert response.content == b"1"


def test_healthz_reports_the_replica_without_failing_for_it(dead_replica, client):
    response = client.get("/healthz")
    assert response.json()["replica"] == "unavailable"
    assert response.json()["database"] == "ok"
    assert response.status_code == 200


def test_healthz_reports_a_replica_that_answers(replica, client):
    assert client.get("/healthz").json()["replica"] == "ok"
