"""Coverage over time: a search's matches per period beside all articles per period.

The articles per period are counted under the same filters (outlet, year, dates) but without
the query, so that matches / articles is the share of coverage a client can chart.
"""
from __future__ import annotations

from ..backends.contract import INTERVALS
from .search import SearchRequest, SearchService

BY = ("outlet",)


def timeline(service: SearchService, request: SearchRequest, interval: str = "month",
             by: str | None = None) -> dict:
    """Return per-period counts of a search's matches and of all articles (per outlet if by)."""
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {', '.join(INTERVALS)}, not {interval!r}")
    if by is not None and by not in BY:
        raise ValueError(f"by must be {' or '.join(BY)}, not {by!r}")
    spec, reading = service.plan(request)
    counts = service.backend.period_counts(None if spec.match_nothing else spec.tree,
                                           spec.filters, interval, by_outlet=by is not None)
    if spec.match_nothing:          # words, none searchable: nothing matches
        counts.matches, counts.total, counts.unknown_date = {}, 0, 0
    starts = sorted({start for start, _ in counts.matches})
    periods = []
    if starts:
        # Every period the archive has articles in, from the first match to the last: a
        # period without matches is a zero on the chart, not a gap.
        shown = sorted({start for start, _ in counts.articles
                        if starts[0] <= start <= starts[-1]} | set(starts))
        rows: dict[str, dict] = {start: {"start": start, "matches": 0, "articles": 0}
                                 for start in shown}
        per_outlet: dict[str, dict[str, dict]] = {start: {} for start in shown}
        for key, tally in (("articles", counts.articles), ("matches", counts.matches)):
            for (start, outlet), count in tally.items():
                if start not in rows:
                    continue
                rows[start][key] += count
                if outlet is not None:
                    entry = per_outlet[start].setdefault(
                        outlet, {"outlet": outlet, "matches": 0, "articles": 0})
                    entry[key] += count
        for start in shown:
            row = rows[start]
            row["share"] = round(row["matches"] / row["articles"], 6) if row["articles"] else 0
            if by is not None:
                row["outlets"] = sorted(
                    (entry for entry in per_outlet[start].values() if entry["matches"]),
                    key=lambda entry: (-entry["matches"], entry["outlet"].casefold()))
                for entry in row["outlets"]:
                    entry["share"] = round(entry["matches"] / entry["articles"], 6)
            periods.append(row)
    return {"query": {"text": request.q, "read_as": reading.text}, "interval": interval,
            "by": by, "total": counts.total, "unknown_date": counts.unknown_date,
            "periods": periods}
