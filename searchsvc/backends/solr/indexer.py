"""Writing a Solr collection: a build into a new collection and an alias swap, updates by id.

The alias is what searches name; each build creates ``<alias>_<stamp>`` (with its own copy of
the configset, so a configset change ships with the build), fills and commits it, then points
the alias at it in one Collections API call (atomic: a search names either the old or the new
collection). The previous keep_generations collections stay for searches in flight.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from ...ingest.corpus import DEFAULT_FIELD_MAP, Article, CorpusReader, Skipped
from ...ingest.metadata import split_names
from ...outlets import UNKNOWN, OutletRegistry
from ..whoosh.generations import BuildError
from ..whoosh.indexer import BuildReport, content_hash, split_topics
from .analysis import CONFIGSET
from .client import SolrClient, SolrError
from .generations import UNKNOWN_YEAR, built_for, generation_name, served
from . import stories

BATCH = 500                 # documents per update request


def solr_document(article: Article, digest: str, seq: int) -> dict:
    """Return the Solr document of an article (the fields of the Whoosh document)."""
    date = article.date
    document = {
        "id": article.id, "title": article.title, "body": article.body,
        "author": article.author or "",
        # `outlet:` finds an article by its outlet's name and by the label it was given
        "outlet_name": " ".join(dict.fromkeys(filter(None, (article.outlet,
                                                            article.outlet_label)))),
        "outlet": article.outlet or UNKNOWN,
        "authors": split_names(article.author), "topics": split_topics(article.topic),
        "year": date.year if date else UNKNOWN_YEAR,
        "month": date.year * 100 + date.month if date and date.month else 0,
        "has_text": article.has_text,
        "language": article.language or "", "source": article.source,
        "source_file": article.source_file, "content_hash": digest,
        "provenance": json.dumps(article.provenance, ensure_ascii=False), "seq": seq,
    }
    if date:
        document["date"] = date.first_day().isoformat() + "T00:00:00Z"
        document["date_iso"] = date.iso()
    if article.url:
        document["url"] = article.url
    if article.outlet_label:
        document["outlet_label"] = article.outlet_label
    document["document_hash"] = document_hash(document)
    return document


def document_hash(document: dict) -> str:
    """Return a hash of every field of a Solr document but its reading order (``seq``):
    what an update compares to tell a changed article from one already indexed."""
    fields = {name: value for name, value in document.items()
              if name not in ("seq", "document_hash")}
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _unique(items: Iterable[Article | Skipped], report: BuildReport) -> Iterator[Article]:
    """Yield each article once: a repeated id or the same text read twice is skipped, noted."""
    seen_ids: set[str] = set()
    seen_hashes: dict[str, str] = {}
    for item in items:
        if isinstance(item, Skipped):
            report.skipped.append((item.source, item.reason))
            continue
        digest = content_hash(item)
        if item.id in seen_ids:
            report.skipped.append((item.source, f"duplicate id {item.id!r} (kept the first)"))
        elif digest in seen_hashes:
            report.skipped.append((item.source, f"same article as {seen_hashes[digest]}"))
        else:
            seen_ids.add(item.id)
            seen_hashes[digest] = item.source
            report.notes.extend((item.source, note) for note in item.notes)
            yield item


def _send(client: SolrClient, collection: str, documents: list[dict]) -> None:
    if documents:
        client.post_json(f"/{collection}/update", documents)


def build_collection(client: SolrClient, alias: str, corpus: str | os.PathLike, *,
                     registry: OutletRegistry, shards: int = 1, replicas: int = 1,
                     keep_generations: int = 2,
                     field_map: Mapping[str, tuple[str, ...]] | None = None) -> BuildReport:
    """Build a corpus into a new collection, point the alias at it, drop old collections."""
    started = time.perf_counter()
    corpus_path = Path(corpus).resolve()
    if not corpus_path.exists():
        raise BuildError(f"corpus not found: {corpus_path}")
    reader = CorpusReader(corpus_path, registry, field_map or DEFAULT_FIELD_MAP)
    collection = f"{alias}_{dt.datetime.now().strftime('%Y%m%dT%H%M%S%f')}"
    report = BuildReport(generation=collection, corpus=str(corpus_path), mode="rebuild")
    # Story clusters first (a first reading of the corpus): an article's cluster picks its
    # shard (stories.py).
    leaders = stories.corpus_leaders(_unique(reader.read(), BuildReport()))
    client.upload_configset(collection, CONFIGSET)
    client.collections("CREATE", name=collection, numShards=shards,
                       replicationFactor=replicas, **{"collection.configName": collection},
                       waitForFinalState="true", **stories.ROUTER)
    try:
        batch: list[dict] = []
        for seq, article in enumerate(_unique(reader.read(), report)):
            batch.append({**solr_document(article, content_hash(article), seq),
                          **stories.signature_fields(article),
                          "cluster": leaders.get(article.id, article.id)})
            report.indexed += 1
            if len(batch) >= BATCH:
                _send(client, collection, batch)
                batch = []
        _send(client, collection, batch)
        client.get(f"/{collection}/update", commit="true", waitSearcher="true")
    except BaseException:
        _drop(client, collection)
        raise
    _finish(client, alias, collection, report, started)
    client.collections("CREATEALIAS", name=alias, collections=collection)
    _set_properties(client, alias, built_at=report.built_at, updates=0,
                    corpus=str(corpus_path))
    prune(client, alias, keep_generations)
    return report


def update_by_id(client: SolrClient, alias: str, articles: Iterable[Article] = (),
                 delete_ids: Iterable[str] = ()) -> BuildReport:
    """Add or replace articles by id and delete others in the served collection, one commit.

    The generation's update count goes up by one, so the served generation's name changes.
    """
    started = time.perf_counter()
    collection, properties = served(client, alias)
    updates = int(properties.get("updates", 0)) + 1
    report = BuildReport(generation=generation_name(collection, updates),
                         corpus=properties.get("corpus", ""), mode="update by id")
    delete_ids = list(delete_ids)
    if delete_ids:
        present = client.post_json(f"/{collection}/select", {
            "query": "{!terms f=id v=$ids}", "limit": 0, "params": {"ids": ",".join(delete_ids)}})
        report.removed = present["response"]["numFound"]
    # Later than any build's reading order: a replaced article goes last, as in Whoosh.
    seq = time.time_ns() // 1000
    documents = [{**solr_document(article, content_hash(article), seq + n),
                  **stories.signature_fields(article)} for n, article in enumerate(articles)]
    # Replaced and deleted articles go by query (they may be on any shard), then the new
    # ones join the stories they copy (stories.py).
    replaced = delete_ids + [document["id"] for document in documents]
    if replaced:
        client.post_json(f"/{collection}/update", stories.delete_query(replaced))
        client.get(f"/{collection}/update", commit="true", waitSearcher="true")
    stories.join_stories(client, collection, documents)
    for first in range(0, len(documents), BATCH):
        _send(client, collection, documents[first:first + BATCH])
    report.indexed = len(documents)
    client.get(f"/{collection}/update", commit="true", waitSearcher="true")
    _finish(client, alias, collection, report, started)
    _set_properties(client, alias, updates=updates, built_at=report.built_at)
    return report


def refresh(client: SolrClient, alias: str, corpus: str | os.PathLike, *,
            registry: OutletRegistry,
            field_map: Mapping[str, tuple[str, ...]] | None = None) -> BuildReport:
    """Update the served collection to hold exactly the corpus's articles, sending only what
    changed: articles whose document hash the collection does not hold, and deletions.

    The corpus is read whole (as a build reads it, the same duplicates skipped) and its
    documents' hashes compared with those the collection stores (one cursor over id and
    hash); an unchanged article is not sent, so it keeps its place and its index entry.
    """
    corpus_path = Path(corpus).resolve()
    if not corpus_path.exists():
        raise BuildError(f"corpus not found: {corpus_path}")
    reader = CorpusReader(corpus_path, registry, field_map or DEFAULT_FIELD_MAP)
    read = BuildReport()
    collection, _ = served(client, alias)
    stored = stored_hashes(client, collection)
    changed, wanted = [], set()
    for article in _unique(reader.read(), read):
        wanted.add(article.id)
        if stored.get(article.id) != solr_document(article, content_hash(article),
                                                   0)["document_hash"]:
            changed.append(article)
    report = update_by_id(client, alias, changed, [i for i in stored if i not in wanted])
    report.mode = "update"
    report.corpus = str(corpus_path)
    report.skipped, report.notes = read.skipped, read.notes
    report.unchanged_articles = len(wanted) - len(changed)
    return report


def stored_hashes(client: SolrClient, collection: str) -> dict[str, str | None]:
    """Return {id: document hash} of every article in a collection (None: built without
    hashes, by an older configset), read with a cursor in id order."""
    hashes: dict[str, str | None] = {}
    cursor = "*"
    while True:
        answer = client.get(f"/{collection}/select", q="*:*", fl="id,document_hash",
                            rows=5000, sort="id asc", cursorMark=cursor)
        hashes.update((doc["id"], doc.get("document_hash"))
                      for doc in answer["response"]["docs"])
        if answer["nextCursorMark"] == cursor:
            return hashes
        cursor = answer["nextCursorMark"]


def prune(client: SolrClient, alias: str, keep: int) -> None:
    """Delete this alias's collections older than the served one and the `keep` before it."""
    current, _ = served(client, alias)
    ours = sorted(name for name in client.collection_names() if built_for(alias, name))
    older = [name for name in ours if name < current]
    for name in older[:max(0, len(older) - keep)]:
        _drop(client, name)


def drop_all(client: SolrClient, alias: str) -> None:
    """Delete an alias and every collection built for it."""
    try:
        client.collections("DELETEALIAS", name=alias)
    except SolrError:
        pass        # no such alias: nothing served under it
    for name in client.collection_names():
        if built_for(alias, name):
            _drop(client, name)


def _drop(client: SolrClient, collection: str) -> None:
    client.collections("DELETE", name=collection)
    try:
        client.get("/admin/configs", action="DELETE", name=collection)
    except SolrError:
        pass        # the configset is shared or already gone: the collection is what matters


def _finish(client: SolrClient, alias: str, collection: str, report: BuildReport,
            started: float) -> None:
    """Fill the report's totals from the collection (unknown outlets and dates counted)."""
    def count(query: str) -> int:
        answer = client.get(f"/{collection}/select", q=query, rows=0)
        return answer["response"]["numFound"]
    report.total_documents = count("*:*")
    report.unknown = {"outlet": count(f'outlet:"{UNKNOWN}"'), "date": count("year:0")}
    report.seconds = round(time.perf_counter() - started, 3)
    report.built_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _set_properties(client: SolrClient, alias: str, **values) -> None:
    client.collections("ALIASPROP", name=alias,
                       **{f"property.{key}": str(value) for key, value in values.items()})
