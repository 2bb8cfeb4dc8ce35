"""The one search call: a query read into a tree, run by a backend, rendered as plain data.

The web page, the JSON endpoint, the command line and the Python API all render the dict
:meth:`SearchService.search` returns. It never raises on the query text: a query that cannot
be read as written is searched as plain words, and the result says so.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Sequence

from ..backends.contract import SORTS, UNKNOWN, Backend, Filters, Found, SearchSpec
from ..dates import PartialDate
from ..query.bounds import YEAR_RE, day_past_month_end, parse_bound
from ..query import tree as t
from ..query.reader import PLAIN_WORD_RE, QueryReader, QueryReading, any_word_note
from ..passages import passage_text_lowered
from .snippets import highlight_all, make_snippets, passage_snippets

FEW_HITS = 3                  # below this many hits, offer a "did you mean"
RARE_WORD_ARTICLES = 100      # a query word in fewer articles may be a misspelling
MORE_COMMON_BY = 50           # ... when the word suggested is in this many times more
# Fewer articles than this having all the words of a query (a page): articles having some
# of them follow, those having all first.
PARTIAL_MATCHES_BELOW = 10
MAX_PAGE = 10_000             # deepest page served


# Prefix, wildcard and fuzzy words a query may have: each is expanded into up to 50 index
# words, and 40 of them took 0.8-1.2 s on the 63k index (bench/expensive_queries.py).
MAX_MULTITERMS = 10


class SearchError(ValueError):
    """A search parameter is invalid; `parameter` names it when the message does not start so.

    The query text fails only when it has more than MAX_MULTITERMS prefix, wildcard or
    fuzzy words; otherwise it is read as well as it can be.
    """

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass
class SearchRequest:
    """Everything a search may ask for; validated by :meth:`validate`."""

    q: str = ""
    outlets: Sequence[str] = ()
    years: Sequence[str] = ()
    authors: Sequence[str] = ()
    topics: Sequence[str] = ()
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    # One hit per story (copies of one wire story listed with it); False: every article.
    collapse: bool = True

    def validate(self, max_per_page: int = 100) -> None:
        """Raise SearchError naming the first invalid parameter."""
        if self.sort not in SORTS:
            raise SearchError(f"sort must be one of {', '.join(SORTS)}, not {self.sort!r}")
        if not isinstance(self.page, int) or self.page < 1:
            raise SearchError("page must be a whole number of 1 or more")
        if self.page > MAX_PAGE:
            raise SearchError(f"page must be {MAX_PAGE} or less")
        if not isinstance(self.per_page, int) or not 1 <= self.per_page <= max_per_page:
            raise SearchError(f"per_page must be between 1 and {max_per_page}")
        for year in self.years:
            if year != UNKNOWN and not YEAR_RE.fullmatch(str(year)):
                raise SearchError(f"year must be a four-digit year or 'unknown', not {year!r}")
        bounds = {}
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is None:
                continue
            bounds[name] = parse_bound(value, end=name == "date_to")
            if bounds[name] is None:
                raise SearchError(f"{name} must be a date like 2011-07-04, 2011-07 or 2011")
            last_day = day_past_month_end(value)
            if last_day:
                raise SearchError(f"{name} {value!r} is not a day: its month has {last_day} "
                                  "days")
        if len(bounds) == 2 and bounds["date_from"] > bounds["date_to"]:
            raise SearchError(f"date_from ({self.date_from}) is after date_to ({self.date_to}), "
                              "so nothing could match")



class SearchService:
    """The search function over a backend, with its query reader."""

    def __init__(self, backend: Backend, reader: QueryReader | None = None,
                 max_per_page: int = 100, time_budget: float | None = None,
                 facet_values: int = 100) -> None:
        self.backend = backend
        self.reader = reader or QueryReader()
        self.max_per_page = max_per_page
        # Seconds a search may take before it returns what it found, marked partial.
        self.time_budget = time_budget
        self.facet_values = facet_values

    def outlet_names(self, outlets: Sequence[str]) -> tuple[str, ...]:
        """Return outlet filter values as the registry names them (RFA: Radio Free Asia)."""
        return tuple(dict.fromkeys(self.reader.outlet_name(outlet) for outlet in outlets))

    def warm(self, **options) -> dict:
        """Load what the first searches would otherwise pay for (see the backend's warm)."""
        return self.backend.warm(**options)

    def search(self, request: SearchRequest) -> dict:
        """Run one search: hits for the page, disjunctive facets, snippets, suggestion."""
        started = time.perf_counter()
        deadline = (None if self.time_budget is None
                    else time.monotonic() + self.time_budget)
        # An empty bound is no bound (a form's empty date input sends one).
        request.date_from, request.date_to = request.date_from or None, request.date_to or None
        request.validate(self.max_per_page)
        spec, reading = self.plan(request, deadline)
        filters = spec.filters
        outlets, authors, topics = filters.outlets, filters.authors, filters.topics
        outcome = self.backend.search(spec)
        notes = list(reading.notes)
        mode = reading.mode
        if outcome.all_words is not None:
            mode = "any word"
            notes.append(any_word_note(outcome.tree_matches, request.sort == "relevance"))
        notes.extend(outcome.notes)
        if outcome.partial:
            notes.append(f"the search stopped at its time limit ({self.time_budget:g} s): "
                         "some matching articles may be missing")
        all_words = outcome.total if outcome.all_words is None else outcome.all_words
        hits = [self._hit(found, outcome.highlight) for found in outcome.hits]
        articles = outcome.total if outcome.articles is None else outcome.articles
        suggestion = None
        if all_words < FEW_HITS and reading.tree is not None and not outcome.partial:
            suggestion = self._suggest(reading.text, filters, all_words)
        total = outcome.total
        pages = max(1, -(-total // request.per_page))
        if request.page > pages and total:
            notes.append(f"page {request.page} is past the last page, {pages}")
        return {
            "query": {"text": request.q, "read_as": reading.text, "mode": mode,
                      "notes": notes},
            "total": total,
            # total counts stories when collapsed (what the pages hold), articles otherwise;
            # articles counts the articles either way, and the facets always count articles
            "articles": articles,
            "collapsed": bool(request.collapse),
            "counts": counts_note(total, articles, bool(request.collapse)),
            "all_words": outcome.all_words,
            "page": request.page,
            "per_page": request.per_page,
            "pages": pages,
            "sort": request.sort,
            "hits": hits,
            "facets": {"outlet": _facet(outcome.facets["outlet"], outlets, by_count=True),
                       "year": _facet(outcome.facets["year"], tuple(request.years),
                                      by_count=False),
                       "author": _facet(outcome.facets["author"], authors, by_count=True),
                       "topic": _facet(outcome.facets["topic"], topics, by_count=True)},
            "filters": {"outlet": list(outlets), "year": list(request.years),
                        "author": list(authors), "topic": list(topics),
                        "from": request.date_from, "to": request.date_to,
                        # the same bounds under their older names
                        "date_from": request.date_from, "date_to": request.date_to},
            "timeline": timeline(outcome.facets["year"], outcome.months),
            "suggestion": suggestion,
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
            "partial": outcome.partial,
            "generation": outcome.generation,
        }

    def plan(self, request: SearchRequest, deadline: float | None = None
             ) -> tuple[SearchSpec, QueryReading]:
        """Return the backend's spec of a (validated) request for its page, and the reading.

        Export, feeds and the concordance change only its offset and limit, so that they
        search exactly what the page searches. Raises SearchError naming q when the query
        has more prefix, wildcard or fuzzy words than a search may expand.
        """
        filters = Filters(outlets=self.outlet_names(request.outlets),
                          years=tuple(request.years),
                          authors=tuple(dict.fromkeys(request.authors)),
                          topics=tuple(dict.fromkeys(request.topics)),
                          date_from=parse_bound(request.date_from, end=False)
                          if request.date_from else None,
                          date_to=parse_bound(request.date_to, end=True)
                          if request.date_to else None)
        reading = self.reader.read(request.q)
        multiterms = sum(isinstance(node, (t.Prefix, t.Wildcard, t.Fuzzy))
                         for node in (t.walk(reading.tree) if reading.tree else ()))
        if multiterms > MAX_MULTITERMS:
            raise SearchError(f"q has {multiterms} prefix, wildcard or fuzzy words; a query "
                              f"may have at most {MAX_MULTITERMS}", parameter="q")
        spec = SearchSpec(tree=reading.tree, filters=filters, sort=request.sort,
                          offset=(request.page - 1) * request.per_page, limit=request.per_page,
                          fallback=reading.fallback, fallback_below=PARTIAL_MATCHES_BELOW,
                          feedback=reading.description, match_nothing=reading.unsearchable,
                          deadline=deadline, facet_limit=self.facet_values,
                          collapse=bool(request.collapse))
        return spec, reading

    def _hit(self, found: Found, terms) -> dict:
        """Return one hit as plain data, with snippets."""
        stored = found.fields
        body, title = stored.get("body") or "", stored.get("title")
        # The backend's highlighter's passages when it chose some that the snippet rules
        # keep; otherwise the passages are chosen here.
        snippets = (passage_snippets(body, title, found.passages, terms)
                    if found.passages else [])
        if not snippets:
            text, lowered = passage_text_lowered(body, title, stored.get("passage_runs"))
            snippets = make_snippets(text, terms, lowered=lowered)
        title_spans = highlight_all(stored.get("title", ""), terms)
        return {**article_metadata(stored), "score": found.score,
                "title_html": str(title_spans),
                "snippets": [{"html": s.html, "text": s.text} for s in snippets],
                "copies": [copy_metadata(copy) for copy in found.copies],
                "copy_count": found.copy_count}

    def _suggest(self, text: str, filters: Filters, total: int) -> dict | None:
        """Return a corrected query that finds more, if a small spelling change gives one."""
        words = PLAIN_WORD_RE.findall(text)
        if not words or len(words) > 6:
            return None
        changed = False
        corrected = []
        for word in words:
            frequency = self.backend.document_frequency(word) if len(word) >= 3 else None
            option = None
            if frequency is not None and frequency < RARE_WORD_ARTICLES:
                option = self.backend.suggest_word(word.lower(),
                                                   maxdist=1 if len(word) < 6 else 2)
            # A word in no article, or in far fewer than the suggestion (a typo the archive
            # holds a few times), gives way; a rare name many times rarer does not.
            if option and (frequency == 0 or self.backend.document_frequency(option)
                           >= MORE_COMMON_BY * frequency):
                corrected.append(_same_case(option, word))
                changed = True
            else:
                corrected.append(word)
        if not changed:
            return None
        better = " ".join(corrected)
        found = self.backend.count(self.reader.read(better).tree, filters)
        if found <= total:
            return None
        return {"text": better, "total": int(found)}

    def article(self, article_id: str, q: str = "") -> dict | None:
        """Return one article with its full text (highlighted for q) and related coverage."""
        stored = self.backend.article(article_id)
        if stored is None:
            return None
        terms = self.backend.highlight_terms(self.reader.read(q).tree if q else None)
        paragraphs = [p for p in re.split(r"\n\s*\n|\n", stored.get("body", "")) if p.strip()]
        if paragraphs and paragraphs[0].strip() == (stored.get("title") or "").strip():
            paragraphs = paragraphs[1:]    # the page shows the headline already
        return {**article_metadata(stored),
                "body": stored.get("body", ""),
                "paragraphs_html": [str(highlight_all(p, terms)) for p in paragraphs],
                "source": stored.get("source"),
                "provenance": stored.get("provenance", {}),
                "related": self.more_like_this(article_id),
                "generation": stored.get("generation")}

    def more_like_this(self, article_id: str, limit: int = 5) -> list[dict]:
        """Return the articles most similar to one article (other coverage of the story)."""
        return [{**article_metadata(found.fields), "score": found.score}
                for found in self.backend.similar(article_id, limit)]

    def info(self) -> dict:
        """Return the served generation, its document count and when it was built."""
        return self.backend.info()


MONTHS_BELOW_YEARS = 3        # results spanning fewer years are charted by month


def timeline(years: list[tuple[str, int]], months: list[tuple[str, int]]) -> dict:
    """Return the chart's periods: {unit, periods: [{period, count}]}, from the first period
    with articles to the last, empty ones between; by month when the known years span fewer
    than three and months are known, else by year (the year facet's counts)."""
    known = [(int(year), count) for year, count in years if year != UNKNOWN and count]
    if not known:
        return {"unit": "year", "periods": []}
    first, last = known[0][0], known[-1][0]
    if last - first + 1 < MONTHS_BELOW_YEARS and months:
        counts = dict(months)
        (y0, m0), (y1, m1) = (map(int, months[0][0].split("-")),
                              map(int, months[-1][0].split("-")))
        periods = [f"{index // 12:04d}-{index % 12 + 1:02d}"
                   for index in range(y0 * 12 + m0 - 1, y1 * 12 + m1)]
        return {"unit": "month",
                "periods": [{"period": p, "count": counts.get(p, 0)} for p in periods]}
    counts = dict(known)
    return {"unit": "year", "periods": [{"period": str(year), "count": counts.get(year, 0)}
                                        for year in range(first, last + 1)]}


def _same_case(suggested: str, typed: str) -> str:
    """Return a suggested word written in the case of the word typed (Obamma: Obama)."""
    if typed.isupper() and len(typed) > 1:
        return suggested.upper()
    if typed[:1].isupper():
        return suggested[:1].upper() + suggested[1:]
    return suggested


def _facet(counts: list[tuple[str, int]], selected: Sequence[str], by_count: bool
           ) -> list[dict]:
    """Return facet values as plain data; a selected value is always listed."""
    facet = [{"value": value, "count": count, "selected": value in selected}
             for value, count in counts]
    listed = {value for value, _ in counts}
    unlisted = [{"value": str(value), "count": 0, "selected": True}
                for value in selected if str(value) not in listed]
    if by_count:
        unlisted.sort(key=lambda entry: (entry["value"] == UNKNOWN, entry["value"].casefold()))
        return facet + unlisted
    return sorted(facet + unlisted, key=lambda entry: (entry["value"] == UNKNOWN,
                                                       entry["value"]))


def counts_note(total: int, articles: int, collapsed: bool) -> str:
    """Return what the total and the facet counts count, in words, for the page."""
    if not collapsed:
        return f"{articles:,} articles, every copy of a story listed; facet counts are articles"
    if articles == total:
        return f"{articles:,} article{'' if articles == 1 else 's'}, no two copies of one story"
    story = "story" if total == 1 else "stories"
    return (f"{articles:,} article{'' if articles == 1 else 's'} in {total:,} {story} "
            "(copies of one story are one hit); facet counts are articles")


def copy_metadata(stored: dict) -> dict:
    """Return one copy of a hit's story as plain data: {id, title, outlet, date, url}."""
    outlet = stored.get("outlet")
    return {"id": stored.get("id"), "title": stored.get("title"),
            "outlet": None if outlet == UNKNOWN else outlet,
            "date": stored.get("date_iso") or None, "url": stored.get("url") or None}


def article_metadata(stored: dict) -> dict:
    """Return the display metadata of a stored article (unknown values as None)."""
    date_iso = stored.get("date_iso")
    date = None
    if date_iso:
        parts = [int(part) for part in date_iso.split("-")]
        date = PartialDate(*parts)
    year = stored.get("year")
    outlet = stored.get("outlet")
    return {
        "id": stored.get("id"),
        "title": stored.get("title"),
        "outlet": None if outlet == UNKNOWN else outlet,
        "outlet_label": stored.get("outlet_label") or None,
        "date": date_iso,
        "date_display": date.display() if date else None,
        "year": None if year is None else int(year),
        "author": stored.get("author") or None,
        "url": stored.get("url"),
        # False: the source gave a headline and metadata but no text (older indexes: True)
        "has_text": stored.get("has_text") is not False,
    }
