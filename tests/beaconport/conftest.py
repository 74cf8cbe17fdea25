"""The property tests' tally: how many inputs each Hypothesis property of the input rules and
the forms tried, printed at the end of the session (issue 8 asks for the fuzz inputs tried).

Each property records `fuzz_inputs_tried` in its report's user properties (see
tests/beaconport/test_inputs_properties.py), so the count also reaches a JUnit XML report.
"""


def pytest_terminal_summary(terminalreporter):
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
    terminalreporter.section("Hypothesis properties of the input rules and forms")
    for test, count in tried:
        terminalreporter.write_line(f"{count:>6} inputs  {test}")
    total = sum(count for _, count in tried)
    terminalreporter.write_line(f"{total:>6} inputs tried by {len(tried)} properties")
