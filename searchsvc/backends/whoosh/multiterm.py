"""Bounded expansion of prefix, wildcard and fuzzy words into the index terms they match.

Whoosh matches ``diplom*``, ``te*t`` and ``government~2`` by walking the term dictionary
and scoring every term it finds through its own (slow) matchers: on a news archive
``ab*`` took 10 s and ``government~9`` ran into the server's timeout. Here each such word
becomes an OR of at most a bounded number of concrete terms, chosen as Lucene and
Elasticsearch choose them (``max_expansions``): for a fuzzy word the nearest terms first,
then the most frequent, within as many edits as the word's length allows; for a prefix
or wildcard the most frequent. The OR of terms is then matched and scored on the posting
arrays like any typed word, and the reading says when a word had more terms than were
searched.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from whoosh import fields, query as wq

from .spelling import Lexicon

MAX_EXPANSIONS = 50          # terms one expanded word is searched as (Lucene's fuzzy default)
QUERY_EXPANSIONS = 250       # terms all expanded words of one query are searched as, at most
MAX_FUZZY_DISTANCE = 2       # Lucene's limit: beyond two edits nearly everything matches
SCAN_LIMIT = 20_000          # dictionary terms a prefix or wildcard is checked against


def fuzzy_distance_allowed(word: str) -> int:
    """Return the most edits a fuzzy word of this length may be searched with.

    Elasticsearch's AUTO fuzziness: none up to 2 letters, one up to 5, then two
    (MAX_FUZZY_DISTANCE); a~2 would otherwise match nearly every short word.
    """
    return 0 if len(word) <= 2 else 1 if len(word) <= 5 else MAX_FUZZY_DISTANCE


@dataclass
class Expansion:
    """A query with its multi-term words replaced, and what the user should be told."""

    query: wq.Query | None
    notes: list[str] = field(default_factory=list)


def expand_multiterms(query: wq.Query | None, reader, lexicon: Lexicon,
                      text_fields: tuple[str, ...]) -> Expansion:
    """Return the query with every Prefix, Wildcard and FuzzyTerm as an OR of index terms."""
    if query is None:
        return Expansion(None)
    nodes = [node for node in query.leaves() if _expandable(node, reader.schema)]
    if not nodes:
        return Expansion(query)
    per_word = max(5, min(MAX_EXPANSIONS, QUERY_EXPANSIONS // len(nodes)))
    notes: list[str] = []
    replaced: dict[int, wq.Query] = {}
    for node in nodes:
        if id(node) in replaced:
            continue
        terms, more, capped = _choose(node, reader, lexicon, text_fields, per_word)
        replaced[id(node)] = _as_terms(node, terms)
        written = _written(node)
        if capped:
            allowed = fuzzy_distance_allowed(node.text)
            notes.append(f"{written}: searched within {allowed} "
                         f"edit{'' if allowed == 1 else 's'}, the most a word of "
                         f"{len(node.text)} letters allows")
        if more:
            notes.append(f"{written} matches more words than are searched; the "
                         f"{len(terms)} {'nearest' if _fuzzy(node) else 'most common'} "
                         f"were searched")
    return Expansion(_rebuild(query, replaced), list(dict.fromkeys(notes)))


def _expandable(node: wq.Query, schema) -> bool:
    """Tell whether a node is a multi-term word over a text field (titles, bodies, names)."""
    return (isinstance(node, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm))
            and node.fieldname in schema and isinstance(schema[node.fieldname], fields.TEXT))


def _fuzzy(node: wq.Query) -> bool:
    return isinstance(node, wq.FuzzyTerm)


def _written(node: wq.Query) -> str:
    """Return the expanded word roughly as the user wrote it, for notes."""
    if isinstance(node, wq.Prefix):
        return f"{node.text}*"
    if isinstance(node, wq.FuzzyTerm):
        return f"{node.text}~{node.maxdist}"
    return node.text


def _choose(node: wq.Query, reader, lexicon: Lexicon, text_fields: tuple[str, ...],
            limit: int) -> tuple[list[str], bool, bool]:
    """Return (chosen terms, whether more matched, whether the fuzzy distance was capped)."""
    fieldname = node.fieldname
    if _fuzzy(node):
        distance = min(node.maxdist, fuzzy_distance_allowed(node.text))
        tiers = _fuzzy_tiers(node, reader, lexicon, text_fields, distance)
        chosen: list[str] = []
        more = False
        for tier in tiers:
            room = limit - len(chosen)
            if len(tier) > room:
                more = True
            chosen.extend(_most_frequent(reader, fieldname, tier, room))
            if more:
                break
        return chosen, more, node.maxdist > distance
    candidates = []
    scanned_all = True
    for count, btext in enumerate(node._btexts(reader)):
        if count == SCAN_LIMIT:
            scanned_all = False
            break
        candidates.append(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
    chosen = _most_frequent(reader, fieldname, candidates, limit)
    return chosen, len(candidates) > limit or not scanned_all, False


def _fuzzy_tiers(node: wq.FuzzyTerm, reader, lexicon: Lexicon,
                 text_fields: tuple[str, ...], distance: int) -> list[list[str]]:
    """Return the terms within 0, 1, ... distance edits of the word, nearest tier first.

    Like Whoosh's spelling corrector, a term must share the word's first letter: without
    that a two-letter word is within two edits of every other short word.
    """
    text = node.text
    if node.fieldname in text_fields:
        # Bodies hold their headlines, so the body lexicon holds every title term too.
        within = lexicon.within
    else:
        def within(word: str, maxdist: int) -> list[str]:
            return [btext.decode("utf-8") if isinstance(btext, bytes) else btext
                    for btext in reader.terms_within(node.fieldname, word, maxdist,
                                                     prefix=1)]
    tiers, seen = [], set()
    for maxdist in range(0, distance + 1):
        tier = [term for term in within(text, maxdist) if term not in seen]
        seen.update(tier)
        tiers.append(tier)
    return tiers


def _most_frequent(reader, fieldname: str, terms: list[str], limit: int) -> list[str]:
    """Return up to limit of the terms with the most documents in the field, in term order."""
    if limit <= 0:
        return []
    if len(terms) > limit:
        terms = heapq.nlargest(limit, terms, key=lambda term: reader.doc_frequency(fieldname,
                                                                                   term))
    return sorted(term for term in terms if reader.doc_frequency(fieldname, term))


def _as_terms(node: wq.Query, terms: list[str]) -> wq.Query:
    """Return the OR of the terms in the node's field, with the node's boost."""
    if not terms:   # a term that is not in the index matches nothing, on the fast path too
        return wq.Term(node.fieldname, node.text, boost=node.boost)
    if len(terms) == 1:
        return wq.Term(node.fieldname, terms[0], boost=node.boost)
    return wq.Or([wq.Term(node.fieldname, term) for term in terms], boost=node.boost)


def _rebuild(node: wq.Query, replaced: dict[int, wq.Query]) -> wq.Query:
    """Return a copy of the query tree with the replaced nodes swapped in."""
    if id(node) in replaced:
        return replaced[id(node)]
    children = list(node.children())
    if not children:
        return node
    return node.apply(lambda child: _rebuild(child, replaced))

