"""Django admin shows the log read-only, and looking at it is logged."""

import pytest

from beaconport.audit.models import AuditEvent, Operation
from beaconport.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    for n in (1, 2, 3):
        audit_record(operation=Operation.CONSULT, object_type="cases.case", object_id=n)


def test_admin_lists_the_log_and_the_look_is_logged(client, admin_user, rows):
    client.force_login(admin_user)
    response = client.get("/admin/audit/auditevent/")
    assert response.status_code == 200
    look = AuditEvent.objects.order_by("-seq").first()
    assert (look.seq, look.operation, look.actor_id) == (4, "consult", admin_user.pk)
    assert sorted(look.object_ids) == ["1", "2", "3"]


def test_admin_shows_a_row_read_only(client, admin_user, rows):
    client.force_login(admin_user)
    response = client.get("/admin/audit/auditevent/2/change/")
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert AuditEvent.objects.order_by("-seq").first().object_id == "2"


def test_admin_cannot_add_change_or_delete_rows(client, admin_user, rows):
    client.force_login(admin_user)
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post("/admin/audit/auditevent/2/change/", {"purpose": "x"}).status_code == 403
    assert client.post("/admin/audit/auditevent/2/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        "/admin/audit/auditevent/",
        {"action": "delete_selected", "_selected_action": ["1"], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert AuditEvent.objects.filter(seq=1).exists()
    assert AuditEvent.objects.get(seq=2).purpose == ""


def test_staff_without_admin_rights_do_not_see_the_log(client, make_user, rows):
    clerk = make_user("clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get("/admin/audit/auditevent/").status_code == 403


def test_non_staff_are_sent_to_the_admin_sign_in(client, investigator, rows):
    client.force_login(investigator)
    response = client.get("/admin/audit/auditevent/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
