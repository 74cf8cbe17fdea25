"""Time issue 13's pages on `seed_scale` data: the liaison lead's workspace with each new
filter and order, the review queue with its new filters, the Right to Review list, a
victim's record with its new sections, a case page with its timeline, the whole timeline
and the notifications page. Prints median and p95 milliseconds and the queries of each.

    DATABASE_URL=postgresql://.../bp_scale DEBUG=true python benchmarks/victims_rights_pages.py

Run `manage.py seed_scale` into that database first. The figures are the whole request
through Django's test client in this process (no network), warm, 20 requests each.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beaconport.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from beaconport.bench.scenarios import PERSONAS  # noqa: E402
from beaconport.bench.sessions import verified_client  # noqa: E402
from cases.models import format_reference  # noqa: E402
from cases.permissions import cases_visible_to  # noqa: E402
from liaison.permissions import records_visible_to  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "20"))
TEAM, QUEUE = "/liaison/team/", "/cases/queue/"
REVIEWING = "?status=under_review&assigned=assigned"


def user(persona):
    return get_user_model().objects.get(username=PERSONAS[persona])


def timed(client, path):
    client.get(path)  # warm
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return statistics.median(times), p95, len(queries)


def main():
    lead, officer = user("liaison_lead"), user("liaison_officer")
    review_lead, heavy = user("review_lead"), user("heavy")
    team = records_visible_to(lead).count()
    record = records_visible_to(officer).order_by("pk").first()
    case = cases_visible_to(heavy).order_by("pk").first()
    ref = format_reference(case.pk)
    rows = [
        ("liaison_lead", f"/liaison/team/ ({team:,} victims in scope)", "/liaison/team/"),
        ("liaison_lead", "  order: case priority first", "/liaison/team/?sort=priority"),
        ("liaison_lead", "  entitlement: standard", "/liaison/team/?entitlement=standard"),
        ("liaison_lead", "  due within 5 working days", "/liaison/team/?urgency=soon"),
        ("liaison_lead", "  nothing due", "/liaison/team/?urgency=none"),
        ("liaison_lead", "  unassigned, priority first", f"{TEAM}?show=unassigned&sort=priority"),
        ("liaison_lead", "  page 40", "/liaison/team/?page=40"),
        ("liaison_lead", "Right to Review requests", "/liaison/review-requests/"),
        ("liaison_lead", "notifications", "/liaison/notifications/"),
        ("liaison_officer", "a victim's record (new sections)", f"/liaison/records/{record.pk}/"),
        ("review_lead", "review queue", "/cases/queue/"),
        ("review_lead", "  queue: unknown, P1", QUEUE + "?eligibility=unknown&priority=P1"),
        ("review_lead", "  queue: reviewing, assigned", QUEUE + REVIEWING),
        ("review_lead", "Right to Review requests", "/liaison/review-requests/"),
        ("heavy", f"case page {ref} (timeline, decision log)", f"/cases/{ref}/"),
        ("heavy", "  the whole timeline", f"/cases/{ref}/timeline/"),
        ("heavy", "  decision log", f"/cases/{ref}/decisions/"),
    ]  # fmt: skip
    clients = {
        name: verified_client(who)
        for name, who in {
            "liaison_lead": lead,
            "liaison_officer": officer,
            "review_lead": review_lead,
            "heavy": heavy,
        }.items()
    }
    print(f"{'page':<58} {'median':>8} {'p95':>8} {'queries':>8}")
    for persona, label, path in rows:
        median, p95, queries = timed(clients[persona], path)
        print(f"{label:<58} {median:>6.1f}ms {p95:>6.1f}ms {queries:>8}")


if __name__ == "__main__":
    main()
