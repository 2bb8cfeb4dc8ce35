"""The Solr backend beside the Whoosh one on a sample of the dataset: same totals, same top 10?

Takes a deterministic sample of a JSON-lines dataset (every record with the same chance, a
fixed seed), builds it into a Whoosh index and into a collection of a running SolrCloud, and
runs every query of bench/queries.txt through the search service on both. Prints, per query,
both totals, whether the facet counts are equal, and the overlap of the two top-10 lists
(the share of Whoosh's top 10 that Solr also has in its top 10); then the summary, with
each backend's build time and search latency (p50/p95 of the complete search call, the
two backends taking turns query by query after one warming search each).

    searchsvc solr start --nodes 3 --dir /tmp/solr
    PYTHONPATH=$PWD python bench/solr_compare.py --dataset news.jsonl.gz --solr-dir /tmp/solr
"""
from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from searchsvc.backends.solr.backend import SolrBackend
from searchsvc.backends.solr.cluster import cluster_urls
from searchsvc.backends.whoosh.indexer import build_index
from searchsvc.config import PACKAGE_DATA
from searchsvc.outlets import OutletRegistry
from searchsvc.service import SearchRequest, open_service

HERE = Path(__file__).resolve().parent
SEED = 20261207


def sample(dataset: Path, size: int, folder: Path) -> Path:
    """Write `size` records of the dataset, drawn with a fixed seed, to folder/sample.jsonl."""
    with gzip.open(dataset, "rt", encoding="utf-8") as handle:
        lines = handle.readlines()
    chosen = sorted(random.Random(SEED).sample(range(len(lines)), min(size, len(lines))))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sample.jsonl").write_text("".join(lines[i] for i in chosen), encoding="utf-8")
    return folder


def sample_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options every Solr benchmark takes: the dataset, the cluster, the sample."""
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--solr-dir", required=True, help="folder of `searchsvc solr start`")
    parser.add_argument("--sample", type=int, default=10_000)


def services(corpus: Path, work: Path, urls: list[str], shards: int, replicas: int):
    """Build both backends over the corpus; return their services and build seconds."""
    registry = OutletRegistry.load(PACKAGE_DATA / "outlets.toml")
    files = {"outlets_file": str(PACKAGE_DATA / "outlets.toml"),
             "synonyms_file": str(PACKAGE_DATA / "synonyms.txt")}
    started = time.perf_counter()
    build_index(corpus, work / "index", registry=registry)
    whoosh_seconds = time.perf_counter() - started
    solr = SolrBackend(urls, alias="bench_compare", shards=shards, replicas=replicas)
    started = time.perf_counter()
    solr.build(corpus, registry=registry)
    solr_seconds = time.perf_counter() - started
    return (open_service(work / "index", **files),
            open_service("", backend="solr", solr_url=",".join(urls),
                         solr_collection="bench_compare", **files),
            whoosh_seconds, solr_seconds)


def timed(service, q: str, seconds: list[float]) -> dict:
    """Return a search's result, its wall time appended to seconds."""
    started = time.perf_counter()
    result = service.search(SearchRequest(q=q))
    seconds.append(time.perf_counter() - started)
    return result


def main() -> None:
    """Compare the two backends query by query and print the table and the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sample_arguments(parser)
    parser.add_argument("--shards", type=int, default=3)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--queries", type=Path, default=HERE / "queries.txt")
    args = parser.parse_args()
    queries = [q for q in args.queries.read_text(encoding="utf-8").splitlines() if q.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = sample(args.dataset, args.sample, work / "corpus")
        whoosh, solr, whoosh_s, solr_s = services(corpus, work, cluster_urls(args.solr_dir),
                                                  args.shards, args.replicas)
        print(f"sample {args.sample:,} records (seed {SEED}); build: Whoosh {whoosh_s:.1f} s, "
              f"Solr {solr_s:.1f} s ({args.shards} shards x {args.replicas} replicas)")
        print(f"{'query':32} {'whoosh':>7} {'solr':>7} {'facets':>6} {'top10':>6}")
        equal_totals = equal_facets = 0
        overlaps = []
        seconds: dict[str, list[float]] = {"Whoosh": [], "Solr": []}
        for service in (whoosh, solr):
            service.search(SearchRequest(q=queries[0]))
        for q in queries:
            a, b = (timed(s, q, seconds[name]) for s, name in ((whoosh, "Whoosh"),
                                                                (solr, "Solr")))
            same_total = a["total"] == b["total"]
            same_facets = all([(r["value"], r["count"]) for r in a["facets"][name]]
                              == [(r["value"], r["count"]) for r in b["facets"][name]]
                              for name in ("outlet", "year"))
            top_a = [hit["id"] for hit in a["hits"]]
            top_b = {hit["id"] for hit in b["hits"]}
            overlap = len(top_b.intersection(top_a)) / len(top_a) if top_a else 1.0
            equal_totals += same_total
            equal_facets += same_facets
            overlaps.append(overlap)
            print(f"{q[:32]:32} {a['total']:>7,} {b['total']:>7,} "
                  f"{'=' if same_facets else 'DIFF':>6} {overlap:>6.1f}")
        print(f"\n{len(queries)} queries: totals equal {equal_totals}, facet counts equal "
              f"{equal_facets}; top-10 overlap mean {statistics.mean(overlaps):.3f}, "
              f"median {statistics.median(overlaps):.1f}, min {min(overlaps):.1f}, "
              f"all 10 shared in {sum(o == 1.0 for o in overlaps)}")
        for name, values in seconds.items():
            ms = sorted(v * 1000 for v in values)
            print(f"{name} search: p50 {statistics.median(ms):.1f} ms, "
                  f"p95 {ms[min(len(ms) - 1, int(len(ms) * 0.95))]:.1f} ms "
                  f"({len(ms)} searches)")
        SolrBackend(cluster_urls(args.solr_dir), alias="bench_compare").drop()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
