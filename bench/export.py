"""Time and peak memory of streaming every hit of a search through GET /api/export.

The response is read as a client reads a stream (chunk by chunk, counted, not kept), in the
same process as the app, so peak RSS covers the server side of the export.

    python bench/export.py --index-dir /path/to/news-index --q people --format jsonl --body
"""
from __future__ import annotations

import argparse
import resource
import time
from urllib.parse import urlencode

from searchsvc import create_app


def main() -> None:
    """Export every hit of one query through the JSON API and print time, size and peak RSS."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--q", default="people")
    parser.add_argument("--format", default="csv", choices=("csv", "jsonl"))
    parser.add_argument("--body", action="store_true", help="add fields=body")
    args = parser.parse_args()
    client = create_app({"INDEX_DIR": args.index_dir}).test_client()
    client.get("/api/search", query_string={"q": "warm"})      # open the index first
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    params = [("q", args.q), ("format", args.format)] + ([("fields", "body")]
                                                         if args.body else [])
    started = time.perf_counter()
    response = client.get("/api/export?" + urlencode(params), buffered=False)
    size = lines = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{args.q!r} {args.format}{' +body' if args.body else ''}: "
          f"{response.headers['X-Total-Count']} hits, {lines:,} lines, {size / 1e6:.1f} MB "
          f"in {seconds:.2f} s; peak RSS {before / 1024:.0f} MB after one search, "
          f"{peak / 1024:.0f} MB after the export")


if __name__ == "__main__":
    main()
