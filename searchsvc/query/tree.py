"""The query tree: what a user's query asks for, read once, in no backend's terms.

Leaves hold words as typed (a backend analyses them into its own terms); inner nodes
combine them. A backend translates a tree into its own query language; nothing downstream
reads the query string again.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator, Union

# Text fields a leaf can search: None is the article's text (title and body together).
TEXT_FIELDS = ("title", "body", "author")


@dataclass(frozen=True)
class Word:
    """One word as typed; ``weight`` counts how often the query says it."""

    text: str
    field: str | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Words in this order; with ``slop``, at most that many moves apart."""

    words: tuple[str, ...]
    field: str | None = None
    slop: int = 0
    weight: float = 1.0


@dataclass(frozen=True)
class Prefix:
    """Index words that start with ``text`` (``diplom*``)."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Wildcard:
    """Index words matching a pattern with ``*`` and ``?`` inside (``defect*d``)."""

    pattern: str
    field: str | None = None


@dataclass(frozen=True)
class Fuzzy:
    """Index words within ``edits`` edits of ``text`` (None: as many as its length allows)."""

    text: str
    field: str | None = None
    edits: int | None = None


@dataclass(frozen=True)
class Synonyms:
    """Equivalent ways of saying one thing (a word and its synonyms): scored as one term."""

    alternatives: tuple["Node", ...]
    weight: float = 1.0


@dataclass(frozen=True)
class All:
    """Every part must match; scores add up."""

    parts: tuple["Node", ...]


@dataclass(frozen=True)
class Any:
    """At least one part must match; the more match, the higher the score."""

    parts: tuple["Node", ...]


@dataclass(frozen=True)
class AndMaybe:
    """``required`` must match; ``optional`` only adds to the score."""

    required: "Node"
    optional: "Node"


@dataclass(frozen=True)
class Not:
    """Articles that do not match ``part`` (beside others in an All: an exclusion)."""

    part: "Node"


@dataclass(frozen=True)
class Equals:
    """A keyword field equal to a value: ``outlet:"Radio Free Asia"``."""

    field: str
    value: str


@dataclass(frozen=True)
class YearRange:
    """Years from ``low`` to ``high`` inclusive (None: open)."""

    low: int | None
    high: int | None


@dataclass(frozen=True)
class DateRange:
    """Days from ``low`` to ``high`` inclusive (None: open)."""

    low: dt.date | None
    high: dt.date | None


Node = Union[Word, Phrase, Prefix, Wildcard, Fuzzy, Synonyms, All, Any, AndMaybe, Not,
             Equals, YearRange, DateRange]
LEAVES = (Word, Phrase, Prefix, Wildcard, Fuzzy, Equals, YearRange, DateRange)


def children(node: Node) -> tuple[Node, ...]:
    """Return the direct parts of a node (none for a leaf)."""
    if isinstance(node, (All, Any)):
        return node.parts
    if isinstance(node, Synonyms):
        return node.alternatives
    if isinstance(node, AndMaybe):
        return (node.required, node.optional)
    if isinstance(node, Not):
        return (node.part,)
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Yield every node of a tree, parents first."""
    yield node
    for child in children(node):
        yield from walk(child)


def sought(node: Node | None) -> Iterator[Node]:
    """Yield the leaves a query looks for, not those it excludes (what snippets mark)."""
    if node is None or isinstance(node, Not):
        return
    if isinstance(node, LEAVES):
        yield node
        return
    for child in children(node):
        yield from sought(child)
