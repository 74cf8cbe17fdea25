"""Django admin reads of personal data are logged like any other read (DPA 2018 s62)."""

from django.contrib.admin.utils import unquote

from beaconport.audit.justification import require_justification
from beaconport.audit.services import audit_consult


class AuditedAdminMixin:
    """Log each changelist page (one row naming the records shown) and each record opened.

    Put first in the bases of every ModelAdmin over case or liaison data; writes made
    through the admin go through the services, which log them.
    """

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", None) or {}
        changelist = changelist.get("cl")
        if changelist is not None:
            audit_consult(
                ids=[obj.pk for obj in changelist.result_list],
                object_type=self.model._meta.label_lower,
                actor=request.user,
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            audit_consult(
                object_type=self.model._meta.label_lower,
                object_id=object_id,
                actor=request.user,
            )
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            audit_consult(
                object_type=self.model._meta.label_lower,
                object_id=object_id,
                actor=request.user,
            )
        return response


class JustifiedChangeViewMixin:
    """Ask for a reason before a change page shows an identity (a person's name, a victim's
    part in a case), as the case page does; the reason is logged with the read.

    Put before AuditedAdminMixin in the bases: the consult row that mixin writes carries
    the reason. `justification_subject(obj)` names the case and person for the log.
    """

    justification_reason = "identity in admin"

    def justification_subject(self, obj) -> dict:
        return {}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            subject = {"label": f"the identity details of {obj}", **self.justification_subject(obj)}
            response = require_justification(
                request, reason=self.justification_reason, obj=obj, **subject
            )
            if response is not None:
                return response
        return super().change_view(request, object_id, form_url, extra_context)
