"""scripts/respawn, the development runner's supervisor: it starts a command again whenever
it exits (SIGKILL included), and SIGTERM or SIGINT stops it and its command together."""

import os
import signal
import subprocess
import sys

import pytest

from tests.worker import ROOT, wait_for

# A stand-in for the web server, worker or scheduler: notes its pid, then waits.
CHILD = "import os, sys, time; open(sys.argv[1], 'a').write(f'{os.getpid()}\\n'); time.sleep(600)"


def pids(path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def supervised(tmp_path):
    started = tmp_path / "pids"
    wrapper = subprocess.Popen(
        [str(ROOT / "scripts" / "respawn"), sys.executable, "-c", CHILD, str(started)],
        env={**os.environ, "RESPAWN_DELAY": "0.2"},
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: pids(started))
    yield wrapper, started
    if wrapper.poll() is None:
        wrapper.kill()
        wrapper.wait(timeout=10)
    for pid in pids(started):
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_a_killed_process_is_started_again(supervised):
    wrapper, started = supervised
    [first] = pids(started)

    os.kill(first, signal.SIGKILL)

    second = wait_for(lambda: pids(started)[1:])[0]
    assert second != first
    assert alive(second)
    assert wrapper.poll() is None


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_wrapper_stops_the_process_and_the_wrapper(supervised, stop_signal):
    wrapper, started = supervised
    [child] = pids(started)

    wrapper.send_signal(stop_signal)

    assert wrapper.wait(timeout=15) == 0
    wait_for(lambda: not alive(child), timeout=10)
    assert pids(started) == [child]
