"""Spelling suggestions over a Solr collection, ranked as the Whoosh backend ranks them.

The Whoosh backend (``whoosh/spelling.py``) offers the written word nearest a typed word:
candidate stems near the typed word, its stem or one of its beginnings; each candidate's
written forms read from the first articles holding it; the nearest form wins, of equals
the one whose stem most articles use. Here the candidate stems come from the spellcheck
component (``/spell``: Lucene's DirectSpellChecker over the body's terms, two edits at most,
the first letter kept; for a word it offers nothing for, such as a stop word, the body's
terms with the word's first letter from the terms component), their frequencies from the
terms component, and the articles from a term query in build order, the Whoosh document
order.
"""
from __future__ import annotations

from collections import Counter
from typing import Callable

from ..whoosh.spelling import SURFACE_CANDIDATES, SURFACE_DOCUMENTS, edit_distance
from .analysis import TOKEN_RE, analyze_word


def levenshtein(a: str, b: str) -> int:
    """Return the Levenshtein distance between two words (no swaps: Whoosh's automaton)."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def within(near: Callable[[str], list[str]], word: str, maxdist: int) -> list[str]:
    """Return the index terms within maxdist edits of word, its first character kept.

    near(word) gives the spellcheck component's terms close to word, and the word itself
    (whether the index holds it is known only from its frequency); the edit distance is
    checked here as Whoosh's automaton counts it (no swaps).
    """
    return [term for term in near(word) if term[:1] == word[:1]
            and abs(len(term) - len(word)) <= maxdist and levenshtein(word, term) <= maxdist]


def candidate_stems(near: Callable[[str], list[str]], word: str, maxdist: int) -> set[str]:
    """Return the stems near a typed word, near its stem, or near one of its beginnings."""
    found = set(within(near, word, maxdist))
    stemmed = analyze_word(word)
    if stemmed and stemmed != word and " " not in stemmed:
        found.update(within(near, stemmed, maxdist))
    for length in range(4, len(word)):         # "governmnet" begins like "govern"
        found.update(term for term in within(near, word[:length], maxdist)
                     if len(term) == length)
    return found


def suggest_surface(word: str, maxdist: int, near: Callable[[str], list[str]],
                    frequencies: Callable[[list[str]], dict[str, int]],
                    texts: Callable[[str, int], list[str]]) -> str | None:
    """Return the written word nearest a typed word within maxdist edits, if any.

    near(word) gives the body terms the spellcheck component finds close to a word (and
    the word), frequencies(terms) how many articles hold each (none: not in the index),
    texts(term, n) the bodies of the first n articles holding it.
    """
    typed = word.lower()
    if not typed:
        return None
    frequency = frequencies(sorted(candidate_stems(near, typed, maxdist)))
    stems = sorted(frequency, key=lambda term: (-frequency[term], term))
    near = []
    for term in stems[:SURFACE_CANDIDATES]:
        forms: Counter = Counter()
        for text in texts(term, SURFACE_DOCUMENTS):
            for token in TOKEN_RE.findall(text):
                lowered = token.lower()
                if lowered[:2] == term[:2] and analyze_word(lowered) == term:
                    forms[lowered] += 1
        for form, count in forms.items():
            distance = edit_distance(typed, form)
            if 0 < distance <= maxdist:
                near.append((distance, -frequency[term], -count, form))
    return min(near)[3] if near else None
