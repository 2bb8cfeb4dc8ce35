"""Pseudo-relevance feedback (RM3) for long descriptive queries.

A long query describes a subject in the user's words; the articles that match it best
describe it in theirs. RM3 (Lavrenko and Croft's relevance model, as Anserini and Terrier
apply it) takes the best few matches, weighs each word by how much of each article it
makes up and by how well that article matched, and adds the strongest words to the query
at a lower weight than the words typed. Measured on the five IR test collections
(bench/ir_eval.py), it raises MAP on each (BENCHMARKS.md). The search call only re-ranks
the articles the typed words found with it: the words added never bring in articles of
their own, so the total and the facet counts stay those of the query as typed.
"""
from __future__ import annotations

from collections import Counter

from whoosh import query as wq

from .analysis import english_term_positions
from .storedfields import stored_fields



def feedback_terms(searcher, docnums: list[int], scores: list[float],
                   limit: int) -> list[tuple[str, float]]:
    """Return the relevance model's strongest words of the best matches, with weights.

    Each word weighs sum over the matches of (its share of the article's words) x (the
    article's share of the matches' scores); words are index terms of the body.
    """
    total = sum(scores)
    if not docnums or total <= 0:
        return []
    weights: Counter[str] = Counter()
    for docnum, score in zip(docnums, scores):
        positions = english_term_positions(stored_fields(searcher, docnum).get("body", ""))
        length = sum(len(found) for found in positions.values())
        for term, found in positions.items():
            weights[term] += len(found) / length * score / total
    # Numbers and tokens with punctuation say little about a subject.
    ranked = [(term, weight) for term, weight in weights.most_common()
              if term.isalpha() and len(term) > 1]
    return ranked[:limit]


def expanded_query(query: wq.Query, terms: list[tuple[str, float]],
                   original_weight: float) -> wq.Query:
    """Return the query's clauses at original_weight plus the added words at the rest."""
    clauses = list(query.subqueries) if isinstance(query, wq.Or) else [query]
    total = sum(weight for _, weight in terms)
    if not terms or total <= 0:
        return query
    # Scaled by the number of typed clauses, so that a typed word keeps original_weight of
    # its weight and all added words together weigh (1 - original_weight) of the typed ones.
    scale = (1 - original_weight) * len(clauses) / total
    return wq.Or([clause.with_boost(clause.boost * original_weight) for clause in clauses]
                 + [wq.Term("body", term, boost=weight * scale) for term, weight in terms])
