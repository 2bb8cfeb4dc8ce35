"""Run a command and report its wall time and the peak resident memory of its process tree.

A parallel build's memory is the reading process plus every worker it spawns; the peak RSS of
any one process (what ``/usr/bin/time -v`` reports) misses the others. This samples the sum of
VmRSS over the command's whole process tree every ``--every`` seconds (from /proc, so Linux
only), prints it once a minute and, at the end, the peak.

    python bench/rss_tree.py searchsvc index --corpus DIR/c1m --index-dir DIR/n1m
    python bench/rss_tree.py --every 1 python bench/build.py --corpus BIG.jsonl.gz

Sampling can miss a peak shorter than the interval, so the figure is a lower bound of the true
peak; ``bench/build.py`` prints an upper bound (itself plus its workers times the largest).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPORT_EVERY_S = 60.0


def tree_rss_bytes(root: int) -> int:
    """Return the summed VmRSS of a process and all its descendants (0 for ones that exited)."""
    total = 0
    pending, seen = [root], set()
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{pid}/task").iterdir():   # any thread may start children
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue        # the process exited between two reads
    return total


def main(argv: list[str] | None = None) -> int:
    """Run the command, sample its tree's memory, print the peak; return its exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=float, default=2.0, help="seconds between samples")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run")
    args = parser.parse_args(argv)
    if not args.command:
        parser.error("give a command to run")
    if not args.every > 0:
        parser.error("--every must be a positive number of seconds")
    start = time.monotonic()
    try:
        process = subprocess.Popen(args.command)
    except OSError as error:
        print(f"rss_tree: cannot run {args.command[0]!r}: {error.strerror}", file=sys.stderr)
        return 127
    peak, reported = 0, start
    while True:
        now_bytes = tree_rss_bytes(process.pid)
        peak = max(peak, now_bytes)
        if time.monotonic() - reported >= REPORT_EVERY_S:
            reported = time.monotonic()
            print(f"[{reported - start:.0f} s] tree RSS {now_bytes / 2**20:,.0f} MiB, "
                  f"peak {peak / 2**20:,.0f} MiB", flush=True)
        try:
            process.wait(timeout=args.every)    # the wall time ends when the command does
            break
        except subprocess.TimeoutExpired:
            pass
    print(f"exit {process.returncode}; wall {time.monotonic() - start:.1f} s; "
          f"peak tree RSS {peak / 2**30:.2f} GiB", flush=True)
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
