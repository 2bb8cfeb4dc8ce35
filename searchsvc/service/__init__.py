"""The search service: a query read into a tree, run by a backend, rendered as one dict."""
from __future__ import annotations

import os

from ..outlets import OutletRegistry
from ..query.reader import QueryReader
from ..query.synonyms import Synonyms
from .search import SearchError, SearchRequest, SearchService


def open_service(index_dir: str | os.PathLike, *, outlets_file: str | None = None,
                 synonyms_file: str | None = None, max_query_length: int = 10_000,
                 max_per_page: int = 100, time_budget: float | None = None,
                 facet_values: int = 100) -> SearchService:
    """Return the search service over the index in index_dir (the Whoosh backend)."""
    from ..backends.whoosh.backend import WhooshBackend

    reader = QueryReader(Synonyms.load(synonyms_file), OutletRegistry.load(outlets_file),
                         max_length=max_query_length)
    return SearchService(WhooshBackend(index_dir), reader, max_per_page=max_per_page,
                         time_budget=time_budget, facet_values=facet_values)


__all__ = ["SearchError", "SearchRequest", "SearchService", "open_service"]
