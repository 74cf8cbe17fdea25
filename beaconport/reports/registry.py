"""The dashboards, each built by one module of `beaconport.reports.dashboards`.

Each module defines `DASHBOARD = Dashboard(...)`. The pages, downloads, index, access
policy, browser test and benchmark all walk `dashboards()`, so a dashboard added here is
served, tested and measured without another list to keep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from beaconport.roles import Role

MODULES = ("review", "quality", "safety", "work", "compliance")


@dataclass(frozen=True)
class Dashboard:
    key: str  # the URL's slug: /reports/<key>/
    title: str
    summary: str  # one line for the index
    roles: frozenset[Role]  # who may open it (everyone else: 404)
    # build(viewer, cases, filters) -> list[Table]: `viewer` is an audience and its teams
    # (`beaconport.reports.audience.Viewer`), never a user, so a build is pure and may be kept
    # as a snapshot; `cases` is the Case queryset already narrowed to the scope and filters.
    build: Callable


@cache
def dashboards() -> tuple[Dashboard, ...]:
    found = []
    for name in MODULES:
        module = import_module(f"beaconport.reports.dashboards.{name}")
        if getattr(module, "DASHBOARD", None) is not None:
            found.append(module.DASHBOARD)
    return tuple(found)


def dashboard_named(key: str) -> Dashboard | None:
    """The registered dashboard whose URL slug is `key`, or None."""
    for dashboard in dashboards():  # looked up when called: a test may stand in its own
        if dashboard.key == key:
            return dashboard
    return None
