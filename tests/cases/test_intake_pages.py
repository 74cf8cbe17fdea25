"""Intake in the browser: the upload, a batch's page (progress, counts, problems, the same file
recognised), its status for the progress bar, and the history, filtered per force; each for
the leads who have it and 404 for everyone else, at a fixed number of queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Force, ReferralBatch
from cases.services.referral_batches import referral_batch_import
from cases.vocabulary import BatchStatus
from tests.cases.referral_files import file_bytes, referrals, spoil
from tests.cases.test_referral_batches import imported, send

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name="referrals.json"):
    return client.post(
        reverse("intake:upload"),
        {"file": SimpleUploadedFile(name, data, content_type="application/json")},
    )


def test_a_review_lead_uploads_a_file_and_is_taken_to_its_page(
    client, filesystem_documents, review_lead, django_capture_on_commit_callbacks
):
    client.force_login(review_lead)
    data = file_bytes(referrals(3))

    with django_capture_on_commit_callbacks() as queued:
        response = upload(client, data, name="kent-march.json")

    batch = ReferralBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:batch", args=[batch.pk])
    assert len(queued) == 1  # the import, enqueued once the batch is committed
    assert (batch.filename, batch.size, batch.status) == ("kent-march.json", len(data), "queued")
    page = client.get(response["Location"]).content.decode()
    assert "Waiting" in page and 'id="batch-progress"' in page and "Refresh" in page
    assert batch.sha256 in page


def test_an_upload_without_a_file_answers_400_with_the_field_and_reason(client, review_lead):
    client.force_login(review_lead)

    response = client.post(reverse("intake:upload"), {})

    assert response.status_code == 400
    assert "Referral file: This field is required." in response.content.decode()


def test_an_oversize_upload_answers_400_and_keeps_nothing(
    client, filesystem_documents, review_lead, settings
):
    client.force_login(review_lead)
    settings.REFERRAL_FILE_MAX_BYTES = 100

    response = upload(client, file_bytes(referrals(1)))

    assert response.status_code == 400
    assert "larger than 100 bytes" in response.content.decode()
    assert not ReferralBatch.objects.exists()


def test_the_batch_page_lists_every_problem_with_index_reference_path_and_reason(
    client, filesystem_documents, review_lead
):
    drawn = referrals(5)
    spoiled = spoil(drawn, [0, 2, 4])
    batch = imported(review_lead, file_bytes(drawn))
    client.force_login(review_lead)

    page = client.get(reverse("intake:batch", args=[batch.pk])).content.decode()

    assert "Refused: problems found" in page
    assert "3 problems in 3 referrals: nothing was written" in page
    for index, reference, path in spoiled:
        assert (
            f"<td>{index}</td>\n      <td>{reference}</td>\n      <td><code>{path}</code>" in page
        )
    assert 'id="batch-progress"' not in page


def test_the_same_file_again_says_which_batch_it_repeats(client, filesystem_documents, review_lead):
    data = file_bytes(referrals(2))
    first = imported(review_lead, data)
    again = imported(review_lead, data)
    client.force_login(review_lead)

    page = client.get(reverse("intake:batch", args=[again.pk])).content.decode()

    assert f'The same file as <a href="/intake/{first.pk}/">batch {first.pk}</a>' in page
    assert f"by {review_lead.username}" in page


def test_the_status_route_says_where_a_running_batch_stands(
    client, filesystem_documents, review_lead
):
    batch = send(review_lead, file_bytes(referrals(2)))
    ReferralBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.IMPORTING, stage_bytes=batch.size // 2
    )
    client.force_login(review_lead)

    state = client.get(reverse("intake:status", args=[batch.pk])).json()

    assert state["status"] == "importing" and state["finished"] is False
    assert state["percent"] == 50 and state["size"] == batch.size
    referral_batch_import(batch_id=batch.pk)  # already taken by a run: left alone
    assert client.get(reverse("intake:status", args=[batch.pk])).json()["status"] == "importing"


def test_another_teams_lead_and_other_roles_get_404(
    client, filesystem_documents, review_lead, other_team_review_lead, investigator, analyst
):
    batch = imported(review_lead, file_bytes(referrals(2)))
    for user in (other_team_review_lead, investigator, analyst):
        client.force_login(user)
        for url in (
            reverse("intake:batch", args=[batch.pk]),
            reverse("intake:status", args=[batch.pk]),
        ):
            assert client.get(url).status_code == 404, (user, url)
    client.force_login(investigator)
    assert client.get(reverse("intake:history")).status_code == 404
    assert client.get(reverse("intake:upload")).status_code == 404


def test_a_refused_file_stays_with_its_sender_and_an_imported_one_is_seen_by_its_team(
    client, filesystem_documents, review_lead, national_lead, make_user, team
):
    from beaconport.roles import Role

    colleague = make_user("rhea.lead", Role.REVIEW_LEAD)
    team.members.add(colleague)
    drawn = referrals(2)
    spoil(drawn, [1])
    refused = imported(review_lead, file_bytes(drawn))
    accepted = imported(review_lead, file_bytes(referrals(2)))
    client.force_login(colleague)

    assert client.get(reverse("intake:batch", args=[refused.pk])).status_code == 404
    assert client.get(reverse("intake:batch", args=[accepted.pk])).status_code == 200
    client.force_login(national_lead)
    assert client.get(reverse("intake:batch", args=[refused.pk])).status_code == 200


def test_the_history_is_paged_and_filtered_per_force(client, filesystem_documents, national_lead):
    one, two = referrals(2)
    first = imported(national_lead, file_bytes([one]))
    second = imported(national_lead, file_bytes([two]))
    client.force_login(national_lead)

    page = client.get(reverse("intake:history")).content.decode()
    assert page.index(f"{second.pk}: ") < page.index(f"{first.pk}: ")
    narrowed = client.get(reverse("intake:history"), {"force": one["force"]}).content.decode()
    assert f"{first.pk}: " in narrowed and f"{second.pk}: " not in narrowed
    assert Force.objects.get(slug=one["force"]).name in narrowed
    assert client.get(reverse("intake:history"), {"force": "nowhere"}).status_code == 400


@pytest.mark.parametrize("files", [1, 6])
def test_the_history_costs_a_fixed_number_of_queries(
    client, filesystem_documents, review_lead, django_assert_num_queries, files
):
    for seed in range(files):
        imported(review_lead, file_bytes(referrals(1, seed=seed)))
    client.force_login(review_lead)
    client.get(reverse("intake:history"))  # the session and the user's forces, once

    with django_assert_num_queries(HISTORY_QUERIES):
        response = client.get(reverse("intake:history"))

    assert response.content.decode().count("<tr>") == files + 1


@pytest.mark.parametrize("spoiled", [[1], [0, 1, 2, 3]])
def test_a_batch_page_costs_a_fixed_number_of_queries(
    client, filesystem_documents, review_lead, django_assert_num_queries, spoiled
):
    drawn = referrals(4)
    spoil(drawn, spoiled)
    first = imported(review_lead, file_bytes(drawn))
    batch = imported(review_lead, file_bytes(drawn))  # the same file: its page names the first
    assert batch.same_as == first
    client.force_login(review_lead)
    client.get(reverse("intake:history"))

    with django_assert_num_queries(BATCH_QUERIES):
        response = client.get(reverse("intake:batch", args=[batch.pk]))

    assert response.content.decode().count("<code>") == len(spoiled)


# Session, user, roles, the forces led, their names for the filter, count, page, forces of
# the page, one audit row.
HISTORY_QUERIES = 9
BATCH_QUERIES = 6  # session, user, roles, forces led, the batch (and its sender and twin), audit
