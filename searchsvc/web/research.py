"""Research views over a search: export of every hit, the Atom feed, OpenSearch, the
concordance.

Each reads the same parameters as the search page (``params.search_request_from_args``),
so a link from the results page exports or follows exactly the search shown.
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from ..service.export import (GenerationChanged, HitStream, check_export_options,
                              export_lines)
from ..service.concordance import DEFAULT_WIDTH, concordance
from ..service.search import SearchRequest
from ..service.timeline import timeline
from .extension import get_service
from .feeds import ATOM_TYPE, OPENSEARCH_TYPE, atom_feed, opensearch_description, rfc3339
from .params import BadParameter, search_request_from_args

bp = Blueprint("research", __name__)
log = logging.getLogger(__name__)
FEED_ENTRIES = 50
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8",
                "jsonl": "application/x-ndjson; charset=utf-8"}
# Parameters of the page that a link to its export or feed leaves out: those carry their
# own, and paging does not apply to every hit.
NOT_CARRIED = ("page", "per_page", "format", "fields")


def carried_params(args) -> list[tuple[str, str]]:
    """Return the search's own parameters of a request (no paging), in order."""
    return [(key, value) for key in args for value in args.getlist(key)
            if key not in NOT_CARRIED and value != ""]


def research_links(args) -> dict[str, str]:
    """Return the export and feed URLs of the search a page shows."""
    params = carried_params(args)
    return {"csv": url_for("research.export") + _query(params + [("format", "csv")]),
            "jsonl": url_for("research.export") + _query(params + [("format", "jsonl")]),
            "atom": url_for("research.feed") + _query(params, drop="sort"),
            "concordance": url_for("research.concordance_page") + _query(params),
            # The page's year chart counts every year whatever years are selected (a facet
            # counts under every filter but its own): its timeline leaves the years out.
            "timeline": url_for("research.timeline_api") + _query(
                [(k, v) for k, v in params if k not in ("sort", "year")]
                + [("interval", "year")])}


def _request(args) -> SearchRequest:
    """Return the search request of the parameters (paging left to the caller)."""
    return search_request_from_args(args, current_app.config)


@bp.get("/opensearch.xml")
def opensearch():
    """Return the OpenSearch description: the page, the feed and the JSON search."""
    root = url_for("web.search", _external=True)
    templates = {
        "text/html": root + "?q={searchTerms}&page={startPage?}",
        ATOM_TYPE: url_for("research.feed", _external=True) + "?q={searchTerms}",
        "application/json": url_for("api.search", _external=True)
        + "?q={searchTerms}&page={startPage?}",
    }
    body = opensearch_description("searchsvc", templates,
                                  url_for("research.opensearch", _external=True))
    return Response(body, mimetype=OPENSEARCH_TYPE)


@bp.get("/api/export")
def export():
    """Stream every hit of a search as CSV or JSON lines, in the search's order."""
    fmt = request.args.get("format", "csv")
    fields = tuple(request.args.getlist("fields"))
    try:
        check_export_options(fmt, fields)
    except ValueError as error:
        raise BadParameter(str(error).split(" ", 1)[0], str(error)) from None
    stream = HitStream(get_service(), _request(request.args))
    lines = export_lines(stream, fmt, tuple(dict.fromkeys(fields)))

    def generate():
        try:
            yield from lines
        except GenerationChanged:
            # Headers are sent: cutting the response short is the only way left to say
            # the file is incomplete (the client sees an unterminated transfer).
            # (The request's context is gone by now: the module's logger, not the app's.)
            log.warning("export cut short by a generation switch")
            raise

    name = "searchsvc-export." + fmt
    return Response(generate(), content_type=EXPORT_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Total-Count": str(stream.total)})


@bp.get("/feed.atom")
def feed():
    """Return an Atom feed of a search's newest articles."""
    args = request.args.copy()
    args["sort"] = "newest"         # a feed follows what arrives: newest first, always
    args["page"], args["per_page"] = "1", str(min(FEED_ENTRIES,
                                                  int(current_app.config["MAX_PER_PAGE"])))
    args.pop("collapse", None)
    # An entry per article, each copy of a story included: a reader following a search
    # sees each outlet's copy arrive (as an export lists every copy).
    every_copy = args.copy()
    every_copy["collapse"] = "false"
    service = get_service()
    result = service.search(_request(every_copy))
    built = service.info().get("built_at") or "1970-01-01T00:00:00+00:00"
    entries = []
    for hit in result["hits"]:
        entries.append({
            "id": url_for("web.article", article_id=hit["id"], _external=True),
            "link": url_for("web.article", article_id=hit["id"], _external=True),
            "title": hit["title"], "url": hit["url"],
            "updated": rfc3339(hit["date"], built),
            "authors": [a.strip() for a in (hit["author"] or "").split(",") if a.strip()],
            "outlet": hit["outlet"],
            "summary": " ".join(s["text"] for s in hit["snippets"])})
    params = carried_params(args)
    q = result["query"]["read_as"]
    body = atom_feed(
        title=f"searchsvc: {q}" if q else "searchsvc: newest articles",
        feed_url=url_for("research.feed", _external=True) + _query(params, drop="sort"),
        page_url=url_for("web.search", _external=True) + _query(params),
        updated=max((entry["updated"] for entry in entries), default=built),
        entries=entries)
    return Response(body, mimetype=ATOM_TYPE)


def _query(params: list[tuple[str, str]], drop: str = "") -> str:
    """Return params as a query string ("" when none), without the parameter named drop."""
    query = urlencode([(k, v) for k, v in params if k != drop])
    return "?" + query if query else ""



CONCORDANCE_PER_PAGE = 50


def _concordance(args) -> dict:
    """Return the concordance of the request's search: its page of lines, 50 by default."""
    args = args.copy()
    args.setdefault("per_page", str(min(CONCORDANCE_PER_PAGE,
                                        int(current_app.config["MAX_PER_PAGE"]))))
    search_request = _request(args)
    raw_width = args.get("width", str(DEFAULT_WIDTH)).strip()
    try:
        return concordance(get_service(), search_request, page=search_request.page,
                           per_page=search_request.per_page,
                           width=int(raw_width) if raw_width.isascii() and raw_width.isdigit()
                           else -1)
    except ValueError as error:      # the width: the search's own were checked above
        raise BadParameter("width", f"{error}, not {raw_width[:40]!r}") from None


@bp.get("/api/concordance")
def concordance_api():
    """Return concordance lines {id, left, match, right} across a search's hits, paged."""
    return jsonify(_concordance(request.args))


@bp.get("/concordance")
def concordance_page():
    """Render the concordance of a search as a page of aligned lines."""
    result = _concordance(request.args)
    params = [(k, v) for k, v in carried_params(request.args)]
    page = result["page"]
    per_page = [("per_page", request.args["per_page"])] if "per_page" in request.args else []
    here = url_for("research.concordance_page")
    return render_template(
        "concordance.html", result=result, q=request.args.get("q", ""),
        prev_url=here + _query(params + per_page + [("page", str(page - 1))])
        if page > 1 else None,
        next_url=here + _query(params + per_page + [("page", str(page + 1))])
        if result["more"] else None,
        json_url=url_for("research.concordance_api") + _query(
            params + per_page + [("page", str(page))]),
        search_url=url_for("web.search") + _query(params))


@bp.get("/api/timeline")
def timeline_api():
    """Return a search's matches and all articles per day, week, month or year."""
    interval = request.args.get("interval", "month")
    by = request.args.get("by")
    search_request = _request(request.args)
    try:
        return jsonify(timeline(get_service(), search_request, interval, by))
    except ValueError as error:
        raise BadParameter(str(error).split(" ", 1)[0], str(error)) from None
