"""Hashes of every distinct response of the load mix, to show that two checkouts answer alike.

    python bench/same_responses.py --index-dir /path/to/news-index --out A.txt
    python bench/same_responses.py --index-dir /path/to/news-index --out B.txt --against A.txt

The paths are those of `bench/load.py`'s mix (as `bench/request_cpu.py` makes them), each distinct
path requested once in one process through Flask's test client. Each response is reduced to
what must not change: the status, the headers (Content-Length aside, as the timing's digits
vary) and the body, with a JSON body's `took_ms` and `generation` removed and an HTML page's
whitespace and its "(N ms)" timing removed; one SHA-256 a path is written to --out. With
--against, the paths whose hash differs from that file's are listed, and the exit status is 1
if any does. Run it from each checkout on the same index: it imports the checkout it is in.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from request_cpu import mix_in_process  # noqa: E402  (after the path is set)

TIMING = re.compile(r"\(\d+(?:\.\d+)? ms\)")
SPACE = re.compile(r"\s+")
VARYING = ("took_ms", "generation")


def drop_varying(value):
    """Return a JSON value without the keys that vary from run to run, at any depth."""
    if isinstance(value, dict):
        return {key: drop_varying(item) for key, item in value.items() if key not in VARYING}
    if isinstance(value, list):
        return [drop_varying(item) for item in value]
    return value


def fingerprint(response) -> str:
    """Return the SHA-256 of a response's status, headers and normalised body."""
    headers = sorted((name, value) for name, value in response.headers.items()
                     if name != "Content-Length")
    text = response.get_data(as_text=True)
    if response.mimetype == "application/json":
        body = json.dumps(drop_varying(json.loads(text)), sort_keys=True)
    else:
        body = SPACE.sub("", TIMING.sub("", text))
    digest = hashlib.sha256(f"{response.status_code}\n{headers!r}\n".encode())
    digest.update(body.encode())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--queries", default=str(ROOT / "bench" / "queries.txt"))
    parser.add_argument("--mix", default="api=60,html=25,filtered=15")
    parser.add_argument("--out", required=True)
    parser.add_argument("--against", help="a file this script wrote from another checkout")
    args = parser.parse_args()
    client, _, paths = mix_in_process(args.index_dir, args.queries, args.mix)
    paths = sorted(set(paths))
    hashes = {path: fingerprint(client.get(path)) for path in paths}
    Path(args.out).write_text("".join(f"{hashes[p]} {p}\n" for p in paths), "utf-8")
    print(f"{ROOT.name}: {len(paths):,} distinct paths hashed into {args.out}")
    if args.against:
        theirs = dict(reversed(line.split(" ", 1))
                      for line in Path(args.against).read_text("utf-8").splitlines())
        differ = [p for p in paths if theirs.get(p) != hashes[p]]
        for path in differ[:20]:
            print(f"differs: {path}")
        print(f"{len(paths) - len(differ):,} of {len(paths):,} the same as {args.against}")
        raise SystemExit(1 if differ else 0)


if __name__ == "__main__":
    main()
