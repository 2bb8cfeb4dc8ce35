"""Story clusters of a built generation, from the signatures in its `minhash` column.

Run once at the end of every build and update (``indexer``), over the whole generation, so
that an update's new copies join the clusters of the articles already indexed and a deleted
leader's copies find a new one. The result is one file beside the index, ``clusters.npy``:
the leader's docnum of each docnum (itself when the article has no copy), read by the
served handle (``clusters.py``). Loaded only by a build: serving needs no ingest code.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import numpy as np

from ...ingest import neardup
from .clusters import CLUSTERS_FILE
from .schema import UNKNOWN_YEAR

SIGNATURE_FIELD = "minhash"


def with_signature(fields: dict) -> dict:
    """Return a document's fields with its body's near-duplicate signature added.

    Module-level so that a build worker process can be given it (bulkwrite.ParallelWriter).
    """
    if fields.get("has_text") is not False and fields.get("body"):
        data = neardup.signature_bytes(fields["body"])
        if data:
            fields[SIGNATURE_FIELD] = data
    return fields


def _leaf_signatures(reader) -> tuple[np.ndarray, list]:
    """Return the docnums (live, with a signature) and a getter of their stored bytes.

    Read per segment: a segment none of whose articles had a signature has no column, and
    Whoosh's multi-segment column reader would then give other segments' values.
    """
    docnums: list[int] = []
    getters = []
    for leaf, offset in reader.leaf_readers():
        if not leaf.has_column(SIGNATURE_FIELD):
            continue
        column = leaf.column_reader(SIGNATURE_FIELD)
        deleted = leaf.has_deletions()
        for local in range(leaf.doc_count_all()):
            if deleted and leaf.is_deleted(local):
                continue
            if len(column[local]) == neardup.SIGNATURE_BYTES:
                docnums.append(offset + local)
        getters.append((offset, leaf.doc_count_all(), column))
    return np.array(docnums, dtype=np.int64), getters


def compute_clusters(reader) -> tuple[np.ndarray, dict]:
    """Return the cluster leader of every docnum of a reader's index, and figures about it."""
    started = time.perf_counter()
    count = reader.doc_count_all()
    docnums, getters = _leaf_signatures(reader)
    starts = np.array([offset for offset, _, _ in getters], dtype=np.int64)

    def read(rows: np.ndarray) -> np.ndarray:
        values = np.empty((rows.size, neardup.PERMUTATIONS), dtype=np.uint32)
        for i, docnum in enumerate(docnums[rows].tolist()):
            offset, _, column = getters[int(np.searchsorted(starts, docnum, "right")) - 1]
            values[i] = neardup.from_bytes(column[docnum - offset])
        return values

    # Oldest first (by the day a date starts on; undated last), then in docnum order. An
    # undated article's date column holds no readable value: its year says it has none.
    dates, years = reader.column_reader("date"), reader.column_reader("year")
    epoch = dt.datetime(1, 1, 1)
    never = np.iinfo(np.int64).max
    days = np.array([(dates[docnum] - epoch).days
                     if years[docnum] != UNKNOWN_YEAR and dates[docnum] else never
                     for docnum in docnums.tolist()], dtype=np.int64)
    rank = np.empty(docnums.size, dtype=np.int64)
    rank[np.lexsort((docnums, days))] = np.arange(docnums.size)
    leaders = np.arange(count, dtype=np.int64)
    if docnums.size:
        leaders[docnums] = docnums[neardup.find_clusters(rank, read)]
    sizes = np.bincount(leaders, minlength=count)
    return leaders, {"signatures": int(docnums.size),
                     "clusters": int((sizes > 1).sum()),
                     "clustered_articles": int(sizes[sizes > 1].sum()),
                     "largest_cluster": int(sizes.max()) if count else 0,
                     "seconds": round(time.perf_counter() - started, 3)}


def write_clusters(ix, directory: Path) -> dict:
    """Compute a generation's clusters and save them beside it; return the figures."""
    with ix.searcher() as searcher:
        leaders, figures = compute_clusters(searcher.reader())
    path = directory / CLUSTERS_FILE
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(temp, "wb") as handle:
        np.save(handle, leaders.astype(np.int32 if leaders.size < 2**31 else np.int64))
    os.replace(temp, path)      # an update's copy of the previous file is replaced whole
    return figures
