"""The reports pages: the index, each dashboard, and its CSV download. Thin.

The figures come from the dashboard's `build` (services of the apps owning the data), or
from its kept snapshot when the filters match one young enough (`snapshots`); this module
scopes them to the viewer (`scope`, `audience`), hides small numbers for analysts
(`suppression`), draws the charts (`charts`) and logs what was read or downloaded, and the
records a table shows (a lead's late reasons) as consulted each time it is shown. A
dashboard the viewer's roles do not open answers 404, as a page that is not there.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from beaconport.access import WRONG_ROLE, access_required
from beaconport.audit.models import Operation
from beaconport.audit.services import audit_consult, audit_record
from beaconport.reports import charts, registry, snapshots, suppression
from beaconport.reports.audience import viewer_of
from beaconport.reports.forms import ReportFilterForm, filter_form
from beaconport.reports.permissions import may_open, opens_reports, sees_exact
from beaconport.reports.registry import Dashboard
from beaconport.reports.scope import Scope, cases_in_scope, scope_of
from beaconport.security import note_refusal

PAGE_SIZE = 25  # rows of a table (and bars of its chart) per page
OBJECT_TYPE = "reports.dashboard"


def _dashboard_for(request, key: str) -> Dashboard:
    """The dashboard if the viewer's roles open it; 404 otherwise (noted if it exists)."""
    dashboard = registry.dashboard_named(key)
    if dashboard is None:
        raise Http404("No such report")
    if not may_open(request.user, dashboard):
        note_refusal(request, kind=WRONG_ROLE, object_type=OBJECT_TYPE, object_id=key)
        raise Http404("No such report")
    return dashboard


@access_required(test=opens_reports, methods=["GET"])
def index(request):
    """The dashboards the viewer may open, each with its download."""
    boards = [board for board in registry.dashboards() if may_open(request.user, board)]
    return render(
        request,
        "reports/index.html",
        {"dashboards": boards, "exact": sees_exact(request.user)},
    )


@dataclass
class Section:
    """One figure on the page: its rows' page, its chart, and the links to its other pages."""

    shown: suppression.ShownTable
    page: Page
    chart: charts.Chart | None
    previous_url: str = ""
    next_url: str = ""

    @property
    def table(self):
        return self.shown.table


def _figures(request, dashboard: Dashboard, scope: Scope, form: ReportFilterForm):
    """Every table of the dashboard for the viewer's scope and filters, as they see it, and
    when they were computed: the snapshot's time, or None (built now).

    One query looks for a snapshot (and one reads a filtered team's forces); without a
    young enough one the dashboard is built live. The records a shown table consulted are
    logged here, whichever way it was built.
    """
    filters = form.filters()
    viewer = viewer_of(request.user, scope)
    found = snapshots.kept(
        dashboard.key, snapshots.key_for(viewer, scope, filters), viewer.audience
    )
    if found is not None:
        tables, as_of = found.tables, found.as_of
    else:
        cases = cases_in_scope(request.user, filters, scope)
        tables, as_of = dashboard.build(viewer, cases, filters), None
    for table in tables:
        if table.consulted:
            audit_consult(ids=table.consulted, object_type=table.consulted_type, actor=request.user)
    exact = sees_exact(request.user)
    return [suppression.show(table, suppress=not exact) for table in tables], as_of


def _page_url(request, param: str, number: int) -> str:
    query = request.GET.copy()
    query[param] = str(number)
    return f"{request.path}?{query.urlencode()}"


def _section(request, shown: suppression.ShownTable) -> Section:
    param = f"{shown.table.key}-page"
    page = Paginator(shown.rows, PAGE_SIZE, allow_empty_first_page=True).get_page(
        request.GET.get(param)
    )
    section = Section(shown, page, charts.bar_chart(shown, list(page.object_list)))
    if page.has_previous():
        section.previous_url = _page_url(request, param, page.previous_page_number())
    if page.has_next():
        section.next_url = _page_url(request, param, page.next_page_number())
    return section


@access_required(test=opens_reports, methods=["GET"], seen=_dashboard_for)
def dashboard(request, key: str):
    """One dashboard: the filter form, then each figure as a chart beside its table."""
    board = _dashboard_for(request, key)
    scope = scope_of(request.user)
    form = filter_form(request.GET, scope)
    context = {"dashboard": board, "form": form, "sections": [], "exact": sees_exact(request.user)}
    if form.is_bound and not form.is_valid():
        return render(request, "reports/dashboard.html", context, status=400)
    shown, as_of = _figures(request, board, scope, form)
    audit_record(operation=Operation.CONSULT, object_type=OBJECT_TYPE, object_id=board.key)
    context["sections"] = [_section(request, table) for table in shown]
    context["now"] = timezone.now()
    context["as_of"] = as_of
    return render(request, "reports/dashboard.html", context)


def csv_safe(value) -> str:
    """A cell as text a spreadsheet will not run: = + - @ tab or CR first gets a quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_value(cell: suppression.Cell):
    if cell.state in (suppression.State.SHOWN,) and isinstance(cell.value, float):
        return round(cell.value, 2)
    if cell.state == suppression.State.SHOWN:
        return cell.value
    return "" if cell.state == suppression.State.EMPTY else cell.text


def csv_rows(
    dashboard: Dashboard, shown: list[suppression.ShownTable], filters_text: str, as_of=None
):
    """The download's rows: a heading, then each table (title, header, rows, total)."""
    yield [dashboard.title]
    yield [f"Filters: {filters_text}"]
    if as_of is not None:
        yield [f"Figures as of {timezone.localtime(as_of):%Y-%m-%d %H:%M} (refreshed periodically)"]
    if any(table.suppressed for table in shown):
        yield [
            "Counts from 1 to 4 show as 'fewer than 5'; 'withheld' hides a figure a total "
            "would otherwise give away."
        ]
    for table in shown:
        yield []
        yield [table.table.title]
        if table.table.as_of is not None:
            yield [f"As of {timezone.localtime(table.table.as_of):%Y-%m-%d %H:%M}"]
        yield [column.label for column in table.columns]
        for row in [*table.rows, *([table.total] if table.total else [])]:
            yield [_csv_value(cell) for cell in row]


def describe_filters(form: ReportFilterForm, scope: Scope) -> str:
    """The filters in words, for the download's heading and the disclosure's purpose."""
    if not form.is_bound:
        return "none (everything in your scope)"
    data = form.cleaned_data
    forces = dict(scope.forces)
    teams = dict(scope.teams)
    parts = []
    if data.get("force"):
        parts.append("forces " + ", ".join(forces[pk] for pk in sorted(data["force"])))
    if data.get("team") is not None:
        parts.append(f"team {teams[data['team']]}")
    if data.get("received_from") or data.get("received_to"):
        start = data.get("received_from") or "any date"
        end = data.get("received_to") or "any date"
        parts.append(f"received {start} to {end}")
    return "; ".join(parts) or "none (everything in your scope)"


@access_required(test=opens_reports, methods=["GET"], seen=_dashboard_for)
def download(request, key: str):
    """The dashboard as CSV, suppressed as the page is, logged as a disclosure to the viewer."""
    board = _dashboard_for(request, key)
    scope = scope_of(request.user)
    form = filter_form(request.GET, scope)
    if form.is_bound and not form.is_valid():
        problems = [
            f"{form.fields[name].label if name in form.fields else 'filters'}: {message}"
            for name, messages in form.errors.items()
            for message in messages
        ]
        return HttpResponseBadRequest("\n".join(problems), content_type="text/plain")
    shown, as_of = _figures(request, board, scope, form)
    filters_text = describe_filters(form, scope)
    audit_record(
        operation=Operation.DISCLOSE,
        object_type=OBJECT_TYPE,
        object_id=board.key,
        recipient=request.user.get_username(),
        purpose=f"Dashboard downloaded as CSV: {board.title}; filters: {filters_text}"[:300],
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{board.key}.csv"'
    writer = csv.writer(response)
    for row in csv_rows(board, shown, filters_text, as_of):
        writer.writerow([csv_safe(value) for value in row])
    return response
