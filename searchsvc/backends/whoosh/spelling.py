"""Spelling suggestions: Whoosh's reader corrector, computed over a term list in numpy.

Whoosh's ``ReaderCorrector.suggest(word, limit=1, maxdist, prefix=1)`` walks a Levenshtein
automaton over the term dictionary in Python, which takes a few hundred milliseconds on a
news archive's vocabulary. :class:`Lexicon` holds a field's terms once per index
generation, bucketed by first character and length as arrays of code points, and computes
the edit distance to every term of the right buckets at once, then ranks as Whoosh does.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict

import numpy as np

from .analysis import TOKEN_PATTERN, analyze_word


FREQUENCIES_KEPT = 50_000     # terms' article counts a lexicon remembers (~6 MB)


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
        # Articles holding each term, as looked up (a suggestion ranks a few hundred
        # candidate stems by it, at about 40 µs a lookup), bounded.
        self._frequencies: dict[str, int] = {}
        for (first, length), terms in buckets.items():
            codes = np.frombuffer("".join(terms).encode("utf-32-le"), dtype=np.uint32)
            self.buckets[(first, length)] = (terms, codes.reshape(len(terms), length))

    def within(self, word: str, maxdist: int, length: int | None = None) -> list[str]:
        """Return the terms starting with word's first character within maxdist edits of it
        (only those of the given length, if one is given).

        The distance is Levenshtein's (insert, delete, substitute), as Whoosh's automaton
        on a one-segment index; on several segments Whoosh compares term by term with
        Damerau-Levenshtein (transpositions count one), and so does this.
        """
        transpositions = not self.reader.is_atomic()
        if not word:
            return []
        rest = np.frombuffer(word[1:].encode("utf-32-le"), dtype=np.uint32)
        found: list[str] = []
        lengths = (range(max(1, len(word) - maxdist), len(word) + maxdist + 1)
                   if length is None else (length,))
        for size in lengths:
            bucket = self.buckets.get((word[0], size))
            if bucket is None:
                continue
            terms, codes = bucket
            distances = _distances(rest, codes[:, 1:], transpositions)
            found.extend(terms[i] for i in np.flatnonzero(distances <= maxdist))
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
    rows = [list(range(len(second) + 1))]
    for i, a in enumerate(first, start=1):
        current = [i]
        for j, b in enumerate(second, start=1):
            best = min(rows[-1][j] + 1, current[j - 1] + 1, rows[-1][j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                best = min(best, rows[-2][j - 2] + 1)
            current.append(best)
        rows.append(current)
    return rows[-1][-1]


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
    near = []
    for term in stems[:SURFACE_CANDIDATES]:
        for form, count in surface_forms(searcher, fieldname, term, read_text).items():
            distance = edit_distance(typed, form)
            if 0 < distance <= maxdist:
                near.append((distance, -frequency[term], -count, form))
    return min(near)[3] if near else None
