"""Reading search parameters from a query string, shared by the web page and the JSON endpoint."""
from __future__ import annotations

import re
from typing import Any, Mapping

from ..service import SearchError, SearchRequest

KNOWN_PARAMETERS = {"q", "outlet", "year", "sort", "page", "per_page", "date_from", "date_to"}


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


def search_request_from_args(args, config: Mapping[str, Any]) -> SearchRequest:
    """Build and validate a SearchRequest from GET parameters (a MultiDict)."""
    request = SearchRequest(
        q=args.get("q", "") or "",
        outlets=tuple(dict.fromkeys(v for v in args.getlist("outlet") if v)),
        years=tuple(dict.fromkeys(v.strip() for v in args.getlist("year"))),
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
        sort=args.get("sort", "relevance"),
        page=_integer(args, "page", 1),
        per_page=_integer(args, "per_page", int(config["DEFAULT_PER_PAGE"])),
    )
    try:
        request.validate(int(config["MAX_PER_PAGE"]))
    except SearchError as error:
        message = str(error)
        raise BadParameter(message.split(" ", 1)[0], message) from None
    return request
