"""The forms on a victim's rights: do-not-contact periods, enhanced rights, taking a record back.

Each works for the assigned officer (and the lead), refuses bad input with 400 naming the
field, refuses a stale edit with 409 showing what changed, and answers 404 to everyone
else, exactly like a record that does not exist.
"""

import pytest
from django.urls import reverse

from liaison.models import DoNotContact
from tests.browser import sign_in
from tests.liaison.test_access_routes import period_for
from tests.liaison.test_views_setup import days_from_today, open_followup, record_for

pytestmark = pytest.mark.django_db

OUTSIDERS = ("investigator", "other_liaison_officer", "analyst")


def url(name, obj):
    return reverse(f"liaison:{name}", args=[obj.pk])


def period_post(**overrides) -> dict:
    data = {
        "starts_on": days_from_today(1).isoformat(),
        "ends_on": days_from_today(10).isoformat(),
        "reason": "In hospital for an operation (synthetic)",
    }
    data.update(overrides)
    return data


def rights_post(record, **overrides) -> dict:
    data = {
        "version": str(record.version),
        "enhanced_rights": "no",
        "enhanced_rights_off_reason": "Adult victim of a non-sexual offence (synthetic)",
    }
    data.update(overrides)
    return data


# --- Do-not-contact periods -----------------------------------------------------------------


def test_the_officer_adds_a_do_not_contact_period_and_the_record_page_shows_it(
    client, liaison_officer
):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)
    form = client.get(url("do_not_contact_add", record))
    assert form.status_code == 200
    assert '<label for="id_reason"' in form.content.decode()

    response = client.post(url("do_not_contact_add", record), period_post())

    assert response.status_code == 302
    assert response["Location"].endswith(f"{url('record', record)}#do-not-contact")
    period = record.do_not_contact.get()
    assert (period.starts_on, period.ends_on, period.created_by) == (
        days_from_today(1),
        days_from_today(10),
        liaison_officer,
    )
    html = client.get(url("record", record)).content.decode()
    assert "In hospital for an operation (synthetic)" in html
    assert url("do_not_contact_end", period) in html


def test_a_do_not_contact_period_until_further_notice_needs_no_last_day(client, liaison_lead):
    record = record_for(None)
    client.force_login(liaison_lead)

    response = client.post(url("do_not_contact_add", record), period_post(ends_on=""))

    assert response.status_code == 302
    assert record.do_not_contact.get().ends_on is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_on": days_from_today(0).isoformat()}, "ends_on", "cannot be before the first"),
        ({"reason": "   "}, "reason", "This field is required."),
        ({"starts_on": "not a date"}, "starts_on", "Enter a valid date."),
    ],
)
def test_a_bad_do_not_contact_period_answers_400_naming_the_field(
    client, liaison_officer, overrides, field, message
):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)

    response = client.post(url("do_not_contact_add", record), period_post(**overrides))

    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="#id_{field}"' in html
    assert message in html
    assert not record.do_not_contact.exists()


def test_the_officer_ends_a_do_not_contact_period_early(client, liaison_officer):
    record = record_for(liaison_officer)
    period = period_for(record)
    client.force_login(liaison_officer)
    form = client.get(url("do_not_contact_end", period)).content.decode()
    assert 'name="version" value="open"' in form
    assert "In hospital (synthetic)" in form

    response = client.post(
        url("do_not_contact_end", period),
        {"version": "open", "ends_on": days_from_today(2).isoformat()},
    )

    assert response.status_code == 302
    period.refresh_from_db()
    assert period.ends_on == days_from_today(2)


@pytest.mark.parametrize(
    ("ends_in_days", "message"),
    [(-5, "cannot be before the first"), (20, "add a new period")],
)
def test_ending_a_period_before_it_starts_or_later_than_planned_answers_400(
    client, liaison_officer, ends_in_days, message
):
    record = record_for(liaison_officer)
    period = DoNotContact.objects.create(
        record=record,
        starts_on=days_from_today(-1),
        ends_on=days_from_today(10),
        reason="Trial week (synthetic)",
        created_by=liaison_officer,
    )
    client.force_login(liaison_officer)

    response = client.post(
        url("do_not_contact_end", period),
        {"version": days_from_today(10).isoformat(), "ends_on": days_from_today(ends_in_days)},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_ends_on"' in html
    assert message in html
    period.refresh_from_db()
    assert period.ends_on == days_from_today(10)


def test_ending_a_period_someone_else_ended_meanwhile_is_refused_and_shows_what_changed(
    client, liaison_officer, liaison_lead
):
    record = record_for(liaison_officer)
    period = period_for(record)
    client.force_login(liaison_lead)
    theirs = days_from_today(3)
    assert (
        client.post(
            url("do_not_contact_end", period), {"version": "open", "ends_on": theirs.isoformat()}
        ).status_code
        == 302
    )
    client.force_login(liaison_officer)

    response = client.post(
        url("do_not_contact_end", period),
        {"version": "open", "ends_on": days_from_today(2).isoformat()},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "changed since you opened it" in html
    assert "Last day" in html
    assert f"{theirs:%d %b %Y}" in html  # theirs
    assert f"{days_from_today(2):%d %b %Y}" in html  # yours
    assert f'name="version" value="{theirs.isoformat()}"' in html
    period.refresh_from_db()
    assert period.ends_on == theirs


def test_a_period_on_another_record_is_not_reached_through_the_officers_own(
    client, liaison_officer, other_liaison_officer
):
    theirs = period_for(record_for(other_liaison_officer))
    client.force_login(liaison_officer)
    missing = reverse("liaison:do_not_contact_end", args=[theirs.pk + 1000])

    assert client.get(url("do_not_contact_end", theirs)).status_code == 404
    assert client.get(missing).status_code == 404


# --- Enhanced rights ------------------------------------------------------------------------


def test_the_officer_switches_enhanced_rights_off_with_a_reason_and_back_on(
    client, liaison_officer
):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)
    form = client.get(url("enhanced_rights_edit", record)).content.decode()
    assert 'value="yes"' in form and "checked" in form

    response = client.post(url("enhanced_rights_edit", record), rights_post(record))

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.enhanced_rights is False
    assert record.enhanced_rights_off_reason == "Adult victim of a non-sexual offence (synthetic)"
    html = client.get(url("record", record)).content.decode()
    assert "No: Adult victim of a non-sexual offence (synthetic)" in html
    assert "Switch enhanced rights back on" in html

    response = client.post(
        url("enhanced_rights_edit", record),
        rights_post(record, enhanced_rights="yes", enhanced_rights_off_reason=""),
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.enhanced_rights, record.enhanced_rights_off_reason) == (True, "")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"enhanced_rights_off_reason": "  "}, "enhanced_rights_off_reason", "Say why"),
        ({"enhanced_rights": "maybe"}, "enhanced_rights", "Select a valid choice"),
    ],
)
def test_bad_enhanced_rights_input_answers_400_naming_the_field(
    client, liaison_officer, overrides, field, message
):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)

    response = client.post(url("enhanced_rights_edit", record), rights_post(record, **overrides))

    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="#id_{field}' in html
    assert message in html
    record.refresh_from_db()
    assert (record.enhanced_rights, record.version) == (True, 1)


def test_a_stale_enhanced_rights_edit_is_refused_and_shows_what_changed(
    client, liaison_officer, liaison_lead
):
    record = record_for(liaison_officer)
    loaded = rights_post(record, enhanced_rights="yes", enhanced_rights_off_reason="")
    client.force_login(liaison_lead)
    assert client.post(url("enhanced_rights_edit", record), rights_post(record)).status_code == 302
    client.force_login(liaison_officer)

    response = client.post(url("enhanced_rights_edit", record), loaded)

    assert response.status_code == 409
    html = response.content.decode()
    assert "changed since you opened it" in html
    assert "Entitled to enhanced rights" in html
    assert 'name="version" value="2"' in html
    record.refresh_from_db()
    assert record.enhanced_rights is False


# --- Assigning and taking back --------------------------------------------------------------


def test_the_lead_takes_a_record_back_from_its_officer(client, liaison_lead, liaison_officer):
    record = record_for(liaison_officer)
    follow_up = open_followup(record)
    client.force_login(liaison_lead)
    form = client.get(url("record_assign", record)).content.decode()
    assert '<option value="">No officer</option>' in form

    response = client.post(
        url("record_assign", record),
        {"officer": "", "version": str(record.version), "reason": "Officer on leave"},
    )

    assert response.status_code == 302
    record.refresh_from_db()
    follow_up.refresh_from_db()
    assert (record.officer, record.assigned_at, follow_up.officer) == (None, None, None)
    client.force_login(liaison_officer)
    assert client.get(url("record", record)).status_code == 404


def test_taking_back_a_record_reassigned_meanwhile_is_refused(
    client, liaison_lead, liaison_officer, other_liaison_officer
):
    record = record_for(liaison_officer)
    loaded = {"officer": "", "version": str(record.version), "reason": "Officer on leave"}
    client.force_login(liaison_lead)
    assert (
        client.post(
            url("record_assign", record),
            {
                "officer": str(other_liaison_officer.pk),
                "version": str(record.version),
                "reason": "Cover",
            },
        ).status_code
        == 302
    )

    response = client.post(url("record_assign", record), loaded)

    assert response.status_code == 409
    assert "Liaison officer" in response.content.decode()
    record.refresh_from_db()
    assert record.officer == other_liaison_officer


def test_the_lead_uses_the_rights_forms_on_any_record(client, liaison_lead, liaison_officer):
    record = record_for(liaison_officer)
    client.force_login(liaison_lead)

    assert client.post(url("do_not_contact_add", record), period_post()).status_code == 302
    assert client.post(url("enhanced_rights_edit", record), rights_post(record)).status_code == 302
    record.refresh_from_db()
    assert record.do_not_contact.count() == 1
    assert record.enhanced_rights is False


# --- The record page links to them ----------------------------------------------------------


def test_the_record_page_links_each_form_in_its_section(client, liaison_officer, liaison_lead):
    record = record_for(liaison_officer)
    ended = DoNotContact.objects.create(
        record=record,
        starts_on=days_from_today(-30),
        ends_on=days_from_today(-20),
        reason="Past trial week (synthetic)",
        created_by=liaison_officer,
    )
    current = period_for(record)
    client.force_login(liaison_officer)

    html = client.get(url("record", record)).content.decode()

    preferences = html[html.index('id="preferences"') : html.index('id="followups"')]
    assert url("enhanced_rights_edit", record) in preferences
    assert url("do_not_contact_add", record) in preferences
    assert url("do_not_contact_end", current) in preferences
    assert url("do_not_contact_end", ended) not in html  # already over: nothing to end
    assert url("record_assign", record) not in html  # officers do not assign
    client.force_login(liaison_lead)
    lead_html = client.get(url("record", record)).content.decode()
    assert "Change the officer or take the record back" in lead_html
    assert url("record_assign", record) in lead_html


# --- Outsiders ------------------------------------------------------------------------------


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize(
    "name", ["do_not_contact_add", "do_not_contact_end", "enhanced_rights_edit", "record_assign"]
)
def test_outsiders_get_404_from_every_rights_form_and_change_nothing(
    request, client, liaison_officer, outsider, name
):
    record = record_for(liaison_officer)
    period = period_for(record)
    target = period if name == "do_not_contact_end" else record
    client.force_login(request.getfixturevalue(outsider))

    assert client.get(url(name, target)).status_code == 404
    posted = {
        **period_post(ends_on=days_from_today(1).isoformat()),
        **rights_post(record),
        "version": "open" if name == "do_not_contact_end" else "1",
        "officer": "",
    }
    assert client.post(url(name, target), posted).status_code == 404

    record.refresh_from_db()
    period.refresh_from_db()
    assert (record.officer, record.enhanced_rights, record.version) == (liaison_officer, True, 1)
    assert list(record.do_not_contact.values_list("pk", "ends_on")) == [(period.pk, None)]


# --- In a browser ---------------------------------------------------------------------------


def test_an_officer_adds_a_do_not_contact_period_in_a_browser(page, liaison_officer, tmp_path):
    record = record_for(liaison_officer)
    sign_in(page, liaison_officer.username)
    page.goto(url("record", record))
    page.get_by_role("link", name="Add a do-not-contact period").click()
    page.get_by_label("First day").fill(days_from_today(0).isoformat())
    page.get_by_label("Last day").fill(days_from_today(14).isoformat())
    page.get_by_label("Why").fill("Staying with family after the trial (synthetic)")
    page.get_by_label("Why").press("Tab")
    page.keyboard.press("Enter")  # the submit button, reached by keyboard
    page.wait_for_url(f"**{url('record', record)}#do-not-contact")

    section = page.locator("#preferences")
    assert "Staying with family after the trial (synthetic)" in section.inner_text()
    assert section.get_by_role("link", name="End early").count() == 1
    # Kept with the test's own files: test-artifacts/ is for failures only.
    page.screenshot(path=str(tmp_path / "liaison-record-do-not-contact.png"), full_page=True)
    assert record.do_not_contact.get().ends_on == days_from_today(14)
