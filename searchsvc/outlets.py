"""The outlet registry: canonical outlet names with their aliases and web domains.

Shared vocabulary of every layer: the readers name an article's outlet with it, the query
reader resolves ``outlet:RFA`` with it.
"""
from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

UNKNOWN = "unknown"

def _fold(name: str) -> str:
    """Fold an outlet name for comparison: case, accents, punctuation, a leading 'the'."""
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch)).casefold()
    name = re.sub(r"[^\w]+", " ", name).strip()
    return re.sub(r"^the ", "", name)


_HOST_PREFIX_RE = re.compile(r"(?:www\d*|m|mobile|amp)\.")


@functools.lru_cache(maxsize=8192)     # a dataset gives each record its outlet's domain
def domain_of(url_or_domain: str) -> str:
    """Return the bare host of a URL or domain, without 'www.' (and the like) and a port."""
    text = (url_or_domain or "").strip().lower()
    if not text:
        return ""
    if "//" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:          # a malformed address ("http://[x") names no host
        return ""
    # Prefixes a site serves the same outlet under: www., www1., m., mobile., amp.
    while (match := _HOST_PREFIX_RE.match(host)) and host.count(".") > 1:
        host = host[match.end():]
    return host


@dataclass
class OutletRegistry:
    """Canonical outlet names with their aliases and web domains."""

    by_alias: dict[str, str] = field(default_factory=dict)
    by_domain: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None) -> "OutletRegistry":
        """Read a registry TOML file of [[outlet]] tables (name, aliases, domains)."""
        registry = cls()
        if path is None or not Path(path).is_file():
            return registry
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
        for entry in data.get("outlet", []):
            name = entry["name"]
            for alias in [name, *entry.get("aliases", [])]:
                registry.by_alias[_fold(alias)] = name
            for domain in entry.get("domains", []):
                registry.by_domain[domain_of(domain)] = name
        return registry

    def canonical(self, name: str | None = None, url_or_domain: str | None = None) -> str | None:
        """Return the registry name for an outlet name or domain; a cleaned name if unlisted."""
        if name:
            folded = _fold(name)
            if folded in self.by_alias:
                return self.by_alias[folded]
            if re.fullmatch(r"[\w-]+(\.[\w-]+)+", name.strip()) and not url_or_domain:
                url_or_domain = name     # a bare domain written as the outlet's name
        listed = self._at_domain(url_or_domain)
        if listed:
            return listed
        if name:
            cleaned = re.sub(r"\s+", " ", name).strip()
            if cleaned and _fold(cleaned) and _fold(cleaned) != UNKNOWN:
                return cleaned[:200]
        return None

    def _at_domain(self, url_or_domain: str | None) -> str | None:
        """Return the outlet listed for a URL's host or the domain it is under."""
        host = domain_of(url_or_domain) if url_or_domain else ""
        while host:
            if host in self.by_domain:
                return self.by_domain[host]
            host = host.partition(".")[2] if host.count(".") > 1 else ""
        return None

    def names_at(self, url_or_domain: str | None) -> list[str]:
        """Return the name and aliases (folded) of the outlet listed for a URL's domain."""
        name = self._at_domain(url_or_domain)
        if not name:
            return []
        return [name, *(alias for alias, listed in self.by_alias.items() if listed == name)]

    def find_in(self, text: str) -> str | None:
        """Return the registry outlet named exactly by ``text`` (e.g. a byline), if any."""
        return self.by_alias.get(_fold(text))
