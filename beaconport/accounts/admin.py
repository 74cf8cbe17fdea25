"""Admin for accounts: every change an administrator makes to a user, a group or an API
token writes an audit row (beaconport.audit) as well as Django's admin log entry.

API tokens: knox's own admin lists digests and can mint tokens; this one replaces it. It
lists whose tokens exist and when they expire, never a digest or a secret, and can only
revoke. Users are never deleted here (their audit history refers to them): deactivate them.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from guardian.admin import AdminGroupObjectPermissionsForm, AdminUserObjectPermissionsForm
from knox import admin as knox_admin  # registers knox's admin first, so it can be replaced
from knox.models import AuthToken

from beaconport.accounts.selectors import token_fingerprint
from beaconport.accounts.services import (
    account_snapshot,
    group_change_record,
    group_snapshot,
    object_permissions_change_record,
    token_revoke,
    tokens_revoke_all,
    user_change_record,
)

User = get_user_model()


def _audited_grants_form(base, model_admin, request):
    """Guardian's user or group object-permission form, whose save also writes an audit
    row and an admin log entry naming what was granted and revoked, in one transaction."""

    class AuditedForm(base):
        def save_obj_perms(self):
            grantee = getattr(self, "user", None) or self.group
            with transaction.atomic():
                before = set(self.get_obj_perms_field_initial())
                super().save_obj_perms()
                after = set(self.get_obj_perms_field_initial())
                changes = object_permissions_change_record(
                    obj=self.obj, by=request.user, grantee=grantee, before=before, after=after
                )
                if changes:
                    ((who, _),) = changes.items()
                    granted = ", ".join(sorted(after - before)) or "nothing"
                    revoked = ", ".join(sorted(before - after)) or "nothing"
                    model_admin.log_change(
                        request,
                        self.obj,
                        f"Object permissions of {who}: granted {granted}; revoked {revoked}.",
                    )

    return AuditedForm


class AuditedObjectPermissionsMixin:
    """For a GuardedModelAdmin: every grant and revocation made on guardian's "Object
    permissions" pages (user and group) is audited and in the admin's history."""

    def get_obj_perms_manage_user_form(self, request):
        return _audited_grants_form(AdminUserObjectPermissionsForm, self, request)

    def get_obj_perms_manage_group_form(self, request):
        return _audited_grants_form(AdminGroupObjectPermissionsForm, self, request)


assert knox_admin  # imported for its side effect above
admin.site.unregister(AuthToken)
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    """Who holds API tokens and until when; revoke only. No digest, no secret, no add."""

    list_display = ("user", "created", "expiry")
    list_display_links = None  # no change page: its address would carry the digest
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = ("user", "created", "expiry")
    readonly_fields = fields
    ordering = ("-created",)
    actions = ("revoke_selected",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # Django's delete pages print the digest: revoke with the action

    def has_revoke_permission(self, request):
        return request.user.has_perm("knox.delete_authtoken")

    @admin.action(description="Revoke selected API tokens", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        content_type = ContentType.objects.get_for_model(AuthToken)
        revoked = 0
        with transaction.atomic():
            for token in queryset.select_related("user"):
                fingerprint = token_fingerprint(token)
                token_revoke(token=token, by=request.user, reason="revoked by an administrator")
                LogEntry.objects.create(
                    user_id=request.user.pk,
                    content_type_id=content_type.pk,
                    object_id=fingerprint,
                    object_repr=f"API token {fingerprint[:8]}… of {token.user.get_username()}",
                    action_flag=DELETION,
                    change_message="Revoked by an administrator.",
                )
                revoked += 1
        self.message_user(request, f"{revoked} API token(s) revoked.", messages.SUCCESS)


@admin.register(User)
class AccountableUserAdmin(UserAdmin):
    """Django's user admin, with every creation and change (roles, staff, superuser, active,
    permissions, a password set) audited. No deletion: deactivate instead."""

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        request._account_before = account_snapshot(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        before = getattr(request, "_account_before", None)
        user_change_record(
            user=user,
            by=request.user,
            before=before,
            password_set=not change and user.has_usable_password(),
        )
        if before and before["is_active"] and not user.is_active:
            # A deactivated user's tokens would work again on reactivation: end them now.
            tokens_revoke_all(user=user, by=request.user, reason="user deactivated")

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                user_change_record(
                    user=user, by=request.user, before=account_snapshot(user), password_set=True
                )
        return response


@admin.register(Group)
class AccountableGroupAdmin(GroupAdmin):
    """Django's group admin (the roles), with creations, changes and deletions audited."""

    def save_model(self, request, obj, form, change):
        request._group_before = group_snapshot(Group.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        group_change_record(
            group=form.instance, by=request.user, before=getattr(request, "_group_before", None)
        )

    def delete_model(self, request, obj):
        before = group_snapshot(obj)
        pk = obj.pk
        super().delete_model(request, obj)
        obj.pk = pk
        group_change_record(group=obj, by=request.user, before=before, deleted=True)

    def delete_queryset(self, request, queryset):
        for group in queryset:
            self.delete_model(request, group)
