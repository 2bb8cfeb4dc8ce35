"""The search page's repeated parts as HTML, written in Python: facet items, chart bars, hits.

A Jinja macro rendering one value's item (a link, a box, the value, the count) cost about
10 µs an item, a third of the HTML page's CPU time; the same markup written here costs a
fraction of that. ``_facet.html`` places the items and ``search.html`` the chart and the
hits; what each item, bar and hit says is only here.
"""
from __future__ import annotations

import re

from flask import url_for
from markupsafe import Markup, escape

# What markupsafe.escape rewrites: a text without any of these is its own escaped form.
_SPECIAL = re.compile(r"[&<>'\"]")


def html_text(value) -> str:
    """Return value escaped for HTML as markupsafe.escape does, without a call for plain text.

    Most facet values and labels hold no special character; finding none is several times
    cheaper than escaping (hundreds of values a page).
    """
    if type(value) is str and not _SPECIAL.search(value):
        return value
    return str(escape(value))


def facet_rows(rows: list[dict]) -> Markup:
    """Return the <li> items of facet values ({value, count, selected, toggle_url}).

    A row may carry toggle_href, its toggle_url already escaped (see views._facet_view).
    """
    out = []
    for row in rows:
        value, selected, count = html_text(row["value"]), row["selected"], row["count"]
        href = row.get("toggle_href")
        out.append(
            f'\n    <li class="{"selected" if selected else ""}{"" if count else " empty"}">'
            f'\n      <a href="{escape(row["toggle_url"]) if href is None else href}" '
            f'{_CURRENT if selected else ""}'
            f'\n         title="{"Remove" if selected else "Show only"} {value}">'
            f'\n        <span class="box" aria-hidden="true">{"☑" if selected else "☐"}</span>'
            f'\n        <span class="value">{value}</span>'
            f'\n        <span class="count">{count:,}</span>'
            f'\n        {_SELECTED_NOTE if selected else ""}'
            "\n      </a>\n    </li>\n")
    return Markup("".join(out))


_CURRENT = 'aria-current="true"'
_SELECTED_NOTE = '<span class="visually-hidden">(selected; select to remove)</span>'


def chart_bars(chart: dict) -> Markup:
    """Return the timeline chart's bars (views._chart's geometry) as SVG: a rect, with a
    link when it filters, and every label_every-th bar's label below it."""
    unit = html_text(chart["unit"])
    year = chart["unit"] == "year"
    label_y = chart["height"] + 12
    every = chart["label_every"]
    out = []
    for index, bar in enumerate(chart["bars"]):
        label, selected = html_text(bar["label"]), bar["selected"]
        title = f'{label}: {bar["count"]} articles'
        data_year = f' data-year="{label}"' if year else ""
        rect = (f'<rect{data_year} '
                f'class="{"selected" if selected else ""}" x="{bar["x"]}" y="{bar["y"]}" '
                f'width="{bar["width"]}" height="{bar["height"] or 1}">'
                f'<title>{title}</title></rect>')
        if bar["url"]:
            rect = (f'<a href="{html_text(bar["url"])}" aria-label="{title}; '
                    f'{"remove this " if selected else "show only this "}{unit}">{rect}</a>')
        out.append(f"\n        {rect}\n        ")
        if index % every == 0:
            out.append(f'<text x="{bar["x"]}" y="{label_y}">{label}</text>')
        out.append("\n        ")
    return Markup("".join(out))


def hit_items(hits: list[dict], article_query: str) -> Markup:
    """Return the <li> items of hits (service hits): the title linking to the article (its
    path, then article_query, the page's shared "?q=...&back=..."), metadata, snippets and
    the story's other copies."""
    out = []
    for hit in hits:
        href = html_text(url_for("web.article", article_id=hit["id"]) + article_query)
        date = (f'<time datetime="{html_text(hit["date"])}">{html_text(hit["date_display"])}'
                "</time>" if hit["date"] else "date unknown")
        author = (f' · <span class="author">{html_text(hit["author"])}</span>'
                  if hit["author"] else "")
        headline = "" if hit["has_text"] else ' · <span class="no-text">headline only</span>'
        snippets = "".join(f'<p class="snippet">{snippet["html"]}</p>'
                           for snippet in hit["snippets"])
        out.append(
            f'\n      <li class="hit">\n        <h3><a href="{href}">{hit["title_html"]}</a></h3>'
            f'\n        <p class="meta">\n          <span class="outlet">'
            f'{html_text(hit["outlet"] or "Unknown outlet")}</span> ·'
            f'\n          <span class="date">{date}</span>\n          {author}'
            f'\n          {headline}\n        </p>\n        {snippets}\n        '
            f'{_copies(hit, article_query) if hit["copies"] else ""}\n      </li>\n')
    return Markup("".join(out))


def _copies(hit: dict, article_query: str) -> str:
    """Return the paragraph listing a hit's other copies: "Also in N outlets: ..."."""
    copies = hit["copies"]
    # The distinct outlets, first seen first, compared in lowercase (Jinja's unique did).
    outlets = {}
    for copy in copies:
        outlet = copy["outlet"] or "Unknown outlet"
        outlets.setdefault(outlet.lower(), outlet)
    count = len(outlets)
    links = []
    for copy in copies:
        href = html_text(url_for("web.article", article_id=copy["id"]) + article_query)
        date = (f', <time datetime="{html_text(copy["date"])}">{html_text(copy["date"])}</time>'
                if copy["date"] else "")
        links.append(f'<a href="{href}" title="{html_text(copy["title"])}">'
                     f'{html_text(copy["outlet"] or "Unknown outlet")}{date}</a>')
    more = hit["copy_count"] - len(copies)
    total = f' ({hit["copy_count"]} copies)' if hit["copy_count"] > count else ""
    return (f'\n        <p class="copies">Also in {count} {"outlet" if count == 1 else "outlets"}'
            f'{total}:\n          {", ".join(links)}{f" and {more} more" if more > 0 else ""}'
            "</p>\n        ")
