"""The OpenAPI 3.1 document of the JSON API, kept beside the code it describes."""
from __future__ import annotations

from ..backends.contract import FACETS, SORTS
from ..query.bounds import EXISTING_DAY_PATTERN, YEAR_RE
from ..service.search import MAX_PAGE


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
                                    "items": {"$ref": "#/components/schemas/Snippet"}}},
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
            "total": {"type": "integer", "minimum": 0},
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


def openapi_document(max_per_page: int = 100) -> dict:
    """Return the OpenAPI document describing every JSON endpoint."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "searchsvc", "version": "1",
                 "description": "Full-text search of news archives."},
        "paths": {
            "/api/search": {"get": {"summary": "Search articles", "operationId": "search",
                                    "parameters": search_parameters(max_per_page),
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
            "/api/health": {"get": {"summary": "Index status", "operationId": "health",
                                    "responses": {**_ok("Health"),
                                                  **_error_responses(405, 503)}}},
        },
        "components": {"schemas": SCHEMAS},
    }
