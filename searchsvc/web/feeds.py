"""XML documents of a search: the OpenSearch description and the Atom feed (RFC 4287).

Both are built as element trees, so every value is escaped by the serializer; characters
XML 1.0 cannot carry at all (control characters in dirty article text) are dropped first.
"""
from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

ATOM_NS = "http://www.w3.org/2005/Atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
ATOM_TYPE = "application/atom+xml"
OPENSEARCH_TYPE = "application/opensearchdescription+xml"
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value) -> str:
    """Return a value as text XML 1.0 can hold (control characters dropped)."""
    return _NOT_XML_RE.sub("", "" if value is None else str(value))


def _element(parent: ET.Element, tag: str, text=None, **attributes) -> ET.Element:
    child = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        child.text = xml_text(text)
    return child


def _serialize(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def opensearch_description(name: str, templates: dict[str, str], self_url: str) -> bytes:
    """Return an OpenSearch 1.1 description: one URL template per response type."""
    root = ET.Element("OpenSearchDescription", {"xmlns": OPENSEARCH_NS})
    _element(root, "ShortName", name[:16])
    _element(root, "Description", "Full-text search of the news archive")
    _element(root, "InputEncoding", "UTF-8")
    _element(root, "OutputEncoding", "UTF-8")
    for mime, template in templates.items():
        _element(root, "Url", type=mime, template=template)
    _element(root, "Url", type=OPENSEARCH_TYPE, rel="self", template=self_url)
    return _serialize(root)


def rfc3339(date_iso: str | None, fallback: str) -> str:
    """Return a partial date ("2011", "2011-07", "2011-07-04") as an RFC 3339 instant.

    The first day of a known month or year stands for it (as the index sorts it); an
    unknown date is the fallback (the time the index was built).
    """
    if not date_iso:
        return fallback
    parts = [int(part) for part in date_iso.split("-")] + [1, 1]
    return dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.timezone.utc).isoformat()


def atom_feed(*, title: str, feed_url: str, page_url: str, updated: str,
              entries: list[dict]) -> bytes:
    """Return an Atom feed; entries are dicts of id, title, url, link, updated, authors,
    summary (plain text)."""
    root = ET.Element("feed", {"xmlns": ATOM_NS})
    _element(root, "title", title)
    _element(root, "id", feed_url)
    _element(root, "updated", updated)
    _element(root, "link", rel="self", type=ATOM_TYPE, href=feed_url)
    _element(root, "link", rel="alternate", type="text/html", href=page_url)
    author = _element(root, "author")      # entries without a byline inherit it
    _element(author, "name", "searchsvc")
    _element(root, "generator", "searchsvc")
    for entry in entries:
        node = _element(root, "entry")
        _element(node, "id", entry["id"])
        _element(node, "title", entry["title"] or "(untitled)")
        _element(node, "updated", entry["updated"])
        _element(node, "link", rel="alternate", type="text/html", href=entry["link"])
        if entry.get("url"):
            _element(node, "link", rel="via", href=entry["url"])
        for name in entry.get("authors", ()):
            _element(_element(node, "author"), "name", name)
        if entry.get("outlet"):
            _element(node, "category", term=entry["outlet"], label=entry["outlet"])
        if entry.get("summary"):
            _element(node, "summary", entry["summary"], type="text")
    return _serialize(root)
