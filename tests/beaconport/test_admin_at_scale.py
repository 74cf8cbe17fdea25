"""No admin form offers a record that grows with the review as a drop-down of every row.

At national size there are thousands of users and hundreds of thousands of cases, people and
liaison records: a plain <select> of them makes a change page megabytes long. Such a field
uses a raw id or an autocomplete widget instead; only short reference lists (forces,
permissions, groups, Victims' Code rules) may be listed whole.
"""

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import (
    AutocompleteMixin,
    ForeignKeyRawIdWidget,
    ManyToManyRawIdWidget,
)
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from cases.models import Force
from liaison.models import VictimsCodeRule

pytestmark = pytest.mark.django_db

LISTED_WHOLE = {Force, Group, Permission, ContentType, VictimsCodeRule}


def _choosers(form_class):
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField):
            yield name, field


def _bounded(widget) -> bool:
    inner = getattr(widget, "widget", widget)  # the admin's related-field wrapper
    return isinstance(inner, ForeignKeyRawIdWidget | ManyToManyRawIdWidget | AutocompleteMixin)


def _registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(
    "model_admin", [admin_ for _, admin_ in _registered()], ids=lambda a: a.model._meta.label
)
def test_no_admin_form_lists_a_growing_table_in_a_drop_down(rf, admin_user, model_admin):
    request = rf.get("/admin/")
    request.user = admin_user
    if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
        return  # a view-only admin shows each related record as text, never a control
    form_class = model_admin.get_form(request, obj=None)
    shown_as_text = set(model_admin.get_readonly_fields(request))
    unbounded = [
        name
        for name, field in _choosers(form_class)
        if name not in shown_as_text
        and field.queryset.model not in LISTED_WHOLE
        and not _bounded(field.widget)
    ]
    assert unbounded == [], f"{model_admin.model._meta.label}: {unbounded}"
