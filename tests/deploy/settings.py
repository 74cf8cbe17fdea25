"""The production settings, with the periodic tasks every second instead of every minute.

Only the schedule's intervals change, so a test of a few minutes sees many heartbeats and
sweeps: which process runs them (the one scheduler holding the lock), what they do and
every other setting are beaconport.settings' own.
"""

from beaconport.settings import *  # noqa: F403
from beaconport.settings import CELERY_BEAT_SCHEDULE as _PRODUCTION_SCHEDULE

TEST_INTERVAL = 1.0

CELERY_BEAT_SCHEDULE = {
    name: {
        **entry,
        "schedule": TEST_INTERVAL,
        # A sweep queued behind a busy worker expires before the next one is sent, as in
        # production (there: 55 s of a 60 s period).
        "options": {**entry.get("options", {}), "expires": 5 * TEST_INTERVAL},
    }
    for name, entry in _PRODUCTION_SCHEDULE.items()
}
