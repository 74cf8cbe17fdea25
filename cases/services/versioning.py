"""Optimistic concurrency for every editable case record: a stale edit is refused, never merged.

Each editable model carries a `version`. A form or API client sends back the version it
loaded; the update services lock the row (`select_for_update`), compare, and either raise
`StaleEdit` listing what changed or apply the edit and bump the version.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import F

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record, audit_snapshot
from beaconport.inputs import validate_instance
from cases.services.errors import StaleEdit


def _field(model, name: str) -> models.Field:
    return model._meta.get_field(name)


def _stored(obj, name: str):
    """The comparable value of a field: the id for a foreign key, else the value."""
    field = _field(type(obj), name)
    return getattr(obj, field.attname)


def _comparable(model, name: str, value):
    """A submitted value in the form `_stored` returns (a model instance becomes its id)."""
    field = _field(model, name)
    if field.many_to_one and isinstance(value, models.Model):
        return value.pk
    return value


def _display(obj, name: str):
    """The value to show a user: the related object for a foreign key, else the value."""
    return getattr(obj, name)


def audit_before(obj: models.Model, names: Iterable[str]) -> dict:
    """The stored values of the named fields (ids for foreign keys) before an edit; no query.

    Taken from the copy the user loaded, which `check_version` has proved current.
    """
    model = type(obj)
    return audit_snapshot(obj, [_field(model, name).attname for name in names])


def audit_delta(before: dict, current: models.Model, names: Iterable[str]) -> dict:
    """{field: (old, new)} for those of the named fields whose stored value moved.

    For `audit_record(changes=...)`: the audit library logs sensitive fields by name only.
    """
    model = type(current)
    out = {}
    for name in sorted(names):
        attname = _field(model, name).attname
        old, new = before[attname], getattr(current, attname)
        if old != new:
            out[name] = (old, new)
    return out


def validate_text_lengths(obj: models.Model, names: Iterable[str] | None = None) -> None:
    """Enforce the input rules on the fields of `obj` (all, or `names`) before it is saved.

    Text caps, which Django leaves to forms, and plausible dates, as beaconport.inputs
    states them (`validate_instance`): a service refuses what a form would.
    """
    validate_instance(obj, names)


def lock_current(instance: models.Model) -> models.Model:
    """A fresh copy of the instance's row, locked until the transaction ends."""
    return type(instance).objects.select_for_update().get(pk=instance.pk)


def check_version(
    *,
    instance: models.Model,
    current: models.Model,
    version: int,
    submitted: dict,
    tracked: Iterable[str],
    label: str,
) -> None:
    """Raise `StaleEdit` when the locked row has moved on from the version the user loaded.

    The changes reported are exact when `instance` is the copy the user loaded (its version
    equals the submitted one): every tracked field that differs between that copy and the
    row now. Otherwise (a view that re-read the row before calling) they are the submitted
    fields whose stored value now differs from what was submitted.
    """
    if version is None:
        raise TypeError("version is required: send back the version the user loaded")
    if int(version) == current.version:
        return
    model = type(current)
    if instance is not current and instance.version == int(version):
        names = [n for n in tracked if _stored(instance, n) != _stored(current, n)]
        changes = {
            n: {
                "theirs": _display(current, n),
                "yours": submitted[n] if n in submitted else _display(instance, n),
            }
            for n in names
        }
    else:
        changes = {
            n: {"theirs": _display(current, n), "yours": value}
            for n, value in submitted.items()
            if _comparable(model, n, value) != _stored(current, n)
        }
    what = ", ".join(sorted(changes)) if changes else "its record"
    raise StaleEdit(
        f"{label} was changed by someone else since you loaded it (version {version}, now "
        f"{current.version}; changed: {what}). Nothing was saved: review the changes and "
        "submit again.",
        changes=changes,
        current=current,
    )


def versioned_update(
    *,
    instance: models.Model,
    version: int,
    fields: dict,
    editable: Iterable[str],
    label: str,
    validate=None,
) -> tuple[models.Model, set[str]]:
    """Apply an edit to the locked row if the version is current; return it and what changed.

    Unknown field names are a programming error (TypeError). `validate(current, changed)`
    may raise ValidationError for rules across fields; it sees the row with the edit
    applied, before anything is saved. Only changed fields are written, and the version is
    bumped only when something changed.
    """
    editable = tuple(editable)
    unknown = sorted(set(fields) - set(editable))
    if unknown:
        raise TypeError(f"Not editable here: {', '.join(unknown)}")
    current = lock_current(instance)
    check_version(
        instance=instance,
        current=current,
        version=version,
        submitted=fields,
        tracked=editable,
        label=label,
    )
    model = type(current)
    changed = {
        name
        for name, value in fields.items()
        if _comparable(model, name, value) != _stored(current, name)
    }
    if not changed:
        return current, changed
    for name in changed:
        setattr(current, name, fields[name])
    current.clean_fields(exclude={f.name for f in model._meta.fields} - changed)
    validate_text_lengths(current, changed)
    if validate is not None:
        validate(current, changed)
    current.validate_constraints()
    save_bumping_version(current, changed)
    return current, changed


def audited_versioned_update(
    *,
    instance: models.Model,
    by,
    version: int,
    fields: dict,
    editable: Iterable[str],
    label: str,
    validate=None,
    **audit,
) -> tuple[models.Model, set[str]]:
    """`versioned_update`, then one audit row (alter) naming what moved from what to what.

    Nothing changed, nothing logged. `audit` goes to `audit_record` (e.g. case=, person=,
    sensitive_fields=). The audit row is the last write, so the chain lock is held briefly.
    """
    editable = tuple(editable)
    old = audit_before(instance, editable)
    current, changed = versioned_update(
        instance=instance,
        version=version,
        fields=fields,
        editable=editable,
        label=label,
        validate=validate,
    )
    if changed:
        audit_record(
            operation=Operation.ALTER,
            actor=by,
            obj=current,
            changes=audit_delta(old, current, changed),
            **audit,
        )
    return current, changed


def save_bumping_version(obj: models.Model, changed: Iterable[str]) -> None:
    """Save the changed fields and add one to the version in the same UPDATE."""
    auto_now = [f.name for f in type(obj)._meta.fields if getattr(f, "auto_now", False)]
    obj.version = F("version") + 1
    obj.save(update_fields=sorted({*changed, *auto_now, "version"}))
    obj.refresh_from_db(fields=["version"])
