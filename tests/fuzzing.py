"""The property tests' shared bounds and tally: Hypothesis runs the same inputs every time
(derandomized, no example database), and each property reports how many inputs it tried.

Issue 8 asks for "the fuzz inputs tried": each property counts them in `TRIED` (and what
became of them in `OUTCOMES`), prints a line after it runs, and records the count in its
report's user properties; this plugin's `pytest_terminal_summary` adds them up at the end,
and a JUnit XML report carries them.
"""

from collections import Counter

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

TRIED: Counter = Counter()  # inputs tried, by test
OUTCOMES: Counter = Counter()  # (test, outcome): "refused", "imported", "accepted", ...


def bounded(examples: int):
    """Hypothesis settings for a property that must end, and end the same way, in CI."""
    return hypothesis_settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture
def report_tried(request, capsys):
    """Prints, after the property ran, how many inputs it tried, and records the count."""
    yield
    name = request.node.name
    outcomes = ", ".join(f"{n} {o}" for (test, o), n in sorted(OUTCOMES.items()) if test == name)
    request.node.user_properties.append(("fuzz_inputs_tried", TRIED[name]))
    with capsys.disabled():
        print(f"\n[fuzz] {name}: {TRIED[name]} inputs tried" + f" ({outcomes})" * bool(outcomes))


def pytest_terminal_summary(terminalreporter) -> None:
    """The session's closing section: inputs tried by every property that ran."""
    tried = [
        (report.nodeid.rsplit("::", 1)[-1], value)
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "teardown"
        for name, value in getattr(report, "user_properties", ())
        if name == "fuzz_inputs_tried"
    ]
    if not tried:
        return
    terminalreporter.section("Hypothesis properties: inputs tried")
    for test, count in tried:
        terminalreporter.write_line(f"{count:>6} inputs  {test}")
    total = sum(count for _, count in tried)
    terminalreporter.write_line(f"{total:>6} inputs tried by {len(tried)} properties")
