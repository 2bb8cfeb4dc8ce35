"""Analyzers: how article text becomes index terms, defined once and used at index and query time."""
from __future__ import annotations

import re

from whoosh.analysis import (CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter,
                             StopFilter)
from whoosh.analysis.analyzers import Analyzer
from whoosh.lang import stemmer_for_language
from whoosh.support.charset import accent_map

from ...utf8 import utf8_replacing

# Which index terms this module makes; build.json records it. Change it whenever a word's
# term changes: an index built with another version needs a full rebuild.
# 1: Porter stemmer; 2: Snowball English ("Porter2"), Porter's own revision of his stemmer.
ANALYSIS_VERSION = 2

stem = stemmer_for_language("en")   # Snowball English

# Lucene's English stop words: the list the published BM25 baselines use.
STOP_WORDS = frozenset("""
a an and are as at be but by for if in into is it no not of on or such that the their then
there these they this to was will with
""".split())

# Words joined by a straight or curly apostrophe stay one token ("o’neill" -> "o'neill");
# a trailing possessive "’s" is dropped by the stop filter's minimum size.
TOKEN_PATTERN = r"\w+(?:\.?\w+)*"


def english_analyzer() -> Analyzer:
    """Return the analyzer for titles and bodies: tokenize, lowercase, fold accents, stop, stem."""
    return (RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)
            | StopFilter(stoplist=STOP_WORDS, minsize=2) | StemFilter(lang="en", cachesize=-1))


def name_analyzer() -> Analyzer:
    """Return the analyzer for names (authors, outlets): tokenize, lowercase, fold accents."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


_WORD_CACHE: dict[str, str] = {}
_ENGLISH = None


def analyze_word(word: str) -> str:
    """Return the index term of one word as the English analyzer makes it ('' for a stop word)."""
    term = _WORD_CACHE.get(word)
    if term is None:
        global _ENGLISH
        if _ENGLISH is None:
            _ENGLISH = english_analyzer()
        terms = [token.text for token in _ENGLISH(word)]
        term = terms[0] if len(terms) == 1 else " ".join(terms)
        if len(_WORD_CACHE) > 200_000:
            _WORD_CACHE.clear()
        _WORD_CACHE[word] = term
    return term


# --------------------------------------------------------------------------- index-time fast path
#
# english_analyzer() runs every token through five generator filters, which is most of the cost
# of analysis at index time. english_term_positions() computes the same terms and positions
# directly: one regex pass, and one dict lookup per token for the term its raw text becomes.

# TOKEN_PATTERN's tokens, matched with possessive quantifiers: \w+ already takes a word's
# last letter, so "\.?" never lets the group match without its dot, and nothing is lost by
# never backtracking into a word; a fifth less time a token than the pattern as written.
_TOKEN_RE = re.compile(r"\w++(?:\.\w++)*+")


class _TermCache(dict):
    """Raw token -> the term english_analyzer() makes of it ("" if stopped), filled on demand.

    Unbounded, like the analyzer's StemFilter cache (cachesize=-1).
    """

    def __missing__(self, token: str) -> str:
        text = token.lower().translate(accent_map)
        # Raw tokens differ in case ("The", "the", "THE") far more often than their
        # folded texts differ, and the Snowball stemmer is the costly step: stem each
        # folded text once.
        term = _folded_terms.get(text)
        if term is None:
            term = _folded_terms[text] = ("" if len(text) < 2 or text in STOP_WORDS
                                          else stem(text))
        self[token] = term
        return term


_folded_terms: dict[str, str] = {}


_term_of = _TermCache()


class _TermBytesCache(dict):
    """Raw token -> the UTF-8 bytes of its term (b"" if stopped), filled on demand.

    The index stores terms as bytes; caching them per raw token saves an encode per posting.
    """

    def __missing__(self, token: str) -> bytes:
        term = self[token] = _term_of[token].encode("utf-8")
        return term


_term_bytes_of = _TermBytesCache()


class _TermNumberCache(dict):
    """Raw token (UTF-8 bytes, as index_tokens gives it) -> the number of its term's bytes in
    TERM_BYTES (0: stopped), on demand.

    Filled straight from the folded text, not through the str and bytes caches above: the
    index path never reads those, and a new raw token (a few hundred thousand a build
    worker) then costs one entry instead of three.
    """

    def __missing__(self, raw: bytes) -> int:
        text = raw.decode("utf-8", "surrogatepass").lower().translate(accent_map)
        number = _folded_numbers.get(text)
        if number is None:
            term = _folded_terms.get(text)
            if term is None:
                term = _folded_terms[text] = ("" if len(text) < 2 or text in STOP_WORDS
                                              else stem(text))
            tbytes = term.encode("utf-8")
            number = _term_numbers.get(tbytes)
            if number is None:
                number = _term_numbers[tbytes] = len(TERM_BYTES)
                TERM_BYTES.append(tbytes)
            _folded_numbers[text] = number
        self[raw] = number
        return number


_folded_numbers: dict[str, int] = {}    # folded text -> its term's number


# Every term this process has numbered, by number; 0 stands for a stop word. Numbers are
# this process's own: a bulk writer turns them back into bytes before writing anything.
TERM_BYTES: list[bytes] = [b""]
_term_numbers: dict[bytes, int] = {b"": 0}
_term_number_of = _TermNumberCache()


def english_term_numbers(text: str) -> list[int]:
    """Return the number of each token's term (its bytes TERM_BYTES[n]; 0 if stopped), in order."""
    # A list, not an array: the caller filters it into an array, and an array's items
    # would be made into int objects again (~7% of adding a text, measured).
    return list(map(_term_number_of.__getitem__, index_tokens(text)))


# Byte -> itself for ASCII word characters, "." and every byte of a non-ASCII character
# (>= 0x80), else a space: see index_tokens.
_TOKEN_BYTES = bytes(byte if byte >= 0x80 or byte == 46 or chr(byte).isalnum() or byte == 95
                     else 32 for byte in range(256))
# non-ASCII character -> b" " if \w does not match it (as re defines \w), else None: kept
_NOT_WORD_SPACES: dict[str, bytes | None] = {}


def _space_if_not_word(char: str) -> bytes | None:
    """Return b" " for a character \\w does not match, None for one it does."""
    return None if char.isalnum() else b" "


def index_tokens(text: str) -> list[bytes]:
    """Return the tokens _TOKEN_RE finds in text, each as its UTF-8 bytes, in order.

    Found without a regex: the text's non-ASCII characters that are not word characters
    (a few distinct ones a text: quotes, dashes, odd spaces) and then its other ASCII
    characters become spaces, a dot that does not join two words does too, and the bytes
    are split at spaces: a third less time than _TOKEN_RE.findall, and bytes are what the
    term cache is keyed by. UTF-8 is self-synchronising, so replacing a character's bytes
    replaces only that character.
    """
    data = utf8_replacing(text, _space_if_not_word, _NOT_WORD_SPACES).translate(_TOKEN_BYTES)
    if b"." in data:
        # Only a dot between two word characters joins them: two dots in a row leave no
        # two dots together (the third of three is then after a space), and every dot
        # left beside a space or at an end is a separator.
        data = data.replace(b"..", b"  ").replace(b". ", b"  ").replace(b" .", b"  ")
        if data.startswith(b"."):
            data = b" " + data[1:]
        if data.endswith(b"."):
            data = data[:-1]
    return data.split()


def english_term_positions(text: str) -> dict[str, list[int]]:
    """Return {term: [positions]} exactly as english_analyzer() would index `text`.

    Positions follow StopFilter(renumber=True): stop words leave no gap, except that the
    first kept token keeps its original position (the number of tokens before it).
    """
    return _positions(list(map(_term_of.__getitem__, _TOKEN_RE.findall(text))))


def english_term_byte_positions(text: str) -> dict[bytes, list[int]]:
    """Return english_term_positions(text) with each term as the UTF-8 bytes the index stores."""
    return _positions(list(map(_term_bytes_of.__getitem__, _TOKEN_RE.findall(text))))


def _positions(terms: list) -> dict:
    """Return {term: [positions]} of a token's terms in order, "" (or b"") where stopped."""
    kept = list(filter(None, terms))
    if not kept:
        return {}
    positions: dict = {}
    add = positions.setdefault
    for position, term in enumerate(kept, terms.index(kept[0])):
        add(term, []).append(position)
    return positions
