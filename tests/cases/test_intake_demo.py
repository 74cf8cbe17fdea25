"""The demo data comes in through the referral import, and the demo investigator sees a few."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from beaconport.demo import DEMO_REFERRALS
from cases.models import Case, Team
from cases.permissions import cases_visible_to

pytestmark = pytest.mark.django_db


def seed(tmp_path) -> str:
    out = io.StringIO()
    call_command("seed_demo", logins_file=str(tmp_path / "logins.txt"), stdout=out)
    return out.getvalue()


def test_the_demo_seed_imports_referrals_and_the_investigator_sees_only_theirs(
    tmp_path, settings, other_investigator, filesystem_documents
):
    settings.VAR_DIR = tmp_path
    output = seed(tmp_path)

    assert f"{DEMO_REFERRALS} created" in output
    assert "2 synthetic documents added" in output
    assert (tmp_path / "demo-referrals.json").is_file()
    assert Case.objects.count() == DEMO_REFERRALS
    investigator = get_user_model().objects.get(username="investigator")
    visible = cases_visible_to(investigator)
    assert visible.count() == 6
    assert set(visible.values_list("priority", flat=True)) == {"P1", "P3"}
    assert set(visible.values_list("eligibility", flat=True)) == {
        "eligible",
        "unknown",
        "ineligible",
    }
    assert cases_visible_to(other_investigator).count() == 0
    # The demo team covers the demo's forces, so its review lead sees every demo case; the
    # national lead sees them too, as a lead; the administrator (a superuser) sees none.
    lead = get_user_model().objects.get(username="review.lead")
    assert cases_visible_to(lead).count() == DEMO_REFERRALS
    team = Team.objects.get(name="Demo team")
    assert set(team.members.values_list("username", flat=True)) == {
        "investigator",
        "review.lead",
        "liaison.officer",
        "liaison.lead",
    }
    national = get_user_model().objects.get(username="national.lead")
    assert cases_visible_to(national).count() == DEMO_REFERRALS
    assert "national.lead" in output
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and cases_visible_to(admin).count() == 0


def test_seeding_the_demo_twice_adds_nothing_and_still_prints_the_logins(
    tmp_path, settings, filesystem_documents
):
    settings.VAR_DIR = tmp_path
    seed(tmp_path)
    investigator = get_user_model().objects.get(username="investigator")
    assigned = set(cases_visible_to(investigator).values_list("pk", flat=True))

    output = seed(tmp_path)

    assert f"0 created, 0 updated, {DEMO_REFERRALS} unchanged" in output
    assert "investigator" in output and "review.lead" in output
    assert Case.objects.count() == DEMO_REFERRALS
    assert set(cases_visible_to(investigator).values_list("pk", flat=True)) == assigned


@pytest.mark.django_db(transaction=True)
def test_the_demo_liaison_officer_keeps_the_victims_of_the_investigators_cases(
    tmp_path, settings, filesystem_documents
):
    # Committed for real: liaison opens victims' records when the import commits.
    from liaison.permissions import records_visible_to

    settings.VAR_DIR = tmp_path
    output = seed(tmp_path)

    User = get_user_model()
    officer = User.objects.get(username="liaison.officer")
    cases = set(
        cases_visible_to(User.objects.get(username="investigator")).values_list("pk", flat=True)
    )
    records = records_visible_to(officer)
    assert records.exists()
    assert set(records.values_list("case_id", flat=True)) <= cases
    assert f"keeps {records.count()} more victims' records" in output
    # The demo's investigative events leave the officer follow-ups to work on.
    from liaison.models import FollowUp

    assert FollowUp.objects.filter(record__in=records, status="open").count() >= 2
    assert "auditor" in output
