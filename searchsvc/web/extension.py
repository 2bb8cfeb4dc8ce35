"""The search service's place in a Flask app: one shared index handle, security headers."""
from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..service import SearchService, open_service

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                "script-src 'self'; connect-src 'self'; form-action 'self'; "
                                "base-uri 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_SECURITY_HEADERS = [(name.lower(), name, value) for name, value in SECURITY_HEADERS.items()]


def init_app(app: Flask) -> None:
    """Attach the search service (shared by all requests) and the security headers."""
    app.extensions["searchsvc"] = open_service(
        app.config["INDEX_DIR"], outlets_file=app.config["OUTLETS_FILE"],
        synonyms_file=app.config["SYNONYMS_FILE"],
        max_query_length=app.config["MAX_QUERY_LENGTH"],
        max_per_page=app.config["MAX_PER_PAGE"], facet_values=app.config["FACET_VALUES"],
        time_budget=app.config["SEARCH_TIME_LIMIT_MS"] / 1000 or None,
        posting_cache_mb=app.config.get("POSTING_CACHE_MB", 64),
        worker_memory_mb=app.config.get("WORKER_MEMORY_MB", 300),
        backend=app.config.get("BACKEND", "whoosh"), solr_url=app.config.get("SOLR_URL", ""),
        solr_collection=app.config.get("SOLR_COLLECTION", "searchsvc"))

    @app.before_request
    def refuse_large_bodies():
        # No route reads a body, so werkzeug never meets one to refuse: a declared body over
        # MAX_CONTENT_LENGTH is refused here, before routing (and its 405), on every route.
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge(f"the request body is over {limit:,} bytes")

    @app.after_request
    def add_security_headers(response):
        # What setdefault on each would do, with one look at the headers instead of two
        # scans of them per security header (every response carries six).
        present = {name.lower() for name in response.headers.keys()}
        for lowered, name, value in _SECURITY_HEADERS:
            if lowered not in present:
                response.headers.add(name, value)
        return response


def get_service() -> SearchService:
    """Return the current app's search service."""
    return current_app.extensions["searchsvc"]
