"""The Whoosh schema of an article index, defined once, by name."""
from __future__ import annotations

from operator import sub
from pickle import dumps
from typing import Callable

from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.system import pack_uint

from .analysis import (english_analyzer, english_term_byte_positions, english_term_numbers,
                       name_analyzer)

TITLE_BOOST = 2.0
UNKNOWN_YEAR = 0          # the year column's value for an unknown date; shown as "unknown"
VALUE_SEPARATOR = "\x1f"  # between the values of a many-valued facet column (authors, topics)


class EnglishText(TEXT):
    """TEXT with english_analyzer(), indexed through its fast path english_term_byte_positions().

    Query-time analysis still goes through the analyzer, which yields the same terms.
    """

    def __init__(self, **kwargs):
        super().__init__(analyzer=english_analyzer(), **kwargs)

    def index(self, value, **kwargs):
        """Yield (term bytes, frequency, weight, encoded positions) for each term of `value`."""
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        boost = self.format.field_boost
        encode = self.encode_positions
        for term, positions in english_term_byte_positions(value).items():
            count = len(positions)
            yield term, count, count * boost, encode(positions)

    def term_numbers(self, value: str) -> list[int]:
        """Return the term number of each token of a string value (analysis.TERM_BYTES)."""
        return english_term_numbers(value)

    @property
    def encode_positions(self) -> Callable[[list[int]], bytes]:
        """Return a function encoding a position list as this field's format does."""
        if type(self.format) is Positions:
            return encode_positions
        return self.format.encode


def encode_positions(positions: list[int]) -> bytes:
    """Return Positions.encode(positions): the count, then the pickled position deltas."""
    return pack_uint(len(positions)) + dumps(list(map(sub, positions, [0, *positions])), 2)


def build_schema() -> Schema:
    """Return the article schema: analysed text, sortable facet columns, stored display fields."""
    names = name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=EnglishText(stored=True, field_boost=TITLE_BOOST),
        body=EnglishText(stored=True),
        author=TEXT(analyzer=names, stored=True),
        outlet_name=TEXT(analyzer=names),            # what `outlet:` searches
        outlet=ID(stored=True, sortable=True),       # facet value; "unknown" when unknown
        outlet_label=STORED(),
        # Facet columns of many values a document, joined by VALUE_SEPARATOR (not indexed)
        authors=COLUMN(VarBytesColumn()),
        topics=COLUMN(VarBytesColumn()),                       # the outlet as the source labelled it
        year=NUMERIC(int, bits=32, stored=True, sortable=True, signed=False),
        date=DATETIME(stored=True, sortable=True),   # first day of the known period, for sorting
        # year * 100 + month when the month is known, else 0: for the chart by month
        month=NUMERIC(int, bits=32, sortable=True, signed=False),
        date_iso=STORED(),                           # "2011-07-13", "2011-07" or "2011"
        url=STORED(),
        has_text=STORED(),                           # False: headline and metadata only
        passage_runs=STORED(),                       # passages.passage_runs of body and title
        language=ID(stored=True),
        source=STORED(),                             # file (and line) the article came from
        source_file=ID(stored=True),                 # unit of incremental updates
        content_hash=ID(stored=True),                # finds the same article read twice
        provenance=STORED(),                         # {field: where the value came from}
        # The body's near-duplicate signature (ingest.neardup), b"" when it has none; read
        # back at the end of a build to find story clusters (clusters.py)
        minhash=COLUMN(VarBytesColumn()),
    )
