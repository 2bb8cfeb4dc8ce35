"""Every hit of a search, in the search's order, read from the backend a chunk at a time.

An export, a feed and a concordance walk the same matches as the search page (the spec of
:meth:`SearchService.plan`), only further: the backend is asked for one chunk of hits at a
time, so memory does not grow with the number of hits. A build that switches generations
during a long export can shift the later chunks; each row carries nothing of that, so the
export stops at the switch rather than mix two generations (see :class:`GenerationChanged`).
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from typing import Iterable, Iterator

from ..backends.contract import UNKNOWN, Found
from .search import SearchRequest, SearchService

COLUMNS = ("id", "title", "outlet", "date", "authors", "url", "topic", "score")
FORMATS = ("csv", "jsonl")
OPTIONAL_FIELDS = ("body",)
CHUNK = 500            # hits per backend call: ~1 MB of stored fields with bodies
# A CSV cell starting with one of these is read as a formula by spreadsheet programs (CSV
# injection, OWASP): such a cell gets a leading apostrophe, which they show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class GenerationChanged(RuntimeError):
    """The index switched to a new generation while its hits were being read."""


class HitStream:
    """The hits of one search: ``total`` known at once, the hits read lazily by chunk."""

    def __init__(self, service: SearchService, request: SearchRequest, chunk: int = CHUNK,
                 limit: int | None = None) -> None:
        if chunk < 1:
            raise ValueError("chunk must be 1 or more")
        self.service = service
        self.chunk = chunk
        self.spec, self.reading = service.plan(request)
        # Every copy of a story is a row (and a feed entry): an export is for counting and
        # reading articles, and a row per outlet is what a spreadsheet of coverage needs.
        self.spec = replace(self.spec, collapse=False)
        # The first chunk is read now: a missing index or a bad query fails here, before a
        # streamed response has sent its status line.
        first = service.backend.search(replace(self.spec, offset=0, limit=chunk))
        self.generation = first.generation
        self.highlight = first.highlight
        self.matched = first.total           # every hit, whatever the limit
        self.total = first.total if limit is None else min(first.total, limit)
        self._first = first.hits

    def __iter__(self) -> Iterator[Found]:
        """Yield every hit in order, one backend call per chunk."""
        hits, offset = self._first, 0
        while hits and offset < self.total:
            yield from hits[:self.total - offset]
            offset += len(hits)
            if offset >= self.total:
                return
            outcome = self.service.backend.search(
                replace(self.spec, offset=offset, limit=self.chunk))
            if outcome.generation != self.generation:
                raise GenerationChanged(
                    f"the index changed (generation {self.generation} -> "
                    f"{outcome.generation}) after {offset:,} hits; export again")
            hits = outcome.hits


def export_row(found: Found, fields: Iterable[str] = ()) -> dict:
    """Return one hit as an export row: the export columns, then any optional fields."""
    stored = found.fields
    outlet = stored.get("outlet")
    row = {"id": stored.get("id"), "title": stored.get("title"),
           "outlet": None if outlet == UNKNOWN else outlet,
           "date": stored.get("date_iso") or None,
           "authors": stored.get("author") or None, "url": stored.get("url") or None,
           # A column the index does not hold yet is there, empty, so that files made
           # before and after it was added have the same columns.
           "topic": stored.get("topic") or None, "score": found.score}
    for name in fields:
        row[name] = stored.get(name)
    return row


def check_export_options(fmt: str, fields: Iterable[str]) -> None:
    """Raise ValueError naming the option when a format or field is not offered."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    for name in fields:
        if name not in OPTIONAL_FIELDS:
            raise ValueError(f"fields may only name {', '.join(OPTIONAL_FIELDS)}, "
                             f"not {name!r}")


def export_lines(stream: Iterable[Found], fmt: str, fields: Iterable[str] = ()
                 ) -> Iterator[str]:
    """Yield an export file line by line: CSV with a header row, or JSON lines."""
    fields = tuple(fields)
    if fmt == "jsonl":
        for found in stream:
            yield json.dumps(export_row(found, fields), ensure_ascii=False) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")   # RFC 4180 line ends

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line(COLUMNS + fields)
    for found in stream:
        row = export_row(found, fields)
        yield line("" if value is None else spreadsheet_safe(value) for value in row.values())


def spreadsheet_safe(value):
    """Return a CSV cell's value, a text a spreadsheet would run as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
