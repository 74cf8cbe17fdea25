"""Access policy for consent and support referrals on the liaison record (issue 13): those
who may change the record (its officer, the team's liaison leads, national leads) open the
forms (an empty POST is refused: 400); everyone else, investigators and review leads
included, gets 404, as for a record that is not there. Each form page logs a read of the
victim's record (its fetch decides access); each write is audited by its service."""

from liaison.models import Consent, SupportReferral
from tests.access_policy import record_form

POLICY = {
    "liaison:consent_create": record_form(),
    "liaison:consent_withdraw": record_form(),
    "liaison:support_referral_create": record_form(),
    "liaison:support_referral_made": record_form(),
    "liaison:support_referral_outcome": record_form(),
}

PK_OF = {
    "liaison:consent_create": "record",
    "liaison:consent_withdraw": "consent",
    "liaison:support_referral_create": "record",
    "liaison:support_referral_made": "support_referral",
    "liaison:support_referral_outcome": "support_referral",
}

READ = "consult of the record shown; the write audited by its service"
ROUTE_AUDIT = dict.fromkeys(POLICY, READ)


def world(world, *, investigator, liaison_officer):
    """Consent to share information on the liaison officer's record, and a referral to a
    ChISVA relying on it, not yet made (synthetic)."""
    consent = Consent.objects.create(
        record=world["record"],
        kind="information_sharing",
        scope="Synthetic: name and phone shared with the ChISVA service",
        given_on="2026-01-05",
        how="in_person",
        recorded_by=liaison_officer,
    )
    world["consent"] = consent
    world["support_referral"] = SupportReferral.objects.create(
        record=world["record"],
        service="chisva",
        consent=consent,
        agreed_on="2026-01-06",
        recorded_by=liaison_officer,
    )
