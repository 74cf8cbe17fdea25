"""A case exported as a PDF bundle for disclosure (issue 12): read back with pypdf.

Every person here is synthetic, with names chosen to appear nowhere else, so their absence
from a redacted bundle means something.
"""

import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from beaconport.audit.models import AuditEvent, Operation
from cases.export.redaction import Known, Redactor
from cases.models import (
    CaseAssignment,
    CaseTransition,
    Citation,
    Document,
    Finding,
    InvestigativeEvent,
    LineOfInquiry,
    PersonIdentifier,
    SuspectFlag,
)
from cases.permissions import grant_case_access, leads_case
from cases.services.export import case_export
from cases.vocabulary import DocumentKind, EventType, IdentifierKind
from tests.factories import make_case, make_suspect, make_victim

pytestmark = pytest.mark.django_db

VICTIM_NAMES = ("Zephyrine", "Quillfeather")
SUSPECT_NAMES = ("Balthazar", "Nettlewick")
ALIAS = "Baz Thornfield"
PHONE = "07700 900461"
SUMMARY = (
    "Zephyrine told her teacher that Mr Nettlewick, known as Baz Thornfield, phoned her on "
    "07700900461. Her date of birth is 03/02/2009. {nb} **not bold** <b>not html</b>"
)


def export_url(case):
    return reverse("export:case", args=[case.reference])


def text_of(pdf: bytes) -> str:
    """The bundle's text, its spacing made plain (pypdf spreads justified lines out)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _at(day: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(day))


def _document(case, by, *, title, sha, kind=DocumentKind.STATEMENT, **fields) -> Document:
    return Document.objects.create(
        case=case,
        kind=kind,
        title=title,
        source=fields.pop("source", "Force file, box 3"),
        made_on=fields.pop("made_on", datetime.date(2014, 5, 1)),
        filename="file.pdf",
        content_type="application/pdf",
        size=1234,
        sha256=sha * 64,
        storage_name=f"tests/export/{case.pk}/{sha}",
        added_by=by,
        **fields,
    )


@pytest.fixture
def bundle_case(investigator, review_lead):
    """A case with one named victim and suspect, a timeline, work citing documents."""
    case = make_case(suspects=0, victims=0, summary=SUMMARY, force_reference="KNT/EXP/01")
    make_victim(VICTIM_NAMES[1], VICTIM_NAMES[0], datetime.date(2009, 2, 3), case=case, ref="V1")
    suspect = make_suspect(
        SUSPECT_NAMES[1],
        SUSPECT_NAMES[0],
        datetime.date(1970, 5, 6),
        "12/345678A",
        case=case,
        ref="S1",
    )
    PersonIdentifier.objects.create(
        person=suspect.person, kind=IdentifierKind.ALIAS, value=ALIAS, key="baz thornfield"
    )
    PersonIdentifier.objects.create(
        person=suspect.person, kind=IdentifierKind.PHONE, value=PHONE, key="07700900461"
    )
    grant_case_access(investigator, case)
    # The timeline, written out of order on purpose: the bundle sorts it.
    move = CaseTransition.objects.create(
        case=case,
        from_status="referred",
        to_status="triage",
        by=review_lead,
        reason="MARK-C triage begun.",
    )
    CaseTransition.objects.filter(pk=move.pk).update(at=_at("2025-10-03T09:00"))
    InvestigativeEvent.objects.create(
        case=case,
        type=EventType.CHARGE,
        occurred_on=datetime.date(2025, 11, 20),
        occurred_at=datetime.time(14, 30),
        suspect=suspect,
        notes="MARK-E Nettlewick charged.",
        recorded_by=investigator,
    )
    InvestigativeEvent.objects.create(
        case=case,
        type=EventType.ARREST,
        occurred_on=datetime.date(2025, 10, 15),
        suspect=suspect,
        notes="MARK-D arrest at home.",
        recorded_by=investigator,
    )
    flag = SuspectFlag.objects.create(
        party=suspect, kind="dangerous", reason="MARK-F threats to Zephyrine.", set_by=investigator
    )
    SuspectFlag.objects.filter(pk=flag.pk).update(
        set_at=_at("2025-11-01T10:00"),
        cleared_at=_at("2025-12-01T10:00"),
        cleared_by=review_lead,
        cleared_reason="MARK-G remanded.",
    )
    spell = CaseAssignment.objects.create(
        case=case, investigator=investigator, assigned_by=review_lead, reason="MARK-B assigned."
    )
    CaseAssignment.objects.filter(pk=spell.pk).update(assigned_at=_at("2025-10-02T12:00"))
    statement = _document(case, investigator, title="First account of V1", sha="a")
    _document(case, investigator, title="CPS advice 2014", sha="b", kind=DocumentKind.CPS_ADVICE)
    _document(case, investigator, title="Never cited", sha="c", source="Box 9")
    finding = Finding.objects.create(
        case=case,
        category="evidence_not_secured",
        severity="high",
        description="Phone records were never sought.",
        recorded_by=investigator,
    )
    Citation.objects.create(document=statement, page=4, finding=finding, added_by=investigator)
    line = LineOfInquiry.objects.create(
        case=case, description="Seek the phone records.", origin="review", created_by=investigator
    )
    cps = Document.objects.get(case=case, title="CPS advice 2014")
    Citation.objects.create(document=cps, line_of_inquiry=line, added_by=investigator)
    return case


def _export(case, by, **fields):
    fields.setdefault("recipient", "Jo Example, CPS Complex Casework Unit")
    fields.setdefault("purpose", "Charging advice on the review's findings")
    return case_export(case=case, by=by, **fields)


# The download ----------------------------------------------------------------------------


def test_a_review_lead_downloads_the_bundle_as_a_pdf_attachment_not_kept_by_caches(
    client, review_lead, bundle_case
):
    client.force_login(review_lead)
    response = client.post(
        export_url(bundle_case),
        {"recipient": "Jo Example, CPS", "purpose": "Charging advice"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{bundle_case.reference}-bundle.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    pages = pages_of(response.content)
    assert bundle_case.reference in pages[0]
    assert "KNT/EXP/01" in pages[0]
    assert "Kent" in pages[0]
    assert "names redacted" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page
        assert "disclosed to Jo Example, CPS" in page
        assert f"page {number} of {len(pages)}" in page


def test_a_national_lead_exports_too(client, national_lead, bundle_case):
    client.force_login(national_lead)
    assert client.get(export_url(bundle_case)).status_code == 200
    response = client.post(export_url(bundle_case), {"recipient": "IOPC", "purpose": "Review"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    "persona",
    ["investigator", "other_investigator", "liaison_officer", "other_team_review_lead", "analyst"],
)
def test_anyone_but_a_lead_of_the_case_gets_404_and_nothing_is_disclosed(
    client, request, persona, bundle_case
):
    client.force_login(request.getfixturevalue(persona))
    url = export_url(bundle_case)
    assert client.get(url).status_code == 404
    assert client.post(url, {"recipient": "Someone", "purpose": "Curiosity"}).status_code == 404
    assert not AuditEvent.objects.filter(operation=Operation.DISCLOSE).exists()


@pytest.mark.parametrize(
    ("posted", "field", "label"),
    [
        ({"purpose": "Charging advice"}, "recipient", "Recipient"),
        ({"recipient": "Jo Example", "purpose": "   "}, "purpose", "Purpose"),
    ],
)
def test_an_empty_recipient_or_purpose_is_400_naming_the_field_and_keeping_the_input(
    client, review_lead, bundle_case, posted, field, label
):
    client.force_login(review_lead)
    response = client.post(export_url(bundle_case), posted)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors[field]
    page = response.content.decode()
    assert f"{label}: This field is required." in page
    for value in posted.values():
        if value.strip():
            assert value in page  # what was typed is still in the form
    assert not AuditEvent.objects.filter(operation=Operation.DISCLOSE).exists()


def test_the_service_says_which_field_is_missing(review_lead, bundle_case):
    with pytest.raises(ValidationError) as refused:
        case_export(case=bundle_case, by=review_lead, recipient=" ", purpose="")
    assert set(refused.value.message_dict) == {"recipient", "purpose"}


def test_the_case_page_offers_the_export_to_its_leads_only(
    client, review_lead, investigator, bundle_case
):
    detail = reverse("cases:detail", args=[bundle_case.reference])
    client.force_login(review_lead)
    assert export_url(bundle_case) in client.get(detail).content.decode()
    client.force_login(investigator)
    assert export_url(bundle_case) not in client.get(detail).content.decode()


# What the bundle holds -------------------------------------------------------------------


def test_the_bundle_holds_the_record_and_the_findings_with_the_documents_they_cite(
    review_lead, bundle_case
):
    text = text_of(_export(bundle_case, review_lead))
    assert "Phone records were never sought." in text
    assert "Seek the phone records." in text
    work = text[text.index("3. Lines of inquiry and findings") : text.index("4. The case")]
    # Each record lists what it cites: title, kind, SHA-256 prefix, page.
    assert "CPS advice 2014 (CPS advice), SHA-256 " + "b" * 16 in work
    assert "First account of V1 (Statement), SHA-256 " + "a" * 16 + ", page 4" in work
    assert "Never cited" not in work
    documents = text[text.index("4. The case") :]
    for title in ("First account of V1", "CPS advice 2014", "Never cited"):
        assert title in documents
    assert "c" * 64 in documents.replace(" ", "")  # the whole SHA-256
    assert "Box 9" in documents


def test_the_timeline_runs_in_date_order_with_each_events_suspect_and_time(
    review_lead, bundle_case
):
    text = text_of(_export(bundle_case, review_lead))
    timeline = text[text.index("2. Timeline") : text.index("3. Lines of inquiry")]
    marks = re.findall(r"MARK-[A-Z]", timeline)
    assert marks == ["MARK-B", "MARK-C", "MARK-D", "MARK-F", "MARK-E", "MARK-G"]
    assert "Suspect charged, concerning S1" in timeline
    assert "20 Nov 2025 14:30" in timeline
    assert timeline.index("Referred by Kent") < timeline.index("MARK-B")


def test_without_a_reason_no_name_birth_date_alias_or_phone_of_the_people_is_in_it(
    review_lead, bundle_case
):
    text = text_of(_export(bundle_case, review_lead))
    squashed = re.sub(r"\s+", "", text)
    for word in (*VICTIM_NAMES, *SUSPECT_NAMES, "Thornfield", "12/345678A"):
        assert word not in squashed
    assert "07700900461" not in squashed
    assert "03/02/2009" not in squashed
    # Known names in free text are replaced by the person's reference on the case.
    assert (
        "[V1] told her teacher that Mr [S1], known as [S1], phoned her on [identifier of S1]"
        in text
    )
    assert "[date of birth of V1]" in text
    assert f"V1 ({bundle_case.reference}-V1)" in text


def test_with_a_reason_a_lead_gets_the_names_and_the_reason_is_logged(review_lead, bundle_case):
    reason = "The CPS lawyer must identify the suspect to advise on charge."
    text = text_of(_export(bundle_case, review_lead, names_reason=reason))
    for word in (*VICTIM_NAMES, *SUSPECT_NAMES):
        assert word in text
    assert "born 6 May 1970" in text
    assert "PNC ID 12/345678A" in text
    assert f"names shown for: {reason}" in " ".join(text.split())
    disclosed = AuditEvent.objects.get(operation=Operation.DISCLOSE)
    assert disclosed.justification == reason
    assert "names shown" in disclosed.purpose


def test_a_reason_too_short_to_say_why_is_refused_not_dropped(client, review_lead, bundle_case):
    with pytest.raises(ValidationError) as refused:
        _export(bundle_case, review_lead, names_reason="Because.")
    assert set(refused.value.message_dict) == {"names_reason"}
    client.force_login(review_lead)
    assert 'name="names_reason"' in client.get(export_url(bundle_case)).content.decode()
    response = client.post(
        export_url(bundle_case),
        {"recipient": "CPS", "purpose": "Advice", "names_reason": "Because."},
    )
    assert response.status_code == 400
    assert "Say why the recipient needs the names" in response.content.decode()
    assert not AuditEvent.objects.filter(operation=Operation.DISCLOSE).exists()


def test_the_export_is_audited_as_a_disclosure_with_recipient_and_purpose(
    client, review_lead, bundle_case
):
    client.force_login(review_lead)
    client.post(
        export_url(bundle_case),
        {"recipient": "Jo Example, CPS", "purpose": "Charging advice"},
    )
    disclosed = AuditEvent.objects.get(operation=Operation.DISCLOSE)
    assert disclosed.actor == review_lead
    assert disclosed.recipient == "Jo Example, CPS"
    assert disclosed.purpose == "Case bundle (PDF, names redacted): Charging advice"
    assert disclosed.case_id == bundle_case.pk
    assert disclosed.object_type == "cases.case"
    assert disclosed.justification == ""


def test_free_text_goes_in_as_text_never_as_markup(review_lead, bundle_case):
    text = " ".join(text_of(_export(bundle_case, review_lead)).split())
    assert "{nb} **not bold** <b>not html</b>" in text


def test_names_outside_latin_1_export_with_and_without_names(review_lead, bundle_case):
    party = bundle_case.parties.get(ref="V1")
    party.person.forenames = "Łucja Ελένη"
    party.person.surname = "Жуковская-Øberg"
    party.person.save()
    bundle_case.summary = "Ελένη said Жуковская-Øberg was her name then."
    bundle_case.save()
    redacted = text_of(_export(bundle_case, review_lead))
    assert "Ελένη" not in redacted and "Жуковская" not in redacted
    assert "[V1] said [V1] was her name then." in " ".join(redacted.split())
    named = text_of(_export(bundle_case, review_lead, names_reason="Identification."))
    assert "Łucja Ελένη Жуковская-Øberg" in named


def test_the_export_costs_a_fixed_number_of_queries_whatever_the_case_holds(
    django_assert_num_queries, review_lead, investigator, bundle_case
):
    def exported(case):
        case.refresh_from_db()
        case = type(case).objects.select_related("force", "eligibility_decided_by").get(pk=case.pk)
        leads_case(review_lead, case)  # the request's roles and forces, as the view reads
        with django_assert_num_queries(QUERIES):
            _export(case, review_lead)

    exported(bundle_case)
    suspect = bundle_case.parties.get(ref="S1")
    for day in range(1, 21):
        InvestigativeEvent.objects.create(
            case=bundle_case,
            type=EventType.ARREST,
            occurred_on=datetime.date(2024, 1, day),
            suspect=suspect,
            recorded_by=investigator,
        )
        finding = Finding.objects.create(
            case=bundle_case,
            category="evidence_not_secured",
            severity="low",
            description=f"Finding {day}",
            recorded_by=investigator,
        )
        Citation.objects.create(
            document=Document.objects.filter(case=bundle_case).first(),
            finding=finding,
            added_by=investigator,
        )
    exported(bundle_case)


# The service's savepoint and its release (the lead's roles and teams' forces are the
# request's, read once and cached on the user by the fetch); everything the bundle reads:
# parties, identifiers, criteria, offences (+ their victims, + their suspects), flags,
# transitions, events, assignments, lines (+ citations), findings (+ citations), documents;
# and the disclosure's audit row.
QUERIES = 18


def test_a_case_with_thousands_of_events_renders_its_first_thousand_and_says_so(
    review_lead, investigator, bundle_case
):
    InvestigativeEvent.objects.bulk_create(
        InvestigativeEvent(
            case=bundle_case,
            type=EventType.ARREST,
            occurred_on=datetime.date(2000, 1, 1) + datetime.timedelta(days=n),
            notes=f"Bulk event {n}.",
            recorded_by=investigator,
        )
        for n in range(2500)
    )
    text = text_of(_export(bundle_case, review_lead))
    assert "Bulk event 0." in text
    assert "Bulk event 998." in text  # the referral is the first of the thousand entries
    assert "Bulk event 2499." not in text
    assert "Only the first 1,000 timeline entries of each kind are in this bundle" in " ".join(
        text.split()
    )


# Redacting free text ---------------------------------------------------------------------


def test_the_redactor_replaces_whole_names_in_any_case_and_spacing():
    redact = Redactor([Known(ref="V1", names=("Ann Lee", "Lee", "Ann"))])
    assert (
        redact("ANN   lee met Leeds's Annabel; ann said") == "[V1] met Leeds's Annabel; [V1] said"
    )


def test_the_redactor_names_every_person_a_shared_surname_may_be():
    redact = Redactor([Known(ref="V1", names=("Lee",)), Known(ref="V2", names=("Lee",))])
    assert redact("the Lee family") == "the [V1/V2] family"


def test_the_redactor_leaves_initials_and_short_identifiers_alone():
    redact = Redactor([Known(ref="S1", names=("J",), identifiers=("12",))])
    assert redact("J rang 12 times") == "J rang 12 times"


def test_the_redactor_finds_identifiers_however_spaced_and_dates_however_written():
    redact = Redactor(
        [Known(ref="S1", identifiers=("AB12 CDE", "07700 900461"), born=datetime.date(1970, 5, 6))]
    )
    assert redact("car ab12cde, phone 07700-900-461, born 6 May 1970 or 06/05/1970") == (
        "car [identifier of S1], phone [identifier of S1], born [date of birth of S1] or "
        "[date of birth of S1]"
    )


def test_the_redactor_changes_nothing_when_names_are_shown():
    assert Redactor([Known(ref="V1", names=("Ann",))], names_shown=True)("Ann") == "Ann"


def test_someone_signed_out_is_sent_to_sign_in(client, bundle_case):
    response = client.get(export_url(bundle_case))
    assert response.status_code == 302
    assert "login" in response["Location"] or "signin" in response["Location"]


def test_the_form_page_costs_a_fixed_number_of_queries(
    client, django_assert_num_queries, review_lead, bundle_case
):
    client.force_login(review_lead)
    with django_assert_num_queries(FORM_PAGE_QUERIES):
        assert client.get(export_url(bundle_case)).status_code == 200


# The session and its user, the lead's roles and teams' forces, the case with its force, the
# read's audit row.
FORM_PAGE_QUERIES = 6


@pytest.mark.parametrize(
    ("recorded", "text", "expected"),
    [
        ("Zoë", "Zoe and ZOË and zoë", "[V1] and [V1] and [V1]"),
        ("Zoe", "Zoë said", "[V1] said"),
        ("Łukasz Wiśniewski", "Lukasz Wisniewski rang", "[V1] rang"),
        ("Øyvind", "Oyvind's phone", "[V1]'s phone"),
        ("Siobhán O'Brien", "Siobhan O\u2019Brien met O\u2019Brien", "[V1] met [V1]"),
        ("Zoe\u0308", "Zoë", "[V1]"),  # recorded decomposed, written composed
    ],
)
def test_the_redactor_matches_names_with_or_without_their_accents(recorded, text, expected):
    names = (recorded, *recorded.split())
    assert Redactor([Known(ref="V1", names=names)])(text) == expected


def test_the_redactor_keeps_the_accents_of_the_text_it_leaves():
    redact = Redactor([Known(ref="V1", names=("Zoe",))])
    assert redact("Zoë met Renée at the café") == "[V1] met Renée at the café"


def test_the_redactor_replaces_possessives_and_plurals_and_keeps_their_endings():
    redact = Redactor([Known(ref="V1", names=("Ann Smith", "Smith", "Ann"))])
    assert redact("Smith's car, the Smiths' house, the Smiths said, Ann\u2019s") == (
        "[V1]'s car, the [V1]s' house, the [V1]s said, [V1]\u2019s"
    )


def test_the_redactor_finds_a_name_split_across_a_line_break():
    redact = Redactor([Known(ref="V1", names=("Ann Marie Smith",))])
    assert redact("spoke to Ann\nMarie\r\n  Smith today") == "spoke to [V1] today"


@pytest.mark.parametrize(
    "text",
    [
        "Emma Smith-Jones",
        "Emma Smith Jones",
        "Emma Smith\u2013Jones",
        "Emma Smith -\nJones",
    ],
)
def test_the_redactor_takes_a_double_barrelled_name_however_joined(text):
    redact = Redactor([Known(ref="V1", names=("Emma Smith-Jones", "Smith-Jones", "Emma"))])
    assert redact(f"{text} said") == "[V1] said"


def test_each_half_of_a_hyphenated_name_is_taken_alone_too():
    redact = Redactor([Known(ref="V1", names=("Smith-Jones", "Anne-Marie"))])
    assert redact("Ms Jones and Marie; Smithfield stays") == "Ms [V1] and [V1]; Smithfield stays"


def test_a_forename_that_is_an_everyday_word_is_taken_only_when_capitalised():
    redact = Redactor(
        [Known(ref="V1", names=("May Lee", "Lee", "May")), Known(ref="S1", names=("Will",))]
    )
    assert redact("May said the suspect may have left; Will will call. MAY LEE") == (
        "[V1] said the suspect may have left; [S1] will call. [V1]"
    )


def test_a_name_not_an_everyday_word_is_taken_in_lower_case_too():
    redact = Redactor([Known(ref="V1", names=("Kayleigh",))])
    assert redact("kayleigh said") == "[V1] said"
