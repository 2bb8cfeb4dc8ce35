"""What a serving process gives back once it holds more memory than its limit."""
from __future__ import annotations

from typing import Iterable

from ...residency import release_heap, resident_bytes
from .postings import PostingCache

# The resident memory past which a process releases the posting arrays' pages it has read
# (to the page cache, which keeps them: residency.py), so that a serving worker's RSS stays
# within its budget however large the index it reads; below it, pages stay mapped. The
# 63k dataset's workers stay below 300 MiB; at a million articles a page read again after
# a release costs a minor fault, about 30% more CPU a search (BENCHMARKS.md).
RESIDENT_LIMIT = 300 * 2 ** 20
MAPPED_FLOOR = 32 * 2 ** 20     # libraries and term tables: no use releasing below this
# Past the limit, a heap above this share of it is also trimmed (glibc keeps the pages of
# freed arrays): the rest of the limit is left for the pages the next searches map. At a
# million articles that is one search in 15-40; the pages it gives back are faulted in again
# by later searches: mean CPU +3%, p95 +15% there (BENCHMARKS.md). Below, nothing changes.
HEAP_SHARE = 7 / 8
# ... and first the posting cache gives up half its budget, down to this share of the
# setting: at a million articles a 32 MiB cache searched faster than 64 within the limit
# (fewer trims), where on the 63k dataset 64 was faster and nothing comes near the limit.
SHRUNK_CACHE = 1 / 4
# Room kept below the limit for the next search's temporaries, per article of the index: a
# search matching most articles holds about three arrays of a docnum and a score (16 bytes)
# per match while it combines its words. At a million articles that is 46 MiB, and a worker
# that settled at the limit itself went 20-30 MiB past it during searches (BENCHMARKS.md);
# on the 63k dataset it is 3 MiB, and nothing there comes near the limit.
SEARCH_BYTES_PER_ARTICLE = 48


def bound_memory(limit: int | None, caches: Iterable[PostingCache], cache_bytes: int,
                 articles: int = 0) -> None:
    """Past `limit` resident bytes, less room for a search over `articles` articles, release
    the caches' mapped pages; if the heap alone holds most of that, halve the caches'
    budgets (not below a share of cache_bytes) and trim the heap. A limit of None: never."""
    if limit is None:
        return
    limit = max(limit - articles * SEARCH_BYTES_PER_ARTICLE, limit // 2)
    resident = resident_bytes()
    if resident is None or resident[0] <= limit:
        return
    caches = list(caches)
    if resident[1] > MAPPED_FLOOR:
        for cache in caches:
            cache.release_mapped()
    if resident[0] - resident[1] > limit * HEAP_SHARE:
        for cache in caches:
            cache.shrink(int(cache_bytes * SHRUNK_CACHE))
        release_heap()
