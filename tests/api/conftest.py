"""The API fuzz run's tally: what each persona's Schemathesis run tried and found.

The closing note of issue 8 asks for "the fuzz inputs tried, and what they found", so every
run prints one line per persona at the end of the session, whether it passed or failed.
"""

import dataclasses

import pytest


@dataclasses.dataclass
class FuzzTally:
    """What one persona's run sent: operations covered, inputs tried, failures found."""

    persona: str
    operations: set[str] = dataclasses.field(default_factory=set)
    inputs: int = 0
    by_status: dict[int, int] = dataclasses.field(default_factory=dict)
    failures: list[str] = dataclasses.field(default_factory=list)
    server_errors: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    seconds: float = 0.0

    def counted(self, operation: str, status: int) -> None:
        self.operations.add(operation)
        self.inputs += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1

    def line(self) -> str:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.by_status.items()))
        return (
            f"{self.persona}: {len(self.operations)} operations, {self.inputs} inputs tried "
            f"({statuses}), {len(self.failures)} failures, {self.seconds:.1f} s"
        )


_TALLIES: list[FuzzTally] = []


@pytest.fixture
def fuzz_tally():
    """A fresh tally for one persona's run, reported at the end of the session."""

    def start(persona: str) -> FuzzTally:
        tally = FuzzTally(persona=persona)
        _TALLIES.append(tally)
        return tally

    return start


def pytest_terminal_summary(terminalreporter):
    if not _TALLIES:
        return
    terminalreporter.section("Schemathesis fuzz of the API")
    for tally in _TALLIES:
        terminalreporter.write_line(tally.line())
        for failure in tally.failures:
            terminalreporter.write_line(f"  {failure.splitlines()[0]}")
        for error, tracebacks in tally.server_errors.items():
            terminalreporter.write_line(f"  server error x{len(tracebacks)}: {error}")
