"""Faults on SolrCloud: a node stopped under query load, and a rebuild (alias swap) under load.

Builds a sample of the dataset into a collection with replicas on a running 3-node cluster
(`searchsvc solr start --nodes 3`), takes every query's total as the baseline, then runs a
bounded load (threads searching the queries in turn through the search service):

1. node 1 stopped after `--settle` seconds, started again `--down` seconds later;
2. the same corpus rebuilt into a new collection and the alias swapped, meanwhile.

Prints, for each phase, the searches made, failed (an exception), and with another total
than the baseline, and the latency p50/p95.

    PYTHONPATH=$PWD python bench/solr_faults.py --dataset news.jsonl.gz --solr-dir /tmp/solr
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from searchsvc.backends.solr import cluster
from searchsvc.backends.solr.backend import SolrBackend
from searchsvc.config import PACKAGE_DATA
from searchsvc.outlets import OutletRegistry
from searchsvc.service import SearchRequest, open_service

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from solr_compare import sample, sample_arguments  # noqa: E402  (the same sample)

ALIAS = "bench_faults"


class Load:
    """Threads searching queries in turn until stopped; what they saw is kept."""

    def __init__(self, service, expected: dict[str, int], threads: int) -> None:
        self.service, self.expected = service, expected
        self.failures: list[tuple[str, str]] = []
        self.wrong: list[tuple[str, int, int]] = []
        self.seconds: list[float] = []
        self._done = threading.Event()
        self._threads = [threading.Thread(target=self._run) for _ in range(threads)]

    def _run(self) -> None:
        while not self._done.is_set():
            for q, total in self.expected.items():
                started = time.perf_counter()
                try:
                    found = self.service.search(SearchRequest(q=q))["total"]
                except Exception as error:     # every failure counts, whatever its kind
                    self.failures.append((q, repr(error)[:200]))
                    continue
                self.seconds.append(time.perf_counter() - started)
                if found != total:
                    self.wrong.append((q, found, total))
                if self._done.is_set():
                    return

    def __enter__(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        for thread in self._threads:
            thread.join()

    def report(self, phase: str) -> str:
        """Return one line of figures for a phase."""
        ms = sorted(s * 1000 for s in self.seconds) or [0.0]
        p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
        return (f"{phase}: {len(self.seconds) + len(self.failures):,} searches, "
                f"{len(self.failures)} failed, {len(self.wrong)} with another total; "
                f"latency p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms"
                + (f"; first failure: {self.failures[0]}" if self.failures else ""))


def main() -> None:
    """Run both fault phases and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sample_arguments(parser)
    parser.add_argument("--shards", type=int, default=3)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--queries", type=int, default=40, help="first N of bench/queries.txt")
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--down", type=float, default=15.0)
    parser.add_argument("--node", type=int, default=1)
    args = parser.parse_args()
    urls = cluster.cluster_urls(args.solr_dir)
    registry = OutletRegistry.load(PACKAGE_DATA / "outlets.toml")
    queries = [q for q in (HERE / "queries.txt").read_text("utf-8").splitlines() if q.strip()]
    backend = SolrBackend(urls, alias=ALIAS, shards=args.shards, replicas=args.replicas)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = sample(args.dataset, args.sample, Path(tmp) / "corpus")
        report = backend.build(corpus, registry=registry)
        print(f"{report.total_documents:,} articles, {args.shards} shards x {args.replicas} "
              f"replicas on {len(urls)} nodes, built in {report.seconds:.1f} s")
        service = open_service("", backend="solr", solr_url=",".join(urls), solr_collection=ALIAS,
                               outlets_file=str(PACKAGE_DATA / "outlets.toml"),
                               synonyms_file=str(PACKAGE_DATA / "synonyms.txt"))
        expected = {q: service.search(SearchRequest(q=q))["total"]
                    for q in queries[:args.queries]}

        with Load(service, expected, args.threads) as load:
            time.sleep(args.settle)
            started = time.perf_counter()
            cluster.stop_node(args.solr_dir, args.node)
            stopped = time.perf_counter() - started
            time.sleep(args.down)
            started = time.perf_counter()
            cluster.start_node(args.solr_dir, args.node)
            restarted = time.perf_counter() - started
            time.sleep(args.settle)
        print(load.report(f"node {args.node} stopped ({stopped:.1f} s) and started again "
                          f"({restarted:.1f} s)"))

        with Load(service, expected, args.threads) as load:
            time.sleep(args.settle)
            rebuilt = backend.build(corpus, registry=registry)
            time.sleep(args.settle)
        print(load.report(f"rebuild under load ({rebuilt.seconds:.1f} s, alias swapped to "
                          f"{rebuilt.generation})"))
    backend.drop()


if __name__ == "__main__":
    main()
