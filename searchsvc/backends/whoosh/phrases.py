"""Phrases with stop words, matched exactly.

The index leaves stop words out and numbers the words around them as neighbours, so the
index alone matches ``"state of the union"`` wherever *state union* is written. A required
phrase holding a stop word is therefore checked on the article's stored text: the stop words
as written, in their places, and each other word by its index term ("governments" for
"government"), whatever punctuation lies between.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ...query import tree as t
from .analysis import TOKEN_PATTERN, analyze_word

TEXT_FIELDS = {None: ("title", "body"), "title": ("title",), "body": ("body",)}
WORD_RE = re.compile(TOKEN_PATTERN)


@dataclass(frozen=True)
class PhraseCheck:
    """One phrase to find in the stored text: its fields, a regex and each word's term."""

    fields: tuple[str, ...]
    pattern: re.Pattern
    terms: tuple[str, ...]          # the index term of each word; "" for a stop word

    def found_in(self, text: str) -> bool:
        """Tell whether the phrase is written in text, stop words and all."""
        for match in self.pattern.finditer(text):
            words = WORD_RE.findall(match.group())
            if len(words) == len(self.terms) and all(
                    not term or analyze_word(word) == term
                    for word, term in zip(words, self.terms)):
                return True
        return False


def required_phrases(tree: t.Node | None) -> list[PhraseCheck]:
    """Return the checks of the phrases every match must hold that have a stop word inside.

    Only phrases the whole query requires (the query itself, or a part of an all-words
    query) are checked; one among alternatives or excluded is matched as the index does.
    """
    nodes = [tree] if isinstance(tree, t.Phrase) else (
        [node for node in tree.parts if isinstance(node, t.Phrase)]
        if isinstance(tree, t.All) else [])
    checks = []
    for node in nodes:
        if node.slop or node.field not in TEXT_FIELDS:
            continue
        terms = tuple(analyze_word(word) for word in node.words)
        if all(terms) or not any(terms) or any(" " in term for term in terms):
            continue
        # Stop words as written; another word as a word beginning as its term does (its
        # term is checked after). No nested optional repeats: a failed match must not
        # backtrack through every way of splitting a word.
        parts = [re.escape(word) if not term else re.escape(term[:2]) + r"\w*(?:\.\w+)*"
                 for word, term in zip(node.words, terms)]
        pattern = re.compile(r"(?<!\w)" + r"\W+".join(parts) + r"(?!\w)", re.IGNORECASE)
        checks.append(PhraseCheck(TEXT_FIELDS[node.field], pattern, terms))
    return checks


def holding(docs: np.ndarray, checks: list[PhraseCheck], stored) -> np.ndarray:
    """Return, per doc, whether its stored text holds every phrase (stored: docnum -> dict)."""
    keep = np.ones(docs.size, dtype=bool)
    for index, docnum in enumerate(docs.tolist()):
        fields = stored(docnum)
        keep[index] = all(any(check.found_in(fields.get(name) or "") for name in check.fields)
                          for check in checks)
    return keep
