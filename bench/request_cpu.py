"""CPU time per request of the load mix, in one process, through Flask's test client.

    python bench/request_cpu.py --index-dir /path/to/news-index [--rounds 2]

The paths are those `bench/load.py` sends (its mix, default api=60,html=25,filtered=15, over
the queries of bench/queries.txt, filters from the index's own facets). After one warming
pass over the queries, every path is requested once a round, and the process CPU time of
each request is recorded (no server, no network: the application's own work). It prints
the mean, p50 and p99 per request, overall and by kind (JSON or HTML page, filtered or
not), and the load average. Run it from each checkout to compare (PYTHONPATH not needed:
it imports the checkout it is in), alternating, as the machine's speed drifts.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from load import filters_from, mixed_paths, parse_mix  # noqa: E402  (after the path is set)
from searchsvc import create_app  # noqa: E402


def summary(name: str, times: list[float]) -> str:
    """Return one line: count, mean, p50 and p99 of CPU times in ms."""
    times = sorted(times)
    return (f"{name}: {len(times):,} requests, mean {sum(times) * 1000 / len(times):.2f} ms, "
            f"p50 {times[len(times) // 2] * 1000:.2f}, p99 {times[int(len(times) * 0.99)] * 1000:.2f}")


def mix_in_process(index_dir: str, queries_file: str, mix: str):
    """Return a test client of this checkout's app on the index, the queries and the mix's
    paths (load.py's, the filters taken from the index's facets through the client)."""
    queries = [line.strip() for line in Path(queries_file).read_text("utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    client = create_app({"INDEX_DIR": index_dir}).test_client()
    filters = filters_from(
        lambda query: client.get(f"/api/search?q={quote(query)}").get_json()["facets"], queries)
    return client, queries, mixed_paths(queries, parse_mix(mix), filters)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--queries", default=str(ROOT / "bench" / "queries.txt"))
    parser.add_argument("--mix", default="api=60,html=25,filtered=15")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    client, queries, paths = mix_in_process(args.index_dir, args.queries, args.mix)
    for query in queries:
        client.get(f"/api/search?q={quote(query)}")
    kinds: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for path in paths:
            started = time.process_time()
            status = client.get(path).status_code
            spent = time.process_time() - started
            if status != 200:
                raise SystemExit(f"{path}: status {status}")
            kind = ("JSON" if path.startswith("/api/") else "HTML") + (
                " filtered" if "&" in path else "")
            kinds.setdefault(kind, []).append(spent)
    print(f"{ROOT.name}: {len(paths):,} paths x {args.rounds}; load average "
          f"{os.getloadavg()[0]:.1f}")
    print(summary("all", [t for times in kinds.values() for t in times]))
    for kind in sorted(kinds):
        print("  " + summary(kind, kinds[kind]))


if __name__ == "__main__":
    main()
