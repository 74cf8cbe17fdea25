"""The cases admin: every model is there, computed fields are read-only, writes go through
the services, and a case's grants are managed on guardian's object-permission page."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from beaconport.roles import Role
from cases import models
from cases.permissions import grant_case_access
from cases.services.intake import case_recompute
from tests.factories import make_case

pytestmark = pytest.mark.django_db

CASE_MODELS = [
    models.Force,
    models.Case,
    models.CaseCriterion,
    models.Person,
    models.CaseParty,
    models.Offence,
    models.CaseTransition,
    models.InvestigativeEvent,
    models.LineOfInquiry,
    models.Finding,
    models.SuspectFlag,
]


def admin_url(model, view, *args):
    return reverse(f"admin:cases_{model._meta.model_name}_{view}", args=args)


def give_a_reason(client, url):
    """Person pages ask why before showing a name: give the reason, as a person would."""
    asked = client.get(url)
    assert asked.status_code == 302 and asked["Location"].startswith("/audit/justify/")
    given = client.post(asked["Location"], {"justification": "Admin test: checking a record."})
    assert given.status_code == 302


@pytest.fixture
def case(investigator):
    case = make_case(offences=("rape",))
    case_recompute(case=case)
    grant_case_access(investigator, case)
    case.refresh_from_db()
    models.Finding.objects.create(
        case=case, category="other", description="F.", severity="low", recorded_by=investigator
    )
    models.LineOfInquiry.objects.create(
        case=case, description="L.", origin="review", created_by=investigator
    )
    models.SuspectFlag.objects.create(
        party=case.parties.get(ref="S1"), kind="dangerous", reason="R.", set_by=investigator
    )
    models.InvestigativeEvent.objects.create(
        case=case, type="arrest", occurred_on=datetime.date(2025, 1, 1), recorded_by=investigator
    )
    models.CaseTransition.objects.create(
        case=case, from_status="referred", to_status="triage", by=investigator, reason="M."
    )
    return case


def test_every_cases_model_is_registered():
    registered = {m for m in admin.site._registry if m._meta.app_label == "cases"}
    assert set(CASE_MODELS) <= registered


@pytest.mark.parametrize("model", CASE_MODELS, ids=lambda m: m.__name__)
def test_each_changelist_and_change_page_opens(client, admin_user, case, model, request):
    client.force_login(admin_user)
    assert client.get(admin_url(model, "changelist")).status_code == 200
    obj = model.objects.order_by("pk").last()
    if model in (models.Person, models.CaseParty):
        give_a_reason(client, admin_url(model, "change", obj.pk))
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_computed_fields_of_a_case_are_read_only(rf, admin_user, case):
    model_admin = admin.site._registry[models.Case]
    request = rf.get("/")
    request.user = admin_user
    readonly = set(model_admin.get_readonly_fields(request, case))
    assert {"status", "priority", "eligibility", "version", "eligibility_decision"} <= readonly
    assert "summary" not in readonly


def test_no_case_is_added_or_deleted_in_the_admin(client, admin_user, case):
    client.force_login(admin_user)
    assert client.get(admin_url(models.Case, "add")).status_code == 403
    assert client.get(admin_url(models.Case, "delete", case.pk)).status_code == 403


def _case_edit_data(client, case):
    page = client.get(admin_url(models.Case, "change", case.pk))
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in ((n, form[n].value()) for n in form.fields)
    }
    data.update(
        {
            "decision_on": "2009-06-01",  # before the window: the case leaves scope
            "independently_reviewed": "false",
            # Inline management forms: nothing added or changed.
            "criteria-TOTAL_FORMS": "7",
            "criteria-INITIAL_FORMS": "7",
            "transitions-TOTAL_FORMS": "1",
            "transitions-INITIAL_FORMS": "1",
        }
    )
    for index, criterion in enumerate(case.criteria.order_by("pk")):
        data[f"criteria-{index}-id"] = criterion.pk
        data[f"criteria-{index}-case"] = case.pk
    transition = case.transitions.get()
    data["transitions-0-id"] = transition.pk
    data["transitions-0-case"] = case.pk
    return data


def test_editing_a_case_in_the_admin_goes_through_the_service(client, admin_user, case):
    # Being a superuser is not a way into case data: the administrator edits the facts
    # because they are also a national lead, whom the service lets change any case.
    admin_user.groups.add(Group.objects.get(name=Role.NATIONAL_LEAD.value))
    client.force_login(admin_user)
    data = _case_edit_data(client, case)
    response = client.post(admin_url(models.Case, "change", case.pk), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    case.refresh_from_db()
    assert case.decision_on == datetime.date(2009, 6, 1)
    assert case.version == 2  # the service bumped it
    assert case.eligibility == "ineligible"  # and recomputed eligibility
    assert case.criteria.get(name="decision_window").result == "fail"


def test_an_administrator_without_a_lead_role_cannot_change_a_case_in_the_admin(
    client, admin_user, case
):
    client.force_login(admin_user)
    data = _case_edit_data(client, case)
    response = client.post(admin_url(models.Case, "change", case.pk), data, follow=True)
    assert f"Not saved: You may not edit the case on {case.reference}" in (
        response.content.decode()
    )
    case.refresh_from_db()
    assert case.decision_on != datetime.date(2009, 6, 1)
    assert case.version == 1


def test_a_refused_admin_edit_saves_nothing_and_says_why(client, admin_user, case):
    client.force_login(admin_user)
    party = case.parties.get(ref="V1")
    give_a_reason(client, admin_url(models.CaseParty, "change", party.pk))
    response = client.post(
        admin_url(models.CaseParty, "change", party.pk),
        {"deceased": "true", "interviewed": "unknown", "age_at_first_offence": "14"},
        follow=True,
    )
    assert "Not saved" in response.content.decode()
    party.refresh_from_db()
    assert party.deceased is None
    assert party.version == 1


def test_flags_and_events_are_read_only_in_the_admin(client, admin_user, case):
    client.force_login(admin_user)
    flag = models.SuspectFlag.objects.get()
    response = client.post(admin_url(models.SuspectFlag, "change", flag.pk), {"reason": "x"})
    assert response.status_code == 403
    flag.refresh_from_db()
    assert flag.reason == "R."


def test_case_grants_are_managed_on_guardians_page(client, admin_user, investigator, case):
    client.force_login(admin_user)
    response = client.get(admin_url(models.Case, "permissions", case.pk))
    assert response.status_code == 200
    assert investigator.username in response.content.decode()


@pytest.mark.parametrize("persona", ["investigator", "review_lead", "analyst"])
def test_people_who_are_not_staff_cannot_open_the_cases_admin(client, request, persona, case):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(admin_url(models.Case, "changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
