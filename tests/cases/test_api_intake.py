"""`/api/v1/referral-batches/`: a force's system sends a referral file with a token, gets 202
and a batch to poll until it is imported; a retry under the same Idempotency-Key keeps the
file once; other roles are refused, and another team's lead cannot see the batch."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from knox.models import AuthToken
from rest_framework.test import APIClient

from cases.models import Case, ReferralBatch
from cases.services.referral_batches import referral_batch_import
from tests.cases.referral_files import file_bytes, referrals, spoil

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referral-batches/"


def token_client(user) -> APIClient:
    client = APIClient()
    _, token = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def post_file(client, data: bytes, name="referrals.json", **headers):
    upload = SimpleUploadedFile(name, data, content_type="application/json")
    return client.post(LIST, {"file": upload}, format="multipart", headers=headers)


def test_a_lead_sends_a_file_with_a_token_and_polls_it_until_imported(
    filesystem_documents, review_lead, django_capture_on_commit_callbacks
):
    client = token_client(review_lead)
    data = file_bytes(referrals(4, version=2), version=2)

    with django_capture_on_commit_callbacks() as queued:
        response = post_file(client, data)

    assert response.status_code == 202, response.content
    batch = response.json()
    assert response["Location"] == batch["url"] == f"http://testserver{LIST}{batch['id']}/"
    assert (batch["status"], batch["finished"], batch["channel"]) == ("queued", False, "api")
    assert batch["size"] == len(data) and batch["uploaded_by"] == review_lead.username
    assert len(queued) == 1
    referral_batch_import(batch_id=batch["id"])  # what the worker does with the queued task

    polled = client.get(batch["url"]).json()

    assert (polled["status"], polled["finished"]) == ("imported", True)
    assert (polled["referrals"], polled["created"], polled["problems"]) == (4, 4, [])
    assert polled["format"] == "beaconport-referrals/2"
    assert Case.objects.count() == 4
    assert [b["id"] for b in client.get(LIST).json()["results"]] == [batch["id"]]


def test_a_refused_file_lists_every_problem_to_the_caller(filesystem_documents, national_lead):
    client = token_client(national_lead)
    drawn = referrals(4)
    spoiled = spoil(drawn, [1, 2, 3])
    batch = post_file(client, file_bytes(drawn)).json()
    referral_batch_import(batch_id=batch["id"])

    polled = client.get(batch["url"]).json()

    assert polled["status"] == "refused" and polled["refused"] == 3
    assert [(p["index"], p["force_reference"], p["path"]) for p in polled["problems"]] == spoiled


def test_the_same_idempotency_key_sent_twice_keeps_the_file_once(filesystem_documents, review_lead):
    client = token_client(review_lead)
    data = file_bytes(referrals(2))

    first = post_file(client, data, **{"Idempotency-Key": "force-system-0001"})
    again = post_file(client, data, **{"Idempotency-Key": "force-system-0001"})

    assert first.status_code == again.status_code == 202
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert ReferralBatch.objects.count() == 1
    other = post_file(client, file_bytes(referrals(3)), **{"Idempotency-Key": "force-system-0001"})
    assert other.status_code == 409 and ReferralBatch.objects.count() == 1


def test_another_teams_lead_gets_404_for_the_batch(
    filesystem_documents, review_lead, other_team_review_lead
):
    batch = post_file(token_client(review_lead), file_bytes(referrals(2))).json()
    referral_batch_import(batch_id=batch["id"])
    client = token_client(other_team_review_lead)

    assert client.get(batch["url"]).status_code == 404
    assert client.get(f"{LIST}not-a-number/").status_code == 404
    assert client.get(LIST).json()["results"] == []


def test_other_roles_are_refused_and_nothing_is_kept(filesystem_documents, investigator):
    client = token_client(investigator)

    assert post_file(client, file_bytes(referrals(1))).status_code == 403
    assert client.get(LIST).status_code == 403
    assert not ReferralBatch.objects.exists()


def test_a_request_without_a_file_answers_400_naming_the_field(filesystem_documents, review_lead):
    response = token_client(review_lead).post(LIST, {}, format="multipart")

    assert response.status_code == 400 and "file" in response.json()


def test_an_oversize_file_answers_400_and_keeps_nothing(
    filesystem_documents, review_lead, settings
):
    settings.REFERRAL_FILE_MAX_BYTES = 50

    response = post_file(token_client(review_lead), file_bytes(referrals(1)))

    assert response.status_code == 400 and "larger than 50 bytes" in response.json()["file"][0]
    assert not ReferralBatch.objects.exists()
