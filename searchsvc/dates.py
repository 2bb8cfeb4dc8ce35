"""Calendar dates known to the day, the month or only the year, and how they are written.

Shared vocabulary of every layer: the readers normalise dates with it, the query reader
reads date bounds with it, the pages display it. A date that cannot be trusted (before 1800,
in the future) is unknown (``None``), never a guess.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

EARLIEST_PLAUSIBLE_YEAR = 1800

_MONTH_SPELLINGS = [
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")]
MONTHS = {name: number for number, names in enumerate(_MONTH_SPELLINGS, start=1)
          for name in names}
# English for display, whatever the process locale (strftime("%B") follows LC_TIME).
MONTH_NAMES = tuple(names[0].capitalize() for names in _MONTH_SPELLINGS)
_MONTH_RE = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"


@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to the day, the month or only the year."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        """Return 'day', 'month' or 'year'."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def iso(self) -> str:
        """Return the ISO form at this precision: 2011-07-13, 2011-07 or 2011."""
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def display(self) -> str:
        """Return a human form that never shows an unknown day: '13 July 2011', 'July 2011'."""
        if self.month is None:
            return str(self.year)
        month_name = MONTH_NAMES[self.month - 1]
        if self.day is None:
            return f"{month_name} {self.year}"
        return f"{self.day} {month_name} {self.year}"

    def first_day(self) -> dt.date:
        """Return the first day of the period, used only as a sort key."""
        return dt.date(self.year, self.month or 1, self.day or 1)


def _build(year: int, month: int | None, day: int | None,
           today: dt.date) -> PartialDate | None:
    if not EARLIEST_PLAUSIBLE_YEAR <= year <= today.year:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None:
        try:
            value = dt.date(year, month, day)
        except (TypeError, ValueError):
            return None
        # A day ahead of today's may be a time-zone difference; more is bogus.
        if value > today + dt.timedelta(days=1):
            return None
    elif month is not None and (year, month) > (today.year, today.month):
        return None
    return PartialDate(year, month, day)


_ISO_RE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ]\d{1,2}:\d{2}.*)?\s*$")
_ISO_COMPACT_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:T\d{2}:?\d{2}.*)?\s*$")
_SLASH_RE = re.compile(r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})\b")
_US_NUMERIC_RE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\b")
_MONTH_DAY_YEAR_RE = re.compile(
    r"\b" + _MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.IGNORECASE)
_DAY_MONTH_YEAR_RE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE + r",?\s+(\d{4})\b", re.IGNORECASE)
_MONTH_YEAR_RE = re.compile(r"\b" + _MONTH_RE + r",?\s+(\d{4})\b", re.IGNORECASE)


def parse_date(text: object, today: dt.date | None = None) -> PartialDate | None:
    """Parse a date written in a common form; return None if unparseable or implausible.

    Implausible means before 1800 or in the future: such a date counts as unknown.
    """
    if text is None:
        return None
    if isinstance(text, dt.datetime):
        text = text.date().isoformat()
    elif isinstance(text, dt.date):
        text = text.isoformat()
    text = str(text).strip()
    if not text or len(text) > 200:
        return None
    today = today or dt.date.today()

    match = _ISO_RE.match(text)
    if match:
        year, month, day = match.groups()
        return _build(int(year), int(month) if month else None, int(day) if day else None, today)
    for pattern in (_ISO_COMPACT_RE, _SLASH_RE):
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return _build(year, month, day, today)
    match = _US_NUMERIC_RE.match(text)
    if match:
        month, day, year = (int(part) for part in match.groups())
        return _build(year, month, day, today)
    match = _MONTH_DAY_YEAR_RE.search(text)
    if match:
        month, day, year = match.groups()
        return _build(int(year), MONTHS[month.lower()], int(day), today)
    match = _DAY_MONTH_YEAR_RE.search(text)
    if match:
        day, month, year = match.groups()
        return _build(int(year), MONTHS[month.lower()], int(day), today)
    match = _MONTH_YEAR_RE.search(text)
    if match:
        month, year = match.groups()
        return _build(int(year), MONTHS[month.lower()], None, today)
    return None
