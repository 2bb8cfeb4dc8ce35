"""Choose each ranking parameter leave-one-collection-out, and report it on the fifth.

For every parameter of :class:`searchsvc.backends.whoosh.ranking.Ranking` this script
tries each value of a small grid (the other parameters at their defaults) on all five IR
test collections (the documents, queries and judgments ``bench/ir_eval.py`` reads). Then,
for each collection in turn, it picks the value with the best mean MAP on the *other four*
and reports what that value gives on the one left out, beside the default and SQLite FTS5
BM25 on the same documents and queries. A parameter whose left-out choices differ from
collection to collection, or whose chosen value scores below the default on the collection
left out, is one the dev sets cannot settle; the default stays the published value.

Rankings are read from the backend (the search call without snippets), the top 1000 of each
query's text as typed, read by the service's query reader.

Usage::

    PYTHONPATH=$PWD python bench/loco.py [--data DIR] [--params k1,b,...] [--per-query FILE]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ir_eval import (COLLECTIONS, DATA, DEPTH, Fts5, articles, average_precision,  # noqa: E402
                     ndcg, read_jsonl, read_qrels, write_corpus)

from searchsvc.backends.contract import SearchSpec  # noqa: E402
from searchsvc.backends.whoosh.backend import WhooshBackend  # noqa: E402
from searchsvc.backends.whoosh.indexer import build_index  # noqa: E402
from searchsvc.backends.whoosh.ranking import Ranking  # noqa: E402
from searchsvc.config import load_settings  # noqa: E402
from searchsvc.outlets import OutletRegistry  # noqa: E402
from searchsvc.query.reader import QueryReader  # noqa: E402
from searchsvc.query.synonyms import Synonyms  # noqa: E402
from searchsvc.service.search import PARTIAL_MATCHES_BELOW  # noqa: E402

# The values tried for each parameter; the default is always among them.
GRID = {
    "k1": (0.6, 0.9, 1.2, 1.5),
    "b": (0.3, 0.4, 0.55, 0.75),
    "title_weight": (0.0, 0.2, 0.5, 1.0),
    "original_weight": (0.5, 0.6, 0.7, 0.8, 1.0),
    "feedback_docs": (5, 10, 20),
    "feedback_terms": (10, 20, 40),
    "feedback_min_matches": (0, 50, 100, 300, 1000, 10**9),
}


class Collection:
    """One test collection indexed once, with its queries, judgments and FTS5 baseline."""

    def __init__(self, name: str, data: Path, work: Path, reader: QueryReader,
                 registry: OutletRegistry) -> None:
        folder = data / name
        self.name = name
        self.qrels = read_qrels(folder / "qrels.tsv")
        self.queries = [q for q in read_jsonl(folder / "queries.jsonl")
                        if any(g > 0 for g in self.qrels.get(q["id"], {}).values())]
        records = articles(name, read_jsonl(folder / "docs.jsonl"))
        corpus = work / f"{name}-corpus"
        corpus.mkdir()
        write_corpus(records, corpus / f"{name}.jsonl")
        self.index = work / f"{name}-index"
        build_index(corpus, self.index, registry=registry)
        self.reader = reader
        self.readings = [reader.read(q["text"]) for q in self.queries]
        fts = Fts5(records)
        self.fts = self.score([fts.ranked_ids(q["text"]) for q in self.queries])

    def rankings(self, ranking: Ranking) -> list[list[str]]:
        """Return the top DEPTH article ids of every query under a ranking."""
        backend = WhooshBackend(self.index, ranking)
        found = []
        for reading in self.readings:
            spec = SearchSpec(tree=reading.tree, limit=DEPTH, fallback=reading.fallback,
                              fallback_below=PARTIAL_MATCHES_BELOW,
                              feedback=reading.description,
                              match_nothing=reading.unsearchable)
            found.append([hit.fields["id"] for hit in backend.search(spec).hits])
        return found

    def per_query(self, rankings: list[list[str]]) -> list[tuple[float, float, float]]:
        """Return (AP, P@10, nDCG@10) of each query's ranking."""
        rows = []
        for query, ranking in zip(self.queries, rankings):
            grades = self.qrels[query["id"]]
            relevant = {doc for doc, grade in grades.items() if grade > 0}
            rows.append((average_precision(ranking, relevant),
                         sum(doc in relevant for doc in ranking[:10]) / 10,
                         ndcg(ranking, grades)))
        return rows

    def score(self, rankings: list[list[str]]) -> tuple[float, float, float]:
        """Return the mean (MAP, P@10, nDCG@10) of the rankings."""
        rows = self.per_query(rankings)
        return tuple(statistics.fmean(column) for column in zip(*rows))


def main(argv: list[str] | None = None) -> int:
    """Run the grid, then print the leave-one-collection-out table of each parameter."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the collections")
    parser.add_argument("--params", default=",".join(GRID),
                        help=f"parameters to vary (default: all of {', '.join(GRID)})")
    parser.add_argument("--per-query", type=Path,
                        help="write each query's AP with and without feedback (JSON lines)")
    args = parser.parse_args(argv)
    params = [name for name in args.params.split(",") if name]
    unknown = set(params) - set(GRID)
    if unknown:
        parser.error(f"unknown parameter {', '.join(sorted(unknown))}")
    settings = load_settings()
    registry = OutletRegistry.load(settings["OUTLETS_FILE"])
    reader = QueryReader(Synonyms.load(settings["SYNONYMS_FILE"]), registry,
                         max_length=settings["MAX_QUERY_LENGTH"])
    default = Ranking()
    with tempfile.TemporaryDirectory(prefix="loco-") as temp:
        collections = []
        for name in COLLECTIONS:
            collections.append(Collection(name, args.data, Path(temp), reader, registry))
            print(f"  indexed {name}", file=sys.stderr)
        base = {c.name: c.score(c.rankings(default)) for c in collections}
        if args.per_query:
            write_per_query(args.per_query, collections, default)
        print(f"default ranking: {default}")
        print(f"{'collection':<11}{'MAP':>8}{'P@10':>8}{'nDCG@10':>9}"
              f"{'FTS5 MAP':>10}{'P@10':>8}{'nDCG@10':>9}")
        for c in collections:
            ours, fts = base[c.name], c.fts
            print(f"{c.name:<11}{ours[0]:>8.4f}{ours[1]:>8.4f}{ours[2]:>9.4f}"
                  f"{fts[0]:>10.4f}{fts[1]:>8.4f}{fts[2]:>9.4f}")
        for param in params:
            maps = {}
            for value in GRID[param]:
                ranking = dataclasses.replace(default, **{param: value})
                maps[value] = {c.name: base[c.name][0] if ranking == default
                               else c.score(c.rankings(ranking))[0] for c in collections}
                print(f"  {param}={value}: " + " ".join(
                    f"{name} {v:.4f}" for name, v in maps[value].items()), file=sys.stderr)
            print_loco(param, getattr(default, param), maps, collections)
    return 0


def print_loco(param: str, default_value, maps: dict, collections: list[Collection]) -> None:
    """Print, per left-out collection, the value the other four choose and its MAP there."""
    print(f"\n{param} (default {default_value}); MAP per value: " + "; ".join(
        f"{value}: " + " ".join(f"{v:.4f}" for v in by_name.values())
        for value, by_name in maps.items()))
    print(f"{'left out':<11}{'chosen':>8}{'MAP there':>11}{'default':>9}{'FTS5':>8}")
    for held in collections:
        others = [c.name for c in collections if c is not held]
        chosen = max(maps, key=lambda value: (statistics.fmean(maps[value][n] for n in others),
                                              value == default_value))
        print(f"{held.name:<11}{chosen!s:>8}{maps[chosen][held.name]:>11.4f}"
              f"{maps[default_value][held.name]:>9.4f}{held.fts[0]:>8.4f}")


def write_per_query(path: Path, collections: list[Collection], default: Ranking) -> None:
    """Write each description query's AP with feedback and without, and its match count."""
    without = dataclasses.replace(default, feedback_min_matches=10**9)
    with open(path, "w", encoding="utf-8") as out:
        for c in collections:
            on = c.per_query(c.rankings(default))
            off = c.per_query(c.rankings(without))
            for query, reading, a, b in zip(c.queries, c.readings, on, off):
                out.write(json.dumps({"collection": c.name, "id": query["id"],
                                      "description": reading.description,
                                      "words": len(reading.text.split()),
                                      "ap_feedback": a[0], "ap_plain": b[0]}) + "\n")


if __name__ == "__main__":
    sys.exit(main())
