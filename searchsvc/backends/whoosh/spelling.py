"""Spelling suggestions: Whoosh's reader corrector, computed over a term list in numpy.

Whoosh's ``ReaderCorrector.suggest(word, limit=1, maxdist, prefix=1)`` walks a Levenshtein
automaton over the term dictionary in Python, which takes a few hundred milliseconds on a
news archive's vocabulary. :class:`Lexicon` holds a field's terms once per index
generation, bucketed by first character and length as arrays of code points, and computes
the edit distance to every term of the right buckets at once, then ranks as Whoosh does.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np


class Lexicon:
    """A field's terms, bucketed by (first character, length), as code-point matrices."""

    def __init__(self, reader, fieldname: str) -> None:
        self.reader = reader
        self.fieldname = fieldname
        field = reader.schema[fieldname]
        self.spelling_field = field.spelling_fieldname(fieldname)
        buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for btext in reader.lexicon(self.spelling_field):
            term = field.from_bytes(btext)
            if term:
                buckets[(term[0], len(term))].append(term)
        self.buckets: dict[tuple[str, int], tuple[list[str], np.ndarray]] = {}
        for (first, length), terms in buckets.items():
            codes = np.frombuffer("".join(terms).encode("utf-32-le"), dtype=np.uint32)
            self.buckets[(first, length)] = (terms, codes.reshape(len(terms), length))

    def within(self, word: str, maxdist: int) -> list[str]:
        """Return the terms starting with word's first character within maxdist edits of it.

        The distance is Levenshtein's (insert, delete, substitute), as Whoosh's automaton
        on a one-segment index; on several segments Whoosh compares term by term with
        Damerau-Levenshtein (transpositions count one), and so does this.
        """
        transpositions = not self.reader.is_atomic()
        if not word:
            return []
        rest = np.frombuffer(word[1:].encode("utf-32-le"), dtype=np.uint32)
        found: list[str] = []
        for length in range(max(1, len(word) - maxdist), len(word) + maxdist + 1):
            bucket = self.buckets.get((word[0], length))
            if bucket is None:
                continue
            terms, codes = bucket
            distances = _distances(rest, codes[:, 1:], transpositions)
            found.extend(terms[i] for i in np.flatnonzero(distances <= maxdist))
        return found

    def suggest(self, word: str, maxdist: int) -> str | None:
        """Return Whoosh's ``ReaderCorrector.suggest(word, limit=1, maxdist, prefix=1)[0]``."""
        best = None
        for term in self.within(word, maxdist):
            frequency = self.reader.frequency(self.fieldname, term) or 1
            # ReaderCorrector's score (higher is better); its one-item heap keeps the
            # greatest (score, term) tuple.
            item = (0 - (maxdist + (1.0 / frequency * 0.5)), term)
            if best is None or item > best:
                best = item
        return None if best is None else best[1]


def _distances(word: np.ndarray, terms: np.ndarray, transpositions: bool = False) -> np.ndarray:
    """Return the edit distance from word to each row of terms (all of one length)."""
    count, width = terms.shape
    steps = np.arange(width + 1)
    row = np.broadcast_to(steps, (count, width + 1))
    before = None
    for index, code in enumerate(word, start=1):
        substitute = row[:, :-1] + (terms != code)
        best = np.minimum(row[:, 1:] + 1, substitute)
        if transpositions and before is not None and width >= 2:
            previous = word[index - 2]
            swapped = ((terms[:, :-1] == code) & (terms[:, 1:] == previous)
                       & (terms[:, 1:] != code))
            best[:, 1:] = np.where(swapped, np.minimum(best[:, 1:], before[:, :-2] + 1),
                                   best[:, 1:])
        current = np.concatenate([np.full((count, 1), index), best], axis=1)
        # Insertions along the row: current[j] = min over k <= j of current[k] + (j - k).
        before, row = row, np.minimum.accumulate(current - steps, axis=1) + steps
    return row[:, width]
