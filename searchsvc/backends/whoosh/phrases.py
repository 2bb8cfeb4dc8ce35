"""Phrases with stop words, matched exactly.

The index leaves stop words out and numbers the words around them as neighbours, so the
index alone matches ``"state of the union"`` wherever *state union* is written. A phrase
holding a stop word is therefore checked on the stored text of the articles the index finds
for it, wherever it stands in a query: the stop words as written, in their places, and each
other word by its index term ("governments" for "government"), whatever punctuation lies
between.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from ...query import tree as t
from ..contract import has_stop_words_inside
from .analysis import TOKEN_PATTERN, analyze_word
from .storedfields import stored_fields

TEXT_FIELDS = {None: ("title", "body"), "title": ("title",), "body": ("body",)}
WORD_RE = re.compile(TOKEN_PATTERN)
WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True)
class PhraseCheck:
    """One phrase to find in the stored text: its fields, a regex and each word's term."""

    fields: tuple[str, ...]
    pattern: re.Pattern
    terms: tuple[str, ...]          # the index term of each word; "" for a stop word

    def found_in(self, text: str) -> bool:
        """Tell whether the phrase is written in text, stop words and all."""
        # The pattern is lowercase and starts with a literal, which the regex engine scans
        # for far faster than it tries a case-blind pattern at every position (~15x).
        lowered = text.lower()
        start = 0
        while (match := self.pattern.search(lowered, start)) is not None:
            start = match.start() + 1
            if match.start() and WORD_CHAR.match(lowered, match.start() - 1):
                continue        # the first word is the end of a longer word
            words = WORD_RE.findall(match.group())
            if len(words) == len(self.terms) and all(
                    not term or analyze_word(word) == term
                    for word, term in zip(words, self.terms)):
                return True
        return False


def phrase_check(node: t.Phrase) -> PhraseCheck | None:
    """Return the check of a phrase with a stop word among indexed words (else None).

    Wherever the phrase stands (required, among alternatives, excluded), its matches are
    the articles the index finds for it whose stored text holds it as written.
    """
    if not has_stop_words_inside(node, analyze_word):
        return None
    terms = tuple(analyze_word(word) for word in node.words)
    # Stop words as written; another word as a word beginning as its term does (its term is
    # checked after). No nested optional repeats: a failed match must not backtrack through
    # every way of splitting a word.
    parts = [re.escape(word.lower()) if not term else re.escape(term[:2]) + r"\w*(?:\.\w+)*"
             for word, term in zip(node.words, terms)]
    pattern = re.compile(r"\W+".join(parts) + r"(?!\w)")
    return PhraseCheck(TEXT_FIELDS[node.field], pattern, terms)


class WrittenAs(wq.WrappingQuery):
    """The index's query of a phrase with stop words, narrowed to the text holding it.

    Whoosh's own matcher sees only the wrapped query (the index's approximation); the
    posting evaluator (postings.py) applies the check.
    """

    def __init__(self, child: wq.Query, check: PhraseCheck) -> None:
        super().__init__(child)
        self.check = check

    def _rewrap(self, child: wq.Query) -> "WrittenAs":
        return WrittenAs(child, self.check)

    def __eq__(self, other) -> bool:
        return (type(other) is WrittenAs and other.child == self.child
                and other.check == self.check)

    __hash__ = wq.WrappingQuery.__hash__


def holding(docs: np.ndarray, check: PhraseCheck, searcher, over=lambda: False) -> np.ndarray:
    """Return, per doc, whether its stored text holds the phrase.

    Once over() says the time is up, the docs not yet read are left out (fewer matches,
    never wrong ones).
    """
    keep = np.zeros(docs.size, dtype=bool)
    for index, docnum in enumerate(docs.tolist()):
        if index % 256 == 255 and over():
            break
        fields = stored_fields(searcher, docnum)
        keep[index] = any(check.found_in(fields.get(name) or "") for name in check.fields)
    return keep
