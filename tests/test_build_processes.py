"""A build's worker processes end with it, however the build ends (kill -9, SIGTERM, Ctrl-C)."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from searchsvc.backends.whoosh.generations import current_generation


def _children(pid: int) -> set[int]:
    """Return the live descendants of a process (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    """Tell whether a process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def big_corpus(tmp_path) -> Path:
    """A JSON-lines corpus that takes a two-process build several seconds."""
    path = tmp_path / "big.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(6000):
            body = " ".join(f"talks{number % 97} report{number % 89} word{n % 1000}"
                            for n in range(number, number + 300))
            handle.write(json.dumps({"id": f"a{number}", "title": f"Headline {number}",
                                     "body": body}) + "\n")
    return path


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_no_worker_outlives_a_stopped_build(big_corpus, tmp_path, signum):
    index_dir = tmp_path / "ix"
    process = subprocess.Popen([sys.executable, "-m", "searchsvc.cli", "index", "--corpus",
                                str(big_corpus), "--index-dir", str(index_dir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and process.poll() is None:
            workers = _children(process.pid)
            if len(workers) >= 2 and list(index_dir.glob(".building-*")):
                break
            time.sleep(0.05)
        assert len(workers) >= 2, "the build did not start its workers"
        time.sleep(0.5)                      # the workers are at work on the first batches
        workers = _children(process.pid)     # the resource tracker included
        os.kill(process.pid, signum)         # the build only, as kill -9 PID does
        process.wait(timeout=60)
        ends = time.monotonic() + 5
        while time.monotonic() < ends and any(_alive(pid) for pid in workers):
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)]
        assert current_generation(index_dir) is None      # nothing was switched to
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)        # whatever is left of the test's own
        except ProcessLookupError:
            pass
        process.wait()
