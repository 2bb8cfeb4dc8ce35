"""The public Python API: an index opened for searching, and building one."""
from __future__ import annotations

import os
from typing import Iterable

from ..config import PACKAGE_DATA
from . import open_service
from .search import SearchRequest, SearchService


class Archive:
    """A built index opened for searching; each call returns what the JSON API returns."""

    def __init__(self, service: SearchService) -> None:
        self.service = service

    def search(self, q: str = "", *, page: int = 1, per_page: int = 10,
               outlet: str | Iterable[str] | None = None,
               year: str | int | Iterable[str | int] | None = None,
               author: str | Iterable[str] | None = None,
               topic: str | Iterable[str] | None = None,
               sort: str = "relevance", date_from: str | None = None,
               date_to: str | None = None, collapse: bool = True) -> dict:
        """Search the archive; the result is the dict of ``GET /api/search``.

        collapse=False lists every copy of a story as a hit of its own.

        Raises SearchError (a ValueError) naming an invalid parameter.
        """
        request = SearchRequest(q=q, outlets=_values(outlet), years=_values(year),
                                authors=_values(author), topics=_values(topic),
                                date_from=date_from, date_to=date_to, sort=sort,
                                page=page, per_page=per_page, collapse=collapse)
        return self.service.search(request)

    def article(self, article_id: str, q: str = "") -> dict | None:
        """Return one article as ``GET /api/articles/<id>`` does, or None if there is none."""
        return self.service.article(article_id, q)

    def info(self) -> dict:
        """Return the served generation, its document count and when it was built."""
        return self.service.info()


def open_index(index_dir: str | os.PathLike, *, outlets_file: str | os.PathLike | None = None,
               synonyms_file: str | os.PathLike | None = None) -> Archive:
    """Open a built index for searching (outlet and synonym files default to the package's)."""
    return Archive(open_service(
        index_dir, outlets_file=str(outlets_file or PACKAGE_DATA / "outlets.toml"),
        synonyms_file=str(synonyms_file or PACKAGE_DATA / "synonyms.txt")))


def _values(value) -> tuple[str, ...]:
    """Return a filter given as one value or several as a tuple of strings."""
    if value is None:
        return ()
    if isinstance(value, (str, int)):
        return (str(value),)
    return tuple(str(item) for item in value)
