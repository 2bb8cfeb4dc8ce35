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

from markupsafe import Markup, escape

from ..backends.contract import QueryTerms
from ..passages import CASE_SPECIALS, WORD_RE, kept_ranges

SPACE_RE = re.compile(r"\s")             # the characters str.isspace() accepts
LAST_SPACE_RE = re.compile(r"\s(?=\S*\Z)")
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters bracketing matches while escaping
PASSAGE_CHARS = 200
MAX_PASSAGES = 3
SCAN_CHARS = 8_000             # a long text is read this far first, then further if needed


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


# Stems Snowball English gives words that do not start with them (dying, lying, tying, skies).
_IRREGULAR_STEMS = frozenset({"die", "lie", "tie", "sky"})


def _prefix(stem: str) -> str:
    """Return the start that every word analysing to stem has, in lowercase (at most 4 chars).

    The stemmer (Snowball English) rewrites a word's ending, and of the stem only its last
    letter can differ from the word: y becomes i (day, dai), an e is added back (making,
    make), -bility becomes -bl (probability, probabl). Its irregular forms differ earlier
    (dying, die; skies, sky), so their stems keep one letter. Accented letters are folded,
    hence the cap: most accents lie further in.
    """
    if stem in _IRREGULAR_STEMS:
        return stem[:1]
    keep = len(stem) - 1 if stem[-1] in "eil" else len(stem)
    return stem[:max(1, min(keep, 4))]


@lru_cache(maxsize=256)
def _candidate_regex(stems: frozenset[str]) -> _Candidates | None:
    """Return a regex finding words that may analyse to one of the stems."""
    prefixes = sorted({_prefix(stem) for stem in stems if stem}, key=len, reverse=True)
    if not prefixes:
        return None
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in prefixes)
                         + r")\w*(?:\.?\w+)*", re.IGNORECASE)
    return _Candidates(pattern, tuple(prefixes), all(p.isascii() for p in prefixes))


_WORD_CHAR_RE = re.compile(r"\w")
_WORD_TAIL_RE = re.compile(r"\w*(?:\.?\w+)*")


def _candidate_words(text: str, found: _Candidates, limit: int | None = None,
                     lowered: str | None = None) -> list[tuple[int, int, str]]:
    """Return (start, end, word) of every match of found.pattern in text, in order.

    Equivalent to ``found.pattern.finditer(text)``, but finds the ASCII prefixes with
    str.find in the lowercased text (fast), where lowercasing keeps every offset and
    matches exactly what the case-insensitive pattern matches; otherwise uses the pattern.
    With a limit, only words starting in text[:limit] are looked for (one straddling the
    limit may be missed, never cut). lowered: text.lower() of the same length, if known.
    """
    head = text if limit is None else text[:limit]
    lowered = (head.lower() if lowered is None
               else lowered if limit is None else lowered[:limit])
    if (not found.ascii or len(lowered) != len(head)
            or any(special in head for special in CASE_SPECIALS)):
        return _pattern_words(text, found.pattern, len(head))
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


def _pattern_words(text: str, pattern: re.Pattern, stop: int) -> list[tuple[int, int, str]]:
    """Return (start, end, word) of the pattern's matches starting in text[:stop].

    A word reaching the stop goes on as far as it does in the text (as the scan with
    str.find has it): cut there, its start alone would be marked as a word.
    """
    words = []
    for match in pattern.finditer(text, 0, stop):
        start, end = match.span()
        if end >= stop - 1:        # at the stop, or before a dot there
            end = _WORD_TAIL_RE.match(text, end).end()
        words.append((start, end, text[start:end]))
    return words


def find_matches(text: str, query_terms: QueryTerms) -> list[tuple[int, int]]:
    """Return (start, end) character spans of the words in text that the query matches."""
    return [(start, end) for start, end, _ in _term_spans(text, query_terms)]


def _wanted(query_terms: QueryTerms) -> frozenset[str]:
    """Return every analysed term the query marks: its terms and its phrases' words."""
    wanted = set(query_terms.terms)
    for phrase in query_terms.phrases:
        wanted.update(phrase)
    return frozenset(wanted)


def _term_spans(text: str, query_terms: QueryTerms, limit: int | None = None,
                lowered: str | None = None) -> list[tuple[int, int, str]]:
    """Return (start, end, term) of the words the query matches, in text order.

    With a limit, only text[:limit] is read (see _candidate_words, and for lowered).
    """
    wanted = _wanted(query_terms)
    found = _candidate_regex(wanted)
    if found is None:
        return []
    stems: dict[str, str] = {}
    hits = []
    for start, end, word in _candidate_words(text, found, limit, lowered):
        stem = stems.get(word)
        if stem is None:
            stem = stems[word] = query_terms.analyze(word)
        if stem in wanted:
            hits.append((start, end, stem))
    spans = [hit for hit in hits if hit[2] in query_terms.terms]
    if query_terms.phrases:
        spans.extend(_phrase_spans(text, hits, query_terms.phrases))
    return sorted(set(spans))


def _phrase_spans(text: str, hits: list[tuple[int, int, str]],
                  phrases: Iterable[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Return the (start, end, term) of phrase words found as the phrase (adjacent, in order)."""
    spans: list[tuple[int, int, str]] = []
    for phrase in phrases:
        size = len(phrase)
        for index in range(len(hits) - size + 1):
            window = hits[index:index + size]
            if tuple(term for _, _, term in window) != phrase:
                continue
            # Adjacent means only non-word characters or stop words lie between.
            gaps = [text[window[i][1]:window[i + 1][0]] for i in range(size - 1)]
            if all(len(WORD_RE.findall(gap)) <= 1 and len(gap) < 40 for gap in gaps):
                spans.extend(window)
    return spans


def _mark(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """Return text[start:end] escaped, with the spans inside it wrapped in <mark>.

    spans are sorted and do not overlap, so only those between two bisections are looked at.
    The spans are bracketed with two private-use characters, the whole is escaped at once
    (one call instead of two per match), then the brackets become the tags.
    """
    # The first span ending after start: the one before the first starting at or after
    # start, if it reaches past start (spans do not overlap); the last one starts before end.
    first = bisect_left(spans, (start,))
    if first > 0 and spans[first - 1][1] > start:
        first -= 1
    last = bisect_left(spans, (end,))
    piece = text[start:end]
    bracket = _OPEN not in piece and _CLOSE not in piece
    out: list[str] = []
    position = start
    for span_start, span_end in spans[first:last]:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if bracket:
            out += (text[position:span_start], _OPEN, text[span_start:span_end], _CLOSE)
        else:
            out += (str(escape(text[position:span_start])), "<mark>",
                    str(escape(text[span_start:span_end])), "</mark>")
        position = span_end
    out.append(text[position:end] if bracket else str(escape(text[position:end])))
    if not bracket:
        return "".join(out)
    return str(escape("".join(out))).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


def _word_boundary(text: str, index: int, forward: bool) -> int:
    """Move index to the nearest word boundary (never inside a word)."""
    if forward:
        space = SPACE_RE.search(text, index)
        return space.start() if space else len(text)
    # The last whitespace before index. Almost always a space or a newline, found by rfind;
    # the regex (any whitespace) confirms none other lies after it, or looks itself.
    candidate = max(text.rfind(" ", 0, index), text.rfind("\n", 0, index))
    if candidate >= 0 and not SPACE_RE.search(text, candidate + 1, index):
        return candidate + 1
    low = max(0, index - 256)   # look a little way back first (texts are long)
    space = LAST_SPACE_RE.search(text, low, index)
    if space is None and low > 0:
        space = LAST_SPACE_RE.search(text, 0, low)
    return space.end() if space else 0


def _cut_at_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a window of text to word boundaries (never cutting inside a word)."""
    if start > 0:
        start = _word_boundary(text, start, forward=True)
    if end < len(text):
        end = _word_boundary(text, end, forward=False)
    return start, end


def _opening(text: str) -> list[Snippet]:
    """Return the article's opening passage, for a hit no snippet word matches."""
    start, end = _cut_at_words(text, 0, min(len(text), PASSAGE_CHARS))
    return [_render(text, start, end, [])]


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    """Render one passage with ellipses where it was cut."""
    lead = "… " if start > 0 else ""
    tail = " …" if end < len(text) else ""
    # Runs of whitespace become one space (str.split splits where str.isspace says).
    body = " ".join(text[start:end].split())
    html = " ".join(_mark(text, start, end, spans).split())
    return Snippet(html=lead + html + tail, text=lead + body + tail)   # "…" needs no escaping


def _best_windows(text: str, spans: list[tuple[int, int, str]],
                  max_passages: int) -> list[tuple[int, int, int]]:
    """Return up to max_passages non-overlapping passages holding the most distinct terms.

    A window is placed at each match and scored by the distinct query terms inside it
    (plus a tenth per match); the best win, earlier ones first on ties, except that a
    window showing a word no chosen window shows yet goes before the others. Only the
    windows taken are cut at word boundaries, and a match inside a passage already taken
    is passed over: a common word can match thousands of times in a long article. Returns
    (start, end, distinct terms in the window as scored), in text order.
    """
    length = len(text)
    # Spans are words of one scan, so they do not overlap: sorted by start, they are sorted
    # by end too, and the matches inside a window are one slice.
    starts = [start for start, _, _ in spans]
    ends = [end for _, end, _ in spans]
    terms = [term for _, _, term in spans]
    one_term = len(set(terms)) == 1
    ranked = []
    for index, (span_start, span_end) in enumerate(zip(starts, ends)):
        # The window: a third of its spare room before the match, kept inside the text.
        start = max(0, span_start - (PASSAGE_CHARS - (span_end - span_start)) // 3)
        end = start + PASSAGE_CHARS
        if end > length:
            end = length
            start = max(0, end - PASSAGE_CHARS)
        low, high = bisect_left(starts, start), bisect_right(ends, end)
        distinct = 1 if one_term else len(set(terms[low:high]))
        ranked.append((-(distinct + 0.1 * (high - low)), start, index, distinct, end))
    ranked.sort()
    chosen: list[tuple[int, int, int]] = []

    def take(start: int, end: int, distinct: int) -> tuple[int, int] | None:
        """Choose the window cut at words, unless it overlaps a chosen one."""
        start, end = _cut_at_words(text, start, end)
        if not all(end <= s or start >= e for s, e, _ in chosen):
            return None
        chosen.append((start, end, distinct))
        return start, end

    # The best passage first; then, while some matched word is in no passage yet, the best
    # passage showing one; then the best of the rest. A query of two words that never meet
    # shows both, not three passages of the more frequent one.
    if not one_term:
        wanted = set(terms)
        covered: set[str] = set()
        for _, start, index, distinct, end in ranked:
            if len(covered) == len(wanted) or len(chosen) == max_passages:
                break
            if terms[index] in covered or any(s <= starts[index] and ends[index] <= e
                                              for s, e, _ in chosen):
                continue
            window = take(start, end, distinct)
            if window:
                covered.update(terms[bisect_left(starts, window[0]):
                                     bisect_right(ends, window[1])])
                covered.add(terms[index])
    for _, start, index, distinct, end in ranked:
        if len(chosen) == max_passages:
            break
        # A match inside a chosen passage: the common case in a long text, checked inline.
        span_start, span_end = starts[index], ends[index]
        if any(s <= span_start and span_end <= e for s, e, _ in chosen):
            continue
        take(start, end, distinct)
    return sorted(chosen)


def passage_snippets(body: str, title: str | None, passages: list[tuple[int, int]],
                     query_terms: QueryTerms) -> list[Snippet]:
    """Render passages a backend's highlighter chose ((start, end) in the body) as snippets.

    The same rules as make_snippets' own passages: only what passage_text keeps is shown
    (a passage of the headline or of page furniture alone is dropped), words are marked
    by the query's terms, ellipses stand where the kept text goes on.
    """
    kept = [(s, e) for s, e in kept_ranges(body, title) if body[s:e].strip()]
    if not kept:
        return []
    snippets = []
    for start, end in passages:
        pieces = [(max(s, start), min(e, end)) for s, e in kept if s < end and e > start]
        pieces = [(s, e) for s, e in pieces if body[s:e].strip()]
        if not pieces:
            continue
        text = "\n".join(body[s:e] for s, e in pieces)
        lead = "… " if pieces[0][0] > kept[0][0] + _leading_space(body, kept[0]) else ""
        tail = " …" if pieces[-1][1] < kept[-1][1] - _trailing_space(body, kept[-1]) else ""
        marks = find_matches(text, query_terms) if query_terms else []
        html = " ".join(_mark(text, 0, len(text), marks).split())
        snippets.append(Snippet(html=lead + html + tail, text=lead + " ".join(text.split()) + tail))
    return snippets


def _leading_space(text: str, span: tuple[int, int]) -> int:
    """Return how many whitespace characters open a span of text."""
    piece = text[span[0]:span[1]]
    return len(piece) - len(piece.lstrip())


def _trailing_space(text: str, span: tuple[int, int]) -> int:
    """Return how many whitespace characters close a span of text."""
    piece = text[span[0]:span[1]]
    return len(piece) - len(piece.rstrip())


def make_snippets(text: str, query_terms: QueryTerms, max_passages: int = MAX_PASSAGES,
                  lowered: str | None = None) -> list[Snippet]:
    """Return up to max_passages best passages of text for the query; the opening if none match.

    A long text is read in growing parts (SCAN_CHARS, then four times more, ...) and
    reading stops once the part read holds max_passages passages that each contain every
    term of the query, which nothing further on could beat. lowered: text.lower(), when
    the caller has it (see passage_text_lowered).
    """
    if not text:
        return []
    if not query_terms:
        return _opening(text)
    every_term = len(_wanted(query_terms))
    limit = SCAN_CHARS
    while True:
        complete = limit >= len(text)
        spans = _term_spans(text, query_terms, None if complete else limit, lowered)
        windows = _best_windows(text, spans, max_passages) if spans else []
        if complete or (len(windows) == max_passages
                        and all(distinct == every_term for _, _, distinct in windows)):
            break
        limit *= 4
    if not windows:
        return _opening(text)
    marked = [(start, end) for start, end, _ in spans]
    return [_render(text, start, end, marked) for start, end, _ in windows]


def highlight_all(text: str, query_terms: QueryTerms) -> Markup:
    """Return the whole text escaped, every matched word in <mark>."""
    spans = find_matches(text, query_terms) if query_terms else []
    return Markup(_mark(text, 0, len(text), spans))
