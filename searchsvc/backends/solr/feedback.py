"""Pseudo-relevance feedback (RM3) on Solr, as the Whoosh backend applies it.

The same model as ``backends/whoosh/feedback.py``: the best ``feedback_docs`` matches of a
long description (scored by Solr, ranked as a search ranks them, without the facet
filters) give the ``feedback_terms`` words that make up most of them, each weighed by its
share of an article's words times the article's share of the matches' scores (the stored
text analysed here by the configset's chain, ``analysis.py``). The typed query keeps
``original_weight`` of its weight and the added words share the rest. The search runs
the expanded query with the typed one as a filter: the same articles match (the total and
the facet counts are those of the query as typed), only their order changes.
"""
from __future__ import annotations

from collections import Counter

from ...query import tree as t
from ..whoosh.ranking import Ranking
from .analysis import analyze_text
from .translate import Translation

FEEDBACK_NOTE = "articles are also ranked by the words the best matches share"


def feedback_terms(bodies: list[str], scores: list[float],
                   limit: int) -> list[tuple[str, float]]:
    """Return the relevance model's strongest words of the best matches, with weights."""
    total = sum(scores)
    if not bodies or total <= 0:
        return []
    weights: Counter[str] = Counter()
    for body, score in zip(bodies, scores):
        counts = Counter(analyze_text(body or ""))
        length = sum(counts.values())
        for term, count in counts.items():
            weights[term] += count / length * score / total
    # Numbers and tokens with punctuation say little about a subject.
    ranked = [(term, weight) for term, weight in weights.most_common()
              if term.isalpha() and len(term) > 1]
    return ranked[:limit]


class Expanded:
    """A translated query plus the feedback words, as Lucene syntax and its parameters."""

    def __init__(self, typed: Translation, clauses: int, terms: list[tuple[str, float]],
                 original_weight: float) -> None:
        total = sum(weight for _, weight in terms)
        # Scaled by the number of typed clauses, so that a typed clause keeps
        # original_weight of its weight and all added words together weigh
        # (1 - original_weight) of the typed ones (as whoosh/feedback.expanded_query).
        scale = (1 - original_weight) * clauses / total
        self.params = dict(typed.params)
        parts = [f"({typed.query})^{original_weight:.6f}"]
        for number, (term, weight) in enumerate(terms):
            # The term query: the word is an index term already, not to be analysed again.
            self.params[f"fbt{number}"] = term
            parts.append(f'(_query_:"{{!term f=body v=$fbt{number}}}")^{weight * scale:.8f}')
        self.query = " ".join(parts)


def typed_clauses(tree: t.Node) -> int:
    """Return how many clauses the typed query has: the searchable parts of an any-word
    query, else one (the Whoosh backend's Or subqueries)."""
    if isinstance(tree, t.Any):
        return max(1, sum(Translation(part).query is not None for part in tree.parts))
    return 1


def expand(client, collection: str, typed: Translation, tree: t.Node,
           date_filters: list[str], ranking: Ranking) -> Expanded | None:
    """Return the typed query expanded by its best matches' words, or None if none."""
    answer = client.request(
        "POST", f"/{collection}/select", params={"wt": "json"},
        data={**typed.params, "q": typed.query, "fq": date_filters, "fl": "body,score",
              "rows": ranking.feedback_docs, "sort": "score desc,seq asc"})
    docs = answer["response"]["docs"]
    terms = feedback_terms([doc.get("body") or "" for doc in docs],
                           [float(doc["score"]) for doc in docs], ranking.feedback_terms)
    if not terms:
        return None
    return Expanded(typed, typed_clauses(tree), terms, ranking.original_weight)
