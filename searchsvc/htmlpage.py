"""Extracting an article from an HTML page: its metadata and its main text.

Metadata comes from the page's own statements (JSON-LD NewsArticle, OpenGraph,
meta tags, ``<time>``), and the body from the article's paragraphs without
navigation, scripts, forms, comments, share and related-link boilerplate.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOILERPLATE_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                     "button", "iframe", "svg", "figure", "template", "select", "input")
_BOILERPLATE_HINT = re.compile(
    r"share|social|related|comment|newsletter|subscribe|promo|advert|sidebar|breadcrumb|"
    r"\bnav|menu|footer|cookie|popup|modal|recommend|more-stories|tags", re.IGNORECASE)


@dataclass
class Page:
    """What a page says about its article."""

    title: str | None = None
    site_name: str | None = None
    date: str | None = None
    author: str | None = None
    url: str | None = None
    language: str | None = None
    body: str = ""
    provenance: dict[str, str] = field(default_factory=dict)


def declared_charset(data: bytes) -> str | None:
    """Return the charset a page declares in its first bytes, if any."""
    match = _CHARSET_RE.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def _meta(soup: BeautifulSoup, *names: str) -> tuple[str | None, str | None]:
    """Return the first non-empty <meta> content among property/name/itemprop names."""
    for name in names:
        for attribute in ("property", "name", "itemprop"):
            tag = soup.find("meta", attrs={attribute: name})
            if tag and tag.get("content", "").strip():
                return tag["content"].strip(), f"meta {name}"
    return None, None


def _json_ld_objects(soup: BeautifulSoup) -> list[dict]:
    """Return every JSON-LD object of the page, @graph members flattened."""
    objects: list[dict] = []
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                objects.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
            elif isinstance(item, list):
                stack.extend(item)
    return objects


def _names(value: object) -> str | None:
    """Return the name(s) of a JSON-LD person/organisation value."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        names = [name for name in (_names(item) for item in value) if name]
        return ", ".join(dict.fromkeys(names)) or None
    return None


def _article_ld(objects: list[dict]) -> dict:
    """Return the JSON-LD object describing the article, if the page has one."""
    for item in objects:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and ("Article" in k or k in ("BlogPosting", "Report"))
               for k in kinds):
            return item
    return {}


def _body_text(soup: BeautifulSoup) -> str:
    """Return the main text: paragraphs of the article container, boilerplate removed."""
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        comment.extract()
    for tag in soup.find_all(_BOILERPLATE_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.attrs is None:
            continue
        hint = " ".join(tag.get("class", []) or []) + " " + (tag.get("id") or "")
        if hint.strip() and _BOILERPLATE_HINT.search(hint) and tag.name not in ("body", "html",
                                                                                   "article"):
            tag.decompose()
    container = soup.find("article") or soup.find(attrs={"itemprop": "articleBody"}) or soup.body \
        or soup
    paragraphs = [re.sub(r"\s+", " ", p.get_text(" ")).strip()
                  for p in container.find_all(["p", "h2", "h3", "li", "blockquote"])]
    paragraphs = [p for p in paragraphs if len(p) > 1]
    if sum(len(p) for p in paragraphs) < 200:
        text = container.get_text("\n")
        paragraphs = [re.sub(r"\s+", " ", line).strip() for line in text.split("\n")]
        paragraphs = [p for p in paragraphs if p]
    return "\n\n".join(paragraphs)


def extract(html: str) -> Page:
    """Return the article metadata and main text of an HTML page."""
    soup = BeautifulSoup(html, "lxml")
    page = Page()
    ld = _article_ld(_json_ld_objects(soup))

    def take(key: str, value: str | None, source: str | None) -> None:
        if value and not getattr(page, key):
            setattr(page, key, re.sub(r"\s+", " ", value).strip())
            page.provenance[key] = source or key

    take("title", ld.get("headline") if isinstance(ld.get("headline"), str) else None,
         "JSON-LD headline")
    take("title", *_meta(soup, "og:title", "twitter:title"))
    if soup.title and soup.title.string:
        take("title", soup.title.string, "<title>")
    take("site_name", _names(ld.get("publisher")), "JSON-LD publisher")
    take("site_name", *_meta(soup, "og:site_name", "application-name"))
    for key in ("datePublished", "dateCreated"):
        value = ld.get(key)
        take("date", value if isinstance(value, str) else None, f"JSON-LD {key}")
    take("date", *_meta(soup, "article:published_time", "datePublished", "pubdate",
                        "publishdate", "date", "dc.date", "DC.date.issued", "sailthru.date"))
    time_tag = soup.find("time", attrs={"datetime": True})
    if time_tag:
        take("date", time_tag["datetime"], "<time datetime>")
    take("author", _names(ld.get("author")), "JSON-LD author")
    take("author", *_meta(soup, "author", "article:author", "byl", "dc.creator"))
    canonical = soup.find("link", attrs={"rel": "canonical"})
    take("url", canonical.get("href") if canonical else None, "link rel=canonical")
    take("url", *_meta(soup, "og:url"))
    html_tag = soup.find("html")
    take("language", html_tag.get("lang") if html_tag else None, "<html lang>")
    page.body = _body_text(soup)
    return page
