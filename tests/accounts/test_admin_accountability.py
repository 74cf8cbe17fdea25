"""Administrators act on the record: every grant and revocation on guardian's object
permission pages, every user and group change in the admin, writes an audit row AND an
admin log entry; the person pages of the admin ask for a reason before showing a name."""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.forms import MultiWidget

from beaconport.accounts.services import token_create
from beaconport.audit.models import AuditEvent
from beaconport.roles import Role
from cases.permissions import cases_visible_to
from tests.accounts.test_tokens import REFUSED, admin_login, api_status
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    admin_login(client, admin_user)
    return client


@pytest.fixture
def case():
    return make_case()


def permissions_url(case, *rest):
    return f"/admin/cases/case/{case.pk}/permissions/" + "".join(f"{r}/" for r in rest)


def case_log(case):
    return LogEntry.objects.filter(object_id=str(case.pk), content_type__model="case")


def rows(**filters):
    return AuditEvent.objects.filter(**filters).order_by("seq")


def form_data(response, **changes):
    """What the admin change form on the page would post unchanged, with `changes` on top."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        widget = field.widget
        if isinstance(widget, MultiWidget):
            for i, part in enumerate(widget.decompress(value)):
                data[f"{name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        elif value is not None:
            data[name] = str(value)
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        elif value is True:
            data[name] = "on"
        else:
            data[name] = value
    return data


def test_a_grant_on_guardians_user_page_is_audited_and_in_the_admin_log(
    admin, admin_user, investigator, case
):
    chosen = admin.post(
        permissions_url(case),
        {"user": investigator.username, "submit_manage_user": "Manage user"},
    )
    manage = permissions_url(case, "user-manage", investigator.pk)
    assert chosen.status_code == 302 and chosen["Location"] == manage
    response = admin.post(manage, {"permissions": ["view_case", "change_case"]})
    assert response.status_code == 302
    assert case in cases_visible_to(investigator)
    row = rows(operation="alter", case_id=case.pk).get()
    assert row.actor_id == admin_user.pk
    assert row.changes == {"user ivy.investigator": [[], ["change_case", "view_case"]]}
    entry = case_log(case).get()
    assert (entry.user_id, entry.action_flag) == (admin_user.pk, CHANGE)
    assert entry.get_change_message() == (
        "Object permissions of user ivy.investigator: granted change_case, view_case; "
        "revoked nothing."
    )


def test_a_revocation_on_guardians_user_page_is_audited_and_in_the_admin_log(
    admin, admin_user, investigator, case
):
    manage = permissions_url(case, "user-manage", investigator.pk)
    admin.post(manage, {"permissions": ["view_case", "change_case"]})
    # A browser posts its CSRF token even when every box is clear.
    response = admin.post(manage, {"permissions": [], "csrfmiddlewaretoken": "x"})
    assert response.status_code == 302
    assert case not in cases_visible_to(investigator)
    revoked = rows(operation="alter", case_id=case.pk).last()
    assert revoked.changes == {"user ivy.investigator": [["change_case", "view_case"], []]}
    assert case_log(case).count() == 2
    assert "revoked change_case, view_case" in case_log(case).latest("pk").get_change_message()


def test_saving_the_same_permissions_again_writes_nothing(admin, investigator, case):
    manage = permissions_url(case, "user-manage", investigator.pk)
    admin.post(manage, {"permissions": ["view_case"]})
    admin.post(manage, {"permissions": ["view_case"]})
    assert rows(operation="alter", case_id=case.pk).count() == 1
    assert case_log(case).count() == 1


def test_a_grant_to_a_group_on_guardians_group_page_is_audited(admin, admin_user, case):
    group = Group.objects.create(name="Operation Synthetic")
    manage = permissions_url(case, "group-manage", group.pk)
    assert admin.post(manage, {"permissions": ["view_case"]}).status_code == 302
    row = rows(operation="alter", case_id=case.pk).get()
    assert row.changes == {"group Operation Synthetic": [[], ["view_case"]]}
    assert "group Operation Synthetic: granted view_case" in case_log(case).get().change_message


def test_a_group_membership_change_in_the_user_admin_is_audited_and_logged(
    admin, admin_user, investigator
):
    url = f"/admin/auth/user/{investigator.pk}/change/"
    lead = Group.objects.get(name=Role.REVIEW_LEAD.value)
    groups = [str(g.pk) for g in investigator.groups.all()] + [str(lead.pk)]
    response = admin.post(url, form_data(admin.get(url), groups=groups))
    assert response.status_code == 302, response.context and response.context["errors"]
    assert investigator.groups.filter(pk=lead.pk).exists()
    row = rows(object_type="auth.user", object_id=str(investigator.pk)).get()
    assert (row.operation, row.actor_id) == ("alter", admin_user.pk)
    assert row.changes == {"groups": [["Investigator"], ["Investigator", "Review lead"]]}
    entry = LogEntry.objects.get(object_id=str(investigator.pk), content_type__model="user")
    assert (entry.user_id, entry.action_flag) == (admin_user.pk, CHANGE)
    assert "Groups" in entry.get_change_message()


def test_staff_superuser_and_active_flags_changed_in_the_admin_are_audited(admin, investigator):
    secret = token_create(user=investigator, by=investigator)[1]
    url = f"/admin/auth/user/{investigator.pk}/change/"
    data = form_data(admin.get(url), is_staff=True, is_superuser=True, is_active=False)
    assert admin.post(url, data).status_code == 302
    row = rows(object_type="auth.user", object_id=str(investigator.pk)).get()
    assert row.changes == {
        "is_active": [True, False],
        "is_staff": [False, True],
        "is_superuser": [False, True],
    }
    revoked = rows(object_type="knox.authtoken", operation="erase").get()
    assert revoked.justification == "user deactivated"
    investigator.is_active = True
    investigator.save(update_fields=["is_active"])
    assert api_status(secret) == REFUSED  # reactivation does not bring the token back


def test_a_password_set_by_an_administrator_is_audited_by_name_and_ends_the_tokens(
    admin, admin_user, investigator
):
    secret = token_create(user=investigator, by=investigator)[1]
    response = admin.post(
        f"/admin/auth/user/{investigator.pk}/password/",
        {
            "password1": "an-administrator-set-passphrase-77",
            "password2": "an-administrator-set-passphrase-77",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert api_status(secret) == REFUSED
    row = rows(object_type="auth.user", object_id=str(investigator.pk)).get()
    assert (row.actor_id, row.changes) == (admin_user.pk, {"password": "changed"})
    assert "an-administrator" not in str(row.changes)
    revoked = rows(object_type="knox.authtoken", operation="erase").get()
    assert (revoked.actor_id, revoked.justification) == (admin_user.pk, "password changed")
    entry = LogEntry.objects.get(object_id=str(investigator.pk), content_type__model="user")
    assert entry.action_flag == CHANGE


def test_a_user_added_in_the_admin_is_audited_and_users_are_never_deleted(
    admin, admin_user, investigator
):
    response = admin.post(
        "/admin/auth/user/add/",
        {
            "username": "nia.newcomer",
            "password1": "a-brand-new-passphrase-2026",
            "password2": "a-brand-new-passphrase-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    row = rows(object_type="auth.user", operation="collect").get()
    assert row.changes["username"] == [None, "nia.newcomer"]
    assert row.changes["password"] == "changed"
    assert LogEntry.objects.filter(action_flag=ADDITION, content_type__model="user").exists()
    assert admin.get(f"/admin/auth/user/{investigator.pk}/delete/").status_code == 403


def test_a_group_permission_change_is_audited(admin, admin_user):
    group = Group.objects.get(name=Role.ANALYST.value)
    url = f"/admin/auth/group/{group.pk}/change/"
    perm = Permission.objects.get(codename="view_force")
    response = admin.post(url, {"name": group.name, "permissions": [str(perm.pk)]})
    assert response.status_code == 302
    row = rows(object_type="auth.group", object_id=str(group.pk)).get()
    assert row.changes["permissions"][1] == ["cases.view_force"]
    assert LogEntry.objects.filter(object_id=str(group.pk), action_flag=CHANGE).exists()


def test_the_person_admin_page_asks_a_reason_before_showing_a_name(admin, admin_user, case):
    person = case.parties.get(ref="V1").person
    url = f"/admin/cases/person/{person.pk}/change/"
    asked = admin.get(url)
    assert asked.status_code == 302 and asked["Location"].startswith("/audit/justify/")
    assert person.surname not in asked.content.decode()
    reads = rows(operation="consult", object_type="cases.person", object_id=str(person.pk))
    assert not reads.exists()
    given = admin.post(asked["Location"], {"justification": "Checking a duplicate record."})
    assert given.status_code == 302 and given["Location"] == url
    shown = admin.get(url)
    assert shown.status_code == 200
    assert person.surname in shown.content.decode()
    # The reason given, then the page's read, which carries it.
    assert [r.justification for r in reads] == ["Checking a duplicate record."] * 2
    assert {r.actor_id for r in reads} == {admin_user.pk}


def test_the_case_party_admin_page_asks_a_reason_too(admin, case):
    party = case.parties.get(ref="V1")
    asked = admin.get(f"/admin/cases/caseparty/{party.pk}/change/")
    assert asked.status_code == 302 and asked["Location"].startswith("/audit/justify/")
