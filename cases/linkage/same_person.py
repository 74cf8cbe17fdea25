"""Adding a person who is already in the index: a new record on this case, linked to theirs.

"Add a person" searches first (`cases.linkage.search`). When the user picks a match ("the
same person as BP-000123 S2"), the new record copies that record's details, since each
record stays one file's description and is never shared or altered by linkage, and the two
records are linked: confirmed at once when a lead adds them (`resolution.link_manual`),
otherwise left for a review lead to decide, with the user's reason.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.linkage import keys
from cases.linkage.resolution import link_for_review, link_manual, reason_clean
from cases.linkage.search import records_searchable_by
from cases.models import Case, CaseParty, PersonIdentifier, PersonLink
from cases.permissions import may_decide_link
from cases.services import people
from cases.services.errors import ActionNotPermitted

SAME_PERSON_MISSING = "Say why this is the same person."
# What the new record copies from the one picked (names, birth, gender, ethnicity, PNC ID).
COPIED = ("surname", "forenames", "date_of_birth", "gender", "ethnicity", "ethnicity_source")


def same_person_get_for(user, pk) -> CaseParty:
    """A record the user may pick as "the same person": one their search can find; else
    ActionNotPermitted, exactly as for a record that does not exist."""
    party = (
        records_searchable_by(user).select_related("person", "case__force").filter(pk=pk).first()
    )
    if party is None:
        raise ActionNotPermitted("No such record.")
    return party


@transaction.atomic
def party_add_same_person(
    *, case: Case, same_as: CaseParty, role: str, by, reason: str
) -> tuple[CaseParty, PersonLink]:
    """Put on the case a new record of the person `same_as` describes, and link the two.

    The record copies the other's details (names, birth, gender, ethnicity, PNC ID and
    identifiers). A lead's link is confirmed (`link_manual`); anyone else's, and any link
    between two roles, waits for a review lead.
    """
    reason = reason_clean(reason, missing=SAME_PERSON_MISSING)
    same_as = same_person_get_for(by, same_as.pk)
    if same_as.case_id == case.pk:
        raise ValidationError("That record is already on this case.")
    source = same_as.person
    party = people.party_add(
        case=case, by=by, role=role, **{name: getattr(source, name) for name in COPIED}
    )
    person = party.person
    person.pnc_id = source.pnc_id
    person.surname_phonetic = keys.phonetic(person.surname)
    person.forenames_phonetic = keys.phonetic(person.forenames)
    person.save(update_fields=["pnc_id", "surname_phonetic", "forenames_phonetic"])
    copies = [
        PersonIdentifier(person=person, kind=row.kind, value=row.value, key=row.key)
        for row in source.identifiers.all()
    ]
    PersonIdentifier.objects.bulk_create(copies)
    audit_record(
        operation=Operation.COMBINE,
        actor=by,
        obj=person,
        case=case,
        justification=reason,
        changes={
            "copied_from": (None, same_as.pk),
            "pnc_id": (None, "changed" if source.pnc_id else None),
            "identifiers": (None, len(copies)),
        },
        sensitive_fields=("pnc_id",),
    )
    if same_as.role == party.role and may_decide_link(by, None):
        return party, link_manual(left=party, right=same_as, by=by, reason=reason)
    return party, link_for_review(left=party, right=same_as, by=by, reason=reason)
