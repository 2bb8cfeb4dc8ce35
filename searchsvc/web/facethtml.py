"""The facet lists' items and the timeline chart's bars as HTML, written in Python.

A Jinja macro rendering one value's item (a link, a box, the value, the count) cost about
10 µs an item, a third of the HTML page's CPU time; the same markup written here costs a
fraction of that. ``_facet.html`` places the items and ``search.html`` the chart; what each
item and bar says is only here.
"""
from __future__ import annotations

import re

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
