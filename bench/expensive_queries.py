"""Time the most expensive query shapes we know of against the search service, in process.

Usage:
    python bench/expensive_queries.py --index-dir /path/to/index [--repeats 3]
                                      [--time-limit-ms 0]

Runs each query (ranges over all dates, leading and inner wildcards, hundreds of OR'ed
words, long phrases, many fuzzy words, a 10,000-character query, the deepest page) through
`SearchService.search` after warming it, --repeats times, and prints the median and slowest
time of each, its total (400 for a query refused by a limit), whether it was partial, and
the number over 1 s. With
--time-limit-ms the service's time limit applies (0: none, to see the full cost).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from searchsvc.config import PACKAGE_DATA  # noqa: E402
from searchsvc.service import SearchError, SearchRequest, open_service  # noqa: E402

COMMON = ("said people year time government would world news report police state police "
          "country minister president week city group official public million party "
          "could first court former company since told national market economy security "
          "election health water school").split()
PHRASE = ("the government said on monday that it would not comment on the report but "
          "officials told reporters that talks with the opposition would continue next week "
          "in the capital")


def cases() -> list[tuple[str, dict]]:
    """Return (label, search arguments) for each expensive shape."""
    return [
        ("date:[* TO *]", {"q": "date:[* TO *]"}),
        ("date:>1800", {"q": "date:>1800"}),
        ("year:[* TO *]", {"q": "year:[* TO *]"}),
        ("date:[1800 TO 2100] sorted newest", {"q": "date:[1800 TO 2100]", "sort": "newest"}),
        ("all dates filter, no query, page 10000 of 1",
         {"q": "", "date_from": "1800", "date_to": "2100", "page": 10_000, "per_page": 1}),
        ("leading wildcard *tion", {"q": "*tion"}),
        ("inner wildcard gov*ment", {"q": "gov*ment"}),
        ("inner ? wildcard w?rld", {"q": "w?rld"}),
        ("short prefix th*", {"q": "th*"}),
        ("prefixes of 10 common words", {"q": " OR ".join(w[:3] + "*" for w in COMMON[:10])}),
        ("10 fuzzy words", {"q": " ".join(w + "~2" for w in COMMON[:10])}),
        ("40 fuzzy words (over the limit)", {"q": " ".join(w + "~2" for w in COMMON)}),
        ("300 OR'ed common words", {"q": " OR ".join((COMMON * 8)[:300])}),
        ("300 OR'ed distinct words", {"q": " OR ".join(f"{w}{n}" for n, w in
                                                      enumerate((COMMON * 8)[:300]))}),
        ("30-word phrase", {"q": f'"{PHRASE}"'}),
        ("30-word phrase ~10", {"q": f'"{PHRASE}"~10'}),
        ("long description (1,500 words)", {"q": " ".join([PHRASE] * 50)}),
        ("10,000-character query", {"q": ("government report " * 600)[:10_000]}),
        ("(a OR b) nested 50 deep", {"q": "(" * 50 + "news OR report" + ")" * 50}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--time-limit-ms", type=int, default=0)
    args = parser.parse_args()
    service = open_service(args.index_dir, outlets_file=str(PACKAGE_DATA / "outlets.toml"),
                           synonyms_file=str(PACKAGE_DATA / "synonyms.txt"),
                           time_budget=args.time_limit_ms / 1000 or None)
    service.warm()
    over = 0
    print(f"{'query':45} {'median':>8} {'slowest':>8} {'total':>7} partial")
    for label, params in cases():
        times, result = [], None
        for _ in range(args.repeats):
            started = time.perf_counter()
            try:
                result = service.search(SearchRequest(**params))
            except SearchError as error:   # a 400 over HTTP
                result = {"total": "400", "partial": str(error)[:40]}
            times.append(time.perf_counter() - started)
        over += max(times) > 1.0
        print(f"{label[:45]:45} {statistics.median(times):7.3f}s {max(times):7.3f}s "
              f"{result['total']:>7} {result['partial']}")
    print(f"over 1 s: {over} of {len(cases())}")


if __name__ == "__main__":
    main()
