"""Corrections to Whoosh (whoosh-reloaded 2.7.5), applied once on import of the backend.

AndNotMatcher (``a NOT b``) starts on a's first document and only skips b forward when
b is *on* that document. When b starts earlier (b: 0, 1; a: 1, 2) it is left behind, so
a's first document is returned although b excludes it. Whoosh's own search then returns
a document that ``-word`` should have removed; our posting-array path does not, and the
two must agree. The fix starts the search for a's first allowed document whenever both
matchers are active, which is what ``_find_next`` already handles.

DisjunctionMaxMatcher (a synonym group) scores a document by max(a.score(), b.score())
whenever both matchers are active, also when only one of them is on the document: the
other's score belongs to a later document. The fix takes the score of the matcher(s) on
the current document.
"""
from __future__ import annotations

from whoosh.matching.binary import AndNotMatcher, DisjunctionMaxMatcher


def _find_first(self) -> None:
    """Move to a's first document that b does not hold (b may start before it)."""
    if self.a.is_active() and self.b.is_active():
        self._find_next()


def _dismax_score(self) -> float:
    """Return the best score among the sub-matchers on the current document."""
    a, b = self.a, self.b
    if not a.is_active():
        return b.score()
    if not b.is_active():
        return a.score()
    if a.id() != b.id():
        return a.score() if a.id() < b.id() else b.score()
    scores = (a.score(), b.score())
    return max(scores) + self.tiebreak * min(scores)


def apply() -> None:
    """Install the corrected matcher methods (idempotent)."""
    AndNotMatcher._find_first = _find_first
    DisjunctionMaxMatcher.score = _dismax_score
