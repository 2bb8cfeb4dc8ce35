"""The terms a serving worker decodes before its first request: the most frequent ones."""
from __future__ import annotations

import time
from collections import Counter
from heapq import nlargest
from itertools import takewhile

from whoosh.searching import Searcher

from .postings import PostingCache


def most_frequent_terms(searcher: Searcher, cache: PostingCache, fieldname: str, limit: int,
                        deadline: float) -> list[bytes]:
    """Return about the field's `limit` most frequent terms, most frequent first."""
    arrays = [found for leaf, _ in searcher.leaf_searchers()
              if (found := cache.arrays_of(leaf.reader())) is not None]
    if arrays:
        # The posting arrays hold exactly the long lists, with their lengths: no need to
        # list every term (millions of them in a large index, over a minute in Python).
        postings: Counter[bytes] = Counter()
        for segment_arrays in arrays:
            for count, tbytes in segment_arrays.longest_lists(fieldname, limit):
                postings[tbytes] += count
        return [tbytes for tbytes, _ in postings.most_common(limit)]
    # Whoosh's most_frequent_terms, over the terms read before the deadline.
    listed = takewhile(lambda _: time.perf_counter() < deadline,
                       searcher.reader().iter_prefix(fieldname, ""))
    return [text for _, text in nlargest(limit, ((info.weight(), text)
                                                 for text, info in listed))]
