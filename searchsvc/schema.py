"""The Whoosh schema of an article index, defined once, by name."""
from __future__ import annotations

from whoosh.fields import DATETIME, ID, NUMERIC, STORED, TEXT, Schema

from .analysis import english_analyzer, name_analyzer

TITLE_BOOST = 2.0
UNKNOWN_YEAR = 0          # the year column's value for an unknown date; shown as "unknown"


def build_schema() -> Schema:
    """Return the article schema: analysed text, sortable facet columns, stored display fields."""
    english = english_analyzer()
    names = name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=english, stored=True, field_boost=TITLE_BOOST),
        body=TEXT(analyzer=english, stored=True),
        author=TEXT(analyzer=names, stored=True),
        outlet_name=TEXT(analyzer=names),            # what `outlet:` searches
        outlet=ID(stored=True, sortable=True),       # facet value; "unknown" when unknown
        year=NUMERIC(int, bits=32, stored=True, sortable=True, signed=False),
        date=DATETIME(stored=True, sortable=True),   # first day of the known period, for sorting
        date_iso=STORED(),                           # "2011-07-13", "2011-07" or "2011"
        url=STORED(),
        language=ID(stored=True),
        source=STORED(),                             # file (and line) the article came from
        source_file=ID(stored=True),                 # unit of incremental updates
        content_hash=ID(stored=True),                # finds the same article read twice
        provenance=STORED(),                         # {field: where the value came from}
    )
