"""Story clusters as a search uses them: one hit per story, the others as its copies.

A build saves, beside each generation, the cluster leader's docnum of every docnum
(``clusterbuild.py``). Collapsing keeps, of the matches of one cluster, the best-ranked by
the search's own order; the others are listed with it as copies. An index built before
clusters existed has no file: every article is its own story.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

CLUSTERS_FILE = "clusters.npy"


@dataclass
class StoryClusters:
    """The cluster leader of each docnum, and which docnums share their cluster."""

    leaders: np.ndarray          # int32 leader docnum per docnum (itself when alone)
    shared: np.ndarray           # bool per docnum: its cluster has other members

    @classmethod
    def load(cls, directory: Path | None, count: int) -> "StoryClusters":
        """Read a generation's clusters; every article alone if it has none (or a bad one)."""
        leaders = None
        if directory is not None:
            try:
                leaders = np.load(directory / CLUSTERS_FILE, allow_pickle=False)
            except (OSError, ValueError):
                leaders = None
        if (leaders is None or leaders.shape != (count,) or leaders.dtype.kind not in "iu"
                or (count and (int(leaders.min()) < 0 or int(leaders.max()) >= count))):
            leaders = np.arange(count)
        # int32: half of int64's bytes per article, kept by every serving worker.
        leaders = leaders.astype(np.int32)
        sizes = np.bincount(leaders, minlength=count)
        return cls(leaders, sizes[leaders] > 1)

    def representatives(self, docs: np.ndarray, better: np.ndarray) -> np.ndarray:
        """Return a mask of docs keeping the best of each cluster (better: larger is better,
        ties by lower docnum) and every doc whose cluster has no other member."""
        keep = np.ones(docs.size, dtype=bool)
        shared = np.flatnonzero(self.shared[docs])
        if shared.size:
            leaders = self.leaders[docs[shared]]
            order = np.lexsort((docs[shared], -better[shared], leaders))
            first = np.r_[True, leaders[order][1:] != leaders[order][:-1]]
            keep[shared] = False
            keep[shared[order[first]]] = True
        return keep

    def copies(self, docnum: int, matched: np.ndarray) -> list[int]:
        """Return the other docnums of docnum's cluster that are among matched (sorted)."""
        if not self.shared[docnum]:
            return []
        candidates = matched[self.leaders[matched] == self.leaders[docnum]]
        return [int(doc) for doc in candidates if doc != docnum]


def preference(sort: str, scores: np.ndarray | None, days: np.ndarray) -> np.ndarray:
    """Return, per match, how good a representative of its story it is (larger is better):
    the score by relevance, the later day for newest first, the earlier for oldest first;
    undated articles last, as the hits' order has them."""
    if sort == "relevance" and scores is not None:
        return scores
    days = days.astype(np.int64)     # (the column's int32 would not hold the sentinel)
    dated = days >= 0
    if sort == "oldest":
        return np.where(dated, -days, np.iinfo(np.int64).min).astype(np.float64)
    return np.where(dated, days, -1).astype(np.float64)
