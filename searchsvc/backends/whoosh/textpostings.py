"""A segment's postings of one analysed text field, held as flat arrays and grouped by term once.

Grouping postings by term as documents arrive (a dict lookup and four appends per posting,
after building a {term: positions} dict per document) was a quarter of a build's CPU. Here
a document adds its tokens' term numbers (analysis.english_term_numbers), stop words
dropped, and their positions to two flat arrays, with C-level extends and no per-token
Python code; when the segment is written, one stable sort by term number groups every
token of a term together, still in document and position order, and numpy finds each
posting (a run of one term in one document) and each term's list.
"""
from __future__ import annotations

from array import array
from typing import Iterator, NamedTuple

import numpy as np

from .analysis import TERM_BYTES

assert array("I").itemsize == 4     # the arrays are read as uint32


class TextPostings:
    """Tokens of one text field in a segment: term number, position and document of each."""

    def __init__(self) -> None:
        self._numbers = array("I")      # each kept token's term number, document after document
        self._positions = array("I")    # its position in its field
        self._docnums = array("I")      # each document with kept tokens...
        self._counts = array("I")       # ...and how many it has
        self._boosts: dict[int, float] = {}    # docnum -> boost, where not 1
        self.tokens = 0

    def add(self, docnum: int, numbers: list[int], boost: float = 1.0) -> int:
        """Add a document's tokens (term numbers, 0 for a stop word); return the field's length.

        Positions follow StopFilter(renumber=True), as english_term_positions() gives them:
        stop words leave no gap, but the first kept token keeps its own position.
        """
        held = self._numbers
        before = len(held)
        held.extend(filter(None, numbers))
        count = len(held) - before
        if count:
            first = 0
            while not numbers[first]:
                first += 1
            self._positions.extend(range(first, first + count))
            self._docnums.append(docnum)
            self._counts.append(count)
            if boost != 1.0:
                self._boosts[docnum] = boost
            self.tokens += count
        return count

    def terms(self, field_boost: float) -> Iterator[tuple[bytes, array, array, np.ndarray,
                                                          np.ndarray]]:
        """Yield (term bytes, docnums, weights, counts, positions) of each term, in term order.

        The held tokens are released (see grouped()).
        """
        grouped = self.grouped(field_boost)
        if grouped is None:
            return
        starts, token_starts = grouped.term_postings, grouped.term_tokens
        for i, tbytes in grouped.order:
            first, last = starts[i], starts[i + 1]
            yield (tbytes,
                   array("I", grouped.posting_docs[first:last].tobytes()),
                   array("f", grouped.weights[first:last].tobytes()),
                   grouped.counts[first:last],
                   grouped.positions[token_starts[i]:token_starts[i + 1]])

    def grouped(self, field_boost: float) -> Grouped | None:
        """Return the held tokens grouped by term (None if there are none), and release them.

        A posting's weight is its count x the field's boost x the document's boost, computed
        in that order in double precision and kept as float32, as the dict path did.
        """
        if not self._numbers:
            return None
        numbers = np.frombuffer(self._numbers, dtype=np.uint32)
        order = np.argsort(numbers, kind="stable")     # keeps document and position order
        numbers = numbers[order]
        docs = np.repeat(np.frombuffer(self._docnums, dtype=np.uint32),
                         np.frombuffer(self._counts, dtype=np.uint32))[order]
        positions = np.frombuffer(self._positions, dtype=np.uint32)[order]
        del order
        self._numbers, self._positions = array("I"), array("I")
        self._docnums, self._counts = array("I"), array("I")
        size = numbers.size
        new_term = np.empty(size, dtype=bool)
        new_term[0] = True
        np.not_equal(numbers[1:], numbers[:-1], out=new_term[1:])
        new_posting = new_term.copy()
        new_posting[1:] |= docs[1:] != docs[:-1]
        starts = np.flatnonzero(new_posting)           # each posting's first token
        del new_posting
        counts = np.diff(starts, append=size)
        posting_docs = docs[starts]
        del docs
        term_tokens = np.flatnonzero(new_term)         # each term's first token
        del new_term
        term_postings = np.searchsorted(starts, term_tokens)   # ... and first posting
        weights = counts.astype(np.float64) * field_boost
        if self._boosts:
            boosts = np.ones(int(posting_docs.max()) + 1)
            for docnum, boost in self._boosts.items():
                boosts[docnum] = boost
            weights *= boosts[posting_docs]
        weights = weights.astype(np.float32)
        term_numbers = numbers[term_tokens].tolist()
        term_tokens = np.append(term_tokens, size).tolist()
        term_postings = np.append(term_postings, starts.size).tolist()
        order = sorted((TERM_BYTES[number], i) for i, number in enumerate(term_numbers))
        return Grouped([(i, tbytes) for tbytes, i in order], posting_docs, weights, counts,
                       positions, term_postings, term_tokens)


class Grouped(NamedTuple):
    """A field's postings grouped by term: term i's postings are term_postings[i] up to
    term_postings[i + 1] of posting_docs, weights and counts, its tokens' positions
    term_tokens[i] up to term_tokens[i + 1] of positions."""

    order: list[tuple[int, bytes]]      # (term index, term bytes), in term bytes order
    posting_docs: np.ndarray
    weights: np.ndarray                 # float32
    counts: np.ndarray
    positions: np.ndarray
    term_postings: list[int]
    term_tokens: list[int]
