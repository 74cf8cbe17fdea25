"""Schemathesis against the served OpenAPI schema, as each persona would call the API.

Every operation is tried with inputs the schema allows (positive) and inputs it forbids
(negative), through Django's own WSGI handler on the test's database connection (no
network). Path parameters are drawn from real references the persona may and may not see,
so the case detail and event routes are exercised beyond 404. Each answer must be no
server error, a documented status code and content type, and a body matching the schema.

The run is bounded and seeded: MAX_EXAMPLES inputs per operation and mode from a fixed
seed, so CI tries the same inputs every time; three personas take one to two minutes on two
shared cores. FUZZ_MAX_EXAMPLES and FUZZ_SEED search deeper or elsewhere.
"""

import datetime
import json
import os
import time
import traceback
from contextlib import contextmanager

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.test import Client, TestCase
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cases.permissions import grant_case_access
from cases.services.findings import finding_create
from cases.services.inquiries import inquiry_create
from tests.factories import LiaisonRecordFactory, make_case, make_followup

pytestmark = pytest.mark.django_db

# CI's bound; FUZZ_MAX_EXAMPLES and FUZZ_SEED let a developer search deeper or elsewhere.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "30"))
SEED = int(os.environ.get("FUZZ_SEED", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


@contextmanager
def wsgi_app(tally):
    """Django's WSGI handler answering on the test's connection, as django.test.Client does.

    Outside a test, every request opens and closes its database connection; here that
    would end the test's transaction, so the two signal receivers are off for the run.
    A server error's traceback is kept in the tally, so a failure says where it broke.
    """

    def keep_traceback(sender, **kwargs):
        text = traceback.format_exc()
        tally.server_errors.setdefault(text.strip().splitlines()[-1], []).append(text)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(keep_traceback)
    try:
        yield WSGIHandler()
    finally:
        got_request_exception.disconnect(keep_traceback)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def session_of(user) -> tuple[dict, dict]:
    """A signed-in session's cookies and the CSRF header its writes need, for a raw client."""
    client = Client()
    client.force_login(user)
    request = HttpRequest()
    token = get_token(request)
    cookies = {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: request.META["CSRF_COOKIE"],
    }
    return cookies, {"X-CSRFToken": token}


def load_schema(user) -> schemathesis.BaseSchema:
    """The schema as the API serves it to a signed-in caller."""
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200, response.status_code
    # Credentials are the persona's session, never generated ones (which would be refused).
    config = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})
    return schemathesis.openapi.from_dict(json.loads(response.content), config=config)


def fuzz(*, user, tally, references, records=()) -> None:
    """Try every operation as `user`; count what was sent and collect what failed.

    `records` are path parameters naming real records on a case ({"reference", "id"}: a line
    of inquiry, a finding), so the routes of one record are exercised beyond 404 too.
    """
    schema = load_schema(user)
    cookies, headers = session_of(user)
    started = time.monotonic()
    with wsgi_app(tally) as app:
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in MODES:
                strategy = operation.as_strategy(generation_mode=mode)
                names = {p.name for p in operation.path_parameters}
                fixed = [{"reference": ref} for ref in references] if "reference" in names else []
                if names == {"reference", "id"}:
                    fixed += list(records)
                if fixed:
                    strategy = st.one_of(
                        strategy,
                        *(
                            operation.as_strategy(generation_mode=mode, path_parameters=values)
                            for values in fixed
                        ),
                    )
                try:
                    run_operation(operation, strategy, app, cookies, headers, tally)
                # Every failure is collected (Schemathesis raises a group), then reported at once.
                except (Exception, BaseExceptionGroup) as error:
                    tally.failures.append(f"{operation.label} [{mode.value}]: {error}")
    tally.seconds = time.monotonic() - started


def run_operation(operation, strategy, app, cookies, headers, tally) -> None:
    @seed(SEED)
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        derandomize=False,  # the fixed seed decides the inputs, so FUZZ_SEED matters
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def attempt(case):
        # Each input sees the same data: its writes (and what they set off after commit,
        # such as liaison follow-ups) run, then roll back to a savepoint.
        with transaction.atomic():
            with TestCase.captureOnCommitCallbacks(execute=True):
                response = case.call(app=app, cookies=cookies, headers=headers)
            transaction.set_rollback(True)
        tally.counted(operation.label, response.status_code)
        case.validate_response(response, checks=CHECKS)

    attempt()


@pytest.fixture(autouse=True)
def _throttles_lifted(settings):
    """A run sends hundreds of requests as one user within a minute: the throttles still run,
    at a rate the run cannot reach, so it tests the inputs rather than the rate limit."""
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES") or {}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates, "1000000/hour"),
    }


@pytest.fixture
def seeded_world(investigator, other_investigator, liaison_officer):
    """Cases with victims, liaison records and follow-ups: the investigator's and another's."""
    own = make_case(victims=2, offences=("rape", "sexual_assault"))
    grant_case_access(investigator, own)
    theirs = make_case(victims=1)
    grant_case_access(other_investigator, theirs)
    today = datetime.date.today()
    for case in (own, theirs):
        for party in case.parties.filter(role="victim"):
            record = LiaisonRecordFactory(party=party, officer=liaison_officer)
            make_followup(record, due_on=today + datetime.timedelta(days=3))
            make_followup(record, due_on=today - datetime.timedelta(days=2))
    # A line of inquiry and a finding on each case, for the API's routes of one record.
    records = []
    for case, user in ((own, investigator), (theirs, other_investigator)):
        finding = finding_create(
            case=case, by=user, category="other", description="Synthetic", severity="low"
        )
        inquiry = inquiry_create(case=case, by=user, description="Synthetic", origin="review")
        records += [{"reference": case.reference, "id": r.pk} for r in (finding, inquiry)]
    return {"own": own, "theirs": theirs, "records": records}


def references_for(world) -> list[str]:
    return [world["own"].reference, world["theirs"].reference, "BP-999999"]


def assert_clean(tally) -> None:
    assert tally.inputs >= MAX_EXAMPLES * 2, tally.line()
    server_errors = [tracebacks[0] for tracebacks in tally.server_errors.values()]
    assert not tally.failures, "\n\n".join(tally.failures + server_errors)


def test_fuzzing_the_api_as_a_seeded_investigator_finds_nothing(
    investigator, seeded_world, fuzz_tally
):
    tally = fuzz_tally("investigator")
    fuzz(
        user=investigator,
        tally=tally,
        references=references_for(seeded_world),
        records=seeded_world["records"],
    )
    assert_clean(tally)


def test_fuzzing_the_api_as_the_victims_liaison_officer_finds_nothing(
    liaison_officer, seeded_world, fuzz_tally
):
    tally = fuzz_tally("liaison officer")
    fuzz(
        user=liaison_officer,
        tally=tally,
        references=references_for(seeded_world),
        records=seeded_world["records"],
    )
    assert_clean(tally)


def test_fuzzing_the_api_as_an_administrator_finds_nothing(admin_user, seeded_world, fuzz_tally):
    tally = fuzz_tally("administrator")
    fuzz(
        user=admin_user,
        tally=tally,
        references=references_for(seeded_world),
        records=seeded_world["records"],
    )
    assert_clean(tally)
