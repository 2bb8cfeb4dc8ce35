"""Latency of the complete search call beside SQLite FTS5 doing the same work, in one run.

For each query, our side is one ``SearchService.search`` call (query, disjunctive outlet and
year facets, snippets and title highlights for a page of 10, suggestion). The FTS5 side is a
table of the same documents (title, body, outlet, year; ``porter unicode61``): MATCH ordered
by bm25 (title weighted 2, like our schema's field boost) LIMIT 10 with ``snippet()`` and the
display columns, then GROUP BY outlet and GROUP BY year counts over all matches.

Queries are derived from the data itself, deterministically (see ``make_queries``), and kept
in ``bench/queries.txt``; ``--make-queries`` regenerates that file from a corpus.

    PYTHONPATH=$PWD python bench/latency.py --index-dir /path/to/news-index

    PYTHONPATH=$PWD python bench/latency.py --index-dir INDEX --against every-copy

With ``--against every-copy`` the other side is our own search with ``collapse=False``
(every copy of a story a hit, no story clusters: what a search did before them), so the
cost of collapsing is measured in the same run (rows 'FTS5 ...' below are that side); the
FTS5 table is not built.

With --no-fts5 only our side runs (a large index: no FTS5 table is built). The process's
resident memory (now and at its peak) is printed at the end: it holds what a serving worker
holds after the same searches.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from searchsvc.backends.whoosh.analysis import STOP_WORDS
from searchsvc.config import PACKAGE_DATA
from searchsvc.service import SearchRequest, SearchService, open_service

HERE = Path(__file__).resolve().parent
QUERIES_FILE = HERE / "queries.txt"
SEED = 20240601
# How many queries of each kind: (words, quoted)
MIX = {(1, False): 80, (2, False): 60, (3, False): 40, (2, True): 30, (3, True): 30}
WORD_RE = re.compile(r"[A-Za-z]+")


# --------------------------------------------------------------------------- queries

def _titles(corpus: Path) -> list[str]:
    """Return the titles of a .jsonl(.gz) corpus in file order."""
    opener = gzip.open if corpus.suffix == ".gz" else open
    titles = []
    with opener(corpus, "rt", encoding="utf-8") as handle:
        for line in handle:
            title = json.loads(line).get("title") or ""
            if title:
                titles.append(title)
    return titles


def _runs(title: str) -> list[list[str]]:
    """Return the runs of plain words in a title (letters only, separated by single spaces)."""
    runs: list[list[str]] = []
    current: list[str] = []
    for token in title.split(" "):
        if WORD_RE.fullmatch(token) and len(token) >= 3 and token.lower() not in STOP_WORDS:
            current.append(token)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def make_queries(corpus: Path, seed: int = SEED) -> list[str]:
    """Return queries sampled from article titles: 1-3 adjacent title words, some quoted.

    Words are letters only, three or more long and never stop words, so that FTS5 (which
    keeps stop words) and our analyzer require the same terms.
    """
    rng = random.Random(seed)
    titles = _titles(corpus)
    queries: list[str] = []
    seen: set[str] = set()
    for (size, quoted), wanted in MIX.items():
        found = 0
        while found < wanted:
            runs = [run for run in _runs(rng.choice(titles)) if len(run) >= size]
            if not runs:
                continue
            run = rng.choice(runs)
            start = rng.randrange(len(run) - size + 1)
            words = " ".join(run[start:start + size]).lower()
            query = f'"{words}"' if quoted else words
            if query in seen:
                continue
            seen.add(query)
            queries.append(query)
            found += 1
    return queries


def load_queries() -> list[str]:
    """Return the committed benchmark queries."""
    return [line for line in QUERIES_FILE.read_text(encoding="utf-8").splitlines() if line]


# --------------------------------------------------------------------------- FTS5

def fts_database(service: SearchService, cache_dir: Path) -> Path:
    """Return an FTS5 database of the index's documents, built once per index generation."""
    searcher, _, generation = service.backend.handle.searcher()
    path = cache_dir / f"fts5-{generation}.sqlite"
    if path.exists():
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".building")
    temp.unlink(missing_ok=True)
    db = sqlite3.connect(temp)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, outlet UNINDEXED, "
               "year UNINDEXED, tokenize='porter unicode61')")
    reader = searcher.reader()
    rows = ((docnum, fields.get("title", ""), fields.get("body", ""), fields.get("outlet"),
             fields.get("year")) for docnum, fields in reader.iter_docs())
    db.executemany("INSERT INTO docs(rowid, title, body, outlet, year) VALUES (?, ?, ?, ?, ?)",
                   rows)
    db.commit()
    db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    db.commit()
    db.close()
    os.replace(temp, path)
    return path


def fts_expression(query: str) -> str:
    """Return the FTS5 MATCH expression of a benchmark query (all words; a phrase as one)."""
    if query.startswith('"'):
        return query
    return " ".join(f'"{word}"' for word in query.split())


class Fts5:
    """The FTS5 side: the same page, snippets and facet counts with SQL."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)

    def search(self, query: str) -> dict:
        expression = fts_expression(query)
        hits = self.db.execute(
            "SELECT rowid, title, outlet, year, snippet(docs, 1, '<mark>', '</mark>', '…', 30)"
            " FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 2.0, 1.0) LIMIT 10",
            (expression,)).fetchall()
        outlets = self.db.execute("SELECT outlet, count(*) FROM docs WHERE docs MATCH ? "
                                  "GROUP BY outlet", (expression,)).fetchall()
        years = self.db.execute("SELECT year, count(*) FROM docs WHERE docs MATCH ? "
                                "GROUP BY year", (expression,)).fetchall()
        return {"hits": hits, "outlets": outlets, "years": years,
                "total": sum(count for _, count in years)}


# --------------------------------------------------------------------------- timing

def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of values."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def timed(call, *args) -> tuple[float, float, dict]:
    """Return the wall-clock and CPU milliseconds of one call (CPU: this thread's) and its
    result."""
    started, cpu = time.perf_counter(), time.thread_time()
    result = call(*args)
    return (time.perf_counter() - started) * 1000, (time.thread_time() - cpu) * 1000, result


def summary(times: list[float]) -> dict:
    return {"p50": percentile(times, 0.50), "p95": percentile(times, 0.95),
            "mean": statistics.fmean(times), "max": max(times)}


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def resident_mib() -> tuple[float, ...]:
    """Return this process's resident memory now, at its peak, and now its own (anonymous)
    and file-backed parts (index files mapped, shared with other processes), in MiB (Linux)."""
    fields = dict(line.split(":", 1) for line in
                  Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return tuple(int(fields[name].split()[0]) / 1024
                 for name in ("VmRSS", "VmHWM", "RssAnon", "RssFile"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir",
                        help="An index of the news dataset (searchsvc index --corpus ...).")
    parser.add_argument("--cache-dir", default=str(Path(tempfile.gettempdir()) / "searchsvc-bench"),
                        help="Where the FTS5 database is kept between runs.")
    parser.add_argument("--repeats", type=int, default=5,
                        help="Timed runs of every query; each query's median is used.")
    parser.add_argument("--make-queries", metavar="CORPUS",
                        help="Regenerate bench/queries.txt from a .jsonl(.gz) corpus and exit.")
    parser.add_argument("--slowest", type=int, default=10, help="List this many slowest queries.")
    parser.add_argument("--posting-cache-mb", type=int, default=64,
                        help="The worker's posting cache (SEARCHSVC_POSTING_CACHE_MB).")
    parser.add_argument("--worker-memory-mb", type=int, default=300,
                        help="The worker's memory limit (SEARCHSVC_WORKER_MEMORY_MB; 0: none).")
    parser.add_argument("--no-warm", action="store_true",
                        help="Skip the warm-up a server's worker does before its first request.")
    parser.add_argument("--no-fts5", action="store_true",
                        help="Time our side only (no FTS5 table is built).")
    parser.add_argument("--against", choices=["fts5", "every-copy"], default="fts5",
                        help="The other side: SQLite FTS5, or our search without collapsing.")
    args = parser.parse_args()

    if args.make_queries:
        queries = make_queries(Path(args.make_queries))
        QUERIES_FILE.write_text("\n".join(queries) + "\n", encoding="utf-8")
        print(f"wrote {len(queries)} queries to {QUERIES_FILE}")
        return

    if not args.index_dir:
        parser.error("--index-dir is required (an index of the news dataset)")
    queries = load_queries()
    service = open_service(args.index_dir, outlets_file=PACKAGE_DATA / "outlets.toml",
                           synonyms_file=PACKAGE_DATA / "synonyms.txt",
                           posting_cache_mb=args.posting_cache_mb,
                           worker_memory_mb=args.worker_memory_mb)
    started = time.perf_counter()
    searcher, _, generation = service.backend.handle.searcher()
    print(f"opened {generation} ({searcher.doc_count():,} documents) in "
          f"{time.perf_counter() - started:.1f} s")
    ours = lambda q: service.search(SearchRequest(q=q))   # noqa: E731
    sides = {"ours": ours}
    fts = None
    if args.against == "every-copy":
        sides["fts5"] = lambda q: service.search(SearchRequest(q=q, collapse=False))
    elif not args.no_fts5:
        started = time.perf_counter()
        fts = Fts5(fts_database(service, Path(args.cache_dir)))
        print(f"FTS5 table ready in {time.perf_counter() - started:.1f} s")
        sides["fts5"] = fts.search
    # A server's worker warms up before it takes requests (SearchService.warm): so does this
    # process, unless told not to, so that the first pass is what a fresh worker serves.
    if not args.no_warm:
        loaded = service.warm()
        print(f"warmed up as a server's worker does: {loaded['terms']} frequent terms "
              f"in {loaded['seconds']} s")
    # The first pass is the cold one (nothing cached yet of the queries' own words); it is
    # reported apart and not counted in the figures below.
    cold: dict[str, list[float]] = {name: [] for name in sides}
    found: dict[str, list[int]] = {name: [] for name in sides}
    for query in queries:
        for name, call in sides.items():
            wall, _, result = timed(call, query)
            cold[name].append(wall)
            found[name].append(result["total"])

    walls: dict[str, list[list[float]]] = {name: [[] for _ in queries] for name in sides}
    cpus: dict[str, list[list[float]]] = {name: [[] for _ in queries] for name in sides}
    for repeat in range(args.repeats):
        for number, query in enumerate(queries):
            # Alternate which side goes first so background load falls on both alike.
            order = list(sides.items())
            if (repeat + number) % 2:
                order.reverse()
            for name, call in order:
                wall, cpu, _ = timed(call, query)
                walls[name][number].append(wall)
                cpus[name][number].append(cpu)
    medians = {name: [statistics.median(times) for times in per_query]
               for name, per_query in walls.items()}
    cpu_medians = {name: [statistics.median(times) for times in per_query]
                   for name, per_query in cpus.items()}

    other = "fts5" in sides     # FTS5, or our search showing every copy
    totals = list(zip(found["ours"], found["fts5"] if other else [0] * len(queries)))
    rss, peak, anonymous, mapped = resident_mib()
    index_path = Path(args.index_dir) / generation
    print(f"\n{len(queries)} queries ({', '.join(f'{n} x {w}-word' + (' phrase' if p else '') for (w, p), n in MIX.items())}), "
          f"{args.repeats} timed repeats after a warm-up, median per query")
    print(f"index: {searcher.doc_count():,} documents, Whoosh {directory_bytes(index_path) / 1e6:,.0f} MB"
          + (f", FTS5 {fts_database(service, Path(args.cache_dir)).stat().st_size / 1e6:,.0f} MB"
             if fts else ""))
    print(f"matches per query: ours median {statistics.median(t[0] for t in totals):,.0f}, "
          f"max {max(t[0] for t in totals):,}"
          + (f"; other side median {statistics.median(t[1] for t in totals):,.0f}"
             if other else ""))
    if other:
        print(f"other side: {'FTS5' if fts else 'every copy'} (rows 'FTS5 ...' below)")
    print(f"resident memory of this process: {rss:,.0f} MiB now ({anonymous:,.0f} its own, "
          f"{mapped:,.0f} mapped files), {peak:,.0f} MiB at its peak")
    rows = [("wall, warm", medians), ("CPU, warm", cpu_medians), ("wall, cold", cold)]
    print(f"\n{'ms':<22}{'p50':>9}{'p95':>9}{'mean':>9}{'max':>9}")
    for label, figures in rows:
        ours_s = summary(figures["ours"])
        print(f"{'searchsvc ' + label:<22}" + "".join(f"{ours_s[key]:>9.2f}"
                                                     for key in ("p50", "p95", "mean", "max")))
        if other:
            fts_s = summary(figures["fts5"])
            print(f"{'FTS5 ' + label:<22}" + "".join(f"{fts_s[key]:>9.2f}"
                                                    for key in ("p50", "p95", "mean", "max")))
            print(f"{'  ratio':<22}" + "".join(f"{ours_s[key] / fts_s[key]:>9.2f}"
                                              for key in ("p50", "p95", "mean", "max")))
    slowest = sorted(range(len(queries)), key=lambda i: -medians["ours"][i])[:args.slowest]
    print(f"\nslowest {len(slowest)} (wall ms, warm: ours / FTS5 / our total):")
    for i in slowest:
        beside = f"{medians['fts5'][i]:8.2f}" if other else f"{'-':>8}"
        print(f"  {medians['ours'][i]:8.2f} {beside} {totals[i][0]:>7,}  {queries[i]}")

if __name__ == "__main__":
    sys.exit(main())
