"""Every write to the liaison domain: keyword-only, atomic, validated, the only way in.

Errors are Django ValidationErrors keyed by field name, so forms and the API show them
beside the field; a stale edit raises `cases.services.errors.StaleEdit`.
"""

from liaison.services.consent import consent_record, consent_withdraw
from liaison.services.contacts import contact_record, expectation_record
from liaison.services.followups import (
    followup_cancel,
    followup_complete,
    followup_create,
    followups_cancel_for_case,
    followups_open_for_trigger,
)
from liaison.services.messages import (
    message_draft,
    message_edit,
    message_mark_sent,
    message_promises,
    message_template_add,
    message_template_revise,
    promise_phrase_add,
    promise_phrase_update,
)
from liaison.services.records import (
    PREFERENCE_FIELDS,
    do_not_contact_add,
    do_not_contact_end,
    enhanced_rights_set,
    preferences_update,
    record_assign,
    record_open_for_party,
    records_assign_many,
    records_open_for_parties,
)
from liaison.services.review_requests import (
    review_request_acknowledge,
    review_request_decide,
    review_request_delay,
    review_request_record,
    review_request_withdraw,
)
from liaison.services.safety import (
    needs_assessment_save,
    safety_plan_reviewed,
    safety_plan_save,
    safety_review_needed_for_flag,
)
from liaison.services.support_referrals import (
    support_referral_create,
    support_referral_made,
    support_referral_outcome,
)

__all__ = [
    "PREFERENCE_FIELDS",
    "consent_record",
    "consent_withdraw",
    "contact_record",
    "do_not_contact_add",
    "do_not_contact_end",
    "enhanced_rights_set",
    "expectation_record",
    "followup_cancel",
    "followup_complete",
    "followup_create",
    "followups_cancel_for_case",
    "followups_open_for_trigger",
    "message_draft",
    "message_edit",
    "message_mark_sent",
    "message_promises",
    "message_template_add",
    "message_template_revise",
    "needs_assessment_save",
    "preferences_update",
    "promise_phrase_add",
    "promise_phrase_update",
    "record_assign",
    "record_open_for_party",
    "records_assign_many",
    "records_open_for_parties",
    "review_request_acknowledge",
    "review_request_decide",
    "review_request_delay",
    "review_request_record",
    "review_request_withdraw",
    "safety_plan_reviewed",
    "safety_plan_save",
    "safety_review_needed_for_flag",
    "support_referral_create",
    "support_referral_made",
    "support_referral_outcome",
]
