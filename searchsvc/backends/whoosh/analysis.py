"""Analyzers: how article text becomes index terms, defined once and used at index and query time."""
from __future__ import annotations

import re

from whoosh.analysis import (CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter,
                             StopFilter)
from whoosh.analysis.analyzers import Analyzer
from whoosh.lang import stemmer_for_language
from whoosh.support.charset import accent_map

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

# English function words beyond STOP_WORDS: pronouns, determiners, auxiliaries, prepositions,
# conjunctions, question words, degree adverbs. A long query is a description ranked by how
# many of its words an article has, and these words say nothing about its subject, so a long
# query leaves them out (searchsvc.search). They stay indexed, and a short query keeps them.
# Not listed: words that are also names or nouns in news ("us", "who", "may", "can", "might").
FUNCTION_WORDS = frozenset("""
i me my mine myself we our ours ourselves you your yours yourself yourselves he him his himself
she her hers herself its itself them theirs themselves
those some any each every either neither both all none another other others
what which whom whose whatever whichever whoever whomever
am were been being have has had having do does did done doing could would shall should must
ought about above across after against along amid among amongst around before behind below
beneath beside besides between beyond down during except from inside like near off onto out
outside over past per since than through throughout till toward towards under underneath unlike
until unto up upon via within without nor so yet else because although though while whereas
whether unless once how when where why whence whereby wherein also very too quite rather just
only even still already much more most less least many few several here thus hence therefore
however
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

_TOKEN_RE = re.compile(TOKEN_PATTERN)


class _TermCache(dict):
    """Raw token -> the term english_analyzer() makes of it ("" if stopped), filled on demand.

    Unbounded, like the analyzer's StemFilter cache (cachesize=-1).
    """

    def __missing__(self, token: str) -> str:
        text = token.lower().translate(accent_map)
        term = self[token] = "" if len(text) < 2 or text in STOP_WORDS else stem(text)
        return term


_term_of = _TermCache()


def english_term_positions(text: str) -> dict[str, list[int]]:
    """Return {term: [positions]} exactly as english_analyzer() would index `text`.

    Positions follow StopFilter(renumber=True): stop words leave no gap, except that the
    first kept token keeps its original position (the number of tokens before it).
    """
    terms = list(map(_term_of.__getitem__, _TOKEN_RE.findall(text)))
    kept = list(filter(None, terms))
    if not kept:
        return {}
    positions: dict[str, list[int]] = {}
    add = positions.setdefault
    for position, term in enumerate(kept, terms.index(kept[0])):
        add(term, []).append(position)
    return positions
