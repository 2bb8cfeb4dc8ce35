"""The configset's English analysis in Python, for what must be analysed on this side.

Snippets mark a passage's words by comparing each word's term with the query's terms, one
call per word: that cannot be a request to Solr. This is the chain of
``configset/conf/schema.xml`` (``text_en``): the same token pattern, lowercase, accents
folded, the same stop words, tokens of one character dropped, Snowball English. A test
compares it with Solr's own analysis of the same words.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import snowballstemmer

CONFIGSET = Path(__file__).resolve().parent / "configset"
STOP_WORDS = frozenset((CONFIGSET / "conf" / "stopwords.txt").read_text(encoding="ascii").split())
TOKEN_RE = re.compile(r"\w+(?:\.?\w+)*")
_STEMMER = snowballstemmer.stemmer("english")
_CACHE: dict[str, str] = {}


def fold(text: str) -> str:
    """Return text lowercased with accents removed (what ASCIIFoldingFilter does to letters)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def analyze_text(text: str) -> list[str]:
    """Return the index terms of a text, in order, stop words and one-letter tokens left out."""
    terms = []
    for token in TOKEN_RE.findall(text):
        term = _CACHE.get(token)
        if term is None:
            folded = fold(token)
            term = "" if len(folded) < 2 or folded in STOP_WORDS else _STEMMER.stemWord(folded)
            if len(_CACHE) > 200_000:
                _CACHE.clear()
            _CACHE[token] = term
        if term:
            terms.append(term)
    return terms


def analyze_word(word: str) -> str:
    """Return the index term of one word ('' for a stop word; terms joined by spaces)."""
    return " ".join(analyze_text(word))


def analyze_name(text: str) -> list[str]:
    """Return the terms of a name (authors, outlets): tokens lowercased and folded."""
    return [fold(token) for token in TOKEN_RE.findall(text)]
