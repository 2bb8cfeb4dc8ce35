"""searchsvc: full-text search for news archives."""
from __future__ import annotations

from .web import create_app

__all__ = ["create_app"]
