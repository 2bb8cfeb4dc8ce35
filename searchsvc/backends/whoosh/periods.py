"""Counting articles per day, week, month or year over the day column, as array operations."""
from __future__ import annotations

import numpy as np

EPOCH = np.datetime64("0001-01-01", "D")     # day 0 of the index's day column


def period_starts(days: np.ndarray, interval: str) -> np.ndarray:
    """Return the first day (a day number) of each day's period; days are all known (>= 0)."""
    if interval == "day":
        return days
    if interval == "week":
        # Day 0, 0001-01-01, was a Monday (proleptic Gregorian), so weeks start on day 7k.
        return days - days % 7
    unit = {"month": "M", "year": "Y"}[interval]
    starts = (EPOCH + days.astype("timedelta64[D]")).astype(f"datetime64[{unit}]")
    return (starts.astype("datetime64[D]") - EPOCH).astype(np.int64)


def count_periods(days: np.ndarray, outlets: np.ndarray | None, labels: list[str],
                  interval: str) -> dict[tuple[str, str | None], int]:
    """Return {(period start YYYY-MM-DD, outlet label or None): count} of known days."""
    known = days >= 0
    starts = period_starts(days[known], interval)
    if outlets is None:
        values, counts = np.unique(starts, return_counts=True)
        keys = [(day, None) for day in values.tolist()]
    else:
        pairs = np.stack([starts, outlets[known].astype(np.int64)], axis=1)
        values, counts = np.unique(pairs, axis=0, return_counts=True)
        keys = [(day, labels[code]) for day, code in values.tolist()]
    names = np.datetime_as_string(EPOCH + np.array([day for day, _ in keys],
                                                   dtype="timedelta64[D]"), unit="D")
    return {(str(name), outlet): int(count)
            for name, (_, outlet), count in zip(names, keys, counts.tolist())}
