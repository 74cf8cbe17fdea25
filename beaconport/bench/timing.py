"""Interleaved repetitions: every scenario is timed once per round, round after round.

Timing 50 of one and then 50 of the next lets a burst of load on the machine fall on one
scenario only; round-robin spreads it over all of them, and over each scenario's SQL floor,
which is timed in the same round as its page.
"""

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Stats:
    """Milliseconds over the timed repetitions (warm-up left out)."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)


def percentile(samples, pct: float) -> float:
    """The nearest-rank percentile: a value that was measured, never an interpolation."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct * len(ordered) / 100))
    return ordered[rank - 1]


def time_ms(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def interleaved(calls: dict[str, Callable[[], object]], *, reps: int, warmup: int) -> dict:
    """{name: Stats} for each call, run `warmup` rounds untimed, then `reps` timed rounds."""
    for _ in range(warmup):
        for call in calls.values():
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(reps):
        for name, call in calls.items():
            samples[name].append(time_ms(call))
    return {name: Stats(tuple(values)) for name, values in samples.items()}
