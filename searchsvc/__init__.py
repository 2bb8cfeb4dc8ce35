"""searchsvc: full-text search for news archives."""
from __future__ import annotations

from .web import create_app

__all__ = ["create_app", "extract_article"]


def extract_article(data: bytes, url: str | None = None):
    """Return the article of an HTML page's bytes (see searchsvc.ingest.extract)."""
    # imported here so that creating the Flask app does not load the HTML extractor
    from .ingest.extract import extract_article as extract

    return extract(data, url)
