"""`Idempotency-Key` on the API's writes: a retried request writes once and gets the first answer.

Tried on the events route, where the bug was seen (a retried arrest recorded twice), with a
force's token as a force's system would send it.
"""

import datetime
import json
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from beaconport.idempotency import KEY_HEADER, REPLAYED_HEADER, idempotency_records_expire
from beaconport.models import IdempotencyRecord
from beaconport.tasks import sweep_idempotency_records
from cases.models import InvestigativeEvent
from cases.permissions import grant_case_access
from cases.services import events as event_services
from tests.factories import make_case
from tests.worker import wait_for

pytestmark = pytest.mark.django_db

ARREST = {"type": "arrest", "occurred_on": "2025-08-22", "notes": "Arrested at home."}


def events_url(case):
    return reverse("api:case-events", args=[case.reference])


def token_client(user) -> APIClient:
    client = APIClient()
    _, token = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def post(client, url, body, key=None):
    headers = {} if key is None else {KEY_HEADER: key}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def case(investigator):
    case = make_case()
    grant_case_access(investigator, case)
    return case


@pytest.fixture
def api(investigator):
    return token_client(investigator)


def test_the_same_key_twice_writes_once_and_replays_the_first_answer(api, case):
    first = post(api, events_url(case), ARREST, key="force-42-arrest-1")
    again = post(api, events_url(case), ARREST, key="force-42-arrest-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again[REPLAYED_HEADER] == "true"
    assert REPLAYED_HEADER not in first
    assert case.events.count() == 1


def test_a_different_body_under_the_same_key_answers_409_and_writes_nothing(api, case):
    post(api, events_url(case), ARREST, key="k-1")
    response = post(api, events_url(case), {**ARREST, "type": "charge"}, key="k-1")

    assert response.status_code == 409
    assert KEY_HEADER in response.json()["detail"]
    assert list(case.events.values_list("type", flat=True)) == ["arrest"]


def test_the_same_key_on_another_case_answers_409(api, case, investigator):
    other = make_case()
    grant_case_access(investigator, other)
    post(api, events_url(case), ARREST, key="k-1")

    response = post(api, events_url(other), ARREST, key="k-1")

    assert response.status_code == 409
    assert other.events.count() == 0


def test_a_new_key_is_a_new_request(api, case):
    post(api, events_url(case), ARREST, key="k-1")
    response = post(api, events_url(case), {**ARREST, "occurred_on": "2025-08-23"}, key="k-2")
    assert response.status_code == 201
    assert case.events.count() == 2


def test_keys_belong_to_their_caller(api, case, other_investigator):
    theirs = make_case()
    grant_case_access(other_investigator, theirs)
    post(api, events_url(case), ARREST, key="shared-key")

    response = post(token_client(other_investigator), events_url(theirs), ARREST, "shared-key")

    assert response.status_code == 201
    assert REPLAYED_HEADER not in response
    assert theirs.events.count() == 1


@pytest.mark.parametrize(
    "key",
    ["", "x" * 256, "clé-1", " leading-space", "trailing-space ", "tab\there"],
    ids=["empty", "too-long", "not-ascii", "leading-space", "trailing-space", "control"],
)
def test_a_key_that_is_not_printable_ascii_answers_400_naming_the_header(api, case, key):
    response = post(api, events_url(case), ARREST, key=key)
    assert response.status_code == 400
    assert list(response.json()) == [KEY_HEADER]
    assert case.events.count() == 0
    assert not IdempotencyRecord.objects.exists()


def test_keys_of_255_printable_characters_with_inner_spaces_are_taken(api, case):
    key = "a" + " !~" * 84 + "z"
    assert len(key) == 254
    assert post(api, events_url(case), ARREST, key=key + "z").status_code == 201


def test_a_refused_request_keeps_nothing_so_its_key_can_be_used_once_put_right(api, case):
    refused = post(api, events_url(case), {**ARREST, "type": "abduction"}, key="k-1")
    fixed = post(api, events_url(case), ARREST, key="k-1")

    assert refused.status_code == 400
    assert fixed.status_code == 201
    assert REPLAYED_HEADER not in fixed
    assert case.events.count() == 1


def test_an_outsider_replaying_a_key_gets_404_and_keeps_nothing(other_investigator, case):
    response = post(token_client(other_investigator), events_url(case), ARREST, key="k-1")
    assert response.status_code == 404
    assert not IdempotencyRecord.objects.exists()


def test_a_server_error_rolls_the_write_and_the_key_back(api, case, monkeypatch):
    def record_then_fail(**kwargs):
        event_services_event_record(**kwargs)
        raise RuntimeError("the disk is full")

    event_services_event_record = event_services.event_record_once
    monkeypatch.setattr(event_services, "event_record_once", record_then_fail)
    api.raise_request_exception = False

    response = post(api, events_url(case), ARREST, key="k-1")

    assert response.status_code == 500
    assert case.events.count() == 0
    assert not IdempotencyRecord.objects.exists()


def test_an_expired_key_is_a_new_request(api, case, investigator):
    post(api, events_url(case), ARREST, key="k-1")
    old = timezone.now() - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS, minutes=1)
    IdempotencyRecord.objects.update(created_at=old)

    response = post(api, events_url(case), {**ARREST, "type": "charge"}, key="k-1")

    assert response.status_code == 201
    assert IdempotencyRecord.objects.get().created_at > old


def test_the_sweep_forgets_only_records_past_their_hours(api, case):
    post(api, events_url(case), ARREST, key="old")
    post(api, events_url(case), {**ARREST, "type": "charge"}, key="new")
    old = timezone.now() - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS, minutes=1)
    IdempotencyRecord.objects.filter(key="old").update(created_at=old)

    assert sweep_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert idempotency_records_expire() == 0


def test_every_scheduled_sweep_names_a_task_the_workers_have_and_expires_before_its_next_run():
    """A misspelt task name in the schedule is sent every period and dropped by every worker:
    nothing would ever be swept. Each entry must name a registered task and, where it expires,
    expire before the next is sent, so a stopped worker never finds a pile of them (the
    idempotency sweep and the referral batches' resume included)."""
    from beaconport.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
        expires = entry.get("options", {}).get("expires", 0)
        assert expires < entry["schedule"], name


@pytest.fixture
def schema(investigator):
    client = Client()
    client.force_login(investigator)
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_documents_the_key_and_its_409_on_every_write(schema):
    writes = [
        (f"{method.upper()} {path}", operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method in ("post", "put", "patch", "delete")
    ]
    assert any("/events/" in name for name, _ in writes)
    for name, operation in writes:
        headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
        assert [p["name"] for p in headers] == [KEY_HEADER], name
        assert headers[0]["schema"]["maxLength"] == 255, name
        assert "409" in operation["responses"], name


def test_reads_take_no_key(schema):
    for methods in schema["paths"].values():
        for operation in (methods.get("get"), methods.get("head")):
            if operation:
                assert all(p["in"] != "header" for p in operation.get("parameters", []))


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_retry_waits_for_the_first_then_replays_it(investigator, monkeypatch):
    """The retry arrives while the first is still inside its transaction: it waits on the key's
    unique index (seen in pg_stat_activity) and, once the first commits, gets its answer."""
    case = make_case()
    grant_case_access(investigator, case)
    first_wrote = threading.Event()
    second_waits = threading.Event()
    record = event_services.event_record_once

    def record_and_hold(**kwargs):
        event = record(**kwargs)
        if threading.current_thread().name == "first":
            first_wrote.set()
            assert second_waits.wait(60), "the retry never reached the key's lock"
        return event

    monkeypatch.setattr(event_services, "event_record_once", record_and_hold)
    answers = {}

    def send(name):
        try:
            answers[name] = post(token_client(investigator), events_url(case), ARREST, "k-1")
        finally:
            connection.close()

    first = threading.Thread(target=send, args=("first",), name="first")
    second = threading.Thread(target=send, args=("second",), name="second")
    first.start()
    assert first_wrote.wait(60)
    second.start()
    with connection.cursor() as cursor:
        for _ in range(6000):  # until the retry's session waits on a lock (a bound, not a time)
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.01)
        else:
            pytest.fail("the retry did not wait for the first request's key")
    second_waits.set()
    first.join(60)
    second.join(60)

    assert (answers["first"].status_code, answers["second"].status_code) == (201, 201)
    assert answers["second"][REPLAYED_HEADER] == "true"
    assert answers["second"].json() == answers["first"].json()
    assert InvestigativeEvent.objects.filter(case=case).count() == 1
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_sweep_and_forgets_only_the_old_records(
    celery_worker_process, investigator
):
    kept = {"method": "POST", "path": "/api/v1/x/", "request_sha256": "0" * 64, "status_code": 201}
    IdempotencyRecord.objects.create(user=investigator, key="old", **kept)
    IdempotencyRecord.objects.create(user=investigator, key="new", **kept)
    old = timezone.now() - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS, minutes=1)
    IdempotencyRecord.objects.filter(key="old").update(created_at=old)

    sweep_idempotency_records.delay()

    wait_for(lambda: not IdempotencyRecord.objects.filter(key="old").exists())
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert "beaconport.sweep_idempotency_records" in celery_worker_process.log()


def test_a_key_costs_a_write_a_fixed_few_queries(api, case):
    """What a key adds: forget an expired record of the key, insert the new one (in a
    savepoint, so a duplicate can be told apart), then store the answer. A replay checks the
    caller may still change the case, reads the record and stops there: it writes nothing."""

    def queries(body, key=None):
        with CaptureQueriesContext(connection) as captured:
            post(api, events_url(case), body, key=key)
        return [q["sql"] for q in captured]

    plain = queries({**ARREST, "occurred_on": "2025-08-20"})
    keyed = queries({**ARREST, "occurred_on": "2025-08-21"}, key="k-1")
    replay = queries({**ARREST, "occurred_on": "2025-08-21"}, key="k-1")

    # DELETE, SAVEPOINT, INSERT, RELEASE, UPDATE; and, inside a test's transaction, a
    # savepoint and its release for the transaction the write runs in (in production BEGIN
    # and COMMIT, which the write needs anyway).
    assert len(keyed) - len(plain) == 7
    assert len(replay) <= len(plain)
    # Its only INSERT is the key's own, which the unique index refuses (that is how the
    # replay finds the first answer); nothing of the case is written.
    written = [sql for sql in replay if sql.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert [sql for sql in written if "idempotencyrecord" not in sql] == []


def test_a_closed_account_replaying_its_key_is_refused_not_given_the_kept_answer(
    api, case, investigator
):
    assert post(api, events_url(case), ARREST, key="k-1").status_code == 201
    investigator.is_active = False
    investigator.save(update_fields=["is_active"])

    response = post(api, events_url(case), ARREST, key="k-1")

    assert response.status_code in (401, 403)  # authentication fails before the handler
    assert REPLAYED_HEADER not in response
    assert "id" not in response.json()


def test_a_route_that_checks_access_before_a_replay_answers_404_once_access_is_gone(
    api, case, investigator
):
    from cases.permissions import revoke_case_access

    first = post(api, events_url(case), ARREST, key="k-1")
    assert post(api, events_url(case), ARREST, key="k-1")[REPLAYED_HEADER] == "true"
    revoke_case_access(investigator, case)

    response = post(api, events_url(case), ARREST, key="k-1")

    assert response.status_code == 404
    assert REPLAYED_HEADER not in response
    assert str(first.json()["id"]) not in response.content.decode()
    assert IdempotencyRecord.objects.count() == 1  # kept: access given back, the key replays


def test_json_with_its_keys_reordered_is_another_request_under_the_same_key(api, case):
    post(api, events_url(case), ARREST, key="k-1")
    reordered = dict(reversed(list(ARREST.items())))

    response = post(api, events_url(case), reordered, key="k-1")

    assert response.status_code == 409
    assert case.events.count() == 1


def test_a_line_of_inquiry_written_by_a_case_taken_away_since_is_not_replayed(
    api, case, investigator
):
    from cases.permissions import revoke_case_access

    url = reverse("api:case-inquiry-list", args=[case.reference])
    body = {"description": "Trace the car seen at 22:10 (synthetic).", "origin": "review"}
    first = post(api, url, body, key="loi-1")
    assert first.status_code == 201, first.content
    revoke_case_access(investigator, case)

    response = post(api, url, body, key="loi-1")

    assert response.status_code == 404
    assert REPLAYED_HEADER not in response
    assert first.json()["description"] not in response.content.decode()
