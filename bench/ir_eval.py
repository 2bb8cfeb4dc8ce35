"""Measure ranking quality on classic IR test collections through the search function.

For each collection (cacm, npl, cisi, med, cran) in ``../shared/data/ir`` this
converts the documents to a JSONL corpus, builds a real index with
:func:`searchsvc.backends.whoosh.indexer.build_index` in a temporary directory, runs every
query's text as typed through :meth:`SearchService.search` (the call the web
page, the JSON API and the CLI make), pages 1 to 10 of 100 hits, and scores the
ranking against the qrels:

* MAP over the top 1000, averaged over the queries with at least one relevant
  document (a relevant document that is never retrieved counts as missed);
* P@10, binary (relevance > 0);
* nDCG@10 with the graded relevance where the qrels give one (gain = grade,
  log2 discount, as trec_eval's ndcg_cut).

What goes into an article, per collection (see ``DOC_TEXT``): the title goes
to the title field and the authors to the author field, as for any article;
the body is the text a Lucene/Anserini baseline indexes as its one "contents"
field, so that the comparison is like for like. For CACM that is the whole
record of the HTML distribution Anserini ships: title, abstract, authors and
(our addition, the .K line of the SMART file) keywords.

With ``--solr-dir DIR`` (a cluster started by ``searchsvc solr start --dir DIR``) each
collection is also built into a Solr collection (2 shards) and searched through the same
call on the Solr backend, with relevance feedback and without it; the Whoosh backend is
then measured without feedback too, so that the four MAP figures come from one run.

Usage::

    PYTHONPATH=$PWD python bench/ir_eval.py [--data DIR] [--max-query-length N]
        [--solr-dir DIR] [name ...]
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from searchsvc.config import load_settings
from searchsvc.backends.whoosh.indexer import build_index
from searchsvc.outlets import OutletRegistry
from searchsvc.backends.whoosh.backend import WhooshBackend
from searchsvc.backends.whoosh.ranking import Ranking
from searchsvc.query.reader import QueryReader
from searchsvc.query.synonyms import Synonyms
from searchsvc.service import SearchRequest, SearchService

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "ir"
COLLECTIONS = ("cacm", "npl", "cisi", "med", "cran")
DEPTH = 1000          # ranks scored by MAP
PER_PAGE = 100        # the largest page the service serves (MAX_PER_PAGE)

# Published BM25 MAP figures: (collection, source, MAP).
BASELINES = (
    ("cacm", "Anserini BM25 (k1 0.9, b 0.4, Porter, Lucene stop words)", 0.3123),
    ("npl", "Anserini BM25", 0.2856),
    ("npl", "PISA BM25", 0.3053),
)

# Fields of a collection record that make up the body, in order. Title first: the
# baselines index title and text as one field, and a record without an abstract (half
# of CACM) would otherwise have no text at all.
DOC_TEXT = {
    "cacm": ("title", "text", "keywords", "authors"),
    "cisi": ("title", "text", "authors"),
    "cran": ("text",),          # the Cranfield .W text already starts with the title
    "med": ("text",),
    "npl": ("text",),
}


@dataclass
class Scores:
    """The averaged figures of one collection."""

    name: str
    docs: int
    indexed: int
    queries: int
    cut: int
    map: float
    p10: float
    ndcg10: float
    seconds: float
    fts_map: float = 0.0        # SQLite FTS5 BM25 on the same documents and queries
    fts_p10: float = 0.0
    fts_ndcg10: float = 0.0
    # With --solr-dir: MAP of Whoosh without feedback, of Solr without and with it.
    no_feedback_map: float = 0.0
    solr_map: float = 0.0
    solr_feedback_map: float = 0.0


def read_jsonl(path: Path) -> list[dict]:
    """Return the records of a JSON-lines file."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Return {query id: {doc id: grade}} from a query_id/doc_id/relevance TSV."""
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with open(path, encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            query_id, doc_id, grade = line.split()
            qrels[query_id][doc_id] = int(grade)
    return qrels


def articles(name: str, docs: list[dict]) -> list[dict]:
    """Return the collection's documents as article records (id, title, body, authors)."""
    fields = DOC_TEXT[name]
    return [{"id": doc["id"], "title": doc.get("title", ""),
             "body": "\n\n".join(doc[key].strip() for key in fields if doc.get(key, "").strip()),
             "authors": doc.get("authors", "")} for doc in docs]


def write_corpus(records: list[dict], path: Path) -> None:
    """Write article records as one JSONL corpus file our reader understands."""
    with open(path, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")


class Fts5:
    """The baseline: SQLite FTS5 BM25 (porter unicode61) over title and body, words OR'ed."""

    def __init__(self, records: list[dict]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, "
                        "tokenize='porter unicode61')")
        self.db.executemany("INSERT INTO docs VALUES (?, ?, ?)",
                            [(r["id"], r["title"], r["body"]) for r in records])

    def ranked_ids(self, text: str) -> list[str]:
        """Return the ids of the top DEPTH documents for the query's words, by bm25()."""
        words = dict.fromkeys(re.findall(r"\w+", text.lower()))
        if not words:
            return []
        match = " OR ".join(f'"{word}"' for word in words)
        rows = self.db.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) "
                               "LIMIT ?", (match, DEPTH))
        return [row[0] for row in rows]


def ranked_ids(service: SearchService, text: str) -> list[str]:
    """Return the article ids of the top DEPTH hits for a query, page by page."""
    found: list[str] = []
    for page in range(1, DEPTH // PER_PAGE + 1):
        result = service.search(SearchRequest(q=text, page=page, per_page=PER_PAGE))
        found.extend(hit["id"] for hit in result["hits"])
        if page >= result["pages"]:
            break
    return found


def average_precision(ranking: list[str], relevant: set[str]) -> float:
    """Return the average precision of a ranking (missed relevant documents count as 0)."""
    hits, total = 0, 0.0
    for rank, doc_id in enumerate(ranking[:DEPTH], start=1):
        if doc_id in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def ndcg(ranking: list[str], grades: dict[str, int], cutoff: int = 10) -> float:
    """Return nDCG at a cutoff with the grade as gain and a log2 rank discount."""
    def dcg(gains: list[int]) -> float:
        return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))
    ideal = dcg(sorted((g for g in grades.values() if g > 0), reverse=True)[:cutoff])
    return dcg([max(grades.get(doc_id, 0), 0) for doc_id in ranking[:cutoff]]) / ideal


def evaluate(name: str, data: Path, work: Path, registry: OutletRegistry,
             synonyms: Synonyms, max_query_length: int,
             solr_urls: list[str] | None = None) -> Scores:
    """Index one collection, run its queries through the search function and score them."""
    started = time.perf_counter()
    folder = data / name
    docs = read_jsonl(folder / "docs.jsonl")
    queries = read_jsonl(folder / "queries.jsonl")
    qrels = read_qrels(folder / "qrels.tsv")
    corpus, index = work / f"{name}-corpus", work / f"{name}-index"
    corpus.mkdir()
    records = articles(name, docs)
    write_corpus(records, corpus / f"{name}.jsonl")
    fts = Fts5(records)
    report = build_index(corpus, index, registry=registry)
    for source, reason in report.skipped:
        print(f"  {name}: not indexed {source}: {reason}", file=sys.stderr)
    reader = QueryReader(synonyms, registry, max_length=max_query_length)
    service = SearchService(WhooshBackend(index), reader)
    others: dict[str, SearchService] = {}
    if solr_urls:
        from searchsvc.backends.solr.backend import SolrBackend
        solr = SolrBackend(solr_urls, alias=f"ir_eval_{name}", shards=2)
        solr.build(corpus, registry=registry)
        off = Ranking(feedback_min_matches=10**9)
        others = {"no_feedback": SearchService(WhooshBackend(index, ranking=off), reader),
                  "solr": SearchService(SolrBackend(solr.client, alias=solr.alias,
                                                    ranking=off), reader),
                  "solr_feedback": SearchService(solr, reader)}
    other_ap: dict[str, list[float]] = {key: [] for key in others}

    ap, p10, nd, cut = [], [], [], 0
    fts_ap, fts_p10, fts_nd = [], [], []
    for query in queries:
        grades = qrels.get(query["id"], {})
        relevant = {doc_id for doc_id, grade in grades.items() if grade > 0}
        if not relevant:
            continue
        cut += len(query["text"]) > max_query_length
        # Our article ids are make_id(record id); the collections' ids are already URL-safe.
        ranking = ranked_ids(service, query["text"])
        ap.append(average_precision(ranking, relevant))
        p10.append(sum(doc_id in relevant for doc_id in ranking[:10]) / 10)
        nd.append(ndcg(ranking, grades))
        for key, other in others.items():
            other_ap[key].append(average_precision(ranked_ids(other, query["text"]), relevant))
        baseline = fts.ranked_ids(query["text"])
        fts_ap.append(average_precision(baseline, relevant))
        fts_p10.append(sum(doc_id in relevant for doc_id in baseline[:10]) / 10)
        fts_nd.append(ndcg(baseline, grades))
    mean = lambda values: sum(values) / len(values) if values else 0.0   # noqa: E731
    if solr_urls:
        solr.drop()
    return Scores(name, len(docs), report.indexed, len(ap), cut, mean(ap), mean(p10), mean(nd),
                  time.perf_counter() - started, mean(fts_ap), mean(fts_p10), mean(fts_nd),
                  *(mean(other_ap.get(key, [])) for key in
                    ("no_feedback", "solr", "solr_feedback")))


def main(argv: list[str] | None = None) -> int:
    """Evaluate the named collections (default: all) and print a table with the baselines."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="name",
                        help=f"collections to evaluate (default: all of {', '.join(COLLECTIONS)})")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the collections")
    settings = load_settings()
    parser.add_argument("--max-query-length", type=int, default=settings["MAX_QUERY_LENGTH"],
                        help="the service's MAX_QUERY_LENGTH (default: the configured one); "
                             "longer queries are cut, as the service cuts them")
    parser.add_argument("--solr-dir", help="a local cluster's folder: measure the Solr "
                                           "backend too, with and without feedback")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(COLLECTIONS)
    if unknown:
        parser.error(f"unknown collection {', '.join(sorted(unknown))}; "
                     f"choose from {', '.join(COLLECTIONS)}")
    # The service's own outlet registry and synonyms, as the web page and API load them.
    registry = OutletRegistry.load(settings["OUTLETS_FILE"])
    synonyms = Synonyms.load(settings["SYNONYMS_FILE"])
    solr_urls = None
    if args.solr_dir:
        from searchsvc.backends.solr.cluster import cluster_urls
        solr_urls = cluster_urls(args.solr_dir)
    rows = []
    with tempfile.TemporaryDirectory(prefix="ir-eval-") as temp:
        for name in args.names or COLLECTIONS:
            rows.append(evaluate(name, args.data, Path(temp), registry, synonyms,
                                 args.max_query_length, solr_urls))
            print(f"  {name}: done in {rows[-1].seconds:.1f}s", file=sys.stderr)

    print(f"{'collection':<11}{'docs':>7}{'indexed':>9}{'queries':>9}{'cut':>5}"
          f"{'MAP':>9}{'P@10':>9}{'nDCG@10':>9}{'FTS5 MAP':>10}{'P@10':>8}{'nDCG@10':>9}")
    for row in rows:
        print(f"{row.name:<11}{row.docs:>7}{row.indexed:>9}{row.queries:>9}{row.cut:>5}"
              f"{row.map:>9.4f}{row.p10:>9.4f}{row.ndcg10:>9.4f}"
              f"{row.fts_map:>10.4f}{row.fts_p10:>8.4f}{row.fts_ndcg10:>9.4f}")
    if solr_urls:
        print(f"\n{'collection':<11}{'Whoosh MAP':>12}{'no feedback':>13}{'Solr MAP':>10}"
              f"{'no feedback':>13}")
        for row in rows:
            print(f"{row.name:<11}{row.map:>12.4f}{row.no_feedback_map:>13.4f}"
                  f"{row.solr_feedback_map:>10.4f}{row.solr_map:>13.4f}")
    print("\n'queries': those with at least one relevant document (all metrics average over"
          f" them); 'cut': queries longer than {args.max_query_length} characters, which the"
          " service cuts.")
    print("Published BM25 baselines (MAP):")
    ours = {row.name: row.map for row in rows}
    for name, source, value in BASELINES:
        if name in ours:
            verdict = "met" if ours[name] >= value else "NOT met"
            print(f"  {name:<6}{value:.4f}  {source}  -> ours {ours[name]:.4f}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
