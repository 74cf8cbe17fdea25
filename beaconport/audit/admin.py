"""The audit log in Django admin: read-only, and every look at it is itself logged."""

from django.contrib import admin

from beaconport.audit.models import AuditEvent
from beaconport.audit.services import audit_consult


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Rows can be read, never added, changed or deleted (the database refuses too)."""

    list_display = ("seq", "at", "actor_label", "operation", "object_type", "object_id", "source")
    list_filter = ("operation", "object_type")
    search_fields = ("=object_id", "actor_label", "=case_id", "=person_id")
    date_hierarchy = "at"
    list_select_related = False
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            audit_consult(
                ids=[event.seq for event in changelist.result_list],
                object_type="audit.auditevent",
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            audit_consult(object_type="audit.auditevent", object_id=object_id)
        return response
