"""`{% liaison_glance case %}`: liaison at a glance on a case page, dates only.

For the case-detail page, whose view must not import liaison (`cases` never imports
`liaison`): the template loads this library and the tag asks the liaison selector. The
caller has already decided the user may see the case; only the date of the last contact and
of the next update due are shown, never notes, expectations or names.
"""

from django import template

from liaison.selectors import liaison_glance_for_case

register = template.Library()


@register.inclusion_tag("liaison/includes/case_glance.html")
def liaison_glance(case):
    """Per victim on the case: pseudonym, whether assigned, last contact, next update due."""
    return {"liaison_glance": liaison_glance_for_case(case)}
