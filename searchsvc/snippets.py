"""Snippets: the best passages of an article for a query, matched words marked, all else escaped.

Matching works on the analysed form (a stemmed match marks the word as
written), and scans the whole text, however long, with a compiled regex that
proposes candidate words which are then checked through the analyzer's stem.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import numpy as np
from markupsafe import Markup, escape

from .analysis import analyze_word

WORD_RE = re.compile(r"\w+(?:\.?\w+)*")
SPACE_RE = re.compile(r"\s")             # the characters str.isspace() accepts
LAST_SPACE_RE = re.compile(r"\s(?=\S*\Z)")
RUNS_OF_SPACE_RE = re.compile(r"\s+")
# Every character str.isspace() accepts (a test checks the list against it).
WHITESPACE_CODES = np.array([0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85,
                             0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F,
                             0x205F, 0x3000], dtype=np.uint32)
PASSAGE_CHARS = 200
MAX_PASSAGES = 3
MANY_SPANS = 8                # from this many matches on, whitespace offsets are listed once


@dataclass(frozen=True)
class QueryTerms:
    """What to mark: single analysed terms, and phrases as sequences of analysed terms."""

    terms: frozenset[str]
    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)


@dataclass(frozen=True)
class Snippet:
    """One passage: the HTML (escaped, with <mark>) and the plain text."""

    html: str
    text: str


@dataclass(frozen=True)
class _Candidates:
    """How to find words that may analyse to one of a set of stems."""

    pattern: re.Pattern           # the definition: a word starting with one of the prefixes
    prefixes: tuple[str, ...]     # lowercase, in the pattern's order (longest first)
    ascii: bool                   # every prefix is ASCII


@lru_cache(maxsize=256)
def _candidate_regex(stems: frozenset[str]) -> _Candidates | None:
    """Return a regex finding words that may analyse to one of the stems."""
    prefixes = sorted({stem[:max(1, min(len(stem) - 1, 4))] for stem in stems if stem},
                      key=len, reverse=True)
    if not prefixes:
        return None
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in prefixes)
                         + r")\w*(?:\.?\w+)*", re.IGNORECASE)
    return _Candidates(pattern, tuple(prefixes), all(p.isascii() for p in prefixes))


_WORD_CHAR_RE = re.compile(r"\w")
_WORD_TAIL_RE = re.compile(r"\w*(?:\.?\w+)*")
# Characters that IGNORECASE matches to an ASCII letter but str.lower() does not turn into
# it (or turns into two characters): long s, Kelvin sign, dotless i, dotted capital I.
_CASE_SPECIALS = ("\u017f", "\u212a", "\u0131", "\u0130")


def _candidate_words(text: str, found: _Candidates) -> list[tuple[int, int, str]]:
    """Return (start, end, word) of every match of found.pattern in text, in order.

    Equivalent to ``found.pattern.finditer(text)``, but finds the ASCII prefixes with
    str.find in the lowercased text (fast), where lowercasing keeps every offset and
    matches exactly what the case-insensitive pattern matches; otherwise uses the pattern.
    """
    lowered = text.lower()
    if (not found.ascii or len(lowered) != len(text)
            or any(special in text for special in _CASE_SPECIALS)):
        return [(m.start(), m.end(), m.group()) for m in found.pattern.finditer(text)]
    # First prefix (in the pattern's order) matching at each word start.
    first: dict[int, int] = {}
    for prefix in found.prefixes:
        index = lowered.find(prefix)
        while index >= 0:
            if index not in first and (index == 0 or not _WORD_CHAR_RE.match(text, index - 1)):
                first[index] = len(prefix)
            index = lowered.find(prefix, index + 1)
    words = []
    last_end = 0
    for start in sorted(first):
        if start < last_end:       # inside the previous match, as finditer would skip it
            continue
        end = _WORD_TAIL_RE.match(text, start + first[start]).end()
        words.append((start, end, text[start:end]))
        last_end = end
    return words


def find_matches(text: str, query_terms: QueryTerms) -> list[tuple[int, int]]:
    """Return (start, end) character spans of the words in text that the query matches."""
    wanted = set(query_terms.terms)
    for phrase in query_terms.phrases:
        wanted.update(phrase)
    found = _candidate_regex(frozenset(wanted))
    if found is None:
        return []
    stems: dict[str, str] = {}
    hits = []
    for start, end, word in _candidate_words(text, found):
        stem = stems.get(word)
        if stem is None:
            stem = stems[word] = analyze_word(word)
        if stem in wanted:
            hits.append((start, end, stem))
    spans = [(start, end) for start, end, term in hits if term in query_terms.terms]
    if query_terms.phrases:
        spans.extend(_phrase_spans(text, hits, query_terms.phrases))
    return sorted(set(spans))


def _phrase_spans(text: str, hits: list[tuple[int, int, str]],
                  phrases: Iterable[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Return the spans of phrase words that occur as the phrase (adjacent, in order)."""
    spans: list[tuple[int, int]] = []
    for phrase in phrases:
        size = len(phrase)
        for index in range(len(hits) - size + 1):
            window = hits[index:index + size]
            if tuple(term for _, _, term in window) != phrase:
                continue
            # Adjacent means only non-word characters or stop words lie between.
            gaps = [text[window[i][1]:window[i + 1][0]] for i in range(size - 1)]
            if all(len(WORD_RE.findall(gap)) <= 1 and len(gap) < 40 for gap in gaps):
                spans.extend((start, end) for start, end, _ in window)
    return spans


def _mark(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """Return text[start:end] escaped, with the spans inside it wrapped in <mark>."""
    out: list[str] = []
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        out.append(str(escape(text[position:span_start])))
        out.append("<mark>" + str(escape(text[span_start:span_end])) + "</mark>")
        position = span_end
    out.append(str(escape(text[position:end])))
    return "".join(out)


def _word_boundary(text: str, index: int, forward: bool,
                   spaces: list[int] | None = None) -> int:
    """Move index to the nearest word boundary (never inside a word).

    spaces, if given, is every whitespace offset of text in order (for many look-ups).
    """
    if spaces is not None:
        at = bisect_left(spaces, index)
        if forward:
            return spaces[at] if at < len(spaces) else len(text)
        return spaces[at - 1] + 1 if at else 0
    if forward:
        space = SPACE_RE.search(text, index)
        return space.start() if space else len(text)
    # The last whitespace before index; look a little way back first (texts are long).
    low = max(0, index - 256)
    space = LAST_SPACE_RE.search(text, low, index)
    if space is None and low > 0:
        space = LAST_SPACE_RE.search(text, 0, low)
    return space.end() if space else 0


def _whitespace_offsets(text: str) -> list[int]:
    """Return the offsets of every whitespace character of text, in order."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return np.flatnonzero(np.isin(codes, WHITESPACE_CODES)).tolist()


def _passage(text: str, center_start: int, center_end: int,
             spaces: list[int] | None = None) -> tuple[int, int]:
    """Return a ~PASSAGE_CHARS window around a match, cut at word boundaries."""
    before = (PASSAGE_CHARS - (center_end - center_start)) // 3
    start = max(0, center_start - before)
    end = min(len(text), start + PASSAGE_CHARS)
    start = max(0, end - PASSAGE_CHARS)
    if start > 0:
        start = _word_boundary(text, start, forward=True, spaces=spaces)
    if end < len(text):
        end = _word_boundary(text, end, forward=False, spaces=spaces)
    return start, end


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    """Render one passage with ellipses where it was cut."""
    lead = "… " if start > 0 else ""
    tail = " …" if end < len(text) else ""
    body = RUNS_OF_SPACE_RE.sub(" ", text[start:end]).strip()
    html = _mark(text, start, end, spans)
    html = RUNS_OF_SPACE_RE.sub(" ", html).strip()
    return Snippet(html=str(escape(lead)) + html + str(escape(tail)), text=lead + body + tail)


def make_snippets(text: str, query_terms: QueryTerms,
                  max_passages: int = MAX_PASSAGES) -> list[Snippet]:
    """Return up to max_passages best passages of text for the query; the opening if none match."""
    if not text:
        return []
    spans = find_matches(text, query_terms) if query_terms else []
    if not spans:
        start, end = _passage(text, 0, 0)
        return [_render(text, 0, end, [])]
    # Score a window at each match by the distinct matched words it holds. Spans are words
    # of one scan, so they do not overlap: sorted by start, they are sorted by end too.
    words = [text[s:e].lower() for s, e in spans]
    starts = [s for s, _ in spans]
    ends = [e for _, e in spans]
    # With many matches, list the whitespace once rather than search around each match.
    spaces = _whitespace_offsets(text) if len(spans) > MANY_SPANS else None
    candidates = []
    for span_start, span_end in spans:
        start, end = _passage(text, span_start, span_end, spaces)
        inside = words[bisect_left(starts, start):bisect_right(ends, end)]
        candidates.append((len(set(inside)) + 0.1 * len(inside), -start, start, end))
    candidates.sort(reverse=True)
    chosen: list[tuple[int, int]] = []
    for _, _, start, end in candidates:
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
        if len(chosen) == max_passages:
            break
    return [_render(text, start, end, spans) for start, end in sorted(chosen)]


def highlight_all(text: str, query_terms: QueryTerms) -> Markup:
    """Return the whole text escaped, every matched word in <mark>."""
    spans = find_matches(text, query_terms) if query_terms else []
    return Markup(_mark(text, 0, len(text), spans))
