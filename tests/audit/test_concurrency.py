"""Two writers at once, each on its own connection, leave one unbroken chain."""

import itertools
import threading
import time

import pytest
from django.db import connection, transaction

from beaconport.audit.chain import verify
from beaconport.audit.models import AuditEvent, Operation
from beaconport.audit.selectors import audit_chain_head, audit_chain_rows
from beaconport.audit.services import audit_record

WRITES_PER_WRITER = 40


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_leave_a_valid_chain():
    start = threading.Barrier(2)
    errors = []

    def writer(name):
        try:
            start.wait()
            for n in range(WRITES_PER_WRITER):
                with transaction.atomic():
                    audit_record(
                        operation=Operation.ALTER,
                        object_type="cases.case",
                        object_id=n,
                        source=f"task:{name}",
                    )
                    time.sleep(0.002)  # hold the chain head: the other writer must queue
        except Exception as error:  # reported to the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(f"writer-{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    report = verify(audit_chain_rows(chunk_size=7), stored_head=audit_chain_head())
    assert report.broken is None
    assert report.rows == 2 * WRITES_PER_WRITER
    seqs = list(AuditEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, 2 * WRITES_PER_WRITER + 1))
    sources = AuditEvent.objects.values_list("source", flat=True)
    # The writers really interleaved: the chain alternates between them somewhere.
    switches = sum(1 for a, b in itertools.pairwise(sources) if a != b)
    assert switches >= 1
