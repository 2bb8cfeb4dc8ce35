"""Spelling suggestions: Whoosh's reader corrector, computed over a term list in bulk.

Whoosh's ``ReaderCorrector.suggest(word, limit=1, maxdist, prefix=1)`` walks a Levenshtein
automaton over the term dictionary in Python, which takes a few hundred milliseconds on a
news archive's vocabulary. :class:`Lexicon` holds a field's terms once per index
generation, bucketed by first character and length, and measures the edit distance to every
term of the right buckets in one call (rapidfuzz), then ranks as Whoosh does.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from .analysis import TOKEN_PATTERN, analyze_word


FREQUENCIES_KEPT = 50_000     # terms' article counts a lexicon remembers (~6 MB)


class Lexicon:
    """A field's terms, bucketed by (first character, length), each kept without its first
    character (what the distance is measured on)."""

    def __init__(self, reader, fieldname: str) -> None:
        self.reader = reader
        self.fieldname = fieldname
        field = reader.schema[fieldname]
        self.spelling_field = field.spelling_fieldname(fieldname)
        buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for btext in reader.lexicon(self.spelling_field):
            term = field.from_bytes(btext)
            if term:
                buckets[(term[0], len(term))].append(term[1:])
        self.buckets: dict[tuple[str, int], list[str]] = dict(buckets)
        # Articles holding each term, as looked up (a suggestion ranks a few hundred
        # candidate stems by it, at about 40 µs a lookup), bounded.
        self._frequencies: dict[str, int] = {}

    def within(self, word: str, maxdist: int, length: int | None = None) -> list[str]:
        """Return the terms starting with word's first character within maxdist edits of it
        (only those of the given length, if one is given).

        The distance is Levenshtein's (insert, delete, substitute), as Whoosh's automaton
        on a one-segment index; on several segments Whoosh compares term by term with
        Damerau-Levenshtein (transpositions count one), and so does this (the optimal
        string alignment distance). Either is measured after the shared first character.
        """
        if not word:
            return []
        distance = Levenshtein.distance if self.reader.is_atomic() else OSA.distance
        first, rest = word[0], word[1:]
        found: list[str] = []
        lengths = (range(max(1, len(word) - maxdist), len(word) + maxdist + 1)
                   if length is None else (length,))
        for size in lengths:
            tails = self.buckets.get((first, size))
            if tails is None:
                continue
            distances = process.cdist([rest], tails, scorer=distance, score_cutoff=maxdist,
                                      dtype=np.int32, workers=1)[0]
            found.extend(first + tails[i] for i in np.flatnonzero(distances <= maxdist))
        return found

    def doc_frequency(self, term: str) -> int:
        """Return how many articles hold a term of this field (remembered)."""
        frequency = self._frequencies.get(term)
        if frequency is None:
            if len(self._frequencies) >= FREQUENCIES_KEPT:
                self._frequencies.clear()
            frequency = self._frequencies[term] = self.reader.doc_frequency(self.fieldname,
                                                                            term)
        return frequency

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


# --------------------------------------------------------------------------- surface forms
#
# The lexicon holds stems ("govern", "embassi"): a user types, and should be offered, words
# ("government", "embassy"). A misspelling is also often farther from the stem than from the
# word ("governmnet" is 4 edits from "govern", 2 from "government"). So candidate stems are
# those near the typed word, near its own stem, or near one of its beginnings; each
# candidate's written forms are read from a few articles holding it, and the form nearest the
# typed word wins, within the allowed edits; of forms as near, the one whose stem most
# articles use.

SURFACE_CANDIDATES = 8     # candidate stems whose written forms are read
SURFACE_DOCUMENTS = 3      # articles read for each candidate's written forms
_WORD_RE = re.compile(TOKEN_PATTERN)


def edit_distance(first: str, second: str) -> int:
    """Return the edit distance between two short words, two letters swapped counting one
    ("diplomta" is one edit from "diplomat", as from "diploma")."""
    return OSA.distance(first, second)


def candidate_stems(lexicon: Lexicon, word: str, maxdist: int) -> set[str]:
    """Return the stems near a typed word, near its stem, or near one of its beginnings."""
    found = set(lexicon.within(word, maxdist))
    stemmed = analyze_word(word)
    if stemmed and stemmed != word and " " not in stemmed:
        found.update(lexicon.within(stemmed, maxdist))
    for length in range(4, len(word)):         # "governmnet" begins like "govern"
        found.update(lexicon.within(word[:length], maxdist, length))
    return found


def surface_forms(searcher, fieldname: str, term: str, read_text) -> Counter:
    """Return how often each lowercased written form of a term occurs in a few articles."""
    forms: Counter = Counter()
    # The tokens (TOKEN_PATTERN) whose lowercase begins as the term does: in the lowercased
    # text, a match of the pattern starting there, where no token goes on (after a word
    # character, or a full stop that follows one). Lowercasing keeps tokens as they are
    # unless it changes the text's length (dotted capital I), when every token is read.
    # Two word characters: the pattern begins with them, so the regex engine scans for them,
    # and a match starting inside a token runs to that token's end, which cannot hide a
    # start (_token_starts); a beginning with a full stop ("u." of "u.s") could.
    tail = r"\w*(?:\.?\w+)*"
    by_scan = _WORDS_RE.fullmatch(term[:2]) is not None
    starts = re.compile(re.escape(term[:2]) + tail if by_scan
                        else r"(?<!\w)(?<!\w\.)" + re.escape(term[:2]) + tail)
    # The reader's postings: the searcher's would set up a scorer first, unused here.
    matcher = searcher.reader().postings(fieldname, term)
    for _ in range(SURFACE_DOCUMENTS):
        if not matcher.is_active():
            break
        text = read_text(matcher.id())
        lowered = text.lower()
        if len(lowered) == len(text):
            tokens = _token_starts(starts, lowered) if by_scan else starts.findall(lowered)
        else:
            tokens = [token.lower() for token in _WORD_RE.findall(text)
                      if token.lower()[:2] == term[:2]]
        for token in tokens:
            if analyze_word(token) == term:
                forms[token] += 1
        matcher.next()
    return forms


_WORD_CHAR_RE = re.compile(r"\w")
_WORDS_RE = re.compile(r"\w+")


def _token_starts(pattern: re.Pattern, text: str) -> list[str]:
    """Return the matches of pattern in text that start a token: not after a word
    character, nor after a full stop that follows one (a lookbehind written first would
    make the engine try every position)."""
    found = []
    for match in pattern.finditer(text):
        start = match.start()
        if start and (_WORD_CHAR_RE.match(text, start - 1) or (
                start > 1 and text[start - 1] == "." and _WORD_CHAR_RE.match(text, start - 2))):
            continue
        found.append(match.group())
    return found


def suggest_surface(searcher, lexicon: Lexicon, word: str, maxdist: int,
                    read_text) -> str | None:
    """Return the written word nearest a typed word within maxdist edits (of equals, the one
    whose stem most articles use) among the candidates' forms; None when there is none."""
    fieldname, typed = lexicon.fieldname, word.lower()
    frequency = {term: lexicon.doc_frequency(term)
                 for term in candidate_stems(lexicon, typed, maxdist)}
    stems = sorted(frequency, key=lambda term: (-frequency[term], term))
    best = None
    for term in stems[:SURFACE_CANDIDATES]:
        # One edit is the nearest a form can be, and a rarer stem loses every tie: once a
        # form one edit away is found, a rarer candidate's forms cannot win (nor be read).
        if best is not None and best[0] == 1 and -frequency[term] > best[1]:
            break
        for form, count in surface_forms(searcher, fieldname, term, read_text).items():
            distance = edit_distance(typed, form)
            if 0 < distance <= maxdist:
                near = (distance, -frequency[term], -count, form)
                best = near if best is None else min(best, near)
    return None if best is None else best[3]
