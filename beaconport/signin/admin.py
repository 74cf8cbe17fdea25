"""Admin: two-step devices can be seen and removed (audited), never created or read for
their secret; axes' records of sign-in attempts are read-only evidence.

An administrator resets a lost phone by deleting the user's devices here; the user sets up
a new app at their next sign-in.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from beaconport.signin.services import two_factor_device_remove


class SecondStepDeviceAdmin(admin.ModelAdmin):
    """Who has which device, and the one change allowed: removal, through the service."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        two_factor_device_remove(device=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for device in queryset:
            two_factor_device_remove(device=device, by=request.user)


class ReadOnlyAttemptsMixin:
    """Attempts are evidence: nobody edits them in the admin."""

    def has_change_permission(self, request, obj=None):
        return False


class AttemptAdmin(ReadOnlyAttemptsMixin, AccessAttemptAdmin):
    """Current lockout counts; deleting a row lifts its lockout (so does `axes_reset`)."""


class SuccessLogAdmin(ReadOnlyAttemptsMixin, AccessLogAdmin):
    """Successful sign-ins and sign-outs."""

    def has_delete_permission(self, request, obj=None):
        return False


class FailureLogAdmin(ReadOnlyAttemptsMixin, AccessFailureLogAdmin):
    """Every failed sign-in, with whether it locked the account (kept per user up to a cap)."""

    def has_delete_permission(self, request, obj=None):
        return False


for model, model_admin in (
    (TOTPDevice, SecondStepDeviceAdmin),
    (StaticDevice, SecondStepDeviceAdmin),
    (AccessAttempt, AttemptAdmin),
    (AccessLog, SuccessLogAdmin),
    (AccessFailureLog, FailureLogAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
