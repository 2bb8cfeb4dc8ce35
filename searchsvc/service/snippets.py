"""Snippets: the best passages of an article for a query, matched words marked, all else escaped.

Matching works on the analysed form (a stemmed match marks the word as
written): a regex proposes candidate words (the words starting like a query term's
stem), which are then checked through the analyzer's stem. A long text is read in
parts, and the regex runs, one prefix at a time, on the text folded to ASCII bytes
(see _scan): the same words, several times faster than the case-insensitive regex.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Iterable

from markupsafe import Markup, escape

from ..backends.contract import QueryTerms
from ..passages import FOLDED_CHARS, WORD_RE, fold, kept_ranges

SPACE_RE = re.compile(r"\s")             # the characters str.isspace() accepts
LAST_SPACE_RE = re.compile(r"\s(?=\S*\Z)")
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters bracketing matches while escaping
PASSAGE_CHARS = 200
MAX_PASSAGES = 3
SCAN_CHARS = FOLDED_CHARS      # a long text is read this far first, then further if needed


@dataclass(frozen=True)
class Snippet:
    """One passage: the HTML (escaped, with <mark>) and the plain text."""

    html: str
    text: str


@dataclass(frozen=True)
class _Candidates:
    """How to find words that may analyse to one of a set of stems."""

    pattern: re.Pattern           # the definition: a word starting with one of the prefixes
    scans: tuple[re.Pattern, ...]  # the same for each prefix, in fold()ed text (see _scan)
    specials: tuple[str, ...]     # characters that make the scans miss a match (see _scan)


# The characters outside ASCII that a case-insensitive pattern matches to an ASCII word
# character or dot (only these four: tests/test_snippets.py checks every code point).
_SPECIAL_LETTERS = {"\u017f": "s", "\u212a": "k", "\u0131": "i", "\u0130": "i"}


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
    if not all(p.isascii() and p == p.lower() and "?" not in p for p in prefixes):
        return _Candidates(pattern, (), ())       # the pattern alone finds them
    specials = tuple(special for special, letter in _SPECIAL_LETTERS.items()
                     if any(letter in prefix for prefix in prefixes))
    return _Candidates(pattern, tuple(_prefix_scan(p.encode()) for p in prefixes), specials)


def _prefix_scan(prefix: bytes) -> re.Pattern:
    """Return the pattern of a word starting with prefix in fold()ed text, ASCII alone.

    The prefix comes first, so that the regex engine looks for it as a literal (several
    times faster than trying the whole pattern at every position), then that no word
    character stands before it, then the rest of the word.
    """
    literal = re.escape(prefix)
    return re.compile(literal + rb"(?<![a-z0-9_]" + literal + rb")[a-z0-9_]*(?:\.?[a-z0-9_]+)*")


_WORD_CHAR_RE = re.compile(r"\w")
_WORD_TAIL_RE = re.compile(r"\w*(?:\.?\w+)*")
_UNKNOWN = ord("?")                   # in fold()ed text: any non-ASCII character
_GOES_ON = frozenset(b"?.")            # after a match there: the text tells where it ends


def _candidate_words(text: str, found: _Candidates, limit: int | None = None,
                     folded: bytes | None = None) -> list[tuple[int, int, str]]:
    """Return (start, end, word) of every match of found.pattern in text, in order.

    The same as ``found.pattern.finditer(text)``, found by _scan in the folded text when
    the prefixes are ASCII (several times faster). With a limit, only words starting in
    text[:limit] are looked for (one straddling the limit may be missed, never cut).
    folded: fold(text), or of its start, if known.
    """
    stop = len(text) if limit is None else min(limit, len(text))
    if not found.scans or (found.specials and not text.isascii() and any(
            text.find(special, 0, stop) >= 0 for special in found.specials)):
        return _pattern_words(text, found.pattern, stop)
    if folded is None or len(folded) < stop:
        folded = fold(text if stop == len(text) else text[:stop])
    words = _scan(text, folded, found.scans, stop)
    return _pattern_words(text, found.pattern, stop) if words is None else words


def _scan(text: str, folded: bytes, scans: tuple[re.Pattern, ...],
          stop: int) -> list[tuple[int, int, str]] | None:
    """Return _candidate_words found with the prefixes' scans in the folded text, or None
    if that cannot tell (a non-ASCII word character stands before a match).

    Folding keeps every offset, and the case-insensitive pattern matches a non-ASCII
    character to an ASCII one only for the found.specials, absent here. Where a "?"
    stands before a match the text tells whether it is a word start; where one, or a
    dot, or the stop follows it, the text tells how far the word goes. Each prefix is
    scanned on its own: the matches are merged in text order, the first prefix first
    at one start, and, as finditer would, one starting inside the word before is passed
    over (such a word is inside that one's too, so the scans miss nothing).
    """
    if len(scans) == 1:
        matches = scans[0].finditer(folded, 0, stop)
    else:
        found = [list(scan.finditer(folded, 0, stop)) for scan in scans]
        found = [matches for matches in found if matches]
        # A stable sort: at one start, the first prefix's match comes first.
        matches = (found[0] if len(found) == 1
                   else sorted(chain.from_iterable(found), key=re.Match.start))
    words = []
    last_end = 0
    edge = stop - 1
    for match in matches:
        start, end = match.span()
        if start < last_end:
            continue
        if start and folded[start - 1] == _UNKNOWN and _WORD_CHAR_RE.match(text, start - 1):
            return None
        if end >= edge or folded[end] in _GOES_ON:
            end = _WORD_TAIL_RE.match(text, end).end()
        words.append((start, end, text[start:end]))
        last_end = end
    return words


def _pattern_words(text: str, pattern: re.Pattern, stop: int) -> list[tuple[int, int, str]]:
    """Return (start, end, word) of the pattern's matches starting in text[:stop].

    A word reaching the stop goes on as far as it does in the text (as _scan has it):
    cut there, its start alone would be marked as a word.
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


@lru_cache(maxsize=256)
def _plan(terms: frozenset[str], phrases: tuple[tuple[str, ...], ...]
          ) -> tuple[frozenset[str], _Candidates | None]:
    """Return the terms to mark (terms and phrases' words) and how to find them (made once
    for a query's terms: each of its hits, and its title, needs them)."""
    wanted = frozenset(terms.union(*phrases))
    return wanted, _candidate_regex(wanted)


def _term_spans(text: str, query_terms: QueryTerms, limit: int | None = None,
                folded: bytes | None = None) -> list[tuple[int, int, str]]:
    """Return (start, end, term) of the words the query matches, in text order.

    With a limit, only text[:limit] is read (see _candidate_words, and for folded).
    """
    wanted, found = _plan(query_terms.terms, query_terms.phrases)
    if found is None:
        return []
    analyze = query_terms.analyze
    stems: dict[str, str] = {}
    hits = []
    for start, end, word in _candidate_words(text, found, limit, folded):
        stem = stems.get(word)
        if stem is None:
            stem = stems[word] = analyze(word)
        if stem in wanted:
            hits.append((start, end, stem))
    if not query_terms.phrases:
        # Words of one scan, in order and apart: sorted and distinct already.
        return hits
    terms = query_terms.terms
    spans = [hit for hit in hits if hit[2] in terms]
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


def _escape(text: str) -> str:
    """Return text escaped as markupsafe.escape does, as a str (no Markup made, copied)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


def _span_range(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """Return (first, last): spans[first:last] are the spans reaching into text[start:end].

    spans are sorted and do not overlap, so they lie between two bisections: the first
    ends after start (the one before the first starting at or after start, if it reaches
    past start), the last starts before end. (start, end, term) spans work as well.
    """
    first = bisect_left(spans, (start,))
    if first and spans[first - 1][1] > start:
        first -= 1
    return first, bisect_left(spans, (end,), first)


def _mark(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """Return text[start:end] escaped, with the spans inside it wrapped in <mark>.

    The spans are bracketed with two private-use characters, the whole is escaped at once
    (one call instead of two per match), then the brackets become the tags.
    """
    first, last = _span_range(spans, start, end)
    if first == last:
        return _escape(text[start:end])
    piece = _bracketed(text, start, end, spans, first, last)
    if piece is None:
        return _mark_each(text, start, end, spans, first, last)
    return _escape(piece).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


def _bracketed(text: str, start: int, end: int, spans: list[tuple[int, int]],
               first: int, last: int) -> str | None:
    """Return text[start:end] with spans[first:last] between _OPEN and _CLOSE, or None when
    the text holds either character itself."""
    if not text.isascii() and (text.find(_OPEN, start, end) >= 0
                               or text.find(_CLOSE, start, end) >= 0):
        return None
    out: list[str] = []
    position = start
    for span in spans[first:last]:
        span_start = span[0] if span[0] > start else start
        span_end = span[1] if span[1] < end else end
        out += (text[position:span_start], _OPEN, text[span_start:span_end], _CLOSE)
        position = span_end
    out.append(text[position:end])
    return "".join(out)


def _mark_each(text: str, start: int, end: int, spans: list[tuple[int, int]],
               first: int, last: int) -> str:
    """Return _mark's result escaping each piece on its own (the text holds a bracket)."""
    out: list[str] = []
    position = start
    for span in spans[first:last]:
        span_start, span_end = max(span[0], start), min(span[1], end)
        out += (_escape(text[position:span_start]), "<mark>",
                _escape(text[span_start:span_end]), "</mark>")
        position = span_end
    out.append(_escape(text[position:end]))
    return "".join(out)


def _word_boundary(text: str, index: int, forward: bool) -> int:
    """Move index to the nearest word boundary (never inside a word)."""
    if forward:
        space = SPACE_RE.search(text, index)
        return space.start() if space else len(text)
    # The last whitespace before index. Almost always a space or a newline, found by rfind;
    # the regex (any whitespace) confirms none other lies after it, or looks itself.
    low = max(0, index - 256)   # look a little way back first (texts are long)
    candidate = max(text.rfind(" ", low, index), text.rfind("\n", low, index))
    if candidate >= 0 and not SPACE_RE.search(text, candidate + 1, index):
        return candidate + 1
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
    first, last = _span_range(spans, start, end)
    lead = "… " if start else ""                        # "…" needs no escaping
    tail = " …" if end < len(text) else ""
    # Runs of whitespace become one space (str.split splits where str.isspace says).
    if first == last:
        body = " ".join(text[start:end].split())
        return Snippet(html=lead + _escape(body) + tail, text=lead + body + tail)
    # Escaping and the brackets neither make nor take whitespace, and every bracketed span
    # holds a word character: the text with them is split once, for both forms.
    piece = _bracketed(text, start, end, spans, first, last)
    if piece is None:
        return Snippet(
            html=lead + " ".join(_mark_each(text, start, end, spans, first, last).split()) + tail,
            text=lead + " ".join(text[start:end].split()) + tail)
    flat = " ".join(piece.split())
    html = _escape(flat).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
    return Snippet(html=lead + html + tail,
                   text=lead + flat.replace(_OPEN, "").replace(_CLOSE, "") + tail)


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
    starts, ends, terms = zip(*spans)
    one_term = len(set(terms)) == 1
    last_start = length - PASSAGE_CHARS if length > PASSAGE_CHARS else 0
    ranked = []
    for index, (span_start, span_end) in enumerate(zip(starts, ends)):
        # The window: a third of its spare room before the match, kept inside the text.
        start = span_start - (PASSAGE_CHARS - (span_end - span_start)) // 3
        if start < 0:
            start = 0
        elif start > last_start:
            start = last_start
        end = start + PASSAGE_CHARS
        if end > length:
            end = length
        low, high = bisect_left(starts, start), bisect_right(ends, end)
        if one_term:
            ranked.append((-(1 + 0.1 * (high - low)), start, index, 1, end))
        else:
            distinct = len(set(terms[low:high]))
            ranked.append((-(distinct + 0.1 * (high - low)), start, index, distinct, end))
    ranked.sort()
    chosen: list[tuple[int, int, int]] = []

    def take(start: int, end: int, distinct: int) -> tuple[int, int] | None:
        """Choose the window cut at words, unless it overlaps a chosen one."""
        start, end = _cut_at_words(text, start, end)
        for s, e, _ in chosen:
            if start < e and end > s:
                return None
        chosen.append((start, end, distinct))
        return start, end

    # The best passage first; then, while some matched word is in no passage yet, the best
    # passage showing one; then the best of the rest. A query of two words that never meet
    # shows both, not three passages of the more frequent one.
    if not one_term:
        wanted = len(set(terms))
        covered: set[str] = set()
        for _, start, index, distinct, end in ranked:
            if len(covered) == wanted or len(chosen) == max_passages:
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
        for s, e, _ in chosen:
            if s <= span_start and span_end <= e:
                break
        else:
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
                  lowered: bytes | None = None) -> list[Snippet]:
    """Return up to max_passages best passages of text for the query; the opening if none match.

    A long text is read in growing parts (SCAN_CHARS, then four times more, ...) and
    reading stops once the part read holds max_passages passages that each contain every
    term of the query, which nothing further on could beat. lowered: fold(text), or of
    its start, when the caller has it (see passage_text_lowered).
    """
    if not text:
        return []
    if not query_terms:
        return _opening(text)
    every_term = len(_plan(query_terms.terms, query_terms.phrases)[0])
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
    return [_render(text, start, end, spans) for start, end, _ in windows]


def highlight_all(text: str, query_terms: QueryTerms) -> Markup:
    """Return the whole text escaped, every matched word in <mark>."""
    spans = _term_spans(text, query_terms) if query_terms else []
    return Markup(_mark(text, 0, len(text), spans)) if spans else escape(text)
