"""bench/rss_tree.py: the memory of a command's whole process tree, and its exit status."""
import subprocess
import sys
from pathlib import Path

import pytest

from benchscripts import load_bench_script

MIB = 2**20


@pytest.fixture(scope="module")
def rss_tree():
    return load_bench_script("rss_tree")


def test_a_child_process_s_memory_counts_in_the_tree(rss_tree):
    """A parent holding 64 MiB whose child holds 96 MiB: the tree holds both, the parent alone not."""
    child = "import sys, time; b = bytearray(96 * 2**20); print(flush=True); time.sleep(30)"
    parent = (f"import subprocess, sys; b = bytearray(64 * 2**20); "
              f"p = subprocess.Popen([sys.executable, '-c', {child!r}], stdout=subprocess.PIPE); "
              f"p.stdout.readline(); print(flush=True); p.wait()")
    process = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE)
    try:
        process.stdout.readline()       # both hold their memory now
        tree = rss_tree.tree_rss_bytes(process.pid)
        own = int(next(line for line in Path(f"/proc/{process.pid}/status").read_text()
                       .splitlines() if line.startswith("VmRSS:")).split()[1]) * 1024
        assert own >= 64 * MIB
        assert tree >= own + 96 * MIB
    finally:
        for pid in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split():
            subprocess.run(["kill", pid], check=False)
        process.kill()
        process.wait()


def test_a_process_that_is_gone_counts_nothing(rss_tree):
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    assert rss_tree.tree_rss_bytes(done.pid) == 0


def test_the_command_s_exit_status_is_returned_and_the_peak_printed(rss_tree, capsys):
    holds_48_mib = "import sys, time; b = bytearray(48 * 2**20); time.sleep(0.5); sys.exit(3)"
    status = rss_tree.main(["--every", "0.1", sys.executable, "-c", holds_48_mib])
    assert status == 3
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("exit 3; wall ")
    peak_gib = float(line.rsplit("peak tree RSS ", 1)[1].split()[0])
    assert peak_gib >= 0.04


def test_no_command_is_a_usage_error(rss_tree):
    with pytest.raises(SystemExit) as stopped:
        rss_tree.main([])
    assert stopped.value.code == 2


def test_a_command_that_cannot_run_says_why(rss_tree, capsys):
    assert rss_tree.main(["/nonexistent/command"]) == 127
    assert "cannot run '/nonexistent/command'" in capsys.readouterr().err


def test_a_child_started_by_another_thread_counts_too(rss_tree):
    """Children are listed per thread in /proc; one started off the main thread must count."""
    child = "import time; b = bytearray(96 * 2**20); print(flush=True); time.sleep(30)"
    # the thread stays alive (a finished thread's children pass to the main thread)
    parent = ("import subprocess, sys, threading; ready = threading.Event()\n"
              "def start():\n"
              f"    p = subprocess.Popen([sys.executable, '-c', {child!r}], stdout=subprocess.PIPE)\n"
              "    p.stdout.readline(); ready.set(); p.wait()\n"
              "t = threading.Thread(target=start); t.start(); ready.wait()\n"
              "print(flush=True); t.join()")
    process = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE)
    try:
        process.stdout.readline()
        assert rss_tree.tree_rss_bytes(process.pid) >= 96 * MIB
    finally:
        for task in Path(f"/proc/{process.pid}/task").iterdir():
            for pid in (task / "children").read_text().split():
                subprocess.run(["kill", pid], check=False)
        process.kill()
        process.wait()
