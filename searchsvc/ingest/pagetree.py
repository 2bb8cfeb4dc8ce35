"""An HTML page as a tree and what it states about itself in structured form.

Parsing (lxml, once per page), the ``<meta>`` tags (``content=`` or ``value=``), JSON-LD objects
and microdata properties, and the text helpers every other page module shares.
"""
from __future__ import annotations

import html
import json
import logging
import re

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement, HTMLParser, document_fromstring

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_PARSER = HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True,
                     remove_pis=True)


def _html_classes() -> etree.ElementNamespaceClassLookup:
    """Return lxml.html's element classes by tag (FormElement for <form>...), looked up in C.

    lxml.html's own lookup is a Python method called for every element object made, by our
    rules and by trafilatura's on our tree: about 5,000 calls a page. The HTML parser writes
    tag names in lower case, the case its table is keyed by, so both give the same classes.
    """
    lookup = etree.ElementNamespaceClassLookup(etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction, entity=lxml_html.HtmlEntity))
    tags = lookup.get_namespace(None)
    for tag, element_class in lxml_html.HtmlElementClassLookup._default_element_classes.items():
        tags[tag] = element_class
    return lookup


_PARSER.set_element_class_lookup(_html_classes())
SPACE_RE = re.compile(r"\s+")

logger = logging.getLogger(__name__)


def declared_charset(data: bytes) -> str | None:
    """Return the charset a page declares in its first bytes, if any."""
    match = _CHARSET_RE.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def clean(value: object) -> str | None:
    """Return the text with whitespace collapsed, or None if it is empty or not text."""
    if not isinstance(value, str):
        return None
    text = SPACE_RE.sub(" ", value).strip()
    return text or None


def fold(text: str | None) -> str:
    """Fold a string for comparison: case, punctuation and spacing."""
    return " ".join(re.findall(r"\w+", (text or "").casefold()))


def parse_tree(html: str) -> HtmlElement | None:
    """Parse an HTML string into an lxml tree; None if there is nothing to parse."""
    html = _XML_DECLARATION_RE.sub("", html or "", count=1)
    if not html.strip():
        return None
    try:
        tree = document_fromstring(html, parser=_PARSER)
        # libxml2 drops everything nested deeper than 256 elements (the page's text with
        # it); such a page is parsed again with its deepest wrappers taken out.
        if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in _PARSER.error_log):
            tree = document_fromstring(limit_nesting(html), parser=_PARSER)
        return tree
    except (etree.ParserError, ValueError) as error:
        logger.debug("unparseable HTML: %s", error)
        return None


_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)\b[^>]*>")
_VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta param source track "
                           "wbr".split())
# Elements that carry text of their own, kept at any depth (they seldom nest deeply).
_TEXT_ELEMENTS = frozenset("html head body title p h1 h2 h3 h4 h5 h6 li pre blockquote a "
                           "b i em strong".split())
MAX_NESTING = 200


def limit_nesting(html: str, limit: int = MAX_NESTING) -> str:
    """Return the page without the wrapper tags nested deeper than `limit` (text kept).

    Tags are matched by a regular expression, not parsed: enough for the wrappers
    (``div``, ``span``, ``section``...) a page nests thousands deep.
    """
    parts: list[str] = []
    kept: list[bool] = []      # per open element: whether its tags stay
    position = 0
    for match in _TAG_RE.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if name in _VOID_ELEMENTS or match.group(0).endswith("/>"):
            continue
        if closing:
            keep = kept.pop() if kept else True
        else:
            keep = len(kept) < limit or name in _TEXT_ELEMENTS
            kept.append(keep)
        if not keep:
            parts.append(html[position:match.start()])
            position = match.end()
    parts.append(html[position:])
    return "".join(parts)


# --------------------------------------------------------------------------- structured data

def meta_tags(tree: HtmlElement) -> dict[str, list[str]]:
    """Return <meta> contents by lowercased property, name, itemprop or http-equiv.

    Some pages write the value in ``value=`` rather than ``content=``; browsers and crawlers
    that read metadata accept both, so both count.
    """
    found: dict[str, list[str]] = {}
    for tag in tree.iter("meta"):
        content = clean(tag.get("content")) or clean(tag.get("value"))
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = tag.get(attribute)
            if key:
                for name in key.lower().split():
                    found.setdefault(name, []).append(content)
    return found


def first_meta(meta: dict[str, list[str]], *names: str) -> tuple[str | None, str | None]:
    """Return the first value among the given meta names, and which name gave it."""
    for name in names:
        for value in meta.get(name, ()):
            return value, f"meta {name}"
    return None, None


def parsely_page(meta: dict[str, list[str]]) -> dict:
    """Return the JSON object of Parse.ly's ``parsely-page`` meta tag, or {}."""
    for value in meta.get("parsely-page", ()):
        data = load_json(value)
        if isinstance(data, dict):
            return data
    return {}


def load_json(text: str) -> object:
    """Parse JSON-LD leniently: control characters, trailing commas, comments."""
    text = re.sub(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$", "",
                  text.strip()).strip().rstrip(";")
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError:
        pass
    repaired = re.sub(r",\s*([}\]])", r"\1", re.sub(r"^\s*//.*$", "", text, flags=re.MULTILINE))
    try:
        return json.loads(repaired, strict=False)
    except json.JSONDecodeError:
        return None


_ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.IGNORECASE)


def _unescaped(value: object) -> object:
    """Return JSON data with HTML entities in its strings decoded.

    A <script> is not HTML-decoded, yet sites often escape the strings they put in JSON-LD
    ("Arnault&#8217;s", "&quot;"), as they would in an attribute.
    """
    if isinstance(value, str):
        return html.unescape(value) if _ENTITY_RE.search(value) else value
    if isinstance(value, list):
        return [_unescaped(item) for item in value]
    if isinstance(value, dict):
        return {key: _unescaped(item) for key, item in value.items()}
    return value


def json_ld_objects(tree: HtmlElement) -> list[dict]:
    """Return every JSON-LD object of the page, @graph members and nested lists flattened.

    A WebPage's ``mainEntity`` is the article itself in schema.org's own examples, so it is
    listed too (after the page); other nested objects (authors, related items) are not.
    """
    objects: list[dict] = []
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        stack = [_unescaped(load_json(script.text))]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                objects.append(item)
                for key in ("@graph", "mainEntity"):
                    if isinstance(item.get(key), (list, dict)):
                        stack.append(item[key])
            elif isinstance(item, list):
                stack.extend(item)
    return objects


def ld_types(item: dict) -> list[str]:
    """Return an object's @type names without a vocabulary prefix.

    "schema:NewsArticle" and "http://schema.org/NewsArticle" are the same type as
    "NewsArticle" (a compact IRI and a full one).
    """
    kind = item.get("@type")
    return [re.split(r"[/#:]", k.strip())[-1] for k in (kind if isinstance(kind, list) else [kind])
            if isinstance(k, str)]


_ARTICLE_TYPES = re.compile(r"Article$|^(BlogPosting|Report|LiveBlogPosting|SocialMediaPosting|"
                            r"NewsArticle|Review|Recipe)$")


def _page_key(url: object) -> str | None:
    """Return a URL without scheme, www., query, fragment and trailing slash, for comparing."""
    if not isinstance(url, str) or "//" not in url:
        return None
    rest = url.split("//", 1)[1].split("#", 1)[0].split("?", 1)[0]
    return rest.removeprefix("www.").rstrip("/").casefold() or None


def _ld_urls(item: dict) -> set[str]:
    found = set()
    for value in (item.get("url"), item.get("@id"), item.get("mainEntityOfPage")):
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        key = _page_key(value)
        if key:
            found.add(key)
    return found


def article_ld(objects: list[dict], urls: list[str] | tuple[str, ...] = ()) -> dict:
    """Return the JSON-LD object describing the article (else the web page), if any.

    Pages also describe other articles (related stories, a list of teasers): of several
    article objects, the one whose url, @id or mainEntityOfPage is the page's own URL is
    the page's article; without such a match, the first.
    """
    articles = [item for item in objects if is_article(item)]
    if len(articles) > 1 and urls:
        keys = {key for key in map(_page_key, urls) if key}
        for item in articles:
            if _ld_urls(item) & keys:
                return item
    if articles:
        return articles[0]
    for item in objects:
        if any(kind in ("WebPage", "ItemPage") for kind in ld_types(item)):
            return item
    return {}


def ld_first(value: object) -> object:
    """Return a JSON-LD value, the first string of it when it is a list."""
    if isinstance(value, list):
        return next((item for item in value if isinstance(item, str)), None)
    return value


def is_article(item: dict) -> bool:
    """Tell whether a JSON-LD object is an article (NewsArticle, BlogPosting and the like)."""
    return any(_ARTICLE_TYPES.search(kind) for kind in ld_types(item))


def ld_names(value: object, objects: list[dict], depth: int = 0) -> list[str]:
    """Return the names of a JSON-LD person/organisation value, following @id references."""
    if depth > 3:
        return []
    if isinstance(value, str):
        text = clean(value)
        return [text] if text and not text.startswith(("http://", "https://")) else []
    if isinstance(value, list):
        return [name for item in value for name in ld_names(item, objects, depth + 1)]
    if isinstance(value, dict):
        if "name" in value:
            return ld_names(value["name"], objects, depth + 1)
        # a schema.org Person may give only its parts
        parts = [clean(value.get(key)) for key in ("givenName", "familyName")]
        if any(parts):
            return [" ".join(part for part in parts if part)]
        ref = value.get("@id")
        for item in objects:
            if ref and item is not value and item.get("@id") == ref and "name" in item:
                return ld_names(item["name"], objects, depth + 1)
    return []


def ld_site_name(article: dict, objects: list[dict]) -> str | None:
    """Return the publisher named by the article, else a WebSite or Organization's name."""
    names = ld_names(article.get("publisher"), objects)
    if names:
        return names[0]
    for kind in ("WebSite", "NewsMediaOrganization", "Organization"):
        for item in objects:
            if kind in ld_types(item):
                names = ld_names(item.get("name"), objects)
                if names:
                    return names[0]
    return None


def has_property(attribute: str, *names: str) -> str:
    """Return an XPath test that an element's ``attribute`` lists one of ``names``.

    Microdata's itemprop and RDFa's property hold space-separated lists ("author creator"),
    so each name is a token of the attribute, not its whole value.
    """
    # the attribute's presence first: most elements have none, and the test stops there
    return f"(@{attribute} and (" + " or ".join(
        f"contains(concat(' ', normalize-space(@{attribute}), ' '), ' {name} ')"
        for name in names) + "))"


def itemprop(tree: HtmlElement, name: str) -> str | None:
    """Return the value of the first microdata property ``name`` outside JSON-LD/meta."""
    for element in tree.xpath(f"//*[{has_property('itemprop', name)}]"):
        if element.tag == "meta":
            continue
        value = element.get("content") or element.get("datetime") or element.text_content()
        value = clean(value)
        if value:
            return value
    return None


