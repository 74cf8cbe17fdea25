"""How a form page answers, whichever app it belongs to.

A posted form is checked, handed to one service, and the person sees one of: their page
again with the field errors (400), the page again with what someone else changed meanwhile
and their own input kept (409), or where the saved record lives. Each app keeps its own
page layout and its own way of describing what changed.
"""

from django.core.exceptions import ValidationError

from cases.services.errors import StaleEdit


def service_errors_onto(form, error: ValidationError) -> None:
    """Put a service's ValidationError beside the fields it names (the rest above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def form_submitted(request, make_form, write, *, render_page, on_saved, stale_panel):
    """Answer a POST: `write(cleaned_data)` calls the service; `on_saved(result)` on success.

    `render_page(form, status=..., stale=...)` shows the form; `stale_panel(form, error)`
    describes a stale edit. After a stale edit the form keeps the user's input but carries
    the current version, so submitting again is a deliberate choice to replace it.
    """
    form = make_form(request.POST)
    if form.is_valid():
        try:
            result = write(form.cleaned_data)
        except StaleEdit as error:
            stale = stale_panel(form, error)
            data = form.data.copy()
            data[form.add_prefix("version")] = str(error.current.version)
            return render_page(make_form(data), status=409, stale=stale)
        except ValidationError as error:
            service_errors_onto(form, error)
        else:
            return on_saved(result)
    return render_page(form, status=400)
