"""Snippet passages chosen by Solr's unified highlighter, as spans of the stored body.

The highlighter picks up to PASSAGES passages of about PASSAGE_CHARS characters around
the query's matches (the same size and count as the service's own snippets, placed with a
third of their room before the match). Its matches are bracketed with two private-use
characters that no article holds (``searchsvc.service.snippets`` uses them too), so the
passage's plain text is found again in the body: the service receives where each passage
lies and renders it with its own rules (headline and page furniture left out, words
marked as on the Whoosh backend).
"""
from __future__ import annotations

PASSAGES = 3
PASSAGE_CHARS = 200
PRE, POST = "\ue000", "\ue001"

PARAMS = {
    "hl": "true", "hl.method": "unified", "hl.fl": "body", "hl.snippets": PASSAGES,
    "hl.fragsize": PASSAGE_CHARS, "hl.bs.type": "WORD", "hl.fragsizeIsMinimum": "false",
    "hl.fragAlignRatio": 0.33, "hl.tag.pre": PRE, "hl.tag.post": POST,
    # No passage without a match: the service then shows the article's opening itself.
    "hl.defaultSummary": "false",
}


def passage_spans(body: str, passages: list[str]) -> list[tuple[int, int]]:
    """Return where each of the highlighter's passages lies in the body, in text order.

    A passage that is not found in the body as it is stored (it should always be) is left
    out rather than shown with wrong bounds.
    """
    spans = []
    for passage in passages:
        plain = passage.replace(PRE, "").replace(POST, "").strip()
        start = body.find(plain) if plain else -1
        if start >= 0:
            spans.append((start, start + len(plain)))
    return sorted(set(spans))


def hit_passages(answer: dict, doc: dict) -> list[tuple[int, int]] | None:
    """Return the passage spans of one hit of a highlighted answer (None: not highlighted)."""
    found = answer.get("highlighting", {}).get(doc.get("id"))
    if found is None:
        return None
    return passage_spans(doc.get("body") or "", found.get("body") or [])
