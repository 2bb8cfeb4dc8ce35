"""Reading search parameters from a query string, shared by the web page and the JSON endpoint."""
from __future__ import annotations

import re
from typing import Any, Mapping

from ..query.bounds import day_past_month_end, parse_bound
from ..service import SearchError, SearchRequest

# The day range: `from` and `to`, with `date_from` and `date_to` read as their older names.
DATE_PARAMETERS = {"from": ("from", "date_from"), "to": ("to", "date_to")}
KNOWN_PARAMETERS = {"q", "outlet", "year", "author", "topic", "sort", "page", "per_page",
                    "from", "to", "date_from", "date_to", "collapse"}
BOOLEANS = {"true": True, "1": True, "yes": True, "on": True,
            "false": False, "0": False, "no": False, "off": False}


class BadParameter(SearchError):
    """A query-string parameter is invalid; carries the parameter's name."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message, parameter)


_WHOLE_NUMBER_RE = re.compile(r"-?[0-9]+")   # ASCII digits only: int() takes any script's


def _integer(args, name: str, default: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    raw = raw.strip()
    if not _WHOLE_NUMBER_RE.fullmatch(raw):
        raise BadParameter(name, f"{name} must be a whole number, not {raw[:40]!r}")
    if len(raw.lstrip("-")) > 9:   # out of range whatever it is; validate() says the range
        return -10 ** 9 if raw.startswith("-") else 10 ** 9
    return int(raw)


def _boolean(args, name: str, default: bool) -> bool:
    """Return a true/false parameter (true, false, 1, 0, yes, no, on, off), or the default."""
    raw = args.get(name)
    if raw is None or not raw.strip():     # empty or blank: not given
        return default
    value = BOOLEANS.get(raw.strip().lower())
    if value is None:
        raise BadParameter(name, f"{name} must be true or false, not {raw[:40]!r}")
    return value


def date_bound(args, bound: str) -> tuple[str | None, str | None]:
    """Return a day-range bound ("from" or "to") as given and the parameter that gave it.

    Raises BadParameter naming the parameter when the value is not YYYY, YYYY-MM or YYYY-MM-DD.
    """
    found = None, None
    for name in DATE_PARAMETERS[bound]:     # each one given is checked, the first one used
        raw = args.get(name) or ""      # empty: no bound (a form's empty date input)
        if raw:
            if parse_bound(raw, end=bound == "to") is None:
                raise BadParameter(name, f"{name} must be a date like 2011-07-04, 2011-07 or "
                                         f"2011, not {raw[:40]!r}")
            last_day = day_past_month_end(raw)
            if last_day:
                raise BadParameter(name, f"{name} {raw!r} is not a day: its month has "
                                         f"{last_day} days")
            found = found if found[0] else (raw, name)
    return found


def search_request_from_args(args, config: Mapping[str, Any]) -> SearchRequest:
    """Build and validate a SearchRequest from GET parameters (a MultiDict)."""
    date_from, from_name = date_bound(args, "from")
    date_to, to_name = date_bound(args, "to")
    if date_from and date_to and (parse_bound(date_from, end=False)
                                  > parse_bound(date_to, end=True)):
        raise BadParameter(from_name, f"{from_name} ({date_from}) is after {to_name} "
                                      f"({date_to}), so nothing could match")
    request = SearchRequest(
        q=args.get("q", "") or "",
        outlets=tuple(dict.fromkeys(v for v in args.getlist("outlet") if v)),
        years=tuple(dict.fromkeys(v.strip() for v in args.getlist("year"))),
        authors=tuple(dict.fromkeys(v for v in args.getlist("author") if v)),
        topics=tuple(dict.fromkeys(v for v in args.getlist("topic") if v)),
        date_from=date_from,
        date_to=date_to,
        sort=args.get("sort", "relevance"),
        page=_integer(args, "page", 1),
        per_page=_integer(args, "per_page", int(config["DEFAULT_PER_PAGE"])),
        collapse=_boolean(args, "collapse", True),
    )
    try:
        request.validate(int(config["MAX_PER_PAGE"]))
    except SearchError as error:
        message = str(error)
        raise BadParameter(message.split(" ", 1)[0], message) from None
    return request
