"""searchsvc: full-text search for news archives.

The public Python API: ``open_index``, ``build_index`` and ``extract_article``; the Flask
application is ``create_app``. Each imports its layer only when called.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from flask import Flask

    from .backends.whoosh.indexer import BuildReport
    from .ingest.extract import ExtractedArticle
    from .service.archive import Archive


def create_app(test_config: dict | None = None) -> "Flask":
    """Create the Flask application (searchsvc.web.create_app); Flask loads only then."""
    from .web import create_app as create_web_app
    return create_web_app(test_config)


def open_index(index_dir: str | os.PathLike, **options) -> "Archive":
    """Open a built index for searching: ``open_index("index").search("asylum", year=2011)``."""
    from .service.archive import open_index as open_archive
    return open_archive(index_dir, **options)


def build_index(corpus: str | os.PathLike, index_dir: str | os.PathLike, *,
                update: bool = False, wait: bool = False,
                outlets_file: str | os.PathLike | None = None,
                fields: Mapping[str, str] | None = None) -> "BuildReport":
    """Build (or with update=True, refresh) the index of a corpus and switch to it atomically.

    ``fields`` reads a field of JSON lines from another key (``{"body": "story"}``).
    """
    from .backends.whoosh.indexer import build_index as build
    from .config import PACKAGE_DATA
    from .ingest.corpus import field_map_with
    from .outlets import OutletRegistry

    registry = OutletRegistry.load(outlets_file or PACKAGE_DATA / "outlets.toml")
    return build(corpus, index_dir, registry=registry, update=update, wait=wait,
                 field_map=field_map_with(fields) if fields else None)


def extract_article(data: bytes, url: str | None = None) -> "ExtractedArticle":
    """Return the article of an HTML page's bytes (see searchsvc.ingest.extract)."""
    from .ingest.extract import extract_article as extract
    return extract(data, url)


__all__ = ["build_index", "create_app", "extract_article", "open_index"]
