"""JSON views: search, articles, health and the OpenAPI document; one error shape."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import NotFound

from .openapi import openapi_document
from .params import search_request_from_args
from .extension import get_service

bp = Blueprint("api", __name__, url_prefix="/api")


def error_response(status: int, message: str, parameter: str | None = None):
    """Return the one JSON error shape: {"error": {"status", "message", "parameter"}}."""
    body = {"error": {"status": status, "message": message}}
    if parameter:
        body["error"]["parameter"] = parameter
    response = jsonify(body)
    response.status_code = status
    return response


@bp.get("/search")
def search():
    """Search the archive; the same result as the web page, as JSON."""
    service = get_service()
    search_request = search_request_from_args(request.args, current_app.config)
    return jsonify(service.search(search_request))


@bp.get("/articles/<article_id>")
def article(article_id: str):
    """Return one article with its metadata, text and related coverage."""
    found = get_service().article(article_id, q=request.args.get("q", ""))
    if found is None:
        raise NotFound(f"no article with id {article_id!r}")
    return jsonify(found)


@bp.get("/health")
def health():
    """Return the served index's document count, generation and build time."""
    return jsonify({"status": "ok", **get_service().info()})


@bp.get("/openapi.json")
def openapi():
    """Return the OpenAPI document of this API."""
    return jsonify(openapi_document(int(current_app.config["MAX_PER_PAGE"])))
