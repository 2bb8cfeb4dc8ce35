"""The Whoosh backend: the contract of ``searchsvc.backends.contract`` over a local index.

Queries of terms, exact phrases and Boolean operators are matched and scored on cached
posting arrays (``postings``); anything else by Whoosh's own matchers, without scores.
Facets and sorting are array operations over the generation's columns (``handle``).
"""
from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from ...query import tree as t
from ..contract import (COPY_FIELDS, MAX_COPIES, UNKNOWN, Filters, Found, Outcome,
                        PeriodCounts, QueryTerms, SearchSpec)
from .clusters import preference
from .analysis import analyze_word
from .feedback import expanded_query, feedback_terms
from .handle import FacetColumns, IndexHandle
from .memorylimit import RESIDENT_LIMIT, bound_memory
from .multiterm import expand_multiterms
from .periods import count_periods
from .postings import (CACHE_BYTES, Budget, Matches, PostingCache, QueryEvaluator, Unsupported,
                       contains)
from .ranking import Ranking
from .schema import UNKNOWN_YEAR
from .spelling import Lexicon, suggest_surface
from .storedfields import stored_fields
from .warmup import most_frequent_terms
from .translate import TEXT_FIELDS, query_terms, to_whoosh
from .whoosh_fixes import apply as apply_whoosh_fixes

# The longest a worker spends warming (gunicorn's worker timeout is 120 s).
WARM_SECONDS = 60.0

if TYPE_CHECKING:     # the indexer reads corpora: loaded only by a build, not to serve
    from ...ingest.corpus import Article
    from ...outlets import OutletRegistry
    from .indexer import BuildReport

apply_whoosh_fixes()
FEEDBACK_NOTE = "articles are also ranked by the words the best matches share"
TOO_COMMON_NOTE = "every word is too common to search on its own"


class WhooshBackend:
    """A Whoosh index directory of generations, searched through the backend contract."""

    def __init__(self, index_dir: str | os.PathLike, ranking: Ranking = Ranking(),
                 posting_cache_bytes: int = CACHE_BYTES,
                 resident_limit: int | None = RESIDENT_LIMIT) -> None:
        self.ranking = ranking
        self.posting_cache_bytes = posting_cache_bytes
        self.resident_limit = resident_limit        # None: mapped pages are never released
        self.handle = IndexHandle(index_dir, ranking)
        self._postings: dict[str, PostingCache] = {}
        self._lexicons: dict[str, Lexicon] = {}

    # ---- the contract

    def build(self, corpus: str | os.PathLike, *, registry: "OutletRegistry",
              update: bool = False, wait: bool = False, **options) -> "BuildReport":
        """Build the corpus into a new generation (update: only changed files) and switch."""
        from .indexer import build_index
        return build_index(corpus, self.handle.index_dir, registry=registry, update=update,
                           wait=wait, **options)

    def update_articles(self, articles: Iterable["Article"] = (),
                        delete_ids: Iterable[str] = ()) -> "BuildReport":
        """Add or replace articles by id and delete others, in a new generation."""
        from .indexer import update_articles
        return update_articles(self.handle.index_dir, articles, delete_ids)

    def search(self, spec: SearchSpec) -> Outcome:
        """Run one search: matches, facets, the page of hits, the terms to highlight."""
        searcher, columns, generation = self.handle.searcher()
        notes: list[str] = []
        budget = Budget(spec.deadline)
        query = self._query(searcher, generation, spec.tree, notes)
        if spec.tree is not None and query is None:
            # Words, but none that is indexed (stop words): nothing matches, where no
            # query at all lists the archive.
            notes.append(TOO_COMMON_NOTE)
        if spec.match_nothing or (spec.tree is not None and query is None):
            matched = Matches.empty()
        else:
            matched = self._matching(searcher, columns, generation, query, spec.filters,
                                     budget)
        tree_matches = int(matched.docs.size)
        with_all = None     # the articles having every word, when others follow them
        if (spec.fallback is not None and matched.docs.size < spec.fallback_below
                and not budget.over()):
            fallback = self._query(searcher, generation, spec.fallback, [])
            found = (Matches.empty() if fallback is None else
                     self._matching(searcher, columns, generation, fallback, spec.filters,
                                    budget))
            if found.docs.size > matched.docs.size:
                with_all = matched.docs
                query, matched = fallback, found

        marked = query          # snippets mark the words searched for as typed
        if (spec.feedback and spec.sort == "relevance" and matched.scores is not None
                and matched.docs.size >= max(1, self.ranking.feedback_min_matches)
                and not budget.over()):
            query, matched = self._with_feedback(searcher, columns, generation, query,
                                                 matched, spec.filters, notes)

        filters = spec.filters
        if filters.outlets or filters.years or filters.authors or filters.topics:
            passes = self._facet_masks(columns, matched.docs, spec.filters)
            selected = matched.select(np.logical_and.reduce(list(passes.values())))
        else:       # no facet filter: every match passes each (most searches)
            passes, selected = None, matched

        def others(name: str) -> np.ndarray:
            """The matched docs passing every facet filter but the named one's."""
            if passes is None:
                return matched.docs
            rest = [ok for other, ok in passes.items() if other != name]
            return matched.docs[np.logical_and.reduce(rest)]
        facets = {"outlet": self._outlet_facet(columns, others("outlet")),
                  "year": self._year_facet(columns, others("year")),
                  "author": columns.authors.counts(others("author"), spec.facet_limit,
                                                   spec.filters.authors),
                  "topic": columns.topics.counts(others("topic"), spec.facet_limit,
                                                 spec.filters.topics)}
        by_month = columns.month_counts(selected.docs)
        articles = selected.docs
        if spec.collapse and columns.clusters is not None:
            selected = selected.select(columns.clusters.representatives(
                selected.docs, preference(spec.sort, selected.scores,
                                          columns.days[selected.docs])))
        total = int(selected.docs.size)
        ahead = None if with_all is None else contains(with_all, selected.docs)
        page_docs, scores = self._page(searcher, columns, query, selected, spec, total, ahead)
        hits = [Found(_fields(stored_fields(searcher, docnum)), score)
                for docnum, score in zip(page_docs, scores)]
        if spec.collapse and columns.clusters is not None:
            for docnum, hit in zip(page_docs, hits):
                copies = columns.clusters.copies(docnum, articles)
                copies.sort(key=lambda doc: (columns.days[doc] < 0, columns.days[doc], doc))
                hit.copy_count = len(copies)
                hit.copies = [{name: stored_fields(searcher, doc).get(name)
                               for name in COPY_FIELDS} for doc in copies[:MAX_COPIES]]
        self._bound_mapped_pages()
        return Outcome(total=total, hits=hits, facets=facets, months=by_month,
                       highlight=query_terms(marked, searcher.reader()),
                       generation=generation,
                       all_words=None if ahead is None else int(ahead.sum()),
                       tree_matches=tree_matches, notes=notes, partial=budget.exceeded,
                       articles=int(articles.size) if spec.collapse else None)

    def count(self, tree: t.Node | None, filters: Filters = Filters()) -> int:
        """Return how many articles match a tree and the day range of the filters."""
        searcher, columns, generation = self.handle.searcher()
        query = self._query(searcher, generation, tree, [])
        return int(self._matching(searcher, columns, generation, query, filters).docs.size)

    def article(self, article_id: str) -> dict | None:
        """Return the stored fields of one article (with its body), or None."""
        searcher, _, generation = self.handle.searcher()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            return None
        return {**_fields(stored_fields(searcher, docnum)), "generation": generation}

    def period_counts(self, tree: t.Node | None, filters: Filters, interval: str,
                      by_outlet: bool = False) -> PeriodCounts:
        """Count matching articles and all articles per period (per outlet if asked)."""
        searcher, columns, generation = self.handle.searcher()
        query = self._query(searcher, generation, tree, [])

        def filtered(query_or_none, nothing: bool = False) -> np.ndarray:
            if nothing:
                return np.empty(0, dtype=np.int64)
            matches = self._matching(searcher, columns, generation, query_or_none, filters)
            passes = self._facet_masks(columns, matches.docs, filters)
            return matches.docs[np.logical_and.reduce(list(passes.values()))]

        # Words, none of them indexed (stop words), match nothing, as in search().
        matched = filtered(query, nothing=tree is not None and query is None)
        everything = filtered(None)
        outlets = columns.outlet_codes if by_outlet else None

        def counts(docs: np.ndarray) -> dict[tuple[str, str | None], int]:
            return count_periods(columns.days[docs],
                                 None if outlets is None else outlets[docs],
                                 columns.outlet_labels, interval)

        return PeriodCounts(matches=counts(matched), articles=counts(everything),
                            unknown_date=int((columns.days[matched] < 0).sum()),
                            total=int(matched.size))

    def similar(self, article_id: str, limit: int = 5) -> list[Found]:
        """Return the articles most similar to one article (other coverage of the story).

        Whoosh's more_like(): the article's 25 key words (Bo1) as an OR, the article itself
        left out; matched and scored on the posting arrays (Whoosh's own matchers took
        about 0.3-1 s a call on the news index).
        """
        searcher, columns, generation = self.handle.searcher()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            return []
        key_terms = searcher.key_terms([docnum], "body", numterms=25)
        if not key_terms:
            return []
        query = wq.Or([wq.Term("body", word, boost=weight) for word, weight in key_terms])
        matches = self._matching(searcher, columns, generation, query, Filters())
        others = matches.select(matches.docs != docnum)
        if others.scores is None:       # not matched on the posting arrays: Whoosh's own way
            return [Found(_fields(hit.fields()), round(float(hit.score), 4))
                    for hit in searcher.search(query, limit=limit, mask={docnum})]
        best = top_ranked(others.docs, others.scores, limit)
        return [Found(_fields(stored_fields(searcher, int(others.docs[i]))),
                      round(float(others.scores[i]), 4)) for i in best]

    def highlight_terms(self, tree: t.Node | None) -> QueryTerms:
        """Return the analysed terms and phrases a tree looks for (not those it excludes)."""
        searcher, _, generation = self.handle.searcher()
        return query_terms(self._query(searcher, generation, tree, []), searcher.reader())

    def document_frequency(self, word: str) -> int:
        """Return how many articles' bodies hold a word (after analysis)."""
        searcher, _, _ = self.handle.searcher()
        term = analyze_word(word)
        return searcher.doc_frequency("body", term) if term else 0

    def suggest_word(self, word: str, maxdist: int) -> str | None:
        """Return a word as articles write it, within maxdist edits of ``word``, of the stem
        most articles use (see ``spelling.suggest_surface``), if any."""
        searcher, _, generation = self.handle.searcher()
        return suggest_surface(searcher, self._lexicon(searcher, generation), word, maxdist,
                               lambda docnum: stored_fields(searcher, docnum).get("body", ""))

    def info(self) -> dict:
        """Return the served generation, its document count and when it was built."""
        return self.handle.info()

    def warm(self, frequent_terms: int = 200, seconds: float = WARM_SECONDS) -> dict:
        """Load what the first searches would otherwise pay for, and return what was loaded.

        Opens the current generation, reads its facet columns, field lengths and spelling
        lexicon, and decodes the postings of the most frequent title and body terms (the
        slowest to read cold) while the posting cache has room, for at most `seconds` (a
        large index has more frequent postings than the cache holds, and gunicorn stops a
        worker that takes over its timeout to start). A server calls this once per worker
        before taking requests.
        """
        started = time.perf_counter()
        deadline = started + seconds
        searcher, columns, generation = self.handle.searcher()
        cache = self._posting_cache(columns, generation)
        self._lexicon(searcher, generation)
        terms = 0
        for fieldname in TEXT_FIELDS:
            cache.length_norms(searcher, fieldname)
            for text in most_frequent_terms(searcher, cache, fieldname, frequent_terms, deadline):
                if cache.full or time.perf_counter() >= deadline:
                    break
                cache.term(searcher, fieldname, text.decode("utf-8")
                           if isinstance(text, bytes) else text)
                terms += 1
        self._bound_mapped_pages()
        return {"generation": generation, "terms": terms,
                "seconds": round(time.perf_counter() - started, 2)}

    def _bound_mapped_pages(self) -> None:
        """Give memory back once the process holds more than its limit (memorylimit.py)."""
        bound_memory(self.resident_limit, self._postings.values(), self.posting_cache_bytes,
                     self.handle.article_count())

    # ---- queries

    def _query(self, searcher: Searcher, generation: str, tree: t.Node | None,
               notes: list[str]) -> wq.Query | None:
        """Return a tree as a Whoosh query, prefix, wildcard and fuzzy words bounded."""
        query = to_whoosh(tree, searcher.schema, self.ranking.title_weight)
        # The spelling lexicon (a second to build on a large index) only if a fuzzy word
        # needs it: a plain search from the command line should not pay for it.
        expansion = expand_multiterms(query, searcher.reader(),
                                      LazyLexicon(lambda: self._lexicon(searcher, generation)),
                                      TEXT_FIELDS)
        notes.extend(expansion.notes)
        return expansion.query

    def _posting_cache(self, columns: FacetColumns, generation: str) -> PostingCache:
        """Return the decoded postings of a generation (a new, empty cache for a new one)."""
        cache = self._postings.get(generation)
        if cache is None:
            cache = PostingCache(columns.live, budget=self.posting_cache_bytes,
                                 arrays_dir=Path(self.handle.index_dir) / generation)
            cache.before_read = self._bound_mapped_pages
            self._postings = {generation: cache}
        return cache

    def _lexicon(self, searcher: Searcher, generation: str) -> Lexicon:
        """Return the body terms of a generation for spelling suggestions (built once)."""
        lexicon = self._lexicons.get(generation)
        if lexicon is None:
            lexicon = Lexicon(searcher.reader(), "body")
            self._lexicons = {generation: lexicon}
        return lexicon

    def _with_feedback(self, searcher: Searcher, columns: FacetColumns, generation: str,
                       query: wq.Query, matched: Matches, filters: Filters,
                       notes: list[str]) -> tuple[wq.Query, Matches]:
        """Re-rank a description's matches with the words its best matches share (RM3).

        The same articles match; only their order changes (see feedback.py).
        """
        ranking = self.ranking
        best = top_ranked(matched.docs, matched.scores, ranking.feedback_docs)
        terms = feedback_terms(searcher, [int(matched.docs[i]) for i in best],
                               [float(matched.scores[i]) for i in best], ranking.feedback_terms)
        if not terms:
            return query, matched
        expanded_q = expanded_query(query, terms, ranking.original_weight)
        expanded = self._matching(searcher, columns, generation, expanded_q, filters)
        if expanded.scores is None:
            return query, matched
        notes.append(FEEDBACK_NOTE)
        return expanded_q, expanded.select(contains(matched.docs, expanded.docs))

    # ---- matching and facets

    def _matching(self, searcher: Searcher, columns: FacetColumns, generation: str,
                  query: wq.Query | None, filters: Filters,
                  budget: Budget | None = None) -> Matches:
        """Return the docs matching the query and the date range (not the facets), sorted.

        Past the budget's deadline, matching stops where it is (see Budget).
        """
        budget = budget or Budget()
        if query is None:
            matches = Matches(np.flatnonzero(columns.live).astype(np.int64), None)
        else:
            matches = None
            if QueryEvaluator.usable(searcher):
                evaluator = QueryEvaluator(self._posting_cache(columns, generation), searcher,
                                           budget, columns)
                try:
                    matches = evaluator.evaluate(query)
                except Unsupported:
                    matches = None
            if matches is None:
                found = []
                for docnum in searcher.docs_for_query(query):   # Whoosh's own matching
                    found.append(docnum)
                    if len(found) % 4096 == 0 and budget.over():
                        break
                docs = np.array(found, dtype=np.int64)
                docs.sort()
                matches = Matches(docs, None)
        if filters.date_from or filters.date_to:
            epoch = dt.date(1, 1, 1)
            low = (filters.date_from - epoch).days if filters.date_from else 0
            high = ((filters.date_to - epoch).days if filters.date_to
                    else np.iinfo(np.int64).max)
            days = columns.days[matches.docs]
            matches = matches.select((days >= low) & (days <= high))
        return matches

    @staticmethod
    def _facet_masks(columns: FacetColumns, matched: np.ndarray,
                     filters: Filters) -> dict[str, np.ndarray]:
        """Return, per facet, whether each matched doc passes that facet's filter."""
        outlet_ok = np.ones(matched.size, dtype=bool)
        if filters.outlets:
            outlets = set(filters.outlets)
            wanted = [code for code, label in enumerate(columns.outlet_labels)
                      if label in outlets]
            outlet_ok = np.isin(columns.outlet_codes[matched], wanted)
        year_ok = np.ones(matched.size, dtype=bool)
        if filters.years:
            wanted_years = [UNKNOWN_YEAR if y == UNKNOWN else int(y) for y in filters.years]
            year_ok = np.isin(columns.years[matched], wanted_years)
        passes = {"outlet": outlet_ok, "year": year_ok}
        for name, values, column in (("author", filters.authors, columns.authors),
                                     ("topic", filters.topics, columns.topics)):
            passes[name] = (column.having(matched, values) if values
                            else np.ones(matched.size, dtype=bool))
        return passes

    @staticmethod
    def _outlet_facet(columns: FacetColumns, docs: np.ndarray) -> list[tuple[str, int]]:
        """Return outlet counts, largest first then by name ("unknown" last among equals)."""
        counts = np.bincount(columns.outlet_codes[docs], minlength=len(columns.outlet_labels))
        codes = np.flatnonzero(counts)
        codes = codes[np.lexsort((columns.outlet_rank[codes], -counts[codes]))]
        labels = columns.outlet_labels
        return [(labels[code], count)
                for code, count in zip(codes.tolist(), counts[codes].tolist())]

    @staticmethod
    def _year_facet(columns: FacetColumns, docs: np.ndarray) -> list[tuple[str, int]]:
        """Return year counts in year order, 'unknown' last."""
        years, counts = columns.year_counts(docs)
        values = [(UNKNOWN if year == UNKNOWN_YEAR else str(year), count)
                  for year, count in zip(years.tolist(), counts.tolist())]
        return sorted(values, key=lambda item: (item[0] == UNKNOWN, item[0]))

    # ---- ranking and paging

    @staticmethod
    def _page(searcher: Searcher, columns: FacetColumns, query: wq.Query | None,
              matches: Matches, spec: SearchSpec, total: int,
              ahead: np.ndarray | None = None) -> tuple[list[int], list[float | None]]:
        """Return the docnums and scores of the requested page, in order.

        By relevance, the matches where ahead (aligned with them) is true come first.
        """
        first = spec.offset
        if first >= total:
            return [], []
        last = min(first + spec.limit, total)
        docs = matches.docs
        if spec.sort == "relevance" and query is not None and matches.scores is not None:
            keys = matches.scores
            if ahead is not None and ahead.any():
                keys = np.where(ahead, keys + keys.max() + 1.0, keys)
            ranked = top_ranked(docs, keys, last)[first:last]
            return ([int(docs[i]) for i in ranked],
                    [round(float(matches.scores[i]), 4) for i in ranked])
        if spec.sort == "relevance" and query is not None:
            allowed = None if docs.size == searcher.doc_count() else set(docs.tolist())
            results = searcher.search(query, limit=last, filter=allowed)
            ranked = [(hit.docnum, hit.score) for hit in results][first:last]
            return [d for d, _ in ranked], [round(float(s), 4) for _, s in ranked]
        days = columns.days[docs].astype(np.int64)    # to hold the undated sentinel
        if spec.sort == "oldest":
            key = np.where(days < 0, np.iinfo(np.int64).max, days)
        else:   # newest, and relevance without a query: newest first
            key = np.where(days < 0, np.iinfo(np.int64).max, -days)
        order = np.lexsort((docs, key))[first:last]
        return [int(d) for d in docs[order]], [None] * len(order)


class LazyLexicon:
    """A spelling lexicon built on first use (by the function given), then shared."""

    def __init__(self, make) -> None:
        self._make = make
        self._lexicon: Lexicon | None = None

    def __getattr__(self, name: str):
        if self._lexicon is None:
            self._lexicon = self._make()
        return getattr(self._lexicon, name)


def _fields(stored: dict) -> dict:
    """Return stored fields as the contract gives them: an unknown year is None."""
    if stored.get("year") == UNKNOWN_YEAR:
        stored = {**stored, "year": None}
    return stored


def top_ranked(docs: np.ndarray, scores: np.ndarray, count: int) -> np.ndarray:
    """Return the indexes of the `count` best scores, best first, ties by lower docnum.

    This is Whoosh's collector order; only the candidates at or above the count-th best
    score are sorted.
    """
    if count < scores.size:
        threshold = np.partition(scores, scores.size - count)[scores.size - count]
        candidates = np.flatnonzero(scores >= threshold)
    else:
        candidates = np.arange(scores.size)
    order = np.lexsort((docs[candidates], -scores[candidates]))
    return candidates[order[:count]]

