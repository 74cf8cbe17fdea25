"""Linkage follows imports: a run is queued after every import that created or changed people,
and after a person is added to a case or corrected by hand.

A burst of imports queues one run: the first marks "queued" in the cache (for a few
minutes) and enqueues the task with a short delay; the others find the mark and add
nothing. The task clears the mark when it starts, so an import during a run queues the next.
"""

from django.core.cache import cache
from django.dispatch import receiver

from cases.signals import people_changed, people_imported

QUEUED_KEY = "linkage:run-queued"
COALESCE_SECONDS = 30


def queued_clear() -> None:
    cache.delete(QUEUED_KEY)


@receiver(people_changed, dispatch_uid="linkage-after-a-person-changed")
@receiver(people_imported, dispatch_uid="linkage-after-import")
def link_after_import(sender, party_ids=(), **kwargs):
    """Queue one linkage run (sent after the import's commit, so the task sees its rows)."""
    from cases.tasks import link_people_task

    if not party_ids:
        return
    if cache.add(QUEUED_KEY, True, timeout=10 * 60):
        link_people_task.apply_async(countdown=COALESCE_SECONDS)
