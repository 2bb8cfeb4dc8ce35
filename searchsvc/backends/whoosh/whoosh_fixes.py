"""A correction to Whoosh (whoosh-reloaded 2.7.5), applied once on import of searchsvc.search.

AndNotMatcher (``a NOT b``) starts on a's first document and only skips b forward when
b is *on* that document. When b starts earlier (b: 0, 1; a: 1, 2) it is left behind, so
a's first document is returned although b excludes it. Whoosh's own search then returns
a document that ``-word`` should have removed; our posting-array path does not, and the
two must agree. The fix starts the search for a's first allowed document whenever both
matchers are active, which is what ``_find_next`` already handles.
"""
from __future__ import annotations

from whoosh.matching.binary import AndNotMatcher


def _find_first(self) -> None:
    """Move to a's first document that b does not hold (b may start before it)."""
    if self.a.is_active() and self.b.is_active():
        self._find_next()


def apply() -> None:
    """Install the corrected AndNotMatcher._find_first (idempotent)."""
    AndNotMatcher._find_first = _find_first
