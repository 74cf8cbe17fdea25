"""Events reported through the API open follow-ups due when an independent count says.

The count is the working-day tests' reference count, written from the Victims' Code wording
and not from liaison.workdays: start on the working day after the event, skip weekends and
the England and Wales bank holidays published on gov.uk (typed in by hand), due at the end
of the last day.
"""

import datetime

import pytest
from rest_framework.test import APIClient

from cases.permissions import grant_case_access
from liaison.models import FollowUp
from liaison.services import enhanced_rights_set
from tests.factories import make_case
from tests.liaison.helpers import announce_victims
from tests.liaison.test_workdays import reference_add

pytestmark = pytest.mark.django_db
D = datetime.date

EVENTS = [
    ("arrest", D(2025, 8, 22)),  # Friday before the August bank holiday
    ("charge", D(2025, 12, 24)),  # Christmas Eve: Christmas, Boxing Day, a weekend
    ("released_without_charge", D(2025, 12, 31)),  # over New Year's Day
    ("bail_or_rui", D(2026, 4, 2)),  # Thursday before Good Friday and Easter Monday
    ("interview_under_caution", D(2026, 5, 22)),  # Friday before the spring bank holiday
    ("decision_not_to_investigate", D(2026, 3, 11)),  # an ordinary Wednesday
]


@pytest.mark.parametrize(("event_type", "occurred_on"), EVENTS)
def test_an_event_reported_through_the_api_is_due_when_the_independent_count_says(
    investigator, liaison_lead, django_capture_on_commit_callbacks, event_type, occurred_on
):
    case = make_case(victims=2)
    grant_case_access(investigator, case)
    enhanced, standard = announce_victims(case)
    enhanced_rights_set(
        record=standard, by=liaison_lead, enhanced=False, reason="Adult victim, declined"
    )
    api = APIClient()
    api.force_login(investigator)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/cases/{case.reference}/events/",
            {"type": event_type, "occurred_on": occurred_on.isoformat()},
            format="json",
        )

    assert response.status_code == 201, response.content
    opened = {f.record_id: f for f in FollowUp.objects.filter(case=case)}
    assert set(opened) == {enhanced.pk, standard.pk}
    assert opened[enhanced.pk].due_on == reference_add(occurred_on, 1)
    assert opened[standard.pk].due_on == reference_add(occurred_on, 5)
