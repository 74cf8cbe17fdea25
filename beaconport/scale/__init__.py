"""Synthetic data at national size, for benchmarks and for trying pages at scale.

`python manage.py seed_scale` calls `scale_seed`: users in their roles and teams, cases with
their people and grants, liaison records, contacts and follow-ups, case-file material
(documents' rows and page text, no files: their downloads answer 404) and referral files,
written in bulk (COPY on PostgreSQL). Nothing describes a real person; the named users of
`NAMED_USERS` are what the benchmark signs in as.
"""

from beaconport.scale.seed import (
    NAMED_USERS,
    REFERENCE_PREFIX,
    ScaleSizes,
    SeedResult,
    scale_seed,
    seed_refusal,
    seeded_cases,
)

__all__ = [
    "NAMED_USERS",
    "REFERENCE_PREFIX",
    "ScaleSizes",
    "SeedResult",
    "scale_seed",
    "seed_refusal",
    "seeded_cases",
]
