"""`{{ field|options }}`: a select's options written in Python, for long lists of people.

A lead's team may have a hundred officers or more, offered in two selects on every visit to
the workspace; the form widget's templates (and a template loop) render each option at a
cost that shows in the page's time. The text is escaped as any template would.
"""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def options(bound_field):
    """The bound field's choices as `<option>`s, the current value selected."""
    value = bound_field.value()
    chosen = "" if value is None else str(value)
    selected = mark_safe(" selected")
    choices = bound_field.field.choices
    rows = ((v, selected if str(v) == chosen else "", label) for v, label in choices)
    return format_html_join("", '<option value="{}"{}>{}</option>', rows)
