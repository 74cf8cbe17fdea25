"""The true links of a generated referral file, as pairs, to measure linkage against.

`generate_referrals --format 2` writes `<file>.links.json` beside the file: clusters of
[force, force_reference, person ref] that are the same person. Linkage is judged on pairs:
every two records of one cluster are a true pair; every other pair is two people.
"""

import itertools
import json
from pathlib import Path

Record = tuple[str, str, str]  # (force slug, force reference, person ref such as "S1")


def true_clusters(links_path: str | Path) -> list[list[Record]]:
    """The clusters of a links file, each record a (force, force_reference, ref) triple."""
    with Path(links_path).open(encoding="utf-8") as links:
        clusters = json.load(links)["clusters"]
    return [[tuple(record) for record in cluster] for cluster in clusters]


def true_pairs(links_path: str | Path) -> set[frozenset[Record]]:
    """Every pair of records that are the same person, unordered."""
    return {
        frozenset(pair)
        for cluster in true_clusters(links_path)
        for pair in itertools.combinations(cluster, 2)
    }
