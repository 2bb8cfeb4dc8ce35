"""Error handling for the whole app: JSON under /api, an HTML page elsewhere, never a raw 500."""
from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

from .params import BadParameter
from ..service import SearchError

log = logging.getLogger(__name__)
NO_INDEX_MESSAGE = "the search index has not been built yet; run `searchsvc index`"


def _respond(status: int, message: str, parameter: str | None = None):
    from .api import error_response
    # Without a URL adapter (a Host header werkzeug cannot bind, e.g. a label over 63
    # characters) the page's links cannot be built: answer in the JSON shape instead.
    if (request.path.startswith("/api/") or request.path == "/api"
            or request_ctx.url_adapter is None):
        return error_response(status, message, parameter)
    return render_template("error.html", status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Install handlers so that every error has a clear message and the right status."""

    @app.errorhandler(BadParameter)
    def bad_parameter(error: BadParameter):
        return _respond(400, str(error), error.parameter)

    @app.errorhandler(SearchError)
    def bad_search(error: SearchError):
        return _respond(400, str(error), error.parameter)

    @app.errorhandler(FileNotFoundError)
    def no_index(error: FileNotFoundError):
        log.warning("search without an index: %s", error)
        return _respond(503, NO_INDEX_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message = error.description or error.name
        response = _respond(error.code or 500, message)
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response = app.make_response(response)
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        # A bug: log it fully, but the user still gets the one error shape, not a traceback.
        log.exception("unexpected error on %s", request.path)
        return _respond(500, "internal error; it has been logged")
