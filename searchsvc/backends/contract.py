"""What a search backend does, in terms every backend shares.

A backend holds an index of articles in generations: a build writes a new generation and
switches to it atomically (searches in flight finish on the old one), an update changes
articles by id. It runs a query tree (``searchsvc.query.tree``) with filters, sort and
paging, counts facets, returns stored fields, says which analysed terms to highlight, and
offers a spelling lexicon. The search service (``searchsvc.service``) calls nothing else.

The Whoosh backend (``searchsvc.backends.whoosh``) is the embedded default; the contract
suite in ``tests/backends/`` runs the same tests against every backend.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Protocol

from ..query.tree import Node, Phrase

SORTS = ("relevance", "newest", "oldest")
FACETS = ("outlet", "year", "author", "topic")
UNKNOWN = "unknown"          # the facet value of an unknown outlet or year


@dataclass(frozen=True)
class QueryTerms:
    """What to mark: single analysed terms, phrases as sequences of analysed terms.

    ``analyze`` is the backend's analysis of one word, so that a passage's words can be
    matched against the terms (a stemmed match marks the word as written).
    """

    terms: frozenset[str]
    phrases: tuple[tuple[str, ...], ...] = ()
    analyze: Callable[[str], str] = str.lower

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)


@dataclass(frozen=True)
class Filters:
    """Facet filters (each disjunctive within itself) and an inclusive day range."""

    outlets: tuple[str, ...] = ()
    years: tuple[str, ...] = ()          # four-digit years or "unknown"
    authors: tuple[str, ...] = ()        # an article passes with any one of its authors
    topics: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class SearchSpec:
    """One search as a backend runs it."""

    tree: Node | None                    # None: every article
    filters: Filters = Filters()
    sort: str = "relevance"              # one of SORTS
    offset: int = 0
    limit: int = 10
    # When fewer than fallback_below articles match the tree, the fallback (the same words,
    # none required) is searched instead, the tree's matches ranked first.
    fallback: Node | None = None
    fallback_below: int = 10
    # A long description: the backend may re-rank its matches by relevance feedback.
    feedback: bool = False
    match_nothing: bool = False          # the query had words, none that can be searched
    # A time.monotonic() value: past it the backend skips what it can and returns what it
    # found, with Outcome.partial set. None: no limit.
    deadline: float | None = None
    # Values listed of the facets of many values (author, topic), most articles first.
    facet_limit: int = 100
    # One hit per story: of the matching articles that are copies of one another (the same
    # wire copy at several outlets), only the best-ranked by `sort` is a hit; it lists the
    # others as its copies. total and paging then count stories; facets still count articles.
    collapse: bool = False


@dataclass
class Found:
    """One article of a result: its stored display fields and its score (None if unscored)."""

    fields: dict
    score: float | None
    # Where the engine's highlighter found the best passages of the body for the query:
    # (start, end) character offsets into fields["body"], in text order. None or empty:
    # the service chooses the passages itself.
    passages: list[tuple[int, int]] | None = None
    # With SearchSpec.collapse: the other matching articles of its story, oldest first, each
    # {id, title, outlet, date_iso, url} (stored names), at most MAX_COPIES of them.
    copies: list[dict] = field(default_factory=list)
    copy_count: int = 0                  # all of them, listed or not


MAX_COPIES = 100     # copies listed with one hit (a story seldom has more; the count says)
COPY_FIELDS = ("id", "title", "outlet", "date_iso", "url")


@dataclass
class Outcome:
    """What a backend found for a SearchSpec."""

    # Articles matching the query and every filter; with SearchSpec.collapse, the stories
    # they make (what the hits page through; `articles` counts the articles).
    total: int
    hits: list[Found]                    # the requested page, in order
    # Facet counts as (value, count) for FACETS; each counts with every filter but its own.
    # outlet: every value, most articles first; year: in year order, "unknown" last;
    # author and topic: the facet_limit values of most articles (an article counts for each
    # of its authors and topics).
    facets: dict[str, list[tuple[str, int]]]
    highlight: QueryTerms                # the terms the typed query looks for
    generation: str
    # Set when the fallback was searched: how many of `total` match the tree.
    all_words: int | None = None
    tree_matches: int = 0                # articles matching the tree (before facet filters)
    # The total's articles dated to the month, counted by month ("2016-09"), in month order.
    months: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    partial: bool = False                # the deadline passed: some matches were left out
    articles: int | None = None          # with collapse: the articles the `total` stories hold


INTERVALS = ("day", "week", "month", "year")


@dataclass
class PeriodCounts:
    """Articles per period: those matching a tree, and all articles, under the same filters.

    Keys are (first day of the period as YYYY-MM-DD, outlet or None when not by outlet);
    weeks start on Monday. An article known only to its month or year counts in the period
    of that month's or year's first day; one with no date only in ``unknown_date``.
    """

    matches: dict[tuple[str, str | None], int]
    articles: dict[tuple[str, str | None], int]
    unknown_date: int                    # matching articles without a known date
    total: int                           # matching articles, dated or not


class Backend(Protocol):
    """The operations the search service needs from an index."""

    def search(self, spec: SearchSpec) -> Outcome:
        """Run one search: matches, facets, the page of hits, the terms to highlight."""

    def count(self, tree: Node | None, filters: Filters = Filters()) -> int:
        """Return how many articles match a tree and the day range of the filters."""

    def article(self, article_id: str) -> dict | None:
        """Return the stored fields of one article (with its body), or None."""

    def period_counts(self, tree: Node | None, filters: Filters, interval: str,
                      by_outlet: bool = False) -> PeriodCounts:
        """Count the articles matching a tree (and every filter), and all articles under the
        filters, per interval (one of INTERVALS), per outlet when by_outlet."""

    def similar(self, article_id: str, limit: int = 5) -> list[Found]:
        """Return the articles most like one article, best first, itself left out."""

    def highlight_terms(self, tree: Node | None) -> QueryTerms:
        """Return the analysed terms and phrases a tree looks for (not those it excludes)."""

    def document_frequency(self, word: str) -> int:
        """Return how many articles' text holds a word (after analysis)."""

    def suggest_word(self, word: str, maxdist: int) -> str | None:
        """Return a word as articles write it (not an index term: "embassy", not "embassi")
        within maxdist edits of ``word``, of the index word most articles use, if any."""

    def info(self) -> dict:
        """Return the served generation, its document count and when it was built."""

    def warm(self) -> dict:
        """Load what the first searches would otherwise pay for; return what was loaded."""

    def build(self, corpus, *, registry, update: bool = False, wait: bool = False, **options):
        """Build a corpus into a new generation and switch to it atomically; return a report.

        With update=True only what changed since the last build is read again.
        """

    def update_articles(self, articles=(), delete_ids=()):
        """Add or replace articles (ingest.corpus.Article) by id and delete others, in a
        new generation switched to atomically; return a report."""


def has_stop_words_inside(node: Phrase, analyze: Callable[[str], str]) -> bool:
    """Tell whether a phrase of adjacent words in the text (title or body) has a stop word
    among indexed words: the index leaves stop words out, so it alone cannot match the
    phrase as written (analyze: a backend's term of one word, "" for a stop word)."""
    if node.slop or node.field not in (None, "title", "body"):
        return False
    terms = [analyze(word) for word in node.words]
    return not all(terms) and any(terms) and not any(" " in term for term in terms)
