"""Admin: Victims' Code rules are edited here; other liaison data is read-only evidence."""

from django.contrib import admin

from beaconport.audit.admin_mixins import AuditedAdminMixin
from liaison.models import FollowUp, ReminderDelivery, VictimsCodeRule


@admin.register(VictimsCodeRule)
class VictimsCodeRuleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("trigger", "enhanced_days", "standard_days", "effective_from")
    list_filter = ("trigger",)
    ordering = ("trigger", "-effective_from")


class ReadOnlyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Shown for support and audit; changed only through the liaison services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ("pk", "case", "rule", "status", "due_on", "next_reminder_at")
    list_filter = ("status", "rule__trigger")
    list_select_related = ("case", "rule")
    raw_id_fields = ("record", "case", "officer", "completed_by_contact", "created_by")


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("follow_up", "stage", "recipient_count", "sent_at")
    list_filter = ("stage",)
