"""The data quality dashboard's figures (issue 11, part 2): the gaps the review exists to close.

Three queries whatever the number of cases. One groups the cases by force and eligibility
and counts those without a decision date; one groups the people on them by force, role,
ethnicity and its source, counting those without a date of birth and the suspects whose
life status is not known; the third reads the forces' names. Python lays out the grouped
rows (bounded by the vocabularies and the forces), never the cases or people themselves.
"""

from collections import defaultdict

from django.db.models import Count, Q

from beaconport.reports.tables import Column, Kind, Table
from cases.figures.common import FORCE, force_names, lead_view, named, share
from cases.models import CaseParty
from cases.vocabulary import Eligibility, Ethnicity, EthnicitySource, PartyRole

# How a person's ethnicity stands: given (a census group), declined, or never recorded.
RECORDED, NOT_STATED, NOT_RECORDED = "recorded", "not_stated", "not_recorded"
RECORDING = (
    (RECORDED, "Recorded"),
    (NOT_STATED, "Not stated (declined)"),
    (NOT_RECORDED, "Not recorded"),
)
NO_SOURCE = "none"
SOURCES = (*EthnicitySource.choices, (NO_SOURCE, "No source given"))
ROLES = ((PartyRole.SUSPECT, "suspects"), (PartyRole.VICTIM, "victims"))


def recording(ethnicity: str | None) -> str:
    if ethnicity is None:
        return NOT_RECORDED
    return NOT_STATED if ethnicity == Ethnicity.NOT_STATED else RECORDED


def quality_tables(viewer, cases, filters=None) -> list[Table]:
    """Every table of the data quality dashboard for the `cases` given (already scoped).

    Shares of each force's referrals are shown to leads beside the counts; an analyst gets
    the counts only, since a share beside counts that small-number suppression hides could
    give them back.
    """
    case_cells = list(
        cases.order_by()
        .values_list("force_id", "eligibility", "eligibility_decision")
        .annotate(n=Count("pk"), undated=Count("pk", filter=Q(decision_on__isnull=True)))
    )
    people = list(
        CaseParty.objects.filter(case__in=cases)
        .order_by()
        .values_list("case__force_id", "role", "person__ethnicity", "person__ethnicity_source")
        .annotate(
            n=Count("pk"),
            undated=Count("pk", filter=Q(person__date_of_birth__isnull=True)),
            life_unknown=Count("pk", filter=Q(role=PartyRole.SUSPECT, deceased__isnull=True)),
        )
    )
    names = force_names(cell[0] for cell in case_cells)  # every force with a case in scope
    case_cells, people = named(case_cells, names), named(people, names)
    return [
        _recording(people),
        *(_recording_by_force(people, role, name) for role, name in ROLES),
        _sources(people),
        _distribution(people),
        _missing_by_force(case_cells, people),
        _eligibility_by_force(case_cells, shares=lead_view(viewer)),
    ]


def _recording(people) -> Table:
    counts = {key: {role: 0 for role, _ in ROLES} for key, _ in RECORDING}
    for _, role, ethnicity, _, n, *_ in people:
        if role in counts[RECORDED]:
            counts[recording(ethnicity)][role] += n
    return Table(
        key="ethnicity_recording",
        title="Ethnicity of suspects and victims: recorded, not stated, not recorded",
        columns=[
            Column("recording", "Ethnicity", Kind.LABEL),
            *(Column(name, name.capitalize()) for _, name in ROLES),
        ],
        rows=[[label, *counts[key].values()] for key, label in RECORDING],
        chart="victims",
    )


def _recording_by_force(people, role: str, name: str) -> Table:
    counts = defaultdict(lambda: dict.fromkeys((key for key, _ in RECORDING), 0))
    for force, party_role, ethnicity, _, n, *_ in people:
        if party_role == role:
            counts[force][recording(ethnicity)] += n
    return Table(
        key=f"ethnicity_{name}_by_force",
        title=f"Ethnicity of {name} by force",
        columns=[FORCE, *(Column(key, label) for key, label in RECORDING)],
        rows=[[force, *counts[force].values()] for force in sorted(counts)],
    )


def _sources(people) -> Table:
    counts = {key: {role: 0 for role, _ in ROLES} for key, _ in SOURCES}
    for _, role, ethnicity, source, n, *_ in people:
        if ethnicity is not None and role in counts[NO_SOURCE]:
            counts[source or NO_SOURCE][role] += n
    return Table(
        key="ethnicity_source",
        title="Where a recorded or declined ethnicity came from",
        columns=[
            Column("source", "Source", Kind.LABEL),
            *(Column(name, name.capitalize()) for _, name in ROLES),
        ],
        rows=[[label, *counts[key].values()] for key, label in SOURCES],
        chart="suspects",
    )


def _distribution(people) -> Table:
    groups = [e for e in Ethnicity if e != Ethnicity.NOT_STATED]
    counts = {e.value: {role: 0 for role, _ in ROLES} for e in groups}
    for _, role, ethnicity, _, n, *_ in people:
        if ethnicity in counts and role in counts[ethnicity]:
            counts[ethnicity][role] += n
    return Table(
        key="ethnicity_distribution",
        title="Ethnicity where recorded",
        columns=[
            Column("ethnicity", "Ethnic group", Kind.LABEL),
            *(Column(name, name.capitalize()) for _, name in ROLES),
        ],
        rows=[[e.label, *counts[e.value].values()] for e in groups],
        chart="victims",
    )


def _missing_by_force(case_cells, people) -> Table:
    keys = ("cases", "undated", "people", "no_birth_date", "suspects", "life_unknown")
    counts = defaultdict(lambda: dict.fromkeys(keys, 0))
    for force, _, _, n, undated in case_cells:
        counts[force]["cases"] += n
        counts[force]["undated"] += undated
    for force, role, _, _, n, no_birth_date, life_unknown in people:
        row = counts[force]
        row["people"] += n
        row["no_birth_date"] += no_birth_date
        if role == PartyRole.SUSPECT:
            row["suspects"] += n
            row["life_unknown"] += life_unknown
    return Table(
        key="missing_by_force",
        title="Missing decision dates, dates of birth and life status by force",
        columns=[
            FORCE,
            Column("cases", "Cases"),
            Column("undated", "No decision date"),
            Column("people", "People"),
            Column("no_birth_date", "No date of birth"),
            Column("suspects", "Suspects"),
            Column("life_unknown", "Not known if alive"),
        ],
        rows=[[force, *counts[force].values()] for force in sorted(counts)],
        note="People are counted once per case they appear in.",
    )


def _eligibility_by_force(case_cells, *, shares: bool) -> Table:
    keys = Eligibility.values
    counts = defaultdict(lambda: dict.fromkeys(keys, 0))
    for force, computed, decision, n, _ in case_cells:
        counts[force][decision or computed] += n
    columns = [FORCE, *(Column(e.value, e.label) for e in Eligibility)]
    if shares:
        columns += [
            Column(f"{e.value}_share", f"% {e.label.lower()}", Kind.MEASURE, of=e.value)
            for e in Eligibility
        ]
    rows = []
    for force in sorted(counts):
        found = counts[force]
        row = [force, *found.values()]
        if shares:
            whole = sum(found.values())
            row += [share(found[key], whole) for key in keys]
        rows.append(row)
    return Table(
        key="eligibility_by_force",
        title="Eligible, ineligible and unknown referrals by force",
        columns=columns,
        rows=rows,
        note="A lead's decision where made, otherwise the result computed from the criteria.",
    )
