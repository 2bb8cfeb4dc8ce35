"""Story clusters (issue 17, point 4): what they cost to build and what they find.

    PYTHONPATH=$PWD python bench/clusters.py cost --corpus CORPUS --index-dir INDEX
    PYTHONPATH=$PWD python bench/clusters.py report --index-dir INDEX [--sample 20]
    PYTHONPATH=$PWD python bench/clusters.py scale --articles 1000000

cost: builds the corpus twice in this one process, without story clusters (signatures and
clustering left out, into a temporary directory) and then with them (into INDEX, kept for
`report` and the latency benchmark), printing wall and CPU seconds (this process and its
build workers) of each; then the CPU microseconds of a signature per article, over the first
3,000 bodies. report: clusters of two or more articles, the articles in them, the size
distribution, the largest cluster, and a random sample of clusters to check by reading
(each member's title, outlet, date and estimated Jaccard similarity to the leader).
scale: the clustering step alone (neardup.find_clusters) over N generated signatures, one
in 100 a copy of the one before it with 10 of its 128 values changed (J ~ 0.92), read a
chunk at a time as a build reads them from the index: its time and peak RSS at a million.
"""
from __future__ import annotations

import argparse
import collections
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from searchsvc.backends.whoosh import generations
from searchsvc.backends.whoosh.clusterbuild import SIGNATURE_FIELD
from searchsvc.backends.whoosh.clusters import CLUSTERS_FILE
from searchsvc.backends.whoosh.indexer import build_index
from searchsvc.ingest import neardup
from searchsvc.ingest.corpus import DEFAULT_FIELD_MAP, CorpusReader, Skipped
from searchsvc.outlets import OutletRegistry

ROOT = Path(__file__).resolve().parent.parent
OUTLETS = ROOT / "searchsvc" / "data" / "outlets.toml"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import cpu_seconds  # noqa: E402  (the same CPU clock as bench/build.py)


def timed_build(corpus: Path, target: Path, registry: OutletRegistry, stories: bool):
    """Return (wall s, CPU s, report) of one full build."""
    cpu, started = cpu_seconds(), time.perf_counter()
    report = build_index(corpus, target, registry=registry, stories=stories)
    return time.perf_counter() - started, cpu_seconds() - cpu, report


def signature_cost(corpus: Path, registry: OutletRegistry, count: int = 3000) -> float:
    """Return the CPU microseconds of a signature per article over the first `count` bodies."""
    bodies = []
    for item in CorpusReader(corpus, registry, DEFAULT_FIELD_MAP).read():
        if not isinstance(item, Skipped) and item.has_text:
            bodies.append(item.body)
            if len(bodies) >= count:
                break
    started = time.process_time()
    for body in bodies:
        neardup.signature_bytes(body)
    return (time.process_time() - started) / len(bodies) * 1e6


def cost(args) -> None:
    """Build without and with story clusters; print the times and the signature cost."""
    registry = OutletRegistry.load(OUTLETS)
    scratch = Path(tempfile.mkdtemp(prefix="bench-nostories-"))
    try:
        plain_s, plain_cpu, plain = timed_build(args.corpus, scratch, registry, False)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"without clusters: {plain_s:.1f} s wall, {plain_cpu:.1f} s CPU, "
          f"{plain.indexed:,} articles", flush=True)
    with_s, with_cpu, report = timed_build(args.corpus, args.index_dir, registry, True)
    print(f"with clusters:    {with_s:.1f} s wall, {with_cpu:.1f} s CPU; clustering pass "
          f"{report.clusters['seconds']:.1f} s; {report.clusters}", flush=True)
    print(f"ratio with/without: wall {with_s / plain_s:.3f}, CPU {with_cpu / plain_cpu:.3f}")
    print(f"signature: {signature_cost(args.corpus, registry):.0f} us CPU per article "
          f"(first 3,000 bodies)")


def report(args) -> None:
    """Print the clusters of a built index and a sample of them to check by reading."""
    from whoosh import index as whoosh_index
    generation = generations.current_generation(args.index_dir)
    folder = Path(args.index_dir) / generation
    leaders = np.load(folder / CLUSTERS_FILE).astype(np.int64)
    sizes = np.bincount(leaders, minlength=leaders.size)
    clustered = np.flatnonzero(sizes > 1)
    print(f"articles {leaders.size:,}; clusters of two or more {clustered.size:,}; "
          f"articles in them {int(sizes[clustered].sum()):,}")
    print("sizes: " + ", ".join(f"{size}: {count}" for size, count in
                                sorted(collections.Counter(sizes[clustered].tolist()).items())))
    members = collections.defaultdict(list)
    for docnum in np.flatnonzero(sizes[leaders] > 1).tolist():
        members[int(leaders[docnum])].append(docnum)
    ix = whoosh_index.open_dir(str(folder))
    with ix.searcher() as searcher:
        reader = searcher.reader()
        column = reader.column_reader(SIGNATURE_FIELD)

        def show(leader: int) -> None:
            lead = neardup.from_bytes(column[leader])
            outlets = {searcher.stored_fields(d).get("outlet") for d in members[leader]}
            print(f"--- cluster of {len(members[leader])} ({len(outlets)} outlets)")
            for docnum in members[leader]:
                fields = searcher.stored_fields(docnum)
                similarity = neardup.estimated_jaccard(lead, neardup.from_bytes(column[docnum]))
                print(f"  J={similarity:.2f} {fields.get('date_iso')} [{fields.get('outlet')}] "
                      f"{fields.get('title', '')[:90]!r}")

        largest = int(np.argmax(sizes))
        print("largest:")
        show(largest)
        across = sum(len({searcher.stored_fields(d).get("outlet") for d in docs}) > 1
                     for docs in members.values())
        print(f"clusters spanning two or more outlets: {across:,} of {len(members):,}")
        print(f"random sample of {args.sample} (seed {args.seed}):")
        for leader in random.Random(args.seed).sample(sorted(members),
                                                      min(args.sample, len(members))):
            show(leader)


def scale(args) -> None:
    """Time neardup.find_clusters over generated signatures; print time and peak RSS."""
    import resource
    count = args.articles

    def read(rows: np.ndarray) -> np.ndarray:
        values = np.empty((rows.size, neardup.PERMUTATIONS), dtype=np.uint32)
        for i, row in enumerate(rows.tolist()):
            original = row - 1 if row % 100 == 1 else row
            values[i] = np.random.default_rng(original).integers(
                0, 2**32, neardup.PERMUTATIONS, dtype=np.uint32)
            if original != row:
                changed = np.random.default_rng(row + 10**9)
                values[i, changed.choice(neardup.PERMUTATIONS, 10, replace=False)] += 1
        return values

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu = time.perf_counter(), time.process_time()
    leaders = neardup.find_clusters(np.arange(count), read)
    took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    planted = count // 100
    found = int((leaders != np.arange(count)).sum())
    print(f"{count:,} signatures ({planted:,} planted copies): {found:,} joined a story; "
          f"{took:.1f} s wall, {took_cpu:.1f} s CPU (generating the signatures twice "
          f"included); peak RSS {peak:.0f} MiB ({before:.0f} MiB before)")


def main(argv: list[str] | None = None) -> None:
    """Run the chosen part."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["cost", "report", "scale"])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    if args.part == "scale":
        scale(args)
    elif args.index_dir is None or (args.part == "cost" and args.corpus is None):
        parser.error(f"{args.part} needs --index-dir" + (" and --corpus" if args.part == "cost"
                                                         else ""))
    elif args.part == "cost":
        cost(args)
    else:
        report(args)


if __name__ == "__main__":
    sys.exit(main())
