"""Benchmark a full index build against the floor of reading and tokenizing the same data.

    PYTHONPATH=$PWD python bench/build.py                 # whole dataset, one run
    PYTHONPATH=$PWD python bench/build.py --repeat 3      # medians of three runs
    PYTHONPATH=$PWD python bench/build.py --limit 5000    # first 5,000 records only
    PYTHONPATH=$PWD python bench/build.py --corpus BIG.jsonl.gz --index-dir DIR   # keep the index

The floor is the time only to read the records (gunzip, json) and tokenize title + body with
re.findall(r"\\w+", text.lower()); the build is build_index() into a fresh directory. Both
run in this one process, alternating, so they see the same machine state. CPU seconds (this
process and its build workers) are printed too: on a shared, loaded machine they vary less
than wall time. Peak RSS is this process's and the largest child process's (ru_maxrss), and
this process's plus that of every build worker as an upper bound of the total.
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from searchsvc.backends.whoosh.indexer import BUILD_PROCESSES, build_index
from searchsvc.outlets import OutletRegistry

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "news" / "combined_news_v1.jsonl.gz"
OUTLETS = ROOT / "searchsvc" / "data" / "outlets.toml"


def floor(path: Path) -> tuple[float, float, int, int]:
    """Return (seconds, CPU seconds, records, tokens) to read and regex-tokenize every record of `path`."""
    cpu = cpu_seconds()
    started = time.perf_counter()
    records = tokens = 0
    with gzip.open(path, "rb") as handle:
        for raw in handle:
            record = json.loads(raw)
            text = (record.get("title") or "") + " " + (record.get("body") or "")
            tokens += len(re.findall(r"\w+", text.lower()))
            records += 1
    return time.perf_counter() - started, cpu_seconds() - cpu, records, tokens


def build(path: Path, registry: OutletRegistry,
          keep: Path | None = None) -> tuple[float, float, int]:
    """Return (seconds, CPU seconds of this process and its workers, documents indexed)
    of a full build of `path` into a fresh directory (or into `keep`, kept afterwards)."""
    target = keep or Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        cpu = cpu_seconds()
        started = time.perf_counter()
        report = build_index(path, target, registry=registry)
        return time.perf_counter() - started, cpu_seconds() - cpu, report.indexed
    finally:
        if keep is None:
            shutil.rmtree(target, ignore_errors=True)


def cpu_seconds() -> float:
    """Return the CPU time used so far by this process and its finished child processes."""
    return sum(getattr(resource.getrusage(who), kind)
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for kind in ("ru_utime", "ru_stime"))


def first_records(path: Path, limit: int, folder: Path) -> Path:
    """Write the first `limit` lines of a .jsonl.gz file to a new .jsonl.gz file."""
    subset = folder / f"first-{limit}.jsonl.gz"
    with gzip.open(path, "rb") as source, gzip.open(subset, "wb") as target:
        target.writelines(itertools.islice(source, limit))
    return subset


def peak_rss_mib() -> tuple[float, float]:
    """Return the peak RSS in MiB of this process and of its largest child process."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main(argv: list[str] | None = None) -> None:
    """Run the floor and the build, alternating, and print the figures and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="only the first N records")
    parser.add_argument("--repeat", type=int, default=1, help="runs; medians are printed")
    parser.add_argument("--index-dir", type=Path,
                        help="build into this index folder and keep it (to search it after)")
    args = parser.parse_args(argv)

    registry = OutletRegistry.load(OUTLETS)
    with tempfile.TemporaryDirectory(prefix="bench-data-") as scratch:
        corpus = first_records(args.corpus, args.limit, Path(scratch)) if args.limit \
            else args.corpus
        floors, builds, floor_cpus, build_cpus = [], [], [], []
        for run in range(1, args.repeat + 1):
            floor_s, floor_cpu, records, tokens = floor(corpus)
            build_s, build_cpu, docs = build(corpus, registry, args.index_dir)
            floors.append(floor_s)
            builds.append(build_s)
            floor_cpus.append(floor_cpu)
            build_cpus.append(build_cpu)
            print(f"run {run}: floor {floor_s:.1f} s, build {build_s:.1f} s, "
                  f"ratio {build_s / floor_s:.2f}; CPU floor {floor_cpu:.1f} s, "
                  f"build {build_cpu:.1f} s", flush=True)
    own, children = peak_rss_mib()
    floor_s, build_s = statistics.median(floors), statistics.median(builds)
    print(f"corpus      {args.corpus}{f' (first {args.limit})' if args.limit else ''}")
    print(f"records     {records}  ({tokens:,} \\w+ tokens)")
    print(f"docs        {docs} indexed")
    if args.index_dir:
        size = sum(p.stat().st_size for p in args.index_dir.rglob("*") if p.is_file())
        print(f"index       {size / 1e6:,.0f} MB on disk in {args.index_dir}")
    print(f"floor       {floor_s:.1f} s   (median of {len(floors)})")
    print(f"build       {build_s:.1f} s   (median of {len(builds)})")
    print(f"ratio       {build_s / floor_s:.2f}")
    floor_cpu, build_cpu = statistics.median(floor_cpus), statistics.median(build_cpus)
    print(f"CPU         floor {floor_cpu:.1f} s, build {build_cpu:.1f} s (all processes), "
          f"ratio {build_cpu / floor_cpu:.2f}")
    print(f"peak RSS    {own:.0f} MiB self, {children:.0f} MiB largest child; at most "
          f"{own + BUILD_PROCESSES * children:.0f} MiB for self + {BUILD_PROCESSES} workers")


if __name__ == "__main__":
    sys.exit(main())
