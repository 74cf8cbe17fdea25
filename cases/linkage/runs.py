"""A linkage run: read the records, train or load the model, score, write links, resolve.

`link_people` is the one service that writes what the model proposes. It never changes a
pair a lead has decided (confirmed or rejected: a rejected pair is never proposed again),
never links a suspect with a victim (such pairs are kept for review, marked cross-role),
treats the PNC ID as decisive both ways (`_status`), and records each run (`LinkageRun`)
and the model that scored each link.
"""

import hashlib
import json
import logging
import resource
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.linkage import backends, engine, frame
from cases.models import (
    CaseNetwork,
    LinkageModel,
    LinkageRun,
    Network,
    NetworkKey,
    NetworkPerson,
    Nominal,
    NominalMember,
    PersonLink,
)
from cases.vocabulary import DECIDED_STATUSES, LinkStatus

logger = logging.getLogger(__name__)

# pg_advisory_lock's key for linkage runs: a fixed number no other code in the database uses.
LOCK_KEY = 0x4C494E4B50504C  # "LINKPPL"
UNDECIDED = (LinkStatus.PROPOSED, LinkStatus.REVIEW)
# Past this many touched cases a full networks pass is cheaper than one from those cases
# (measured at 100,000 cases: 1,000 touched cases took 206 s that way, a full pass under 60 s).
NETWORKS_FOR_MAX_CASES = 200


class LinkageBusy(Exception):
    """Another linkage run holds the lock."""


@dataclass
class Outcome:
    run: LinkageRun
    model: LinkageModel


@contextmanager
def _run_lock():
    """One run at a time: a session advisory lock on PostgreSQL, a file lock elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise LinkageBusy("Another linkage run is in progress.")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        return
    import fcntl

    directory = settings.LINKAGE_MODEL_DIR
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "run.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LinkageBusy("Another linkage run is in progress.") from None
        yield


def model_save(*, trained: dict, records: int) -> LinkageModel:
    """Keep a trained model as the next version: a JSON file and its row."""
    directory = settings.LINKAGE_MODEL_DIR
    directory.mkdir(parents=True, exist_ok=True)
    latest = LinkageModel.objects.order_by("-version").first()
    version = (latest.version if latest else 0) + 1
    content = json.dumps(trained, indent=1, sort_keys=True).encode()
    path = directory / f"model-v{version}.json"
    path.write_bytes(content)
    return LinkageModel.objects.create(
        version=version,
        path=path.name,
        sha256=hashlib.sha256(content).hexdigest(),
        settings=trained,
        records=records,
        auto_threshold=settings.LINKAGE_AUTO_THRESHOLD,
        review_threshold=settings.LINKAGE_REVIEW_THRESHOLD,
    )


def model_load(model: LinkageModel) -> dict:
    """The model's parameters: from its file where it is intact, else from its row."""
    path = settings.LINKAGE_MODEL_DIR / model.path
    if path.exists():
        content = path.read_bytes()
        if hashlib.sha256(content).hexdigest() == model.sha256:
            return json.loads(content)
        logger.warning("Linkage model file %s does not match its sha256; using its row", path)
    return model.settings


def _pnc_level(evidence: list[dict]) -> str | None:
    """The PNC ID's level in a pair's evidence: "same", "different" or "missing"."""
    return next((item["level"] for item in evidence if item["comparison"] == "pnc_id"), None)


def _status(pair: engine.Pair, model: LinkageModel) -> str | None:
    """What the run makes of a scored pair: linked, for a lead, or nothing.

    The PNC ID is decisive both ways. One PNC ID (in its normal form) links two records of
    one role whatever the model's probability: names written differently, a date missing
    or wrong, even a pair the model scores below the review band (`pnc_pairs_score` finds
    those). Two different PNC IDs are never linked automatically: such a pair goes to a
    lead at most, however alike the rest. A suspect and a victim are never linked, one PNC
    ID or not: they wait for a lead. A lead's decision on a pair always stands
    (`_links_write`).
    """
    pnc = _pnc_level(pair.evidence)
    if pair.cross_role:
        # A suspect and a victim who look alike (or share a PNC ID): shown, never linked.
        return (
            LinkStatus.REVIEW
            if pnc == "same" or pair.probability >= model.review_threshold
            else None
        )
    if pnc == "same":
        return LinkStatus.PROPOSED
    if pair.probability < model.review_threshold:
        return None
    if pair.probability >= model.auto_threshold and pnc != "different":
        return LinkStatus.PROPOSED
    return LinkStatus.REVIEW


def _pnc_ids_kept_apart(rows: list[tuple], table, *, incremental: bool) -> list[tuple]:
    """The run's rows, with any automatic link that would put two PNC IDs in one cluster
    sent to a lead instead (status review).

    A pair with two PNC IDs is never proposed (`_status`), but clusters are the connected
    components of linked pairs, so two such records could still become one person through
    a third record linked to both (one without a PNC ID, say). Links are joined in order,
    as union-find over the records with the PNC IDs each part holds: first what a lead
    confirmed (always stands), then in an incremental run the automatic links it does not
    score again, then this run's automatic links, one PNC ID first, then most probable
    first. A link that would join two parts holding different PNC IDs waits for a lead.
    A pair a lead decided keeps its decision (`_links_write`) and is joined only if
    confirmed. Reads the decided links, and in an incremental run the automatic ones.
    """
    pnc_of = {
        uid: pnc
        for uid, pnc in zip(
            table.column("unique_id").to_pylist(), table.column("pnc").to_pylist(), strict=True
        )
        if pnc
    }
    if len(set(pnc_of.values())) < 2:
        return rows  # no two PNC IDs to keep apart
    parent: dict[int, int] = {}
    held: dict[int, frozenset] = {}

    def root(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def pncs(node: int) -> frozenset:
        return held.get(node, frozenset((pnc_of[node],)) if node in pnc_of else frozenset())

    def join(left: int, right: int, *, force: bool = False) -> bool:
        a, b = root(left), root(right)
        if a == b:
            return True
        both = pncs(a) | pncs(b)
        if len(both) > 1 and not force:
            return False
        parent[b] = a
        held[a] = both
        return True

    decided = {
        (left, right): status
        for left, right, status in PersonLink.objects.filter(
            Q(status__in=DECIDED_STATUSES) | Q(decided_at__isnull=False)
        ).values_list("left_id", "right_id", "status")
    }
    scored = {(row[0], row[1]) for row in rows}
    for (left, right), status in decided.items():
        if status == LinkStatus.CONFIRMED:
            join(left, right, force=True)  # a lead's decision stands
    if incremental:
        kept = PersonLink.objects.filter(
            status=LinkStatus.PROPOSED, cross_role=False, decided_at__isnull=True
        ).values_list("left_id", "right_id")
        for left, right in kept.iterator(chunk_size=10000):
            if (left, right) not in scored:
                join(left, right, force=True)  # already stands; not this run's to change

    def order(index: int) -> tuple:
        row = rows[index]
        return (_pnc_level(row[6]) != "same", -(row[4] or 0.0))

    proposed = [
        index
        for index, row in enumerate(rows)
        if row[2] == LinkStatus.PROPOSED and (row[0], row[1]) not in decided
    ]
    out = list(rows)
    for index in sorted(proposed, key=order):
        left, right, *rest = rows[index]
        if not join(left, right):
            out[index] = (left, right, LinkStatus.REVIEW, *rest[1:])
    return out


def _links_write(rows: list[tuple], model: LinkageModel) -> None:
    """Insert or rescore undecided links; a decided pair's row is left exactly as it is.

    rows: (left, right, status, cross_role, probability, weight, evidence).
    """
    if not rows:
        return
    now = timezone.now()
    table = PersonLink._meta.db_table
    if connection.vendor == "postgresql":
        # One statement per 5,000 links, the rows as one JSON parameter; the WHERE of the
        # upsert is what keeps a lead's decision.
        sql = (
            f"INSERT INTO {table} (left_id, right_id, status, cross_role, match_probability,"  # noqa: S608
            " match_weight, evidence, model_id, proposed_at, scored_at, reason, version)"
            " SELECT (e->>0)::bigint, (e->>1)::bigint, e->>2, (e->>3)::boolean,"
            " (e->>4)::float8, (e->>5)::float8, e->6, %s, %s, %s, '', 1"
            " FROM jsonb_array_elements(%s::jsonb) AS e"
            " ON CONFLICT (left_id, right_id) DO UPDATE SET"
            f" status = EXCLUDED.status, cross_role = EXCLUDED.cross_role,"
            f" match_probability = EXCLUDED.match_probability,"
            f" match_weight = EXCLUDED.match_weight, evidence = EXCLUDED.evidence,"
            f" model_id = EXCLUDED.model_id, scored_at = EXCLUDED.scored_at,"
            f" version = {table}.version + ({table}.status <> EXCLUDED.status)::int"
            # An acknowledged look-alike stays "review" with its decision: also a lead's.
            f" WHERE {table}.status NOT IN ('confirmed', 'rejected')"
            f" AND {table}.decided_at IS NULL"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                chunk = json.dumps(rows[start : start + 5000], separators=(",", ":"))
                cursor.execute(sql, [model.pk, now, now, chunk])
        return
    decided = set(
        PersonLink.objects.filter(
            Q(status__in=DECIDED_STATUSES) | Q(decided_at__isnull=False)
        ).values_list("left_id", "right_id")
    )
    objs = [
        PersonLink(
            left_id=left,
            right_id=right,
            status=status,
            cross_role=cross,
            match_probability=probability,
            match_weight=weight,
            evidence=evidence,
            model=model,
            proposed_at=now,
            scored_at=now,
        )
        for left, right, status, cross, probability, weight, evidence in rows
        if (left, right) not in decided
    ]
    PersonLink.objects.bulk_create(
        objs,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["left", "right"],
        update_fields=[
            "status",
            "cross_role",
            "match_probability",
            "match_weight",
            "evidence",
            "model",
            "scored_at",
        ],
    )


def _stale_delete(kept: set[tuple[int, int]], new_ids: set[int] | None) -> int:
    """Delete undecided links this run scored below the review band (or no longer found).

    In an incremental run only links touching a new record were looked at again.
    """
    stale = [
        pk
        for pk, left, right in PersonLink.objects.filter(
            status__in=UNDECIDED, decided_at__isnull=True
        ).values_list("pk", "left_id", "right_id")
        if (left, right) not in kept and (new_ids is None or left in new_ids or right in new_ids)
    ]
    for start in range(0, len(stale), 5000):
        PersonLink.objects.filter(
            pk__in=stale[start : start + 5000], status__in=UNDECIDED, decided_at__isnull=True
        ).delete()
    return len(stale)


def _resolve(party_ids: set[int] | None, case_ids: set[int] | None) -> int:
    """Recompute nominals (clusters) and networks after the links changed: all of them, or
    only those touching the records and cases an incremental run looked at again."""
    from cases.linkage.networks import networks_recompute, networks_recompute_for
    from cases.linkage.resolution import nominals_recompute

    if party_ids is None:
        clusters = nominals_recompute()
        networks_recompute()
        return clusters
    clusters = nominals_recompute(party_ids=sorted(party_ids))
    if len(case_ids or ()) > NETWORKS_FOR_MAX_CASES:
        networks_recompute()
    else:
        networks_recompute_for(case_ids=sorted(case_ids or ()))
    return clusters


def _analyze() -> None:
    """Refresh the planner's statistics of the tables a run wrote (PostgreSQL only).

    A run can write hundreds of thousands of links, nominals and network rows at once,
    and autovacuum may not analyse them for minutes: the link queue took 414 ms on a link
    table never analysed and 1.5 ms after ANALYZE.
    """
    if connection.vendor != "postgresql":
        return
    models = (PersonLink, Nominal, NominalMember, Network, CaseNetwork, NetworkPerson, NetworkKey)
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def link_people(*, full: bool = False, train: bool = False, by=None) -> Outcome:
    """Link the person records: incrementally (new records against all) unless `full`.

    `train` trains a new model version from the records first; without a model one is
    trained. Raises `LinkageBusy` if another run holds the lock.
    """
    started = time.monotonic()
    with _run_lock():
        last = (
            LinkageRun.objects.filter(finished_at__isnull=False, error="")
            .order_by("-started_at")
            .first()
        )
        model = LinkageModel.objects.order_by("-version").first()
        incremental = not (full or train or model is None or last is None)
        run = LinkageRun.objects.create(incremental=incremental, model=model)
        try:
            table = frame.records_frame(new_since=last.started_at if incremental else None)
            if model is None or train:
                trained = engine.model_train(table, api=backends.db_api())
                model = model_save(trained=trained, records=table.num_rows)
            parameters = model_load(model)
            new_column = table.column("is_new").to_pylist()
            new_ids = (
                {
                    uid
                    for uid, new in zip(
                        table.column("unique_id").to_pylist(), new_column, strict=True
                    )
                    if new
                }
                if incremental
                else None
            )
            run.model = model
            run.records = table.num_rows
            run.new_records = sum(new_column)
            links = review = 0
            rows = []
            if not incremental or new_ids:
                scored = engine.pairs_score(
                    table,
                    parameters,
                    incremental=incremental,
                    review_threshold=model.review_threshold,
                    api=backends.db_api(),
                )
                run.comparisons = scored.comparisons
                # Pairs with one PNC ID that the model scored below the review band.
                below = engine.pnc_pairs_score(
                    table,
                    parameters,
                    incremental=incremental,
                    below=model.review_threshold,
                    api=backends.db_api(),
                )
                for pair in scored.pairs + below:
                    status = _status(pair, model)
                    if status is None:
                        continue
                    rows.append(
                        (
                            pair.left,
                            pair.right,
                            status,
                            pair.cross_role,
                            pair.probability,
                            pair.weight,
                            pair.evidence,
                        )
                    )
                rows = _pnc_ids_kept_apart(rows, table, incremental=incremental)
                links = sum(row[2] == LinkStatus.PROPOSED for row in rows)
                review = sum(row[2] == LinkStatus.REVIEW for row in rows)
                with transaction.atomic():
                    _links_write(rows, model)
                    _stale_delete({(r[0], r[1]) for r in rows}, new_ids)
                    audit_record(
                        operation=Operation.COMBINE,
                        obj=run,
                        actor=by,
                        changes={
                            "proposed": [None, links],
                            "review": [None, review],
                            "model": [None, model.version],
                        },
                    )
            run.links = links
            run.review = review
            if incremental:
                touched = new_ids | {r[0] for r in rows} | {r[1] for r in rows}
                case_of = dict(
                    zip(
                        table.column("unique_id").to_pylist(),
                        table.column("case_id").to_pylist(),
                        strict=True,
                    )
                )
                run.clusters = _resolve(touched, {case_of[p] for p in touched})
            else:
                run.clusters = _resolve(None, None)
        except Exception as error:
            run.error = f"{type(error).__name__}: {error}"[:2000]
            run.finished_at = timezone.now()
            run.seconds = time.monotonic() - started
            run.save()
            raise
        run.finished_at = timezone.now()
        run.seconds = round(time.monotonic() - started, 2)
        run.peak_memory_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        run.save()
        _analyze()
        return Outcome(run=run, model=model)
