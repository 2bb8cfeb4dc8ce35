"""The parameters of relevance ranking, in one place, so that a benchmark can vary them.

bench/loco.py tries each value leave-one-collection-out on the five IR test collections
(for each collection, the value best on the other four, reported on the fifth); the
defaults are the published or principled values, and BENCHMARKS.md shows that the
left-out choices do not beat them.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ranking:
    """How matches are scored: BM25 in title and body, and relevance feedback (RM3)."""

    # BM25 (k1 0.9, b 0.4: Anserini's and PISA's published baselines).
    k1: float = 0.9
    b: float = 0.4
    # A title match counts this much of a body match: the body holds its title too, so a
    # full-weight title counts the same words twice.
    title_weight: float = 0.2
    # RM3: the best feedback_docs matches give feedback_terms words, which weigh together
    # (1 - original_weight) of the typed words.
    feedback_docs: int = 10
    feedback_terms: int = 20
    original_weight: float = 0.6
    # Feedback runs only when its feedback_docs are a small elite of what matched, at most a
    # tenth: a relevance model estimated from a large share of the matches (a small archive,
    # a rare subject) is the query's own words again plus noise. Off below 100 matches.
    feedback_min_matches: int = 100
