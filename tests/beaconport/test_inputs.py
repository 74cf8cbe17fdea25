"""The rules of beaconport/inputs.py on their own: dates, text caps, names and references."""

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from beaconport import inputs
from beaconport.inputs import (
    ANY_DATE,
    PAST_DATE,
    PLANNED_DATE,
    clean_name,
    clean_reference,
    name_problem,
    reference_problem,
    text_problem,
)

TODAY = datetime.date(2026, 6, 15)


@pytest.mark.parametrize(
    "day", [datetime.date(1, 1, 1), datetime.date(1899, 12, 31), datetime.date(9999, 12, 31)]
)
def test_dates_outside_the_plausible_range_are_refused_whatever_the_rule(day):
    for rule in (ANY_DATE, PAST_DATE, PLANNED_DATE):
        assert rule.problem(day, today=TODAY) is not None


def test_the_first_and_last_plausible_days_are_accepted():
    assert ANY_DATE.problem(inputs.EARLIEST_DATE) is None
    assert ANY_DATE.problem(inputs.LATEST_DATE) is None
    assert ANY_DATE.problem(datetime.date(2101, 1, 1)) is not None


def test_a_past_date_may_be_today_but_not_tomorrow():
    assert PAST_DATE.problem(TODAY, today=TODAY) is None
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert PAST_DATE.problem(tomorrow, today=TODAY) == "This date is in the future."


def test_a_planned_date_may_lie_five_years_ahead_and_no_further():
    assert PLANNED_DATE.problem(datetime.date(2031, 6, 15), today=TODAY) is None
    assert "5 years ahead" in PLANNED_DATE.problem(datetime.date(2031, 6, 16), today=TODAY)


def test_a_planned_date_from_29_february_ends_on_28_february():
    assert PLANNED_DATE.bounds(datetime.date(2028, 2, 29))[1] == datetime.date(2033, 2, 28)


def test_a_datetime_at_the_edge_of_the_calendar_is_refused_without_overflowing():
    far = datetime.datetime(9999, 12, 31, 23, 59, tzinfo=datetime.UTC)
    first = datetime.datetime(1, 1, 1, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=5)))
    assert ANY_DATE.problem(far) is not None
    assert ANY_DATE.problem(first) is not None


def test_the_form_date_field_refuses_year_one_and_names_the_range():
    field = inputs.PlausibleDateField(rule=PAST_DATE)
    with pytest.raises(ValidationError) as refused:
        field.clean("0001-01-01")
    assert "1 January 1900" in refused.value.messages[0]


def test_the_serializer_date_field_refuses_9999():
    class Probe(serializers.Serializer):
        day = inputs.PlausibleDateSerializerField(rule=PLANNED_DATE)

    probe = Probe(data={"day": "9999-12-31"})
    assert not probe.is_valid()
    assert "day" in probe.errors


def test_text_is_capped_at_the_one_cap_even_when_a_field_asks_for_more():
    assert text_problem("x" * inputs.TEXT_MAX_LENGTH) is None
    assert text_problem("x" * (inputs.TEXT_MAX_LENGTH + 1)) is not None
    assert text_problem("x" * 6000, max_length=10_000) is not None
    assert inputs.CappedTextField(max_length=10_000).max_length == inputs.TEXT_MAX_LENGTH


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (" Jo\u200bhn  Smith ", "John Smith"),
        ("\ufeffAmina\u2060", "Amina"),
        ("Zoe\u0308", "Zo\u00eb"),  # combining diaeresis composed (NFC)
        ("Mary\u00a0Jane", "Mary Jane"),
        ("Mary\u2028\tJane\n", "Mary Jane"),  # line breaks and tabs are spaces in a name
    ],
)
def test_names_are_normalised_and_lose_zero_width_characters(raw, stored):
    assert clean_name(raw) == stored
    assert name_problem(clean_name(raw)) is None


@pytest.mark.parametrize(
    "char",
    ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c", "\x00", "\x1b", "\x7f"],
)
def test_names_with_direction_or_control_characters_are_refused(char):
    problem = name_problem(clean_name(f"Smith{char}son"))
    assert problem is not None
    assert f"U+{ord(char):04X}" in problem


def test_the_name_form_field_cleans_then_refuses():
    field = inputs.NameField(max_length=100)
    assert field.clean("Ali\u200b") == "Ali"
    with pytest.raises(forms.ValidationError):
        field.clean("\u202eilA")


@pytest.mark.parametrize("value", ["BP-00000\uff16", "DUR/\u0661", "S\u00b3", "V\u200f2"])
def test_references_with_anything_but_ascii_are_refused(value):
    assert reference_problem(clean_reference(value)) is not None


@pytest.mark.parametrize("value", ["ESS/00001/23", "DUR/1", "S3", "V12", "BP-000123"])
def test_ordinary_references_pass(value):
    assert reference_problem(clean_reference(value)) is None


def test_the_reference_serializer_field_refuses_a_fullwidth_digit():
    class Probe(serializers.Serializer):
        ref = inputs.ReferenceSerializerField(max_length=20)

    probe = Probe(data={"ref": "S\uff13"})
    assert not probe.is_valid()
    assert "ref" in probe.errors
