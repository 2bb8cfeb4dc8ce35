"""The OpenAPI 3.1 document of the JSON API, kept beside the code it describes."""
from __future__ import annotations

from ..backends.contract import FACETS, INTERVALS, SORTS
from ..query.bounds import EXISTING_DAY_PATTERN, YEAR_RE
from ..service.concordance import WIDTHS
from ..service.search import MAX_PAGE
from .params import BOOLEANS


def _string_or_null() -> dict:
    return {"type": ["string", "null"]}


ARTICLE_METADATA = {
    "id": {"type": "string"},
    "title": {"type": "string"},
    "outlet": {**_string_or_null(), "description": "null when the outlet is unknown; named by "
                                                   "the article's domain"},
    "outlet_label": {**_string_or_null(), "description": "the outlet as the source labelled "
                                                         "it (a columnist, 'Guest Writer'...), "
                                                         "null when it gave none"},
    "date": {**_string_or_null(), "description": "YYYY-MM-DD, YYYY-MM or YYYY, as precise "
                                                 "as known; null when unknown"},
    "date_display": _string_or_null(),
    "year": {"type": ["integer", "null"]},
    "author": _string_or_null(),
    "url": _string_or_null(),
    "has_text": {"type": "boolean", "description": "false when the source gave a headline and "
                                                   "metadata but no article text"},
}
META_REQUIRED = list(ARTICLE_METADATA)

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error"], "additionalProperties": False,
        "properties": {"error": {
            "type": "object", "required": ["status", "message"], "additionalProperties": False,
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"},
                           "parameter": {"type": "string"}}}},
    },
    "Copy": {
        "type": "object", "required": ["id", "title", "outlet", "date", "url"],
        "additionalProperties": False,
        "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                       "outlet": _string_or_null(), "date": _string_or_null(),
                       "url": _string_or_null()},
    },
    "Snippet": {
        "type": "object", "required": ["html", "text"], "additionalProperties": False,
        "properties": {"html": {"type": "string", "description": "escaped text; matches in "
                                                                  "<mark>"},
                       "text": {"type": "string"}},
    },
    "Hit": {
        "type": "object", "required": META_REQUIRED + ["score", "snippets", "title_html"],
        "additionalProperties": False,
        "properties": {**ARTICLE_METADATA,
                       "score": {"type": ["number", "null"]},
                       "title_html": {"type": "string"},
                       "snippets": {"type": "array", "maxItems": 3,
                                    "items": {"$ref": "#/components/schemas/Snippet"}},
                       "copies": {"type": "array",
                                  "description": "the other matching articles of this hit's "
                                                 "story (near-duplicate copies), oldest "
                                                 "first, at most 100; empty when not "
                                                 "collapsed",
                                  "items": {"$ref": "#/components/schemas/Copy"}},
                       "copy_count": {"type": "integer", "minimum": 0,
                                      "description": "how many copies there are, listed or "
                                                     "not"}},
    },
    "FacetValue": {
        "type": "object", "required": ["value", "count", "selected"],
        "additionalProperties": False,
        "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 0},
                       "selected": {"type": "boolean"}},
    },
    "SearchResult": {
        "type": "object",
        "required": ["query", "total", "all_words", "page", "per_page", "pages", "sort", "hits",
                     "facets", "filters", "timeline", "suggestion", "took_ms", "partial",
                     "generation"],
        "additionalProperties": False,
        "properties": {
            "query": {"type": "object", "required": ["text", "read_as", "mode", "notes"],
                      "properties": {"text": {"type": "string"}, "read_as": {"type": "string"},
                                     "mode": {"type": "string"},
                                     "notes": {"type": "array", "items": {"type": "string"}}}},
            "total": {"type": "integer", "minimum": 0,
                      "description": "what the pages count: stories when collapsed (copies of "
                                     "one story are one hit), else articles"},
            "articles": {"type": "integer", "minimum": 0,
                         "description": "articles matching, every copy counted"},
            "collapsed": {"type": "boolean",
                          "description": "copies of one story are one hit (collapse=true, "
                                         "the default)"},
            "counts": {"type": "string",
                       "description": "what total and the facets count, in words (facet "
                                      "counts are always articles)"},
            "all_words": {"type": ["integer", "null"], "minimum": 0,
                          "description": "when fewer than 10 articles have all the words of "
                                         "the query and articles having some of them follow: "
                                         "how many of the hits (the first, by relevance) have "
                                         "them all; otherwise null"},
            "partial": {"type": "boolean",
                        "description": "the search stopped at its time limit: some matching "
                                       "articles may be missing (a note says so)"},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1,
                      "description": "how many pages of per_page hits there are (1 when "
                                     "nothing matched); a page past the last has no hits "
                                     "and a note saying so"},
            "sort": {"type": "string", "enum": list(SORTS)},
            "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "facets": {"type": "object", "required": list(FACETS),
                       "description": "each facet counts with every filter but its own; "
                                      "outlet: every value, most articles first; year: in "
                                      "year order; author and topic: the values of most "
                                      "articles (SEARCHSVC_FACET_VALUES) and the selected ones",
                       "properties": {name: {"type": "array", "items": {
                           "$ref": "#/components/schemas/FacetValue"}}
                           for name in FACETS}},
            "filters": {"type": "object"},
            "timeline": {
                "type": "object", "required": ["unit", "periods"],
                "description": "matches over time, from the first period with articles to the "
                               "last: by month (YYYY-MM) when the known years span fewer than "
                               "three, else by year (YYYY, the year facet's counts)",
                "properties": {
                    "unit": {"type": "string", "enum": ["year", "month"]},
                    "periods": {"type": "array", "items": {
                        "type": "object", "required": ["period", "count"],
                        "properties": {"period": {"type": "string"},
                                       "count": {"type": "integer", "minimum": 0}}}}}},
            "suggestion": {"oneOf": [{"type": "null"}, {
                "type": "object", "required": ["text", "total"],
                "properties": {"text": {"type": "string"}, "total": {"type": "integer"}}}]},
            "took_ms": {"type": "number"},
            "generation": {"type": "string"},
        },
    },
    "Related": {
        "type": "object", "required": META_REQUIRED + ["score"],
        "properties": {**ARTICLE_METADATA, "score": {"type": "number"}},
    },
    "Article": {
        "type": "object",
        "required": META_REQUIRED + ["body", "paragraphs_html", "related", "provenance",
                                     "source", "generation"],
        "properties": {**ARTICLE_METADATA,
                       "body": {"type": "string"},
                       "paragraphs_html": {"type": "array", "items": {"type": "string"}},
                       "provenance": {"type": "object",
                                      "additionalProperties": {"type": "string"}},
                       "source": {"type": "string"},
                       "generation": {"type": "string"},
                       "related": {"type": "array",
                                   "items": {"$ref": "#/components/schemas/Related"}}},
    },
    "Concordance": {
        "type": "object",
        "required": ["query", "total_hits", "hits_read", "max_hits_read", "page", "per_page",
                     "width", "lines", "more", "generation"],
        "properties": {
            "query": {"type": "object", "required": ["text", "read_as"]},
            "total_hits": {"type": "integer", "minimum": 0},
            "hits_read": {"type": "integer", "minimum": 0,
                          "description": "hits whose text was read to find this page"},
            "max_hits_read": {"type": "integer", "description": "only the first this many "
                                                                "hits are read"},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "width": {"type": "integer"},
            "more": {"type": "boolean", "description": "whether a next page has lines"},
            "generation": {"type": "string"},
            "lines": {"type": "array", "items": {
                "type": "object", "required": ["id", "left", "match", "right"],
                "properties": {"id": {"type": "string"}, "left": {"type": "string"},
                               "match": {"type": "string"}, "right": {"type": "string"},
                               "title": _string_or_null(), "outlet": _string_or_null(),
                               "date": _string_or_null()}}},
        },
    },
    "Timeline": {
        "type": "object",
        "required": ["query", "interval", "by", "total", "unknown_date", "periods"],
        "properties": {
            "query": {"type": "object", "required": ["text", "read_as"]},
            "interval": {"type": "string", "enum": list(INTERVALS)},
            "by": {"type": ["string", "null"]},
            "total": {"type": "integer", "minimum": 0},
            "unknown_date": {"type": "integer", "minimum": 0,
                             "description": "matches without a known date (in no period)"},
            "periods": {"type": "array", "items": {
                "type": "object", "required": ["start", "matches", "articles", "share"],
                "properties": {
                    "start": {"type": "string", "description": "first day, YYYY-MM-DD"},
                    "matches": {"type": "integer", "minimum": 0},
                    "articles": {"type": "integer", "minimum": 0,
                                 "description": "all articles of the period under the "
                                                "same filters"},
                    "share": {"type": "number", "minimum": 0, "maximum": 1},
                    "outlets": {"type": "array", "items": {
                        "type": "object",
                        "required": ["outlet", "matches", "articles", "share"]}}}}},
        },
    },
    "Health": {
        "type": "object", "required": ["status", "documents", "generation", "built_at"],
        "properties": {"status": {"type": "string"}, "documents": {"type": "integer"},
                       "generation": {"type": "string"}, "built_at": _string_or_null()},
    },
}


def _error_responses(*codes: int) -> dict:
    text = {400: "Invalid parameter", 404: "Not found", 405: "Method not allowed",
            503: "No index built yet"}
    return {str(code): {"description": text[code], "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for code in codes}


def _ok(schema: str) -> dict:
    return {"200": {"description": "OK", "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}}


def search_parameters(max_per_page: int) -> list[dict]:
    """Return the search endpoint's parameters, with the limits the server enforces."""
    date = {"type": "string", "pattern": f"^(?:{EXISTING_DAY_PATTERN})?$",
            "description": "YYYY, YYYY-MM or YYYY-MM-DD (a day that exists); empty: no bound; "
                           "a range that ends before it starts is a 400"}
    return [
        {"name": "q", "in": "query", "schema": {"type": "string"},
         "description": "Query: words (all required), OR, NOT, -word, \"phrase\", \"a b\"~5, "
                        "title:/outlet:/author:/year:/date: fields, prefix*, fuzzy~ (at "
                        "most 10 prefix, wildcard or fuzzy words: more is a 400)"},
        {"name": "outlet", "in": "query",
         "schema": {"type": "array", "items": {"type": "string"}},
         "style": "form", "explode": True, "description": "Outlet facet values (OR)"},
        {"name": "author", "in": "query",
         "schema": {"type": "array", "items": {"type": "string"}},
         "style": "form", "explode": True,
         "description": "Author facet values (OR): articles by any of them"},
        {"name": "topic", "in": "query",
         "schema": {"type": "array", "items": {"type": "string"}},
         "style": "form", "explode": True, "description": "Topic facet values (OR)"},
        {"name": "year", "in": "query", "schema": {"type": "array", "items": {
            "type": "string", "pattern": f"^({YEAR_RE.pattern}|unknown)$"}},
         "style": "form", "explode": True, "description": "Years, or 'unknown' (OR)"},
        {"name": "from", "in": "query", "schema": date,
         "description": "Articles dated on or after this day, month or year (inclusive)"},
        {"name": "to", "in": "query", "schema": date,
         "description": "Articles dated on or before this day, month or year (inclusive); "
                        "not before `from`"},
        {"name": "date_from", "in": "query", "schema": date, "deprecated": True,
         "description": "The older name of `from`, read when `from` is not given"},
        {"name": "date_to", "in": "query", "schema": date, "deprecated": True,
         "description": "The older name of `to`, read when `to` is not given"},
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS)}},
        {"name": "page", "in": "query",
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}},
        {"name": "per_page", "in": "query",
         "schema": {"type": "integer", "minimum": 1, "maximum": max_per_page}},
    ]


def _any_case(word: str) -> str:
    """Return a pattern matching a word in any mix of cases (patterns here take no flags)."""
    return "".join(f"[{c.upper()}{c}]" if c.isalpha() else c for c in word)


# What the server reads as true or false: the words of params.BOOLEANS in any case, spaces
# around them, or nothing (the default). Written as a pattern so that the document states
# exactly what is accepted (an empty value is no 400, "maybe" is).
BOOLEAN_TEXT = {"type": "string",
                "pattern": "^\\s*(?:" + "|".join(map(_any_case, BOOLEANS)) + ")?\\s*$"}

COLLAPSE_PARAMETER = {
    "name": "collapse", "in": "query", "schema": {**BOOLEAN_TEXT, "default": "true"},
    "description": "true (the default): near-duplicate copies of one story (the same wire "
                   "copy at several outlets) are one hit that lists the others under "
                   "`copies`, and total counts stories; false: every article is a hit. "
                   "Export, feeds, the concordance and the timeline always list every "
                   "article; also 1/0, yes/no, on/off, any case; empty: the default"}


def export_parameters() -> list[dict]:
    """Return the export endpoint's parameters: the search's filters and sort, the format."""
    return [parameter for parameter in search_parameters(1)
            if parameter["name"] not in ("page", "per_page")] + [
        {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "jsonl"]},
         "description": "csv (a header row, then one row a hit) or jsonl (one JSON object "
                        "a line); csv by default"},
        {"name": "fields", "in": "query", "style": "form", "explode": True,
         "schema": {"type": "array", "items": {"type": "string", "enum": ["body"]}},
         "description": "Columns added after id, title, outlet, date, authors, url, topic, "
                        "score (repeatable): body (the article's text)"},
    ]


EXPORT_RESPONSE = {"200": {
    "description": "Every hit, in the search's order, streamed; X-Total-Count says how many",
    "headers": {"X-Total-Count": {"schema": {"type": "integer", "minimum": 0}}},
    "content": {"text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}}}}}


def openapi_document(max_per_page: int = 100) -> dict:
    """Return the OpenAPI document describing every JSON endpoint."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "searchsvc", "version": "1",
                 "description": "Full-text search of news archives."},
        "paths": {
            "/api/search": {"get": {"summary": "Search articles", "operationId": "search",
                                    "parameters": search_parameters(max_per_page)
                                    + [COLLAPSE_PARAMETER],
                                    "responses": {**_ok("SearchResult"),
                                                  **_error_responses(400, 405, 503)}}},
            "/api/articles/{article_id}": {"get": {
                "summary": "One article", "operationId": "article",
                "parameters": [{"name": "article_id", "in": "path", "required": True,
                                "schema": {"type": "string"},
                                # An article of the bundled corpus.
                                "example": "003_33987ea7448e5f2a"},
                               {"name": "q", "in": "query", "schema": {"type": "string"}}],
                "responses": {**_ok("Article"), **_error_responses(404, 405, 503)}}},
            "/api/export": {"get": {"summary": "Every hit of a search as CSV or JSON lines",
                                    "operationId": "export",
                                    "parameters": export_parameters(),
                                    "responses": {**EXPORT_RESPONSE,
                                                  **_error_responses(400, 405, 503)}}},
            "/api/concordance": {"get": {
                "summary": "The query's matches in context across the hits, paged",
                "operationId": "concordance",
                # page and per_page count lines (50 a page by default), not hits.
                "parameters": search_parameters(max_per_page) + [
                    {"name": "width", "in": "query",
                     "description": "Characters of context each side (60 by default)",
                     "schema": {"type": "integer", "minimum": WIDTHS[0],
                                "maximum": WIDTHS[1]}}],
                "responses": {**_ok("Concordance"), **_error_responses(400, 405, 503)}}},
            "/api/timeline": {"get": {
                "summary": "Matches and all articles per period, for charting coverage",
                "operationId": "timeline",
                "parameters": [p for p in search_parameters(max_per_page)
                               if p["name"] not in ("sort", "page", "per_page")] + [
                    {"name": "interval", "in": "query",
                     "schema": {"type": "string", "enum": list(INTERVALS)},
                     "description": "Period length (month by default); weeks start on Monday"},
                    {"name": "by", "in": "query", "schema": {"type": "string",
                                                            "enum": ["outlet"]},
                     "description": "outlet: counts per outlet in each period too"}],
                "responses": {**_ok("Timeline"), **_error_responses(400, 405, 503)}}},
            "/api/health": {"get": {"summary": "Index status", "operationId": "health",
                                    "responses": {**_ok("Health"),
                                                  **_error_responses(405, 503)}}},
        },
        "components": {"schemas": SCHEMAS},
    }
