"""Generations on Solr: the collection an alias points at, and its updates by id.

A build creates a collection and swaps the alias to it; an update by id changes the served
collection and counts up the alias's ``updates`` property, so that the generation's name
(``<collection>.u<n>``) changes with every switch, as a Whoosh generation's does.
"""
from __future__ import annotations

from .client import SolrClient

UNKNOWN_YEAR = 0            # the year of an unknown date, as in the Whoosh index


def generation_name(collection: str, updates: int) -> str:
    """Return the generation a collection serves after a number of updates by id."""
    return collection if not updates else f"{collection}.u{updates}"


def served(client: SolrClient, alias: str) -> tuple[str, dict]:
    """Return the collection an alias points at and the alias's properties."""
    found = client.aliases().get(alias)
    if found is None:
        raise FileNotFoundError(f"no Solr collection has been built for {alias!r}")
    return found


def built_for(alias: str, collection: str) -> bool:
    """Return whether a collection is one that a build for the alias created."""
    return collection.startswith(alias + "_") and collection[len(alias) + 1:][:1].isdigit()
