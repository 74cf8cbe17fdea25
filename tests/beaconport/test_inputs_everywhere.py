"""Every date and every text that a person can type, in every form and API write, is held to
beaconport.inputs: a far-future or a year-1 date is refused with 400 naming the field and
nothing written, and no text field is uncapped.

The forms and serializers are found by walking the project's modules, so a date field or a
text field added later without the shared rule fails here, and so does a date field of a
form that `DATE_ROUTES` does not say how to post.
"""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from beaconport import inputs
from beaconport.audit.models import AuditEvent, Operation
from beaconport.audit.permissions import AUDITOR_GROUP
from cases.models import (
    Case,
    CaseParty,
    Finding,
    InvestigativeEvent,
    LineOfInquiry,
    Person,
    SuspectFlag,
)
from cases.permissions import grant_case_access
from liaison import services as liaison_services
from liaison.forms import period_token
from liaison.models import (
    Consent,
    Contact,
    DoNotContact,
    FollowUp,
    LiaisonRecord,
    Message,
    NeedsAssessment,
    ReviewRequest,
    SafetyPlan,
    SupportReferral,
)
from tests.cases.helpers import give_reason_for_names
from tests.factories import make_case
from tests.liaison.test_views_setup import contact_post, days_from_today, record_for

PACKAGES = ("beaconport", "cases", "liaison")
FAR_DATES = ("9999-12-31", "2101-01-01", "0001-01-01")
FAR_DATETIMES = ("9999-12-31T10:00", "2101-01-01T10:00", "0001-01-01T10:00")


def _project_modules(suffix: str):
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if info.name.rsplit(".", 1)[-1].endswith(suffix) and ".migrations" not in info.name:
                yield importlib.import_module(info.name)


def _classes(suffix: str, base: type) -> list[type]:
    found = {}
    for module in _project_modules(suffix):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__.startswith(PACKAGES):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[name] for name in sorted(found)]


FORMS = _classes("forms", forms.BaseForm)
SERIALIZERS = _classes("serializers", serializers.BaseSerializer)


def _form_date_fields():
    for form in FORMS:
        for name, field in form.base_fields.items():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                yield form, name, field


def _label(form, name) -> str:
    return f"{form.__module__}.{form.__qualname__}.{name}"


# --- Static: every field carries the shared rule -------------------------------------------


def test_the_walk_finds_the_forms_and_serializers_it_is_meant_to():
    names = {cls.__name__ for cls in FORMS}
    assert {"CaseEditForm", "PartyAddForm", "ContactForm", "AuditQueryForm"} <= names
    assert "EventSerializer" in {cls.__name__ for cls in SERIALIZERS}


@pytest.mark.parametrize(
    ("form", "name", "field"),
    list(_form_date_fields()),
    ids=[_label(form, name) for form, name, _ in _form_date_fields()],
)
def test_every_form_date_field_refuses_far_future_and_year_one(form, name, field):
    assert isinstance(field, inputs.PlausibleDateField | inputs.PlausibleDateTimeField), (
        f"{_label(form, name)} is a plain {type(field).__name__}: use beaconport.inputs"
    )
    values = FAR_DATETIMES if isinstance(field, forms.DateTimeField) else FAR_DATES
    for value in values:
        with pytest.raises(forms.ValidationError):
            field.clean(value)


def test_every_form_text_field_is_capped_at_the_one_cap():
    uncapped = [
        _label(form, name)
        for form in FORMS
        for name, field in form.base_fields.items()
        if isinstance(field, forms.CharField)
        and (field.max_length is None or field.max_length > inputs.TEXT_MAX_LENGTH)
    ]
    assert uncapped == []


# Serializers that only describe answers (the schema of a nested object); nothing is written
# through them.
OUTPUT_ONLY = {"CriterionSerializer", "CriteriaSerializer"}


def _writable_fields(serializer_class):
    if serializer_class.__name__ in OUTPUT_ONLY:
        return
    try:
        fields = serializer_class().fields
    except Exception:
        return
    for name, field in fields.items():
        if not field.read_only:
            yield name, field


def test_every_api_date_is_under_a_rule_and_every_api_text_is_capped():
    plain_dates, uncapped = [], []
    for serializer_class in SERIALIZERS:
        for name, field in _writable_fields(serializer_class):
            label = f"{serializer_class.__name__}.{name}"
            if isinstance(field, serializers.DateField | serializers.DateTimeField):
                if not isinstance(field, inputs.PlausibleDateSerializerField):
                    plain_dates.append(label)
                else:
                    for value in FAR_DATES:
                        with pytest.raises(serializers.ValidationError):
                            field.run_validation(value)
            is_text = isinstance(field, serializers.CharField)
            if is_text and (field.max_length is None or field.max_length > inputs.TEXT_MAX_LENGTH):
                uncapped.append(label)
    assert (plain_dates, uncapped) == ([], [])


# --- Through the pages and the API: 400 naming the field, nothing written ------------------


@pytest.fixture
def world(db, investigator, liaison_officer, review_lead, make_user):
    case = make_case(summary="Synthetic case for the input rules.")
    grant_case_access(investigator, case)
    inquiry = LineOfInquiry.objects.create(
        case=case, description="Trace the phone.", origin="review", created_by=investigator
    )
    # A written channel preferred, so a message can be drafted in it.
    record = record_for(liaison_officer, channels=["text", "letter"])
    period = DoNotContact.objects.create(
        record=record,
        starts_on=days_from_today(-1),
        reason="In hospital (synthetic)",
        created_by=liaison_officer,
    )
    auditor = make_user("inputs.auditor")
    auditor.groups.add(Group.objects.get(name=AUDITOR_GROUP))
    # Issue 13's rows on the officer's record, each made by its feature's service: a Right
    # to Review request (of the original decision), consent to share information and a
    # ChISVA referral relying on it, a safety plan, and a draft message (synthetic).
    by = liaison_officer
    review_request = liaison_services.review_request_record(
        record=record,
        by=by,
        received_on=days_from_today(-2),
        channel="letter",
        challenged=None,
        challenged_decision="The decision to take no further action (synthetic).",
        challenged_on=days_from_today(-20),
    )
    consent = liaison_services.consent_record(
        record=record,
        by=by,
        kind="information_sharing",
        scope="Synthetic: name and phone shared with the ChISVA service",
        given_on=days_from_today(-3),
        how="in_person",
    )
    referral = liaison_services.support_referral_create(
        record=record,
        by=by,
        service="chisva",
        organisation="",
        consent=consent,
        agreed_on=days_from_today(-1),
    )
    safety_plan = liaison_services.safety_plan_save(
        record=record, by=by, risk_level="medium", plan="Synthetic plan: call the carer first."
    )
    message = liaison_services.message_draft(
        record=record, by=by, body="The review of your case is still going on (synthetic)."
    )
    return {
        "case": case,
        "inquiry": inquiry,
        "record": record,
        "period": period,
        "review_request": review_request,
        "consent": consent,
        "support_referral": referral,
        "safety_plan": safety_plan,
        "message": message,
        "investigator": investigator,
        "review_lead": review_lead,
        "liaison_officer": liaison_officer,
        "auditor": auditor,
        "make_user": make_user,
    }


def _case_url(world, name, *args):
    return reverse(f"cases:{name}", args=[world["case"].reference, *args])


def _case_edit(world):
    case = world["case"]
    data = {
        "version": case.version,
        "summary": case.summary,
        "offence_start": "2012-01-01",
        "offence_end": "2013-01-01",
        "decision_outcome": case.decision_outcome,
        "decision_on": "2015-06-01",
        "decision_by": case.decision_by,
        "decision_outcome_code": "",
        "decision_rationale": "",
        "independently_reviewed": "",
    }
    return "investigator", _case_url(world, "edit"), data


def _assign(world):
    from cases.models import Team

    team = Team.objects.create(name="Synthetic team for the input rules")
    team.forces.add(world["case"].force)
    team.members.add(world["review_lead"], world["investigator"])
    data = {"investigator": str(world["investigator"].pk), "reason": "Synthetic reason."}
    return "review_lead", _case_url(world, "assign"), data


def _party_add(world):
    data = {"role": "witness", "ref": "", "surname": "Synthetic", "gender": "unknown"}
    return "investigator", _case_url(world, "party_add"), data


def _person_edit(world):
    person = world["case"].parties.get(ref="V1").person
    data = {
        "version": person.version,
        "surname": "Synthetic",
        "forenames": "",
        "gender": "unknown",
        "ethnicity": "",
        "ethnicity_source": "",
    }
    return "investigator+names", _case_url(world, "person_edit", "V1"), data


def _inquiry_add(world):
    data = {"description": "Trace the van.", "origin": "review", "allocated_to": ""}
    return "investigator", _case_url(world, "inquiry_add"), data


def _inquiry_edit(world):
    inquiry = world["inquiry"]
    data = {
        "description": inquiry.description,
        "origin": "review",
        "allocated_to": "",
        "status": inquiry.status,
        "rationale": "",
        "result": "",
        "version": inquiry.version,
    }
    return "investigator", _case_url(world, "inquiry_edit", inquiry.pk), data


def _finding_add(world):
    data = {
        "category": "line_not_followed",
        "description": "Phone records identified, never requested.",
        "severity": "high",
        "raise_inquiry": "Request the phone records.",
        "allocate_to": "",
    }
    return "investigator", _case_url(world, "finding_add"), data


def _flag_add(world):
    data = {"kind": "dangerous", "reason": "Recent conviction (synthetic).", "basis": "fact"}
    return "investigator", _case_url(world, "flag_add", "S1"), data


def _event_add(world):
    data = {"type": "arrest", "occurred_on": "2025-08-22", "notes": ""}
    return "investigator", _case_url(world, "event_add"), data


def _contact_create(world):
    data = contact_post()
    url = reverse("liaison:contact_create", args=[world["record"].pk])
    return "liaison_officer", url, data


def _followup_create(world):
    data = {"due_on": days_from_today(10).isoformat(), "reason": "Call back", "suggested_at": ""}
    return "liaison_officer", reverse("liaison:followup_create", args=[world["record"].pk]), data


def _do_not_contact_add(world):
    data = {
        "starts_on": days_from_today(1).isoformat(),
        "ends_on": days_from_today(10).isoformat(),
        "reason": "In hospital (synthetic)",
    }
    url = reverse("liaison:do_not_contact_add", args=[world["record"].pk])
    return "liaison_officer", url, data


def _do_not_contact_end(world):
    period = world["period"]
    data = {"version": period_token(period), "ends_on": days_from_today(3).isoformat()}
    return "liaison_officer", reverse("liaison:do_not_contact_end", args=[period.pk]), data


def _liaison_assign(world):
    from beaconport.roles import Role
    from cases.models import Team

    record = world["record"]
    lead = world["make_user"]("inputs.liaisonlead", Role.LIAISON_LEAD)
    team = Team.objects.create(name="Synthetic liaison team for the input rules")
    team.forces.add(record.case.force)
    team.members.add(lead, world["liaison_officer"])
    world["liaison_lead"] = lead
    data = {
        "officer": str(world["liaison_officer"].pk),
        "version": str(record.version),
        "reason": "Synthetic reason.",
        "until": days_from_today(10).isoformat(),
    }
    return "liaison_lead", reverse("liaison:record_assign", args=[record.pk]), data


def _liaison_bulk_assign(world):
    """The lead's workspace assigns the ticked victims with one control (prefix "assign")."""
    who, _, data = _liaison_assign(world)
    data = {f"assign-{name}": value for name, value in data.items() if name != "version"}
    data["assign-records"] = [str(world["record"].pk)]
    return who, reverse("liaison:team"), data, "assign"


def _correspondence_add(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "file": SimpleUploadedFile("letter.txt", b"A letter (synthetic).", "text/plain"),
        "direction": "from_victim",
        "title": "A letter",
    }
    url = reverse("liaison:correspondence_add", args=[world["record"].pk])
    return "liaison_officer", url, data


def _audit_export(world):
    data = {
        "subject": "case",
        "value": world["case"].reference,
        "recipient": "Synthetic recipient",
        "purpose": "Synthetic purpose",
    }
    return "auditor", reverse("audit:export"), data


def _record_url(world, name):
    return reverse(f"liaison:{name}", args=[world["record"].pk])


def _review_request_create(world):
    data = {
        "received_on": days_from_today(-1).isoformat(),
        "channel": "email",
        "challenged": "",
        "challenged_decision": "The decision to take no further action (synthetic).",
        "challenged_on": days_from_today(-10).isoformat(),
        "late_note": "",
    }
    return "liaison_officer", _record_url(world, "review_request_create"), data


def _review_request_url(world, action):
    return reverse(f"liaison:review_request_{action}", args=[world["review_request"].pk])


def _review_request_acknowledge(world):
    """The request's page holds several forms, each with its prefix."""
    data = {
        "acknowledge-version": str(world["review_request"].version),
        "acknowledge-acknowledged_on": days_from_today(0).isoformat(),
        "acknowledge-late_reason": "",
    }
    return "liaison_officer", _review_request_url(world, "acknowledge"), data, "acknowledge"


def _review_request_delay(world):
    data = {
        "delay-version": str(world["review_request"].version),
        "delay-reason": "The case file is with the CPS (synthetic).",
        "delay-told_on": days_from_today(0).isoformat(),
    }
    return "liaison_officer", _review_request_url(world, "delay"), data, "delay"


def _consent_create(world):
    data = {
        "kind": "contact",
        "scope": "Synthetic: calls and letters from the review",
        "given_on": days_from_today(0).isoformat(),
        "how": "phone",
    }
    return "liaison_officer", _record_url(world, "consent_create"), data


def _consent_withdraw(world):
    consent = world["consent"]
    data = {
        "version": str(consent.version),
        "withdrawn_on": days_from_today(0).isoformat(),
        "reason": "They want a break from it all (synthetic).",
    }
    return "liaison_officer", reverse("liaison:consent_withdraw", args=[consent.pk]), data


def _support_referral_create(world):
    data = {
        "service": "isva",
        "organisation": "",
        "consent": str(world["consent"].pk),
        "agreed_on": days_from_today(0).isoformat(),
    }
    return "liaison_officer", _record_url(world, "support_referral_create"), data


def _referral_url(world, name):
    return reverse(f"liaison:{name}", args=[world["support_referral"].pk])


def _support_referral_made(world):
    data = {
        "version": str(world["support_referral"].version),
        "referred_on": days_from_today(0).isoformat(),
        "late_reason": "",
    }
    return "liaison_officer", _referral_url(world, "support_referral_made"), data


def _support_referral_outcome(world):
    data = {
        "version": str(world["support_referral"].version),
        "outcome": "declined_by_victim",  # the service's answers need the referral made
        "outcome_on": days_from_today(0).isoformat(),
        "outcome_notes": "",
    }
    return "liaison_officer", _referral_url(world, "support_referral_outcome"), data


def _needs_edit(world):
    """No assessment yet: the form carries no version."""
    data = {
        "version": "",
        "communication_needs": "Short sentences; no jargon (synthetic).",
        "interpreter_language": "",
        "accessibility_needs": "",
        "special_measures": ["screens"],
        "contact_person": "",
        "contact_person_details": "",
        "assessed_on": days_from_today(0).isoformat(),
    }
    return "liaison_officer", _record_url(world, "needs_edit"), data


def _safety_plan_review(world):
    data = {
        "version": str(world["safety_plan"].version),
        "reviewed_on": days_from_today(0).isoformat(),
    }
    return "liaison_officer", _record_url(world, "safety_plan_review"), data


def _message_mark_sent(world):
    message = world["message"]
    data = {"version": str(message.version), "sent_on": days_from_today(0).isoformat()}
    return "liaison_officer", reverse("liaison:message_mark_sent", args=[message.pk]), data


# Right to Review requests, consent and support, needs and safety, messages.
ISSUE_13_ROUTES = (
    _review_request_create,
    _review_request_acknowledge,
    _review_request_delay,
    _consent_create,
    _consent_withdraw,
    _support_referral_create,
    _support_referral_made,
    _support_referral_outcome,
    _needs_edit,
    _safety_plan_review,
    _message_mark_sent,
)


# (form, date field) -> how to post it. The page answers 400 with the form as "form"
# (the audit download: "export_form").
DATE_ROUTES = {
    "cases.forms.CaseEditForm": _case_edit,
    "cases.forms.AssignForm": _assign,
    "cases.forms.PartyAddForm": _party_add,
    "cases.forms.PersonEditForm": _person_edit,
    "cases.forms.InquiryCreateForm": _inquiry_add,
    "cases.forms.InquiryEditForm": _inquiry_edit,
    "cases.forms.FindingCreateForm": _finding_add,
    "cases.forms.FlagForm": _flag_add,
    "cases.forms.EventForm": _event_add,
    "liaison.forms.ContactForm": _contact_create,
    "liaison.forms.FollowUpForm": _followup_create,
    "liaison.forms.DoNotContactForm": _do_not_contact_add,
    "liaison.forms.DoNotContactEndForm": _do_not_contact_end,
    "liaison.forms.AssignForm": _liaison_assign,
    "liaison.views.team_forms.BulkAssignForm": _liaison_bulk_assign,
    "beaconport.audit.forms.AuditExportForm": _audit_export,
    "liaison.correspondence_forms.CorrespondenceForm": _correspondence_add,
    # Issue 13: Right to Review requests, consent and support, needs and safety, messages
    # (ISSUE_13_ROUTES below).
    "liaison.review_request_forms.ReviewRequestForm": _review_request_create,
    "liaison.review_request_forms.AcknowledgeForm": _review_request_acknowledge,
    "liaison.review_request_forms.DelayForm": _review_request_delay,
    "liaison.support_forms.ConsentForm": _consent_create,
    "liaison.support_forms.ConsentWithdrawForm": _consent_withdraw,
    "liaison.support_forms.SupportReferralForm": _support_referral_create,
    "liaison.support_forms.ReferralMadeForm": _support_referral_made,
    "liaison.support_forms.ReferralOutcomeForm": _support_referral_outcome,
    "liaison.safety_forms.NeedsAssessmentForm": _needs_edit,
    "liaison.safety_forms.SafetyReviewForm": _safety_plan_review,
    "liaison.message_forms.MessageSentForm": _message_mark_sent,
}
ISSUE_13_FORMS = [key for key, how in DATE_ROUTES.items() if how in ISSUE_13_ROUTES]
# Forms with date fields that no page posts as such: base classes, and the auditor's GET
# filters (a far date there is a form error on a 200 page: tests/audit/test_search_inputs.py).
NOT_POSTED = {
    "cases.forms.PersonFieldsMixin",
    "cases.forms.InquiryForm",
    "beaconport.audit.forms.AuditQueryForm",
    "beaconport.audit.forms.SecurityEventQueryForm",
    # The dashboards' GET filters: a far date is a 400 naming the field (tests/reports).
    "beaconport.reports.forms.ReportFilterForm",
}


def test_every_form_with_a_date_field_is_posted_below():
    with_dates = {f"{form.__module__}.{form.__qualname__}" for form, _, _ in _form_date_fields()}
    assert with_dates - NOT_POSTED - set(DATE_ROUTES) == set()


def _posted_cases():
    for form, name, field in _form_date_fields():
        key = f"{form.__module__}.{form.__qualname__}"
        if key in DATE_ROUTES:
            values = FAR_DATETIMES if isinstance(field, forms.DateTimeField) else FAR_DATES
            for value in values:
                yield pytest.param(key, name, value, id=f"{form.__qualname__}.{name}={value}")


def _written():
    """What a refused post must leave as it was: row counts, versions and period ends.

    The page that shows the errors again also shows the case: that read is logged
    (consult), so audit rows are counted without consults.
    """
    counted = (Case, Person, CaseParty, LineOfInquiry, Finding, SuspectFlag)
    counted += (InvestigativeEvent, Contact, FollowUp, DoNotContact)
    versioned = (Case, Person, LineOfInquiry, LiaisonRecord, ReviewRequest, Consent)
    versioned += (SupportReferral, NeedsAssessment, SafetyPlan, Message)
    return (
        [model.objects.count() for model in counted],
        AuditEvent.objects.exclude(operation=Operation.CONSULT).count(),
        [sorted(model.objects.values_list("pk", "version")) for model in versioned],
        sorted(DoNotContact.objects.values_list("pk", "ends_on")),
        sorted(FollowUp.objects.values_list("pk", "status")),
    )


def _form_by_prefix(context, prefix):
    """The page's form; a page of several forms (a Right to Review request's) holds them by
    prefix in "forms"."""
    forms_shown = context.get("forms")
    if prefix and isinstance(forms_shown, dict) and prefix[0] in forms_shown:
        return forms_shown[prefix[0]]
    return context["form"]


@pytest.mark.parametrize(("form_key", "field", "value"), list(_posted_cases()))
def test_a_far_date_on_every_form_is_refused_with_400_naming_the_field(
    client, world, form_key, field, value
):
    who, url, data, *prefix = DATE_ROUTES[form_key](world)
    posted = f"{prefix[0]}-{field}" if prefix else field
    if who == "investigator+names":
        client.force_login(world["investigator"])
        give_reason_for_names(client, world["case"])
    else:
        client.force_login(world[who])
    before = _written()
    response = client.post(url, {**data, posted: value})
    assert response.status_code == 400
    context = response.context
    form = context.get("export_form") or context.get("assign") or _form_by_prefix(context, prefix)
    assert list(form.errors) == [field], form.errors
    assert _written() == before


@pytest.mark.parametrize("value", FAR_DATES)
def test_a_far_date_through_the_event_api_is_refused_with_400_naming_the_field(world, value):
    api = APIClient()
    api.force_authenticate(world["investigator"])
    url = reverse("api:case-events", args=[world["case"].reference])
    before = _written()
    response = api.post(url, {"type": "arrest", "occurred_on": value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["occurred_on"]
    assert _written() == before


def test_the_control_a_plausible_date_on_the_same_routes_is_saved(client, world):
    """The payloads above are valid but for the date: the same posts with it succeed."""
    client.force_login(world["investigator"])
    who, url, data = _event_add(world)
    assert client.post(url, data).status_code == 302
    who, url, data = _contact_create(world)
    client.force_login(world[who])
    planned = days_from_today(14).isoformat()
    assert client.post(url, {**data, "next_contact_on": planned}).status_code == 302
    assert FollowUp.objects.filter(due_on=planned).exists()
    assert timezone.localdate().isoformat() <= planned


@pytest.mark.parametrize("form_key", ISSUE_13_FORMS)
def test_the_control_each_issue_13_payload_with_its_plausible_date_is_saved(
    client, world, form_key
):
    """The issue 13 payloads above are valid as they stand: posted unchanged, each is saved
    (302) and writes, so their 400s above are the far date's doing alone."""
    who, url, data, *_ = DATE_ROUTES[form_key](world)
    if who == "investigator+names":
        client.force_login(world["investigator"])
        give_reason_for_names(client, world["case"])
    else:
        client.force_login(world[who])
    before = _written()
    response = client.post(url, data)
    assert response.status_code == 302
    assert _written() != before
