"""Admin: Victims' Code rules are edited here; other liaison data is read-only evidence."""

from django import forms
from django.contrib import admin

from beaconport.audit.admin_mixins import AuditedAdminMixin
from beaconport.inputs import CappedTextField, PlausibleDateField
from liaison.models import FollowUp, ReminderDelivery, VictimsCodeRule
from liaison.workdays import MAX_WORKING_DAYS


class VictimsCodeRuleForm(forms.ModelForm):
    """A rule as an administrator edits it: a plausible start and limits a count can take.

    A limit past MAX_WORKING_DAYS would make every event under the rule fail to get its
    deadline (the working-day count refuses it), so it is refused here, naming the field.
    """

    effective_from = PlausibleDateField(label="Effective from")
    source = CappedTextField(widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = VictimsCodeRule
        fields = ["trigger", "enhanced_days", "standard_days", "source", "effective_from"]

    def clean(self):
        data = super().clean()
        for name in ("enhanced_days", "standard_days"):
            days = data.get(name)
            if days is not None and days > MAX_WORKING_DAYS:
                self.add_error(name, f"A limit is at most {MAX_WORKING_DAYS} working days.")
        return data


@admin.register(VictimsCodeRule)
class VictimsCodeRuleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = VictimsCodeRuleForm
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
