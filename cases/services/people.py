"""People on a case: adding suspects, victims and witnesses, and keeping their facts right."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from beaconport.inputs import clean_name, clean_reference, name_problem, reference_problem
from cases import signals
from cases.linkage.keys import name_phonetics
from cases.models import Case, CaseParty, Person, format_reference
from cases.permissions import CHANGE, cases_changeable_by
from cases.services.errors import ActionNotPermitted, require_permission
from cases.services.versioning import (
    audited_versioned_update,
    validate_text_lengths,
)
from cases.vocabulary import Gender, PartyRole

REF_PREFIX = {PartyRole.SUSPECT: "S", PartyRole.VICTIM: "V", PartyRole.WITNESS: "W"}
SUSPECT_ONLY = ("deceased", "interviewed")
VICTIM_ONLY = ("age_at_first_offence",)
PARTY_EDITABLE = (*SUSPECT_ONLY, *VICTIM_ONLY)
PERSON_EDITABLE = (
    "surname",
    "forenames",
    "date_of_birth",
    "gender",
    "ethnicity",
    "ethnicity_source",
)
# What linkage compares: a correction of these runs linkage again.
LINKAGE_INPUTS = frozenset({"surname", "forenames", "date_of_birth"})
# What a party's facts feed: a suspect's life status is an eligibility criterion.
PARTY_ELIGIBILITY_INPUTS = frozenset({"deceased"})
# Special category and identifying data: the audit log names these fields, never their values
# (names and dates of birth are kept out by the audit library's own list).
PERSON_SENSITIVE = ("gender", "ethnicity", "ethnicity_source")


def _validate_person(person: Person, changed) -> None:
    errors = {
        name: problem
        for name in ("surname", "forenames")
        if name in changed and (problem := name_problem(getattr(person, name)))
    }
    if not (person.surname or "").strip():
        errors["surname"] = "Enter the surname (or a placeholder the file uses, e.g. Unknown)."
    if person.date_of_birth and person.date_of_birth > timezone.localdate():
        errors["date_of_birth"] = "The date of birth is in the future."
    if person.ethnicity is None and person.ethnicity_source is not None:
        errors["ethnicity_source"] = (
            "No ethnicity is recorded, so there is no source: leave it empty, or record the "
            'ethnicity ("not stated" if the person declined).'
        )
    if person.ethnicity is not None and person.ethnicity_source is None:
        errors["ethnicity_source"] = "Say where the ethnicity comes from."
    if errors:
        raise ValidationError(errors)


def _validate_party(party: CaseParty, changed) -> None:
    errors = {}
    wrong = SUSPECT_ONLY if party.role != PartyRole.SUSPECT else ()
    wrong += VICTIM_ONLY if party.role != PartyRole.VICTIM else ()
    for name in wrong:
        if getattr(party, name) is not None and name in changed:
            errors[name] = f"Only for a {'suspect' if name in SUSPECT_ONLY else 'victim'}."
    if errors:
        raise ValidationError(errors)


def _next_ref(case: Case, role: str) -> str:
    prefix = REF_PREFIX[role]
    pattern = re.compile(rf"^{prefix}(\d+)$")
    numbers = [
        int(m.group(1))
        for ref in case.parties.filter(ref__startswith=prefix).values_list("ref", flat=True)
        if (m := pattern.match(ref))
    ]
    return f"{prefix}{max(numbers, default=0) + 1}"


def _recompute(case: Case) -> None:
    from cases.services.intake import case_recompute

    case_recompute(case=case)


@transaction.atomic
def party_add(
    *,
    case: Case,
    by,
    role: str,
    surname: str = "",
    forenames: str = "",
    date_of_birth=None,
    gender: str = Gender.UNKNOWN,
    ethnicity: str | None = None,
    ethnicity_source: str | None = None,
    person: Person | None = None,
    ref: str | None = None,
    deceased: bool | None = None,
    interviewed: bool | None = None,
    age_at_first_offence: int | None = None,
) -> CaseParty:
    """Put a person on a case as suspect, victim or witness, with the next free reference.

    A new entry in the person index is made from the person fields, unless an existing
    `person` is given. Eligibility and priority are recomputed; `case_party_added` is sent
    after commit.
    """
    require_permission(by, CHANGE, case, "add people")
    if role not in PartyRole.values:
        raise ValidationError({"role": "Choose suspect, victim or witness."})
    role = PartyRole(role)
    # Lock the case: two people added at once must not both take the next reference.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if ref is None:
        ref = _next_ref(case, role)
    else:
        ref = clean_reference(ref)
        if not ref:
            raise ValidationError({"ref": "Give a reference such as S3, or leave it empty."})
        if problem := reference_problem(ref):
            raise ValidationError({"ref": problem})
        if case.parties.filter(ref=ref).exists():
            raise ValidationError({"ref": f"{case.reference} already has a person {ref}."})
    operation = Operation.COMBINE if person is not None else Operation.COLLECT
    if person is None:
        person = Person(
            surname=clean_name(surname),
            forenames=clean_name(forenames),
            date_of_birth=date_of_birth,
            gender=gender,
            ethnicity=ethnicity or None,
            ethnicity_source=ethnicity_source or None,
        )
        for name, code in name_phonetics(person.surname, person.forenames).items():
            setattr(person, name, code)
        person.full_clean()
        validate_text_lengths(person)
        _validate_person(person, set(PERSON_EDITABLE))
        person.save()
    elif surname or forenames or date_of_birth or ethnicity or ethnicity_source:
        raise ValidationError("Give either an existing person or a new person's details.")
    party = CaseParty(
        case=case,
        person=person,
        role=role,
        ref=ref,
        deceased=deceased,
        interviewed=interviewed,
        age_at_first_offence=age_at_first_offence,
    )
    party.full_clean()
    validate_text_lengths(party)
    _validate_party(party, set(PARTY_EDITABLE))
    party.save()
    _recompute(case)
    _people_changed(case_ids=[case.pk], party_ids=[party.pk])
    transaction.on_commit(
        lambda: signals.case_party_added.send(
            sender=CaseParty, case_id=case.pk, party_id=party.pk, role=str(role)
        )
    )
    audit_record(operation=operation, actor=by, obj=party)
    return party


def _people_changed(*, case_ids, party_ids) -> None:
    """Mark the cases changed (the next incremental linkage run reads their records as new)
    and, after commit, tell linkage to run."""
    Case.objects.filter(pk__in=case_ids).update(updated_at=timezone.now())
    party_ids = list(party_ids)
    transaction.on_commit(
        lambda: signals.people_changed.send(sender=CaseParty, party_ids=party_ids)
    )


@transaction.atomic
def party_update(*, party: CaseParty, by, version: int, **fields) -> CaseParty:
    """Correct a person's part in a case (alive or dead, interviewed, age at first offence).

    A suspect recorded deceased can take the case out of scope: eligibility is recomputed.
    """
    require_permission(by, CHANGE, party.case, "edit people")
    current, changed = audited_versioned_update(
        instance=party,
        by=by,
        version=version,
        fields=fields,
        editable=PARTY_EDITABLE,
        label=f"Person {party.ref} on {format_reference(party.case_id)}",
        validate=_validate_party,
    )
    if changed & PARTY_ELIGIBILITY_INPUTS:
        _recompute(current.case)
    return current


def _may_edit_person(user, person: Person) -> bool:
    """A person may be edited by whoever may change any case they are on."""
    if user is None:
        return False
    return cases_changeable_by(user).filter(parties__person=person).exists()


@transaction.atomic
def person_update(*, person: Person, by, version: int, **fields) -> Person:
    """Correct a person-index entry: name, date of birth, gender, ethnicity and its source.

    A null ethnicity is "not recorded" (a data gap) and has no source; clearing the
    ethnicity clears the source with it.
    """
    if not _may_edit_person(by, person):
        raise ActionNotPermitted("You may not edit this person.")
    for name in ("surname", "forenames"):
        if name in fields:
            fields[name] = clean_name(fields[name])
    for name in ("ethnicity", "ethnicity_source"):
        if name in fields:
            fields[name] = fields[name] or None
    if "ethnicity" in fields and fields["ethnicity"] is None:
        fields.setdefault("ethnicity_source", None)
    current, changed = audited_versioned_update(
        instance=person,
        by=by,
        version=version,
        fields=fields,
        editable=PERSON_EDITABLE,
        label="This person's record",
        validate=_validate_person,
        sensitive_fields=PERSON_SENSITIVE,
    )
    if changed & {"surname", "forenames"}:
        # Derived from the names, so kept with them; not audited (they would spell the name).
        codes = name_phonetics(current.surname, current.forenames)
        Person.objects.filter(pk=current.pk).update(**codes)
        for name, code in codes.items():
            setattr(current, name, code)
    if changed & LINKAGE_INPUTS:
        parties = list(CaseParty.objects.filter(person=current).values_list("pk", "case_id"))
        _people_changed(
            case_ids={case_id for _, case_id in parties}, party_ids=[pk for pk, _ in parties]
        )
    return current
