"""One bench run: choose the scenarios, prepare them, time them interleaved, report."""

import contextlib
import datetime
import logging
import os
import platform
import sys
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings

from beaconport.bench import http, jobs, linkage, material, report, scenarios
from beaconport.bench import reports as dashboards
from beaconport.bench.sessions import session_cookie
from beaconport.bench.timing import interleaved

JOBS = ["import", "reminders_worker", "audit_inserts", "http_my_cases", "http_api"]
ALL = [
    *scenarios.PAGE_NAMES,
    *linkage.LINKAGE_PAGE_NAMES,
    *material.MATERIAL_PAGE_NAMES,
    *dashboards.report_page_names(),
    "due_followups",
    linkage.LINK_PEOPLE,
    *JOBS,
]
SMOKE_SCALE = "0.01"


@dataclass
class Options:
    """How much to measure: the full figures, or a smoke run for CI."""

    reps: int = 50
    warmup: int = 5
    only: tuple[str, ...] = ()
    smoke: bool = False
    import_count: int = 10_000
    reminders: int = 1_000
    audit_inserts: int = 10_000
    http_seconds: float = 10.0

    @classmethod
    def for_smoke(cls, **chosen) -> "Options":
        defaults = {
            "reps": 3,
            "warmup": 1,
            "import_count": 100,
            "reminders": 20,
            "audit_inserts": 200,
        }
        return cls(smoke=True, http_seconds=1.0, **{**defaults, **chosen})

    def selected(self) -> list[str]:
        return [name for name in ALL if not self.only or name in self.only]


def warnings() -> list[str]:
    """Loud lines for a run whose figures would mislead."""
    said = []
    if connection.vendor == "sqlite":
        said.append("!" * 78)
        said.append("WARNING: this database is SQLite. The issue's targets are for PostgreSQL;")
        said.append("these figures say nothing about production. Set DATABASE_URL.")
        said.append("!" * 78)
    if settings.DEBUG:
        said.append("WARNING: DEBUG is on: every query is kept in memory and templates are slower.")
    return said


def has_scale_data() -> bool:
    return get_user_model().objects.filter(username=scenarios.PERSONAS["heavy"]).exists()


def seed_if_empty(out) -> None:
    """For the smoke mode: a small scale set in the current database, unless one is there."""
    if has_scale_data():
        return
    out.write(f"No scale personas here: seed_scale --scale {SMOKE_SCALE} first.\n")
    # Into the current database, beside what it holds (a CI test database: DEBUG is off).
    extra = [] if settings.DEBUG else ["--force"]
    call_command(
        "seed_scale", "--scale", SMOKE_SCALE, "--alongside-other-cases", *extra, stdout=out
    )


@contextlib.contextmanager
def bench_settings():
    """Settings under which the API's throttles count but never refuse the bench, and, as
    in a release, the static files are collected (into a directory of the bench's own)."""
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {
        **rest["DEFAULT_THROTTLE_RATES"],
        "user": "100000000/hour",
        "address": "100000000/hour",
    }
    hosts = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    with (
        tempfile.TemporaryDirectory() as static_root,
        override_settings(REST_FRAMEWORK=rest, ALLOWED_HOSTS=hosts, STATIC_ROOT=static_root),
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield


def measure_in_process(names: list[str], options: Options, out) -> list[report.Row]:
    """Pages and the sweep's query: prepared (counted once), then timed round-robin."""
    rows: list[report.Row] = []
    prepared: list[scenarios.Prepared] = []
    contexts: dict = {}
    with bench_settings():
        for page in scenarios.PAGES:
            if page.name not in names:
                continue
            try:
                if page.persona not in contexts:
                    contexts[page.persona] = scenarios.persona_context(page.persona)
                prepared.append(scenarios.prepare_page(page, contexts))
            except Exception as error:  # a failed scenario is reported, the rest still run
                rows.append(report.error_row(page.name, page.label, error))
        for page in linkage.LINKAGE_PAGES:
            if page.name not in names:
                continue
            try:
                if page.persona not in contexts:
                    contexts[page.persona] = scenarios.persona_context(page.persona)
                ctx = linkage.linkage_context(page, contexts[page.persona])
                prepared.append(scenarios.prepare_page(page, {page.persona: ctx}))
            except linkage.Skipped as why:
                rows.append(report.skipped_row(page.name, page.label, str(why)))
            except Exception as error:
                rows.append(report.error_row(page.name, page.label, error))
        for page in material.MATERIAL_PAGES:
            if page.name not in names:
                continue
            try:
                if page.persona not in contexts:
                    contexts[page.persona] = scenarios.persona_context(page.persona)
                ctx = material.material_context(page, contexts[page.persona])
                prepared.append(scenarios.prepare_page(page, {page.persona: ctx}))
            except Exception as error:
                rows.append(report.error_row(page.name, page.label, error))
        for page in dashboards.report_pages():
            if page.name not in names:
                continue
            try:
                if page.persona not in contexts:
                    contexts[page.persona] = dashboards.persona_context(page.persona)
                prepared.append(scenarios.prepare_page(page, contexts))
            except Exception as error:
                rows.append(report.error_row(page.name, page.label, error))
        if "due_followups" in names:
            try:
                prepared.append(scenarios.prepare_due_followups())
            except Exception as error:
                rows.append(report.error_row("due_followups", "due follow-ups", error))
        calls = {}
        for item in prepared:
            calls[item.name] = item.call
            calls[f"{item.name}:sql"] = item.floor
        if calls:
            out.write(
                f"timing {len(prepared)} scenarios and their SQL, {options.reps} rounds "
                f"after {options.warmup} of warm-up...\n"
            )
        stats = interleaved(calls, reps=options.reps, warmup=options.warmup)
    for item in prepared:
        rows.append(report.page_row(item, stats[item.name], stats[f"{item.name}:sql"]))
    order = {name: i for i, name in enumerate(ALL)}
    return sorted(rows, key=lambda row: order[row.name])


def measure_link_people(names: list[str], out) -> list[report.Row]:
    """link_people over every record, first: the linkage pages then show what it found."""
    if linkage.LINK_PEOPLE not in names:
        return []
    out.write("link_people --full in a child process...\n")
    try:
        return [report.job_row(linkage.link_people())]
    except linkage.Skipped as why:
        return [report.skipped_row(linkage.LINK_PEOPLE, "link_people", str(why))]
    except Exception as error:
        return [report.error_row(linkage.LINK_PEOPLE, "link_people", error)]


def measure_jobs(names: list[str], options: Options, out) -> list[report.Row]:
    rows = []
    if "import" in names:
        out.write(f"importing {options.import_count} referrals in a child process...\n")
        rows.append(_job("import", "import", lambda: jobs.import_referrals(options.import_count)))
    if "reminders_worker" in names:
        out.write(f"{options.reminders} follow-ups through a real worker...\n")
        rows.append(
            _job(
                "reminders_worker",
                "reminders through one worker",
                lambda: jobs.reminders_worker(options.reminders),
            )
        )
    if "audit_inserts" in names and connection.vendor != "postgresql":
        rows.append(
            report.error_row(
                "audit_inserts", "audit inserts", RuntimeError("measured on PostgreSQL only")
            )
        )
    elif "audit_inserts" in names:
        out.write(f"{options.audit_inserts} audit inserts...\n")
        rows.append(
            _job(
                "audit_inserts",
                "audit inserts",
                lambda: jobs.audit_inserts(options.audit_inserts),
            )
        )
    targets = []
    users = get_user_model().objects
    heavy = users.filter(username=scenarios.PERSONAS["heavy"]).first()
    if "http_my_cases" in names or "http_api" in names:
        if heavy is None:
            error = scenarios.MissingPersona("run `manage.py seed_scale` first")
            for name in ("http_my_cases", "http_api"):
                if name in names:
                    rows.append(report.error_row(name, name, error))
            return rows
        cookie = session_cookie(heavy)
        if "http_my_cases" in names:
            targets.append(("http_my_cases", "HTTP: my cases (heavy)", "/cases/", cookie))
        if "http_api" in names:
            targets.append(("http_api", "HTTP: API case list (heavy)", "/api/v1/cases/", cookie))
        out.write(f"gunicorn under load, {options.http_seconds:g} s per path...\n")
        try:
            results = http.throughput(targets, seconds=options.http_seconds)
            rows.extend(report.job_row(result) for result in results)
        except Exception as error:
            rows.extend(report.error_row(name, label, error) for name, label, _, _ in targets)
    return rows


def _job(name: str, label: str, call) -> report.Row:
    try:
        return report.job_row(call())
    except Exception as error:
        return report.error_row(name, label, error)


def describe() -> list[str]:
    from cases.models import Case
    from liaison.models import FollowUp

    cpus = os.cpu_count()
    load = os.getloadavg()[0]
    busy = f" (above {cpus} CPUs: these figures were taken under load)" if load > cpus else ""
    return [
        f"Beaconport bench, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
        f"{Case.objects.count():,} cases, {get_user_model().objects.count():,} users, "
        f"{FollowUp.objects.count():,} follow-ups",
        f"machine: {platform.node()}, {cpus} CPUs, Python {sys.version.split()[0]}; "
        f"load average {load:.1f} at the start{busy}",
    ]


def run(options: Options, out) -> list[report.Row]:
    """Measure what `options` selects, print the table to `out`; return the rows."""
    for line in warnings():
        out.write(line + "\n")
    # Every signed-in persona would log "Successful login" at INFO: not the bench's output.
    logging.getLogger("axes").setLevel(logging.WARNING)
    if options.smoke:
        seed_if_empty(out)
    names = options.selected()
    header = describe()
    first = measure_link_people(names, out)
    rows = first + measure_in_process(names, options, out) + measure_jobs(names, options, out)
    for line in warnings():
        header.append(line)
    out.write(report.render(rows, header) + "\n")
    return rows
