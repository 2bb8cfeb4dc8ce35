"""Date and year bounds as users write them: 2011, 2011-07, 2011-07-04."""
from __future__ import annotations

import calendar
import datetime as dt
import re

YEAR_RE = re.compile(r"[0-9]{4}")                            # ASCII digits only, as int() reads
DATE_BOUND_RE = re.compile(
    r"([1-9][0-9]{3})(?:-(0?[1-9]|1[0-2])(?:-(0?[1-9]|[12][0-9]|3[01]))?)?")


def parse_bound(text: str, end: bool) -> dt.date | None:
    """Parse a date-range bound (YYYY, YYYY-MM or YYYY-MM-DD) to its first or last day.

    A day past the end of its month is read as the month's last day (2011-02-30 is
    2011-02-28), so that every bound DATE_BOUND_RE (and the OpenAPI document) accepts is read.
    """
    match = DATE_BOUND_RE.fullmatch(text)
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    if month is None:
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    last_day = calendar.monthrange(year, month)[1]
    if day is None:
        day = last_day if end else 1
    return dt.date(year, month, min(day, last_day))
