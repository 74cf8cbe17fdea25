"""Hypothesis properties of the input rules and the forms (issue 8, fuzzing).

Random text from every Unicode category (with direction, zero-width and control characters
thrown in often) and random dates from year 1 to 9999: the rules say exactly what they
promise, no form raises, and what a page stores never holds a direction or zero-width
character, an implausible date or an over-long text. Bounded and repeatable (derandomize,
no example database); each property prints how many inputs it tried.
"""

import datetime
import unicodedata

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from beaconport import inputs
from cases.models import CaseParty, Person, format_reference, parse_reference
from cases.permissions import grant_case_access
from liaison.models import DoNotContact, FollowUp
from tests.beaconport.test_inputs_everywhere import FORMS
from tests.factories import make_case
from tests.fuzzing import OUTCOMES, TRIED, bounded
from tests.liaison.test_views_setup import contact_post, record_for

INVISIBLE = sorted(inputs.BIDI_CONTROLS | inputs.ZERO_WIDTH | {"\x00", "\x1b", "\x7f", "\u2028"})
REFUSED_CATEGORIES = {"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"}


def tried(request) -> None:
    TRIED[request.node.name] += 1


def outcome(request, what: str) -> None:
    OUTCOMES[(request.node.name, what)] += 1


# Text as a browser could send it (no lone surrogates, which UTF-8 cannot carry), with the
# characters that disguise a name drawn often.
any_char = st.characters(exclude_categories=("Cs",))
tricky_char = st.one_of(any_char, st.sampled_from(INVISIBLE))
tricky_text = st.text(tricky_char, max_size=40)
any_date = st.dates(min_value=datetime.date.min, max_value=datetime.date.max)
# Half the dates near the edges of the plausible range, half anywhere in the calendar.
some_date = st.one_of(
    st.dates(min_value=datetime.date(1890, 1, 1), max_value=datetime.date(2110, 12, 31)),
    any_date,
)
# Names as people have them (letters of any script, spaces, hyphens), or anything at all.
plain_name = st.text(
    st.characters(categories=("L", "M")) | st.sampled_from(" -'"), min_size=1, max_size=30
)
some_name = st.one_of(plain_name, tricky_text)
rules = st.sampled_from([inputs.ANY_DATE, inputs.PAST_DATE, inputs.PLANNED_DATE])


def assert_clean_name(value: str) -> None:
    assert not inputs.ZERO_WIDTH & set(value)
    assert not inputs.BIDI_CONTROLS & set(value)
    assert not {unicodedata.category(ch) for ch in value} & REFUSED_CATEGORIES
    assert value == unicodedata.normalize("NFC", value)


# --- The rules themselves ------------------------------------------------------------------


@bounded(200)
@given(raw=st.text(st.one_of(st.characters(), st.sampled_from(INVISIBLE)), max_size=40))
def test_a_name_that_passes_holds_nothing_invisible_or_reordering(request, report_tried, raw):
    tried(request)
    name = inputs.clean_name(raw)
    assert not inputs.ZERO_WIDTH & set(name)
    assert name == name.strip()
    if inputs.name_problem(name) is None:
        outcome(request, "accepted")
        assert_clean_name(name)
    else:
        outcome(request, "refused")


@bounded(200)
@given(raw=tricky_text)
def test_a_reference_that_passes_is_printable_ascii(request, report_tried, raw):
    tried(request)
    reference = inputs.clean_reference(raw)
    if reference and inputs.reference_problem(reference) is None:
        outcome(request, "accepted")
        assert reference.isascii() and reference.isprintable()
    else:
        outcome(request, "refused")


digits_of_any_script = st.text(st.characters(categories=("Nd",)), min_size=1, max_size=25)


@bounded(200)
@given(
    raw=st.one_of(
        tricky_text,
        digits_of_any_script.map(lambda d: f"BP-{d}"),
        st.integers(min_value=0, max_value=10**20).map(lambda n: f"BP-{n:06d}"),
    )
)
def test_a_case_reference_opens_a_case_only_when_it_is_ascii_and_fits_a_key(
    request, report_tried, raw
):
    tried(request)
    pk = parse_reference(raw)
    if pk is None:
        outcome(request, "no case")
        return
    outcome(request, "a case")
    assert raw.isascii()
    assert pk < 10**18 and int(raw[3:]) == pk
    assert parse_reference(format_reference(pk)) == pk


@bounded(200)
@given(day=some_date, rule=rules)
def test_a_date_rule_accepts_exactly_its_range(request, report_tried, day, rule):
    tried(request)
    earliest, latest = rule.bounds()
    assert inputs.EARLIEST_DATE <= earliest <= latest <= inputs.LATEST_DATE
    accepted = rule.problem(day) is None
    outcome(request, "accepted" if accepted else "refused")
    assert accepted == (earliest <= day <= latest)


@bounded(100)
@given(length=st.integers(min_value=0, max_value=3 * inputs.TEXT_MAX_LENGTH))
def test_text_is_refused_exactly_past_the_cap(request, report_tried, length):
    tried(request)
    assert (inputs.text_problem("x" * length) is None) == (length <= inputs.TEXT_MAX_LENGTH)


# --- Every form, fed at random -------------------------------------------------------------


def _value_for(field, draw):
    """A value a browser might post for the field: often sensible, often not."""
    if isinstance(field, forms.DateTimeField):
        day = draw(some_date)
        return draw(st.sampled_from([f"{day.isoformat()}T10:00", draw(tricky_text)]))
    if isinstance(field, forms.DateField):
        return draw(st.one_of(some_date.map(datetime.date.isoformat), tricky_text))
    if isinstance(field, forms.BooleanField):
        return draw(st.sampled_from(["on", ""]))
    choices = [str(key) for key, _ in getattr(field, "choices", ()) if not isinstance(key, list)]
    if choices:
        return draw(st.one_of(st.sampled_from(choices), tricky_text))
    if isinstance(field, inputs.NameField):
        return draw(some_name)
    if isinstance(field, forms.CharField):
        cap = field.max_length or inputs.TEXT_MAX_LENGTH
        long = st.text(tricky_char, min_size=cap - 2, max_size=cap + 2)
        return draw(st.one_of(tricky_text, long) if cap <= 400 else tricky_text)
    return draw(st.one_of(st.integers(-(10**20), 10**20).map(str), tricky_text))


def _build(form_class, data):
    # A form about an existing period is given one (unsaved: its clean() only reads it).
    period = DoNotContact(starts_on=datetime.date(2020, 1, 6), ends_on=None)
    for kwargs in ({}, {"period": period}):
        try:
            return form_class(data=data, **kwargs)
        except TypeError:
            continue
    return None


POSTABLE = [form for form in FORMS if _build(form, {}) is not None]


def test_the_forms_fed_at_random_are_the_project_forms():
    assert {"CaseEditForm", "PartyAddForm", "ContactForm", "FollowUpForm"} <= {
        form.__name__ for form in POSTABLE
    }


@bounded(200)
@given(form_class=st.sampled_from(POSTABLE), draw=st.data())
def test_no_form_raises_and_what_it_accepts_keeps_the_rules(
    request, report_tried, form_class, draw
):
    tried(request)
    data = {name: _value_for(field, draw.draw) for name, field in form_class.base_fields.items()}
    form = _build(form_class, data)
    valid = form.is_valid()
    outcome(request, "accepted" if valid else "refused")
    if not valid:
        return
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if isinstance(field, inputs.PlausibleDateField | inputs.PlausibleDateTimeField):
            assert field.rule.problem(value) is None, (name, value)
        if isinstance(value, str) and isinstance(field, forms.CharField):
            assert len(value) <= (field.max_length or 0), name
        if isinstance(field, inputs.NameField):
            assert_clean_name(value)
        if isinstance(field, inputs.ReferenceField) and value:
            assert value.isascii()


# --- Through the pages: never a server error, nothing unsafe stored ------------------------


@pytest.fixture
def case_of(db, investigator):
    case = make_case(summary="Synthetic case for the form fuzz.")
    grant_case_access(investigator, case)
    return case


@bounded(100)
@given(
    surname=some_name,
    forenames=st.one_of(st.just(""), some_name),
    ref=st.one_of(st.just(""), tricky_text),
    born=st.one_of(st.just(""), some_date.map(datetime.date.isoformat)),
)
def test_adding_people_at_random_never_fails_and_stores_only_clean_names(
    request, report_tried, client, investigator, case_of, surname, forenames, ref, born
):
    tried(request)
    client.force_login(investigator)
    response = client.post(
        reverse("cases:party_add", args=[case_of.reference]),
        {
            "role": "witness",
            "ref": ref,
            "surname": surname,
            "forenames": forenames,
            "date_of_birth": born,
            "gender": "unknown",
        },
    )
    assert response.status_code in (302, 400)
    outcome(request, "saved" if response.status_code == 302 else "refused")
    for person in Person.objects.filter(parties__case=case_of):
        assert_clean_name(person.surname)
        assert_clean_name(person.forenames)
        assert person.date_of_birth is None or (
            inputs.PAST_DATE.problem(person.date_of_birth) is None
        )
    for party_ref in CaseParty.objects.filter(case=case_of).values_list("ref", flat=True):
        assert party_ref.isascii()


@bounded(100)
@given(
    ahead=st.one_of(st.integers(min_value=-400, max_value=4000), st.none()),
    far=any_date,
    summary=st.one_of(plain_name, tricky_text, st.text(tricky_char, min_size=4990, max_size=5010)),
)
def test_logging_contacts_at_random_never_fails_and_plans_nothing_implausible(
    request, report_tried, client, liaison_officer, ahead, far, summary
):
    tried(request)
    today = timezone.localdate()
    next_on = far if ahead is None else today + datetime.timedelta(days=ahead)
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)
    response = client.post(
        reverse("liaison:contact_create", args=[record.pk]),
        contact_post(summary=summary, next_contact_on=next_on.isoformat()),
    )
    assert response.status_code in (302, 400)
    outcome(request, "saved" if response.status_code == 302 else "refused")
    for due_on in FollowUp.objects.filter(record=record).values_list("due_on", flat=True):
        assert inputs.PLANNED_DATE.problem(due_on, today=today) is None
    for text in record.contacts.values_list("summary", flat=True):
        assert len(text) <= inputs.TEXT_MAX_LENGTH
