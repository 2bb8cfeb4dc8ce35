"""Query trees in Solr's terms: Lucene query syntax, every user value quoted or escaped.

The same fields, weights and structure as the Whoosh translation (``backends/whoosh/
translate.py``): a word searches the body and the title (a title match weighted by
TITLE_WEIGHT), phrases keep their slop, synonyms score as their best alternative (a
``maxscore`` query, Lucene's dismax), words that analyse to nothing (stop words) drop out.
"""
from __future__ import annotations

import datetime as dt
import re

from ...query import tree as t
from ..contract import QueryTerms, has_stop_words_inside
from .analysis import analyze_name, analyze_text, analyze_word

# The Whoosh ranking's title_weight: a title match counts this much of a body match.
TITLE_WEIGHT = 0.2
TEXT_FIELDS = ("title", "body")
INDEX_FIELDS = {"title": ("title",), "body": ("body",), "author": ("author",),
                "outlet": ("outlet_name",), None: TEXT_FIELDS}
KEYWORD_FIELDS = {"outlet": "outlet", "language": "language", "id": "id"}
_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/\s])')


def escape(text: str) -> str:
    """Return text with every character special to the Lucene syntax escaped."""
    return _SPECIAL.sub(r"\\\1", text)


def quote(text: str) -> str:
    """Return text as a quoted Lucene string (analysed by the field, no syntax inside)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def solr_date(day: dt.date, end: bool = False) -> str:
    """Return the first (or with end, the last) instant of a day in Solr's date syntax."""
    return day.isoformat() + ("T23:59:59.999Z" if end else "T00:00:00Z")


def _weight(value: float) -> str:
    return "" if value == 1 else f"^{value:g}"


class Translation:
    """A tree as a Lucene query string, with the parameters its nested queries refer to."""

    def __init__(self, tree: t.Node | None, prefix: str = "qq") -> None:
        self.params: dict[str, str] = {}
        self._prefix = prefix
        self._exact = {id(node) for node in stopword_phrases(tree)}
        self.query = None if tree is None else self.node(tree)

    def node(self, node: t.Node) -> str | None:
        """Return the Lucene query of one node (None: nothing in it can be searched)."""
        if isinstance(node, t.Word):
            return self._words([node.text], node.field, node.weight, slop=0)
        if isinstance(node, t.Phrase):
            # Whoosh counts slop 1 as adjacent; Lucene counts moves, 0 for adjacent.
            query = self._words(list(node.words), node.field, node.weight,
                                slop=max(1, node.slop) - 1)
            if query is None or id(node) not in self._exact:
                return query
            # The index leaves stop words out; the *_all fields keep them, in their places.
            written = " ".join(f"{name}_all:{quote(' '.join(node.words))}"
                               for name in INDEX_FIELDS[node.field])
            return f"+({query}) +filter({written})"
        if isinstance(node, (t.Prefix, t.Wildcard, t.Fuzzy)):
            return self._multiterm(node)
        if isinstance(node, t.Synonyms):
            parts = [p for p in map(self.node, node.alternatives) if p is not None]
            if not parts:
                return None
            if len(parts) == 1:
                return f"({parts[0]}){_weight(node.weight)}"
            name = f"{self._prefix}{len(self.params)}"
            self.params[name] = " ".join(f"({part})" for part in parts)
            return f'(_query_:"{{!maxscore tie=0 v=${name}}}"){_weight(node.weight)}'
        if isinstance(node, t.All):
            # Whoosh's Not(x) inside an And is an exclusion: the same here.
            required, excluded = [], []
            for part in node.parts:
                if isinstance(part, t.Not):
                    inner = self.node(part.part)
                    if inner is not None:
                        excluded.append(f"-({inner})")
                else:
                    query = self.node(part)
                    if query is not None:
                        required.append(f"+({query})")
            if not required and not excluded:
                return None
            return " ".join((required or ["*:*"]) + excluded)
        if isinstance(node, t.Any):
            parts = [p for p in map(self.node, node.parts) if p is not None]
            return " ".join(f"({p})" for p in parts) if parts else None
        if isinstance(node, t.AndMaybe):
            required, optional = self.node(node.required), self.node(node.optional)
            if required is None or optional is None:
                return required
            return f"+({required}) ({optional})"
        if isinstance(node, t.Not):
            inner = self.node(node.part)
            return None if inner is None else f"*:* -({inner})"
        if isinstance(node, t.Equals):
            field = KEYWORD_FIELDS.get(node.field)
            if field is None:
                raise TypeError(f"no keyword field {node.field!r}")
            return f"{field}:{quote(node.value)}"
        if isinstance(node, t.YearRange):
            low = "*" if node.low is None else int(node.low)
            high = "*" if node.high is None else int(node.high)
            return f"year:[{low} TO {high}]"
        if isinstance(node, t.DateRange):
            low = solr_date(node.low) if node.low else "*"
            high = solr_date(node.high, end=True) if node.high else "*"
            return f"date:[{low} TO {high}]"
        raise TypeError(f"not a query tree node: {node!r}")

    def _words(self, words: list[str], field: str | None, weight: float,
               slop: int) -> str | None:
        options = []
        for fieldname in INDEX_FIELDS[field]:
            analyse = analyze_text if fieldname in TEXT_FIELDS else analyze_name
            terms = [term for word in words for term in analyse(word)]
            if not terms:
                continue
            boost = weight * (TITLE_WEIGHT if field is None and fieldname == "title" else 1.0)
            # Quoted words are analysed by Solr with the field's own chain (the same
            # terms as `terms`); several terms make a phrase.
            text = quote(" ".join(words))
            phrase = f"~{slop}" if len(terms) > 1 and slop else ""
            options.append(f"{fieldname}:{text}{phrase}{_weight(boost)}")
        return " ".join(options) if options else None

    def _multiterm(self, node: t.Prefix | t.Wildcard | t.Fuzzy) -> str | None:
        options = []
        for fieldname in INDEX_FIELDS[node.field]:
            boost = _weight(TITLE_WEIGHT if node.field is None and fieldname == "title" else 1)
            if isinstance(node, t.Prefix):
                if not node.text:
                    return None
                options.append(f"{fieldname}:{escape(node.text.lower())}*{boost}")
            elif isinstance(node, t.Wildcard):
                pattern = "".join(ch if ch in "*?" else escape(ch) for ch in node.pattern.lower())
                options.append(f"{fieldname}:{pattern}{boost}")
            else:
                options.append(f"{fieldname}:{escape(node.text.lower())}~{node.edits or 1}{boost}")
        return " ".join(options) if options else None


def stopword_phrases(tree: t.Node | None) -> list[t.Phrase]:
    """Return the phrases of a tree that have a stop word among other words.

    As the Whoosh backend's checks (``whoosh/phrases.py``): wherever the phrase stands
    (required, among alternatives, excluded), adjacent words, in the title or the body.
    """
    return [node for node in (t.walk(tree) if tree is not None else ())
            if isinstance(node, t.Phrase) and has_stop_words_inside(node, analyze_word)]


def query_terms(tree: t.Node | None, expand=None) -> QueryTerms:
    """Return the analysed terms and phrases a tree looks for (not those it excludes).

    expand(node) returns the index terms a prefix, wildcard or fuzzy word matches.
    """
    terms: set[str] = set()
    phrases: list[tuple[str, ...]] = []
    for leaf in t.sought(tree):
        field = getattr(leaf, "field", "")
        if field not in (None, "title", "body"):
            continue
        if isinstance(leaf, (t.Word, t.Phrase)):
            words = [leaf.text] if isinstance(leaf, t.Word) else list(leaf.words)
            found = [term for word in words for term in analyze_text(word)]
            if len(found) == 1:
                terms.add(found[0])
            elif found:
                phrases.append(tuple(found))
        elif isinstance(leaf, (t.Prefix, t.Wildcard, t.Fuzzy)) and expand is not None:
            terms.update(expand(leaf))
    return QueryTerms(frozenset(terms), tuple(dict.fromkeys(phrases)), analyze_word)
