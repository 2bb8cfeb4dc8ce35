"""The search service: a query read into a tree, run by a backend, rendered as one dict."""
from __future__ import annotations

import os

from ..outlets import OutletRegistry
from ..query.reader import QueryReader
from ..query.synonyms import Synonyms
from .search import SearchError, SearchRequest, SearchService


def open_backend(index_dir: str | os.PathLike, backend: str = "whoosh", solr_url: str = "",
                 solr_collection: str = "searchsvc", posting_cache_mb: int = 64,
                 worker_memory_mb: int = 300):
    """Return the backend a configuration names: Whoosh over index_dir, or a Solr alias."""
    if backend == "solr":
        from ..backends.solr.backend import SolrBackend
        return SolrBackend(solr_url, alias=solr_collection)
    if backend != "whoosh":
        raise ValueError(f"BACKEND must be whoosh or solr, not {backend!r}")
    from ..backends.whoosh.backend import WhooshBackend
    if posting_cache_mb < 1:
        raise ValueError(f"POSTING_CACHE_MB must be at least 1, not {posting_cache_mb}")
    if worker_memory_mb < 0:
        raise ValueError(f"WORKER_MEMORY_MB must be 0 (no limit) or more, not {worker_memory_mb}")
    return WhooshBackend(index_dir, posting_cache_bytes=posting_cache_mb * 2 ** 20,
                         resident_limit=worker_memory_mb * 2 ** 20 or None)


def open_service(index_dir: str | os.PathLike, *, outlets_file: str | None = None,
                 synonyms_file: str | None = None, max_query_length: int = 10_000,
                 max_per_page: int = 100, time_budget: float | None = None,
                 facet_values: int = 100, backend: str = "whoosh", solr_url: str = "",
                 solr_collection: str = "searchsvc", posting_cache_mb: int = 64,
                 worker_memory_mb: int = 300) -> SearchService:
    """Return the search service over a backend (by default the Whoosh index in index_dir)."""
    reader = QueryReader(Synonyms.load(synonyms_file), OutletRegistry.load(outlets_file),
                         max_length=max_query_length)
    return SearchService(open_backend(index_dir, backend, solr_url, solr_collection,
                                      posting_cache_mb, worker_memory_mb), reader,
                         max_per_page=max_per_page, time_budget=time_budget,
                         facet_values=facet_values)


__all__ = ["SearchError", "SearchRequest", "SearchService", "open_backend", "open_service"]
