"""The periodic refresh of the dashboards' snapshots: a thin doorway to the service."""

import logging

from celery import shared_task

from beaconport.reports.snapshots import RefreshBusy, refresh_snapshots

logger = logging.getLogger(__name__)


@shared_task(name="reports.refresh_snapshots")
def refresh_dashboard_snapshots() -> int:
    """Rebuild every dashboard snapshot; a refresh already running wins (returns -1)."""
    try:
        return len(refresh_snapshots())
    except RefreshBusy:
        logger.info("Dashboard refresh skipped: another is running.")
        return -1
