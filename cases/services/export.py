"""Exporting a case as a PDF bundle for disclosure (issue 12): the one way a case leaves
Beaconport whole, and always logged as a disclosure to a named recipient for a purpose."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beaconport.audit.services import audit_disclose
from cases.export.material import export_material
from cases.export.pdf import Cover, draw_bundle
from cases.models import Case
from cases.permissions import leads_case
from cases.services.errors import ActionNotPermitted

RECIPIENT_MAX = 200
PURPOSE_MAX = 250  # leaves room for what the audit row says of the bundle (300 in all)
AUDIT_PURPOSE_MAX = 300
NAMES_REASON_MIN = 10  # as any reason for seeing names (beaconport.audit.forms)
NAMES_REASON_MAX = 1000


def _required(errors: dict, name: str, value: str, limit: int, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[name] = missing
    elif len(value) > limit:
        errors[name] = f"Keep it to {limit} characters (it has {len(value)})."
    return value


@transaction.atomic
def case_export(*, case: Case, by, recipient: str, purpose: str, names_reason: str = "") -> bytes:
    """The case's bundle (record, timeline, lines of inquiry and findings with the documents
    they cite, the list of its documents) as PDF bytes, logged as disclosed to the recipient.

    Only a lead of the case exports it. People appear by their reference on the case unless
    a reason to include names is given. A disclosure is a deliberate act with a named
    recipient and purpose, so the lead may include names (which their pages never show them)
    by saying why; the reason is printed on the cover and logged as the disclosure's
    justification.
    """
    if not leads_case(by, case):
        raise ActionNotPermitted("Only a review lead of this case, or a national lead, exports it.")
    errors: dict[str, str] = {}
    recipient = _required(
        errors, "recipient", recipient, RECIPIENT_MAX, "Say who the bundle is going to."
    )
    purpose = _required(errors, "purpose", purpose, PURPOSE_MAX, "Say what the bundle is for.")
    names_reason = (names_reason or "").strip()
    if len(names_reason) > NAMES_REASON_MAX:
        errors["names_reason"] = f"Keep it to {NAMES_REASON_MAX} characters."
    elif names_reason and len(names_reason) < NAMES_REASON_MIN:
        errors["names_reason"] = (
            f"Say why the recipient needs the names, in at least {NAMES_REASON_MIN} "
            "characters; or leave it empty to redact them."
        )
    if errors:
        raise ValidationError(errors)

    cover = Cover(
        exported_by=by.get_full_name() or by.get_username(),
        exported_at=timezone.now(),
        recipient=recipient,
        purpose=purpose,
        names_reason=names_reason,
    )
    pdf = draw_bundle(export_material(case), cover)
    names = "names shown" if names_reason else "names redacted"
    audit_disclose(
        obj=case,
        actor=by,
        recipient=recipient,
        purpose=f"Case bundle (PDF, {names}): {purpose}"[:AUDIT_PURPOSE_MAX],
        justification=names_reason,
        case=case,
    )
    return pdf
