"""The demo shows issue 13: a review that upheld NFA legally, the victim's Right to Review
request on it, consent, a ChISVA referral, needs, safety, a message from a template, a
decision log entry and victims for the liaison lead to assign; each made through its
service (audited by the seed command) and none of it twice."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from beaconport.audit.models import AuditEvent, Operation
from cases.models import CaseTransition, DecisionLogEntry
from cases.vocabulary import OPEN_INQUIRY, CaseStatus
from liaison.models import (
    Consent,
    ConsentKind,
    LiaisonRecord,
    Message,
    MessageStatus,
    NeedsAssessment,
    ReviewRequest,
    SafetyPlan,
    SupportReferral,
    SupportService,
)
from liaison.permissions import records_visible_to

KINDS = (
    ReviewRequest,
    Consent,
    SupportReferral,
    NeedsAssessment,
    SafetyPlan,
    Message,
    DecisionLogEntry,
)


def seed(tmp_path) -> str:
    out = io.StringIO()
    call_command("seed_demo", logins_file=str(tmp_path / "logins.txt"), stdout=out)
    return out.getvalue()


def collected_by_the_seed(obj) -> AuditEvent | None:
    return AuditEvent.objects.filter(
        operation=Operation.COLLECT,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        source="command:seed_demo",
    ).first()


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in KINDS} | {
        "transitions": CaseTransition.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.django_db(transaction=True)
def test_the_demo_holds_each_victims_right_and_a_review_upheld_legally_once_only(
    tmp_path, settings, filesystem_documents
):
    # Committed for real: liaison opens victims' records when the import commits.
    settings.VAR_DIR = tmp_path
    output = seed(tmp_path)
    User = get_user_model()
    officer = User.objects.get(username="liaison.officer")
    kept = LiaisonRecord.objects.filter(officer=officer)

    # Every kind is there, on the officer's victims, each collected through its service.
    for model in KINDS:
        rows = list(model.objects.all())
        assert rows, f"the demo made no {model.__name__}"
        for row in rows:
            assert collected_by_the_seed(row), f"{model.__name__} {row.pk} was not audited"
    for model in (ReviewRequest, Consent, SupportReferral, NeedsAssessment, SafetyPlan, Message):
        assert model.objects.exclude(record__in=kept).count() == 0

    # The Right to Review challenges the review's NFA, reached through every step.
    request = ReviewRequest.objects.get()
    case = request.case
    assert case.status == CaseStatus.NFA_UPHELD
    assert request.challenged.to_status == CaseStatus.NFA_UPHELD
    assert request.acknowledge_followup_id and request.answer_followup_id
    moves = {t.to_status: t.by.username for t in case.transitions.all()}
    assert moves[CaseStatus.REVIEW_COMPLETE] != moves[CaseStatus.NFA_UPHELD]
    assert not case.lines_of_inquiry.filter(status__in=OPEN_INQUIRY).exists()
    assert case.lines_of_inquiry.exists()
    assert case.no_failings_at is not None or case.findings.exists()
    assert f"{case.reference}'s review upheld NFA" in output

    # The ChISVA referral rests on consent to share, and was made and answered.
    referral = SupportReferral.objects.get()
    assert referral.service == SupportService.CHISVA
    assert referral.consent.kind == ConsentKind.INFORMATION_SHARING
    assert referral.referred_on is not None and referral.outcome
    message = Message.objects.get()
    assert message.template_id is not None and message.status == MessageStatus.SENT

    # Victims nobody holds wait in the liaison lead's workspace, as the output says.
    lead = User.objects.get(username="liaison.lead")
    unassigned = records_visible_to(lead).filter(officer__isnull=True).count()
    assert unassigned > 0
    assert f"{unassigned} victims wait for liaison.lead" in output

    made = counts()
    again = seed(tmp_path)

    assert "(0 made this run)" in again
    after = counts()
    # The second run audits its logins and reads, but adds none of the demo's records.
    after.pop("audit"), made.pop("audit")
    assert after == made
