"""One page in, one article out: the public extractor behind the corpus reader and the CLI.

``extract_article`` takes the page's bytes (decoded by its declared charset, else detection) and
optionally the URL it came from, and returns an :class:`ExtractedArticle`: the headline as the
article states it (without the site's name), the outlet, the publication date as the page
writes it (ISO 8601 at the precision stated, never moved by a time zone), the authors, the URL,
the language and the main text, with where each value came from.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from importlib import resources

from ..outlets import OutletRegistry, domain_of
from .decoding import NotText, decode_bytes
from .htmlpage import extract
from .pagetree import declared_charset

_REGISTRY: OutletRegistry | None = None


@dataclass(frozen=True)
class ExtractedArticle:
    """What one HTML page says about its article, and where each value came from."""

    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    authors: list[str] = field(default_factory=list)
    url: str | None = None
    language: str | None = None
    body: str = ""
    provenance: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """Return the fields as plain JSON-ready data."""
        return asdict(self)


def default_registry() -> OutletRegistry:
    """Return the outlet registry shipped with the package (searchsvc/data/outlets.toml)."""
    global _REGISTRY
    if _REGISTRY is None:
        with resources.as_file(resources.files("searchsvc") / "data" / "outlets.toml") as path:
            _REGISTRY = OutletRegistry.load(path)
    return _REGISTRY


def outlet_of(site_name: str | None, urls: list[str],
              registry: OutletRegistry) -> tuple[str | None, str | None]:
    """Return the outlet and where it came from.

    The registry's name for the stated site name comes first, then the stated name as written
    (more specific than its domain: "CNNMoney" on money.cnn.com), then the registry's name
    for a URL's domain, then the bare domain.
    """
    listed = registry.find_in(site_name) if site_name else None
    if listed:
        return listed, "site name, outlet registry"
    if site_name:
        return site_name, "site name"
    for url in urls:
        listed = registry.canonical(None, url)
        if listed:
            return listed, "url domain, outlet registry"
    for url in urls:
        host = domain_of(url)
        if host:
            return host, "url domain"
    return None, None


def article_from_text(html: str, url: str | None = None,
                      registry: OutletRegistry | None = None) -> ExtractedArticle:
    """Return the article of an already decoded HTML page (see ``extract_article``)."""
    registry = registry or default_registry()
    page = extract(html, url, registry)
    provenance = dict(page.provenance)
    site_source = provenance.pop("site_name", None)
    provenance.pop("description", None)
    urls = [u for u in (page.url, url) if u]
    outlet, source = outlet_of(page.site_name, urls, registry)
    if outlet:
        provenance["outlet"] = f"{site_source}, {source}" if source.startswith("site name") \
            and site_source else source
    return ExtractedArticle(title=page.title, outlet=outlet, date=page.moment or page.date,
                            authors=list(page.authors), url=page.url or url,
                            language=page.language, body=page.body, provenance=provenance)


def extract_article(data: bytes, url: str | None = None, *,
                    registry: OutletRegistry | None = None) -> ExtractedArticle:
    """Return the article of an HTML page given as bytes, ``url`` being where it was found.

    Raises NotText when the bytes are not text (empty, binary); bad markup gives what could be
    read, never an exception.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"extract_article takes bytes, not {type(data).__name__}")
    data = bytes(data)
    text, _ = decode_bytes(data, declared_charset(data))
    return article_from_text(text, url, registry)


__all__ = ["ExtractedArticle", "NotText", "extract_article"]
