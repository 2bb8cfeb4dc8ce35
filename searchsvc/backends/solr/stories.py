"""Story clusters on Solr: a `cluster` field per article, collapsed on at search time.

Signatures and clusters are those of the Whoosh backend (``ingest.neardup``). Solr's
collapsing query parser keeps one document per `cluster` value *per shard*, so the copies
of a story must live on one shard: collections are created with ``router.field=cluster``
(an article's shard is chosen by its cluster, every article has one: its leader's id, its
own when it has no copy). The cluster must then be known before an article is sent:

- a build reads the corpus twice, first for the signatures (kept in a temporary file, not
  in memory), then to send the articles with their clusters;
- an update finds each new article's candidates with a query on its LSH band keys (the
  indexed `bands` field), verifies them on their stored signatures (`minhash`), and joins
  the earliest leader it copies. A replaced article is deleted by query first: with
  ``router.field``, a delete by id would look on one shard only.

At search time ``{!collapse}`` keeps the best document of each cluster by the search's sort,
``expand`` lists the other matches of each kept one (the copies), and the facets exclude the
collapse (tag `story`): they count articles, as the contract says.
"""
from __future__ import annotations

import base64
import tempfile
from typing import Iterable

import numpy as np

from ..contract import COPY_FIELDS, MAX_COPIES

ROUTER = {"router.field": "cluster"}
TAG = "story"


def signature_fields(article) -> dict:
    """Return an article's `minhash` (base64) and `bands` fields; none when no signature."""
    from ...ingest import neardup      # (building only: serving loads no ingest code)
    values = neardup.signature(article.body) if article.has_text and article.body else None
    if values is None:
        return {}
    return {"minhash": base64.b64encode(values.astype("<u4").tobytes()).decode("ascii"),
            "bands": [f"{band}:{key}" for band, key in
                      enumerate(neardup.band_keys(values[None, :])[0].tolist())]}


def corpus_leaders(articles: Iterable) -> dict[str, str]:
    """Return {article id: its cluster leader's id} for the articles that have copies.

    Signatures go to a temporary file, read back a chunk at a time by neardup.find_clusters.
    """
    from ...ingest import neardup
    ids, days = [], []
    with tempfile.TemporaryFile() as handle:
        for article in articles:
            values = (neardup.signature(article.body)
                      if article.has_text and article.body else None)
            if values is None:
                continue
            handle.write(values.astype("<u4").tobytes())
            ids.append(article.id)
            days.append(article.date.first_day().toordinal() if article.date else 10**9)
        if not ids:
            return {}
        handle.flush()
        matrix = np.memmap(handle, dtype="<u4", mode="r",
                           shape=(len(ids), neardup.PERMUTATIONS))
        rank = np.empty(len(ids), dtype=np.int64)
        rank[np.lexsort((np.arange(len(ids)), np.array(days)))] = np.arange(len(ids))
        leaders = neardup.find_clusters(rank, lambda rows: np.asarray(matrix[rows]))
        del matrix
    return {ids[row]: ids[leader] for row, leader in enumerate(leaders.tolist())
            if leader != row}


def join_stories(client, collection: str, documents: list[dict]) -> None:
    """Set each new document's cluster: the earliest indexed leader it copies, else itself."""
    from ...ingest import neardup
    for document in documents:
        document["cluster"] = document["id"]
        if "bands" not in document:
            continue
        mine = np.frombuffer(base64.b64decode(document["minhash"]), dtype="<u4")
        answer = client.post_json(f"/{collection}/select", {
            "query": "{!terms f=bands v=$keys}", "limit": 200, "fields": "id,minhash,cluster",
            "filter": "*:* -id:" + _quoted(document["id"]),          # not itself
            "sort": "date asc, seq asc",
            "params": {"keys": ",".join(document["bands"])}})
        for other in answer["response"]["docs"]:
            if other.get("cluster") != other["id"] or not other.get("minhash"):
                continue            # only a leader is joined: no chains
            theirs = np.frombuffer(base64.b64decode(other["minhash"]), dtype="<u4")
            if neardup.estimated_jaccard(mine, theirs) >= neardup.THRESHOLD:
                document["cluster"] = other["id"]
                break


def collapse(params: dict, facet: dict, spec) -> None:
    """Make a select request (params, its json.facet) collapse its matches into stories.

    Every facet but `ahead` (the articles having every word, counted among the hits)
    excludes the collapse, so that it counts articles; `articles` counts them all.
    """
    if spec.sort == "relevance" and spec.tree is not None:
        head = ""                           # the best score of each story (collapse's own)
    else:
        head = " sort='date asc,seq asc'" if spec.sort == "oldest" else \
            " sort='date desc,seq asc'"
    params["fq"] = [*params["fq"], f"{{!collapse tag={TAG} field=cluster{head}}}"]
    params.update({"expand": "true", "expand.field": "cluster", "expand.rows": MAX_COPIES,
                   "expand.sort": "date asc,seq asc"})
    for name, entry in facet.items():
        if name != "ahead":
            domain = entry.setdefault("domain", {})
            tags = domain.get("excludeTags")
            domain["excludeTags"] = f"{tags},{TAG}" if tags else TAG
    facet["articles"] = {"type": "query", "q": "*:*", "domain": {"excludeTags": TAG}}


def copies(answer: dict, document: dict) -> tuple[list[dict], int]:
    """Return the copies of a kept document from Solr's expanded section, and their count."""
    group = answer.get("expanded", {}).get(document.get("cluster") or "", {})
    found = [{name: doc.get(name) for name in COPY_FIELDS} for doc in group.get("docs", [])]
    return found, int(group.get("numFound", len(found)))


def delete_query(ids: list[str]) -> dict:
    """Return a delete-by-query of ids (a delete by id finds one shard only: see above)."""
    return {"delete": {"query": "id:(" + " OR ".join(_quoted(i) for i in ids) + ")"}}


def _quoted(value: str) -> str:
    """Return a value as a quoted Lucene term."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'



def more_like_this(answer: dict, article_id: str) -> list[dict]:
    """Return the documents the MoreLikeThis component found like one article (JSON's
    named list comes as [name, value, ...] or as a map)."""
    section = answer.get("moreLikeThis") or {}
    if isinstance(section, list):
        section = dict(zip(section[::2], section[1::2]))
    return section.get(article_id, {}).get("docs", [])


_AVAILABLE: dict[str, bool] = {}     # collection -> has the cluster field (fixed at creation)


def available(client, collection: str) -> bool:
    """Return whether a collection has story clusters (one built before them has not)."""
    if collection not in _AVAILABLE:
        fields = client.get(f"/{collection}/schema/fields")["fields"]
        _AVAILABLE[collection] = any(field["name"] == "cluster" for field in fields)
    return _AVAILABLE[collection]
