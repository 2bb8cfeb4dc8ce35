"""Date and year bounds as users write them: 2011, 2011-07, 2011-07-04."""
from __future__ import annotations

import calendar
import datetime as dt
import re

YEAR_RE = re.compile(r"[0-9]{4}")                            # ASCII digits only, as int() reads
DATE_BOUND_RE = re.compile(
    r"([1-9][0-9]{3})(?:-(0?[1-9]|1[0-2])(?:-(0?[1-9]|[12][0-9]|3[01]))?)?")
# The bounds DATE_BOUND_RE reads whose day exists (no 2011-02-30, 2011-04-31, 2011-02-29),
# as the pattern the OpenAPI document states for a date parameter.
_LEAP_YEAR = r"(?:[1-9][0-9](?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)"
EXISTING_DAY_PATTERN = (
    r"[1-9][0-9]{3}(?:-(?:(?:0?[13578]|1[02])(?:-(?:0?[1-9]|[12][0-9]|3[01]))?"
    r"|(?:0?[469]|11)(?:-(?:0?[1-9]|[12][0-9]|30))?"
    r"|0?2(?:-(?:0?[1-9]|1[0-9]|2[0-8]))?))?"
    rf"|{_LEAP_YEAR}-0?2-29")


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


def day_past_month_end(text: str) -> int | None:
    """Return the last day of the bound's month if the bound names a day after it, else None.

    parse_bound reads 2011-02-30 as 2011-02-28; a search parameter names its date exactly,
    so the service refuses such a day instead (2011-02 has 28 days).
    """
    match = DATE_BOUND_RE.fullmatch(text)
    if not match or not match.group(3):
        return None
    last_day = calendar.monthrange(int(match.group(1)), int(match.group(2)))[1]
    return last_day if int(match.group(3)) > last_day else None
