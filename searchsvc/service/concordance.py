"""Concordance (key word in context): every place the hits' text matches the query.

Lines follow the search's order of hits, and each hit's matches in text order. The work is
bounded: only the first MAX_HITS_READ hits are read, and reading stops as soon as the
requested page of lines (and one more line, to know there is a next page) is found.
"""
from __future__ import annotations

import re

from ..backends.contract import UNKNOWN, QueryTerms
from .export import HitStream
from .search import SearchRequest, SearchService
from .snippets import find_matches

MAX_HITS_READ = 5_000        # hits whose text a concordance reads at most
WIDTHS = (10, 200)           # characters of context on each side, the least and the most
DEFAULT_WIDTH = 60
CHUNK = 100
_JOINABLE_GAP_RE = re.compile(r"[\W_]{0,3}")   # between two words of one match ("Kyaw Win")


def match_spans(text: str, terms: QueryTerms) -> list[tuple[int, int]]:
    """Return the matched stretches of text, neighbouring matched words joined into one."""
    spans: list[tuple[int, int]] = []
    for start, end in find_matches(text, terms):
        if spans and _JOINABLE_GAP_RE.fullmatch(text, spans[-1][1], start):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _squash(text: str) -> str:
    return " ".join(text.split())


def context_line(text: str, start: int, end: int, width: int) -> tuple[str, str, str]:
    """Return (left, match, right) around text[start:end], width characters each side.

    Whitespace runs become one space, and a side is cut at a word boundary where it can be.
    """
    # Read twice the width: squashing whitespace shortens it.
    left = _squash(text[max(0, start - 2 * width):start] + "\x00")[:-1].lstrip()
    right = _squash("\x00" + text[end:end + 2 * width])[1:].rstrip()
    if len(left) > width:
        cut_in_word = left[-width - 1] != " "
        left = left[-width:]
        space = left.find(" ")
        if cut_in_word and 0 <= space < width // 2:
            left = left[space + 1:]
    if len(right) > width:
        cut_in_word = right[width] != " "
        right = right[:width]
        space = right.rfind(" ")
        if cut_in_word and space > width // 2:
            right = right[:space]
    return left, _squash(text[start:end]), right


def concordance(service: SearchService, request: SearchRequest, *, page: int = 1,
                per_page: int = 50, width: int = DEFAULT_WIDTH) -> dict:
    """Return one page of concordance lines for a search, with what was read to find them."""
    if not WIDTHS[0] <= width <= WIDTHS[1]:
        raise ValueError(f"width must be between {WIDTHS[0]} and {WIDTHS[1]}")
    stream = HitStream(service, request, chunk=CHUNK, limit=MAX_HITS_READ)
    first = (page - 1) * per_page
    lines: list[dict] = []
    seen = hits_read = 0
    more = False
    for found in stream:
        hits_read += 1
        stored = found.fields
        text = stored.get("body") or stored.get("title") or ""
        outlet = stored.get("outlet")
        for start, end in match_spans(text, stream.highlight):
            seen += 1
            if seen <= first:
                continue
            if len(lines) == per_page:
                more = True
                break
            left, match, right = context_line(text, start, end, width)
            lines.append({"id": stored.get("id"), "left": left, "match": match,
                          "right": right, "title": stored.get("title"),
                          "outlet": None if outlet == UNKNOWN else outlet,
                          "date": stored.get("date_iso") or None})
        if more:
            break
    return {"query": {"text": request.q, "read_as": stream.reading.text},
            "total_hits": stream.matched, "hits_read": hits_read,
            "max_hits_read": MAX_HITS_READ, "page": page, "per_page": per_page,
            "width": width, "lines": lines, "more": more,
            "generation": stream.generation}
