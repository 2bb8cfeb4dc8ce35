"""Query trees in Whoosh's terms: which fields, which analysed terms, which query classes."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from whoosh import query as wq

from ...query import tree as t
from ..contract import QueryTerms
from .analysis import analyze_word
from .phrases import WrittenAs, phrase_check

# Relevance ranking adds the BM25 scores of the title and the body, a title match weighted
# by the ranking's title_weight (ranking.py).
TEXT_FIELDS = ("title", "body")
# The index field a tree's field name searches; None is the article's text.
INDEX_FIELDS = {"title": ("title",), "body": ("body",), "author": ("author",),
                "outlet": ("outlet_name",), None: TEXT_FIELDS}


def to_whoosh(node: t.Node | None, schema, title_weight: float = 0.2) -> wq.Query | None:
    """Return the Whoosh query of a tree (None when it has nothing that can be searched)."""
    if node is None:
        return None
    return _Translator(schema, title_weight).node(node)


class _Translator:
    def __init__(self, schema, title_weight: float) -> None:
        self.schema = schema
        self.title_weight = title_weight

    def node(self, node: t.Node) -> wq.Query | None:
        if isinstance(node, t.Word):
            return self._words([node.text], node.field, node.weight, slop=1)
        if isinstance(node, t.Phrase):
            query = self._words(node.words, node.field, node.weight, slop=max(1, node.slop))
            check = phrase_check(node)
            return query if query is None or check is None else WrittenAs(query, check)
        if isinstance(node, (t.Prefix, t.Wildcard, t.Fuzzy)):
            return self._multiterm(node)
        if isinstance(node, t.Synonyms):
            # One concept however many ways it is said: the best alternative's score (a
            # dismax, as Lucene's SynonymQuery), not the sum, which counts it once per way.
            parts = [part for part in map(self.node, node.alternatives) if part is not None]
            if not parts:
                return None
            query = parts[0] if len(parts) == 1 else wq.DisjunctionMax(parts)
            return _boosted(query, node.weight)
        if isinstance(node, t.All):
            parts = [self.node(part) for part in node.parts]
            return _and(part for part in parts if part is not None)
        if isinstance(node, t.Any):
            return _or(self.node(part) for part in node.parts)
        if isinstance(node, t.AndMaybe):
            required, optional = self.node(node.required), self.node(node.optional)
            if required is None or optional is None:
                return required
            return wq.AndMaybe(required, optional)
        if isinstance(node, t.Not):
            inner = self.node(node.part)
            return None if inner is None else wq.Not(inner)
        if isinstance(node, t.YearRange):
            return wq.NumericRange("year", node.low, node.high)
        if isinstance(node, t.DateRange):
            low = dt.datetime.combine(node.low, dt.time.min) if node.low else None
            high = dt.datetime.combine(node.high, dt.time.max) if node.high else None
            return wq.DateRange("date", low, high)
        raise TypeError(f"not a query tree node: {node!r}")

    def _terms(self, fieldname: str, words: Iterable[str]) -> list[str]:
        """Return the index terms of words in a field, as its analyzer makes them."""
        if fieldname in TEXT_FIELDS:
            return [term for word in words for term in analyze_word(word).split()]
        analyzer = self.schema[fieldname].analyzer
        return [token.text for word in words for token in analyzer(word)]

    def _words(self, words, field: str | None, weight: float, slop: int) -> wq.Query | None:
        options = []
        for fieldname in INDEX_FIELDS[field]:
            terms = self._terms(fieldname, words)
            boost = weight * (self.title_weight if field is None and fieldname == "title" else 1.0)
            if len(terms) == 1:
                options.append(wq.Term(fieldname, terms[0], boost=boost))
            elif terms:
                options.append(wq.Phrase(fieldname, terms, slop=slop, boost=boost))
        return _or(options)

    def _multiterm(self, node: t.Prefix | t.Wildcard | t.Fuzzy) -> wq.Query | None:
        options = []
        for fieldname in INDEX_FIELDS[node.field]:
            boost = self.title_weight if node.field is None and fieldname == "title" else 1.0
            if isinstance(node, t.Prefix):
                options.append(wq.Prefix(fieldname, node.text, boost=boost))
            elif isinstance(node, t.Wildcard):
                options.append(wq.Wildcard(fieldname, node.pattern, boost=boost))
            else:
                options.append(wq.FuzzyTerm(fieldname, node.text, boost=boost,
                                            maxdist=node.edits or 1, prefixlength=1))
        return _or(options)


def _and(parts: Iterable[wq.Query | None]) -> wq.Query | None:
    parts = [part for part in parts if part is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _or(parts: Iterable[wq.Query | None]) -> wq.Query | None:
    parts = [part for part in parts if part is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def _boosted(query: wq.Query | None, weight: float) -> wq.Query | None:
    if query is None or weight == 1:
        return query
    return query.with_boost(query.boost * weight)


def query_terms(query: wq.Query | None, reader) -> QueryTerms:
    """Return the analysed terms and phrases a query looks for (not those it excludes)."""
    terms: set[str] = set()
    phrases: list[tuple[str, ...]] = []

    def visit(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            visit(node.a)
            return
        if isinstance(node, wq.Phrase):
            if node.fieldname in TEXT_FIELDS:
                phrases.append(tuple(node.words))
            return
        if isinstance(node, wq.Term):
            if node.fieldname in TEXT_FIELDS and isinstance(node.text, str):
                terms.add(node.text)
            return
        if isinstance(node, wq.MultiTerm):
            if node.fieldname in TEXT_FIELDS:
                for _, text in node.existing_terms(reader, expand=True):
                    terms.add(text.decode("utf-8") if isinstance(text, bytes) else text)
            return
        for child in node.children():
            visit(child)

    if query is not None:
        visit(query)
    return QueryTerms(frozenset(terms), tuple(dict.fromkeys(phrases)), analyze_word)
