"""Investigative events: recorded with their date, announced after commit for liaison."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import signals
from cases.models import InvestigativeEvent
from cases.permissions import grant_case_access
from cases.services.errors import ActionNotPermitted
from cases.services.events import event_record
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(investigator):
    case = make_case()
    grant_case_access(investigator, case)
    return case


@pytest.fixture
def events_recorded():
    received = []

    def receiver(sender, **kwargs):
        kwargs.pop("signal", None)
        received.append(kwargs)

    signals.case_event_recorded.connect(receiver, weak=False)
    yield received
    signals.case_event_recorded.disconnect(receiver)


def test_an_arrest_is_recorded_and_announced_after_commit(
    case, investigator, events_recorded, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = event_record(
            case=case, by=investigator, type="arrest", occurred_on=today, notes=" S1 arrested "
        )
        assert events_recorded == []
    assert events_recorded == []
    for callback in callbacks:
        callback()
    assert events_recorded == [
        {"case_id": case.pk, "event_id": event.pk, "event_type": "arrest", "occurred_on": today}
    ]
    event.refresh_from_db()
    assert (event.recorded_by, event.notes) == (investigator, "S1 arrested")


def test_an_event_in_the_past_is_fine(case, investigator):
    event = event_record(
        case=case, by=investigator, type="charge", occurred_on=datetime.date(2024, 2, 29)
    )
    assert event.occurred_on == datetime.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"type": "arrest", "occurred_on": "tomorrow"}, "occurred_on"),
        ({"type": "arrest", "occurred_on": None}, "occurred_on"),
        ({"type": "caution", "occurred_on": datetime.date(2024, 1, 1)}, "type"),
    ],
)
def test_an_event_in_the_future_or_of_no_known_kind_is_refused(
    fields, error_field, case, investigator, events_recorded, django_capture_on_commit_callbacks
):
    if fields["occurred_on"] == "tomorrow":
        # Worked out when the test runs, not when it is collected: a run that
        # crosses midnight would otherwise try today's date as "tomorrow".
        fields = {**fields, "occurred_on": timezone.localdate() + datetime.timedelta(days=1)}
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as e:
        event_record(case=case, by=investigator, **fields)
    assert error_field in e.value.message_dict
    assert not InvestigativeEvent.objects.exists()
    assert events_recorded == []


@pytest.mark.parametrize("persona", ["other_investigator", "liaison_officer", "analyst"])
def test_someone_not_on_the_case_cannot_record_an_event(persona, request, case):
    with pytest.raises(ActionNotPermitted):
        event_record(
            case=case,
            by=request.getfixturevalue(persona),
            type="arrest",
            occurred_on=datetime.date(2024, 1, 1),
        )
    assert not InvestigativeEvent.objects.exists()
