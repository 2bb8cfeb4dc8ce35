"""Normalising article metadata: outlet names, dates and titles.

Every rule about what a metadata value means lives here, so the readers in
``corpus`` and the HTML extractor agree on it. A value that cannot be trusted
becomes unknown (``None``), never a guess.
"""
from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

UNKNOWN = "unknown"
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


# --------------------------------------------------------------------------- dates

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


# --------------------------------------------------------------------------- outlets

def _fold(name: str) -> str:
    """Fold an outlet name for comparison: case, accents, punctuation, a leading 'the'."""
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch)).casefold()
    name = re.sub(r"[^\w]+", " ", name).strip()
    return re.sub(r"^the ", "", name)


def domain_of(url_or_domain: str) -> str:
    """Return the bare host of a URL or domain, without 'www.' and a port."""
    text = (url_or_domain or "").strip().lower()
    if not text:
        return ""
    if "//" not in text:
        text = "//" + text
    host = urlsplit(text).hostname or ""
    return host[4:] if host.startswith("www.") else host


@dataclass
class OutletRegistry:
    """Canonical outlet names with their aliases and web domains."""

    by_alias: dict[str, str] = field(default_factory=dict)
    by_domain: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None) -> "OutletRegistry":
        """Read a registry TOML file of [[outlet]] tables (name, aliases, domains)."""
        registry = cls()
        if path is None or not Path(path).is_file():
            return registry
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
        for entry in data.get("outlet", []):
            name = entry["name"]
            for alias in [name, *entry.get("aliases", [])]:
                registry.by_alias[_fold(alias)] = name
            for domain in entry.get("domains", []):
                registry.by_domain[domain_of(domain)] = name
        return registry

    def canonical(self, name: str | None = None, url_or_domain: str | None = None) -> str | None:
        """Return the registry name for an outlet name or domain; a cleaned name if unlisted."""
        if name:
            folded = _fold(name)
            if folded in self.by_alias:
                return self.by_alias[folded]
            if re.fullmatch(r"[\w-]+(\.[\w-]+)+", name.strip()) and not url_or_domain:
                url_or_domain = name     # a bare domain written as the outlet's name
        if url_or_domain:
            host = domain_of(url_or_domain)
            while host:
                if host in self.by_domain:
                    return self.by_domain[host]
                host = host.partition(".")[2] if host.count(".") > 1 else ""
        if name:
            cleaned = re.sub(r"\s+", " ", name).strip()
            if cleaned and _fold(cleaned) and _fold(cleaned) != UNKNOWN:
                return cleaned[:200]
        return None

    def find_in(self, text: str) -> str | None:
        """Return the registry outlet named exactly by ``text`` (e.g. a byline), if any."""
        return self.by_alias.get(_fold(text))


# --------------------------------------------------------------------------- titles

def derive_title(body: str, max_chars: int = 90) -> str:
    """Return a readable title made from the opening words of the body."""
    text = re.sub(r"\s+", " ", body or "").strip()
    if not text:
        return "(untitled article)"
    sentence_end = re.search(r"(?<=[a-z0-9”\"')])[.!?](?=\s|$)", text)
    first = text[:sentence_end.end()] if sentence_end else text
    if len(first) <= max_chars:
        return first.rstrip(".")
    cut = text[:max_chars].rsplit(" ", 1)[0].rstrip(",;:—–-")
    return cut + "…"


def clean_text_value(value: object, max_chars: int = 500) -> str | None:
    """Return a one-line, whitespace-folded string, or None when empty."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(item) for item in value if item)
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text[:max_chars] if text else None
