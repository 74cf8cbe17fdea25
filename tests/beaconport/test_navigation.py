"""The menu offers each person the pages their roles open, and every link it offers opens."""

import pytest

from beaconport.context_processors import NAVIGATION
from beaconport.roles import roles_of

PERSONAS = (
    "investigator",
    "review_lead",
    "liaison_officer",
    "liaison_lead",
    "national_lead",
    "analyst",
)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_in_a_persons_menu_opens_for_them(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    menu = client.get("/").context["nav_items"]
    held = roles_of(user)
    offered = {label for _, label, allowed in NAVIGATION if held & allowed}
    assert {item["label"] for item in menu} == offered
    for item in menu:
        assert client.get(item["url"]).status_code == 200, (persona, item["label"])


@pytest.mark.django_db
def test_the_right_to_review_list_is_in_the_menu_of_the_leads_who_use_it_only(
    client, review_lead, liaison_lead, liaison_officer, investigator
):
    def labels(user):
        client.force_login(user)
        return {item["label"] for item in client.get("/").context["nav_items"]}

    assert "Right to Review" in labels(review_lead) & labels(liaison_lead)
    assert "Right to Review" not in labels(liaison_officer) | labels(investigator)
