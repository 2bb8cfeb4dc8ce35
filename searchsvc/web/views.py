"""HTML views: the search page and the article page, rendering the core search result."""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote_plus, urlencode

from flask import Blueprint, abort, current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from .params import DATE_PARAMETERS, KNOWN_PARAMETERS, BadParameter, search_request_from_args
from ..query.bounds import parse_bound
from ..backends.contract import SORTS
from ..service import SearchRequest
from .extension import get_service
from .facethtml import chart_bars, facet_rows, hit_items, html_text
from .research import research_links

bp = Blueprint("web", __name__)
bp.add_app_template_filter(facet_rows, "facet_rows")
bp.add_app_template_filter(chart_bars, "chart_bars")
bp.add_app_template_filter(hit_items, "hit_items")
CHART_HEIGHT = 80


def _url(endpoint: str, params: list[tuple[str, str]]) -> str:
    """Return an endpoint's URL with GET parameters in a stable order."""
    query = urlencode([(k, v) for k, v in params if v not in (None, "")])
    return url_for(endpoint) + ("?" + query if query else "")


# Facet values, URL-encoded: a page links hundreds, mostly the same from page to page (the
# index's outlets, years, authors and topics), and quote_plus costs about 2 µs a value.
_quoted = lru_cache(maxsize=16_384)(quote_plus)


def _params(args, drop: tuple[str, ...] = ("page",)) -> list[tuple[str, str]]:
    """Return the request's parameters as pairs, without the ones named in drop."""
    return [(key, value) for key in args for value in args.getlist(key) if key not in drop]


def _facet_view(result: dict, args) -> dict:
    """Add each facet value's toggle URL (select or remove it, back to page 1)."""
    base = _params(args)
    # Selecting a value appends it to the page's own parameters: that query string is
    # encoded once, not once per value (an archive's outlet facet has hundreds).
    page_url = _url("web.search", base)
    joiner = "&" if "?" in page_url else "?"
    facets = {}
    for name, values in result["facets"].items():
        facet = quote_plus(name) + "="     # urlencode's pair, without its per-call checks
        # The link written in the page: the shared start escaped once; quote_plus leaves
        # nothing to escape in a value (letters, digits, "_.-~", "+" and "%XX" only).
        href_start = html_text(page_url + joiner + facet)
        for row in values:
            if row["selected"]:
                pairs = [(k, v) for k, v in base if not (k == name and v == row["value"])]
                url = _url("web.search", pairs)
                href = html_text(url)
            else:
                quoted = _quoted(row["value"])
                url, href = page_url + joiner + facet + quoted, href_start + quoted
            # The search's rows are made for this request: they take the links themselves.
            row["toggle_url"], row["toggle_href"] = url, href
        facets[name] = values
    return facets


def _chart(result: dict, facets: dict, base: list[tuple[str, str]]) -> dict | None:
    """Return bar geometry for the matches-over-time chart (the result's timeline).

    A year's bar toggles that year's facet value; a month's bar narrows the day range to it.
    """
    periods = result["timeline"]["periods"]
    if not periods:
        return None
    by_month = result["timeline"]["unit"] == "month"
    years = {row["value"]: row for row in facets["year"]}
    without_range = [(k, v) for k, v in base if k not in ("from", "to", "date_from", "date_to")]
    peak = max(period["count"] for period in periods) or 1
    width = max(6, min(48, 640 // len(periods)))
    bars = []
    for index, period in enumerate(periods):
        count, label = period["count"], period["period"]
        if by_month:
            selected = result["filters"]["from"] == result["filters"]["to"] == label
            url = _url("web.search", without_range + ([] if selected else
                                                      [("from", label), ("to", label)]))
        else:
            row = years.get(label, {})
            selected, url = row.get("selected", False), row.get("toggle_url")
        height = round(CHART_HEIGHT * count / peak) if count else 0
        bars.append({"label": label, "count": count, "x": index * width, "width": width - 2,
                     "height": height, "y": CHART_HEIGHT - height,
                     "url": url if count or selected else None, "selected": selected})
    return {"bars": bars, "width": len(bars) * width, "height": CHART_HEIGHT,
            "label_every": max(1, len(bars) // 8), "peak": peak,
            "unit": result["timeline"]["unit"]}


def _chips(result: dict, facets: dict, base: list[tuple[str, str]]) -> list[dict]:
    """Return every active filter as a chip: its label and the URL without it."""
    chips = [{"label": row["value"], "url": row["toggle_url"]}
             for name in facets for row in facets[name] if row["selected"]]
    for bound, word in (("from", "From"), ("to", "To")):
        if result["filters"][bound]:
            chips.append({"label": f"{word} {result['filters'][bound]}",
                          "url": _url("web.search", [(k, v) for k, v in base
                                                     if k not in DATE_PARAMETERS[bound]])})
    return chips


def _date_inputs(result: dict) -> dict[str, str]:
    """Return the date inputs' values: a bound's first (from) or last (to) day, as ISO dates."""
    values = {}
    for bound in ("from", "to"):
        given = result["filters"][bound]
        day = parse_bound(given, end=bound == "to") if given else None
        values[bound] = day.isoformat() if day else ""
    return values


@bp.get("/")
@bp.get("/search")
def search():
    """Render the search page: form, results, facets, chart, pagination."""
    service = get_service()
    args, error, parsed = _valid_args(request.args)
    result = service.search(parsed or search_request_from_args(args, current_app.config))
    facets = _facet_view(result, args)
    base = _params(args)
    shown = min(result["page"], result["pages"])     # past the last page: the pages before it
    pages = {
        "prev": _url("web.search", base + [("page", str(min(result["page"] - 1,
                                                              result["pages"])))])
        if result["page"] > 1 else None,
        "next": _url("web.search", base + [("page", str(result["page"] + 1))])
        if result["page"] < result["pages"] else None,
        "numbers": [(n, _url("web.search", base + [("page", str(n))]))
                    for n in range(max(1, shown - 3), min(result["pages"], shown + 3) + 1)],
        "last": _url("web.search", base + [("page", str(result["pages"]))]),
    }
    suggestion_url = None
    if result["suggestion"]:
        suggestion_url = _url("web.search", [(k, v) for k, v in base if k != "q"]
                              + [("q", result["suggestion"]["text"])])
    back_url = _url("web.search", _params(args, drop=()))
    # Every article link of the page (10 hits and their copies) ends in the same query
    # string, q and back: encoded once, from one link built as url_for builds them all.
    probe = url_for("web.article", article_id="-", q=result["query"]["read_as"] or None,
                    back=back_url)
    html = render_template(
        "search.html", result=result, facets=facets, chart=_chart(result, facets, base),
        pages=pages, sorts=SORTS, error=error, suggestion_url=suggestion_url,
        chips=_chips(result, facets, base), dates=_date_inputs(result),
        # the form's hidden inputs: the selected facet values (hundreds are listed)
        selected=[(name, row["value"]) for name in ("outlet", "year", "author", "topic")
                  for row in facets[name] if row["selected"]],
        json_url=_url("api.search", _params(args, drop=())),
        clear_url=_url("web.search", [(k, v) for k, v in base if k in KEPT_BY_CLEAR]),
        article_query=probe[probe.find("?"):] if "?" in probe else "",
        kept=[(k, v) for k, v in base if k in KEPT_BY_FORM and v],
        q=args.get("q", ""), has_query=bool(args), research=research_links(args),
        collapse_url=_url("web.search", [(k, v) for k, v in base if k != "collapse"]
                          + ([] if not result["collapsed"] else [("collapse", "false")])))
    return html, 400 if error else 200


# What a new query from the form keeps (outlet and year come from the facet selection).
# (The day range is in the form's own date inputs.)
KEPT_BY_FORM = ("per_page", "collapse")
# What "Clear all filters" keeps: the query and how its results are shown.
KEPT_BY_CLEAR = ("q", "sort", "per_page", "collapse")


def _valid_args(args) -> tuple[MultiDict, str | None, SearchRequest | None]:
    """Return the parameters, valid ones only and outlets by name, the first error, and
    the search request they make (None if no valid rest was found).

    The page then shows the results of what was valid beside the message, and its links
    carry only valid parameters.
    """
    valid = MultiDict(args)
    # Outlets as the registry names them (outlet=RFA: Radio Free Asia), as the search
    # reads them, so that a selected facet value's link removes its parameter.
    if "outlet" in valid:
        valid.setlist("outlet", list(get_service().outlet_names(valid.getlist("outlet"))))
    error = parsed = None
    for _ in range(len(KNOWN_PARAMETERS)):
        try:
            parsed = search_request_from_args(valid, current_app.config)
            break
        except BadParameter as bad:
            error = error or str(bad)
            if bad.parameter not in valid:
                valid = MultiDict((k, v) for k, v in valid.items(multi=True) if k == "q")
            else:
                valid.poplist(bad.parameter)
    return valid, error, parsed


@bp.get("/articles/<article_id>")
def article(article_id: str):
    """Render one article, its metadata, highlights for the query, and other coverage."""
    q = request.args.get("q", "")
    found = get_service().article(article_id, q=q)
    if found is None:
        abort(404, description=f"There is no article with id {article_id!r}.")
    back_url = request.args.get("back") or ""
    if not back_url.startswith("/search"):
        back_url = _url("web.search", [("q", q)])
    json_url = url_for("api.article", article_id=article_id, **({"q": q} if q else {}))
    return render_template("article.html", article=found, q=q, back_url=back_url,
                           json_url=json_url)
