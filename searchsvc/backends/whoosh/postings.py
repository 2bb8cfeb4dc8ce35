"""Posting lists as numpy arrays: matching and BM25F scoring of simple queries without Whoosh's
per-document Python loop.

Whoosh walks every matching document one by one in Python; a common word matches most of a
news archive, so a single search costs tens of milliseconds before any ranking. Here each
term's postings are read once per index generation into arrays (document numbers and BM25F
scores), kept in an LRU cache bounded in bytes, and queries built from terms, exact phrases,
And, Or, Not and AndNot are answered with sorted-array set operations. A phrase reads its
words' positions only in the documents holding all of them (positions.py) and caches its
own documents and scores, not the positions.

The result is the same as Whoosh's: the same documents, and the same scores (each term's
BM25F score is computed with Whoosh's formula, statistics and encoded field lengths; a
compound query's score is the sum of its parts, a Not part scores 1 as Whoosh's inverse
matcher does). Anything else (wildcards, fuzzy terms, ranges, sloppy phrases, other
weightings) is reported as unsupported, and the caller uses Whoosh.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from whoosh import query as wq
from whoosh.formats import Positions
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from .arraycache import cached_arrays
from .budget import Budget
from .columnranges import range_docs
from .handle import BM25
from .phrases import WrittenAs, holding
from .postingarrays import SegmentArrays, places_in
from .positions import POSITION_BITS, contains, read_positions, read_postings, sloppy_starts

# Bytes of decoded postings a worker keeps (16 a posting: docnum and score). Each serving
# process has its own cache; a miss costs a few nanoseconds a posting read from the posting
# arrays (postingarrays.py), about a microsecond one read from Whoosh's blocks.
CACHE_BYTES = 64 * 2 ** 20
DENSE_OR_FRACTION = 16         # OR into a per-document array beyond 1/16 of the index
OUTSIDE_FRACTION = 8           # small OR large merged in place if 1/8 of large at most


class Unsupported(Exception):
    """The query has a part this module does not evaluate; use Whoosh for it."""


@dataclass
class Matches:
    """Documents matching a query (sorted global docnums) and their scores, aligned."""

    docs: np.ndarray             # int64, sorted, unique
    scores: np.ndarray | None    # float64; None where Whoosh did the matching (no scores)

    def select(self, mask: np.ndarray) -> "Matches":
        """Return the matches where mask (aligned with docs) is true."""
        return Matches(self.docs[mask], None if self.scores is None else self.scores[mask])

    @classmethod
    def empty(cls) -> "Matches":
        return cls(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))


@dataclass
class TermPostings:
    """One term's (or phrase's) live postings in one field, with their BM25F scores."""

    docs: np.ndarray             # int64 global docnums, sorted
    scores: np.ndarray           # float64, Whoosh's BM25F score of the term in each doc

    @property
    def size(self) -> int:
        """Return the bytes the arrays hold."""
        return int(self.docs.nbytes + self.scores.nbytes)


class PostingCache:
    """Decoded postings of one index generation, least recently used dropped first."""

    def __init__(self, live: np.ndarray, budget: int = CACHE_BYTES,
                 arrays_dir: Path | None = None) -> None:
        self.live = live
        self.arrays_dir = arrays_dir      # where field lengths are saved (arraycache)
        self.budget = budget
        self._entries: OrderedDict[tuple, TermPostings] = OrderedDict()
        self._held = 0
        self._dropped = False       # whether anything was dropped to stay in the budget
        self._norms: dict[str, np.ndarray] = {}
        self._segment_arrays: dict[str, SegmentArrays | None] = {}
        self._lock = threading.Lock()
        # Called before each term's arrays are read: the owner's bound on mapped pages.
        self.before_read: Callable[[], None] = lambda: None

    # ---- per-field document lengths

    def field_lengths(self, searcher: Searcher, fieldname: str) -> np.ndarray:
        """Return every document's encoded length of a field, as Whoosh's scorer reads it."""
        count = searcher.doc_count_all()
        reader = searcher.reader()

        def compute() -> dict[str, np.ndarray]:
            return {"lengths": np.fromiter((reader.doc_field_length(n, fieldname, 1) or 0
                                            for n in range(count)),
                                           dtype=np.float64, count=count)}

        return cached_arrays(self.arrays_dir, f"lengths-{fieldname}", compute)["lengths"]

    def length_norms(self, searcher: Searcher, fieldname: str) -> np.ndarray:
        """Return every document's part of BM25F's denominator that its length decides."""
        norms = self._norms.get(fieldname)
        if norms is None:
            # Kept instead of the lengths (the same bytes): a term read cold then gathers
            # one value a posting instead of redoing four operations on each.
            weighting = searcher.weighting
            b = weighting._field_B.get(fieldname, weighting.B)
            avgfl = searcher.avg_field_length(fieldname) or 1
            lengths = self.field_lengths(searcher, fieldname)
            # whoosh.scoring.bm25's K1 * ((1 - B) + B * fl / avgfl), operation for operation
            norms = weighting.K1 * ((1 - b) + b * lengths / avgfl)
            self._norms[fieldname] = norms
        return norms

    def arrays_of(self, reader) -> SegmentArrays | None:
        """Return a leaf reader's segment's posting arrays (mapped once), None without them."""
        segment = reader.segment() if self.arrays_dir is not None else None
        if segment is None:
            return None
        segment_id = segment.segment_id()
        if segment_id not in self._segment_arrays:
            self._segment_arrays[segment_id] = SegmentArrays.open(self.arrays_dir, segment_id)
        return self._segment_arrays[segment_id]

    def release_mapped(self) -> None:
        """Drop the posting arrays' pages read so far from this process (see residency)."""
        for arrays in list(self._segment_arrays.values()):
            if arrays is not None:
                arrays.release()

    # ---- terms

    @property
    def full(self) -> bool:
        """Tell whether the cache holds its budget of bytes or has had to drop postings."""
        return self._dropped or self._held >= self.budget

    def term(self, searcher: Searcher, fieldname: str, text: str) -> TermPostings:
        """Return a term's live postings and scores, cached."""
        return self.cached((fieldname, text), lambda: self._load(searcher, fieldname, text))

    def cached(self, key: tuple, load: Callable[[], TermPostings]) -> TermPostings:
        """Return the postings cached under key, else load() them and cache them."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
        entry = load()
        self._store(key, entry)
        return entry

    def _load(self, searcher: Searcher, fieldname: str, text: str) -> TermPostings:
        self.before_read()
        docs, weights, _, frequency = read_postings(searcher, fieldname, text,
                                                    arrays=self.arrays_of)
        scores = self._scores(searcher, fieldname, text, docs, weights, frequency)
        keep = self.live[docs] if docs.size else np.empty(0, dtype=bool)
        if not keep.all():
            docs, scores = docs[keep], scores[keep]
        return TermPostings(docs, scores)

    def _scores(self, searcher: Searcher, fieldname: str, text: str, docs: np.ndarray,
                weights: np.ndarray, doc_frequency: int) -> np.ndarray:
        """Return Whoosh's BM25F score of the term for each posting, operation for operation."""
        if not docs.size:
            return np.empty(0, dtype=np.float64)
        weighting = searcher.weighting
        k1 = weighting.K1
        # Our BM25's idf from the frequency just read (as its idf() computes it); another
        # weighting's idf looks the term up again in every segment.
        idf = (weighting.idf_of(doc_frequency, searcher.doc_count_all())
               if isinstance(weighting, BM25) else searcher.idf(fieldname, text))
        norms = self.length_norms(searcher, fieldname)[docs]
        # whoosh.scoring.bm25: idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
        return idf * ((weights * (k1 + 1)) / (weights + norms))

    def shrink(self, floor: int) -> None:
        """Halve the budget (not below floor bytes), dropping the least recently used."""
        with self._lock:
            self.budget = max(floor, self.budget // 2)
            self._evict()

    def _store(self, key: tuple[str, str], entry: TermPostings) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._held -= old.size
            self._entries[key] = entry
            self._held += entry.size
            self._evict()

    def _evict(self) -> None:
        while self._held > self.budget and len(self._entries) > 1:
            _, dropped = self._entries.popitem(last=False)
            self._held -= dropped.size
            self._dropped = True


class QueryEvaluator:
    """Evaluates simple query trees over a generation's posting cache."""

    def __init__(self, cache: PostingCache, searcher: Searcher,
                 budget: Budget | None = None, columns=None) -> None:
        self.cache = cache
        self.searcher = searcher
        self.schema = searcher.schema
        self.budget = budget or Budget()
        self.columns = columns   # the generation's FacetColumns: year and date ranges

    @staticmethod
    def usable(searcher: Searcher) -> bool:
        """Return True if the searcher's weighting is one whose scores this module reproduces.

        That is BM25F's scorer; a subclass may change the idf, which is read through the
        searcher (``searcher.idf``) like Whoosh's own scorer does.
        """
        weighting = searcher.weighting
        return isinstance(weighting, BM25F) and type(weighting).scorer is BM25F.scorer

    def evaluate(self, node: wq.Query) -> Matches:
        """Return the documents matching a query and their Whoosh scores; raise Unsupported."""
        kind = type(node)
        if kind is wq.Term:
            return self._term(node)
        if kind is wq.Phrase:
            return self._phrase(node)
        if kind is wq.And:
            return self._boosted(self._and([self.evaluate(child) for child in node.subqueries]),
                                 node.boost)
        if kind is wq.Or:
            if node.scale or node.minmatch:
                raise Unsupported("Or with a coordination scale or minimum match")
            parts = []
            for child in node.subqueries:
                # Past the time budget the alternatives not yet read are left out: fewer
                # matches (marked partial), where an And cut short would match too many.
                if parts and self.budget.over():
                    break
                parts.append(self.evaluate(child))
            return self._boosted(self._or(parts), node.boost)
        if kind is wq.DisjunctionMax:
            parts = [self.evaluate(child) for child in node.subqueries]
            return self._boosted(self._max(parts, node.tiebreak), node.boost)
        if kind is wq.Not:
            return self._boosted(self._not(self.evaluate(node.query)), node.boost)
        if kind is wq.AndNot:
            positive, negative = self.evaluate(node.a), self.evaluate(node.b)
            keep = ~contains(negative.docs, positive.docs)
            return Matches(positive.docs[keep], positive.scores[keep])
        if kind is wq.NumericRange or kind is wq.DateRange:
            return self._range(node)
        if kind is WrittenAs:
            found = self.evaluate(node.child)
            return found.select(holding(found.docs, node.check, self.searcher, self.budget.over))
        raise Unsupported(kind.__name__)

    def _range(self, node: wq.NumericRange) -> Matches:
        """Match a year or date range on the facet columns, scored as Whoosh does (boost)."""
        if self.columns is None:
            raise Unsupported("range without the generation's columns")
        docs = range_docs(node, self.columns, self.cache.live)
        if docs is None:
            raise Unsupported(f"range on {node.fieldname}")
        return Matches(docs, np.full(docs.size, float(node.boost)))

    # ---- leaves

    def _text_field(self, fieldname: str) -> None:
        field = self.schema[fieldname] if fieldname in self.schema else None
        if field is None or not field.scorable or not isinstance(field.format, Positions):
            raise Unsupported(f"field {fieldname!r}")

    def _term(self, node: wq.Term) -> Matches:
        if node.fieldname not in self.schema:
            return Matches.empty()
        self._text_field(node.fieldname)
        if not isinstance(node.text, str):
            raise Unsupported("non-text term")
        postings = self.cache.term(self.searcher, node.fieldname, node.text)
        return self._boosted(Matches(postings.docs, postings.scores), node.boost)

    def _phrase(self, node: wq.Phrase) -> Matches:
        if node.fieldname not in self.schema:
            return Matches.empty()
        self._text_field(node.fieldname)
        words = tuple(node.words)
        if not words:
            return Matches.empty()
        # The phrase's documents and scores are cached like a term's: its words' positions
        # are read for this phrase only, in the documents holding every word.
        found = self.cache.cached(("phrase", node.fieldname, node.slop, words),
                                  lambda: self._phrase_postings(node.fieldname, words, node.slop))
        return self._boosted(Matches(found.docs, found.scores), node.boost)

    def _phrase_postings(self, fieldname: str, words: tuple[str, ...],
                         slop: int) -> TermPostings:
        nothing = TermPostings(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))
        # A word missing from the index has no postings (cached like any other term).
        terms = [self.cache.term(self.searcher, fieldname, word) for word in words]
        if any(not term.docs.size for term in terms):
            return nothing
        # Only documents holding every word can hold the phrase (the rarest word first).
        by_size = sorted(terms, key=lambda term: term.docs.size)
        common = by_size[0].docs
        for term in by_size[1:]:
            common = common[contains(term.docs, common)]
        if not common.size:
            return nothing
        if slop == 1:
            starts = self._exact_phrase_starts(fieldname, words, terms, common)
            if not starts.size:
                return nothing
        else:
            positions = []
            for word in words:
                self.cache.before_read()
                positions.append(read_positions(self.searcher, fieldname, word, common,
                                                self.cache.arrays_of))
            starts = sloppy_starts(positions[0], positions[1:], slop)
            if not starts.size:
                return nothing
            starts.sort()
        docs = starts >> POSITION_BITS           # sorted: keep the first of each run
        docs = docs[np.concatenate(([True], docs[1:] != docs[:-1]))]
        # Whoosh scores a phrase as the intersection of its terms: the sum of their scores.
        total = np.zeros(docs.size)
        for term in terms:
            total = total + term.scores[places_in(term.docs, docs)[1]]
        return TermPostings(docs, total)

    def _exact_phrase_starts(self, fieldname: str, words: tuple[str, ...],
                             terms: list[TermPostings], common: np.ndarray) -> np.ndarray:
        """Return the sorted position keys p where word i of the phrase is at p + i for
        every i, reading the words' positions rarest first (by documents held).

        Each word's positions are read only in the documents where the phrase can still
        start: a common word's positions in a few documents, not in every one holding
        all the words (1.4 million positions of "trump" read for 75 thousand kept).
        """
        within = (1 << POSITION_BITS) - 1
        starts = None
        for offset in sorted(range(len(words)), key=lambda at: terms[at].docs.size):
            self.cache.before_read()
            keys = read_positions(self.searcher, fieldname, words[offset], common,
                                  self.cache.arrays_of)
            if starts is None:      # the phrase starts `offset` words before this word
                starts = keys[(keys & within) >= offset] - offset
            else:
                starts = starts[contains(keys, starts + offset)]
            if not starts.size:
                break
            docs = starts >> POSITION_BITS
            common = docs[np.concatenate(([True], docs[1:] != docs[:-1]))]
        return starts

    # ---- combinations

    @staticmethod
    def _boosted(matches: Matches, boost: float) -> Matches:
        return matches if boost == 1.0 else Matches(matches.docs, matches.scores * boost)

    @staticmethod
    def _and(parts: list[Matches]) -> Matches:
        parts = sorted(parts, key=lambda part: part.docs.size)
        docs, scores = parts[0].docs, parts[0].scores
        for part in parts[1:]:
            # Look the smaller list up in the larger (both sorted), no sorting.
            found, places = places_in(part.docs, docs)
            docs = docs[found]
            scores = scores[found] + part.scores[places[found]]
        return Matches(docs, scores)

    def _or(self, parts: list[Matches]) -> Matches:
        parts = [part for part in parts if part.docs.size]
        if not parts:
            return Matches.empty()
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            within = self._or_within(*sorted(parts, key=lambda part: part.docs.size))
            if within is not None:
                return within
        size = sum(part.docs.size for part in parts)
        if size * DENSE_OR_FRACTION < self.cache.live.size:
            docs = np.concatenate([part.docs for part in parts])
            scores = np.concatenate([part.scores for part in parts])
            unique, inverse = np.unique(docs, return_inverse=True)
            return Matches(unique, np.bincount(inverse, weights=scores, minlength=unique.size))
        # Many postings: add the parts into one score per document of the index (each part
        # holds a document once, and the additions run in the same order as above).
        total = np.zeros(self.cache.live.size)
        present = np.zeros(self.cache.live.size, dtype=bool)
        for part in parts:
            total[part.docs] += part.scores
            present[part.docs] = True
        docs = np.flatnonzero(present)
        return Matches(docs, total[docs])

    @staticmethod
    def _max(parts: list[Matches], tiebreak: float) -> Matches:
        """Return the union, each document scored by its best part (plus tiebreak x the rest)."""
        parts = [part for part in parts if part.docs.size]
        if not parts:
            return Matches.empty()
        if len(parts) == 1:
            return parts[0]
        docs = np.concatenate([part.docs for part in parts])
        scores = np.concatenate([part.scores for part in parts])
        unique, inverse = np.unique(docs, return_inverse=True)
        best = np.full(unique.size, -np.inf)
        np.maximum.at(best, inverse, scores)
        if tiebreak:
            total = np.bincount(inverse, weights=scores, minlength=unique.size)
            best = best + tiebreak * (total - best)
        return Matches(unique, best)

    @staticmethod
    def _or_within(small: Matches, large: Matches) -> Matches | None:
        """Return small OR large if few of small's documents are outside large, else None.

        The usual case: a word in the title and in the body, and nearly every body holds its
        headline's words. Adding small's scores at their places in large and inserting the
        few others (np.insert: one pass) gives the same sums as the general paths (a sum of
        two does not depend on order) without a pass over every document of the index.
        """
        inside, places = places_in(large.docs, small.docs)
        outside = ~inside
        if int(outside.sum()) * OUTSIDE_FRACTION > large.docs.size:
            return None
        scores = large.scores.copy()
        scores[places[inside]] += small.scores[inside]
        if not outside.any():
            return Matches(large.docs, scores)
        # Inserted before their places, in small's (ascending) order: still sorted.
        before = np.searchsorted(large.docs, small.docs[outside])
        return Matches(np.insert(large.docs, before, small.docs[outside]),
                       np.insert(scores, before, small.scores[outside]))

    def _not(self, inner: Matches) -> Matches:
        live = self.cache.live.copy()
        live[inner.docs] = False
        docs = np.flatnonzero(live).astype(np.int64)
        return Matches(docs, np.ones(docs.size))
