"""Extracting an article from an HTML page: its metadata and its main text.

The page is parsed once with lxml. Metadata comes from what the page states about itself
(JSON-LD, OpenGraph and other ``<meta>`` tags, microdata, ``<time>``, ``<h1>``) combined with
trafilatura's metadata; dates the page does not state in structured form come from htmldate's
heuristics. The body is trafilatura's main text, with a paragraph-based fallback when
trafilatura finds none. Each field records in ``provenance`` which source it came from.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import warnings
from dataclasses import dataclass, field
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement, HTMLParser, document_fromstring

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_PARSER = HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True,
                     remove_pis=True)
_SPACE_RE = re.compile(r"\s+")

logger = logging.getLogger(__name__)


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
    description: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)


def declared_charset(data: bytes) -> str | None:
    """Return the charset a page declares in its first bytes, if any."""
    match = _CHARSET_RE.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def _clean(value: object) -> str | None:
    """Return the text with whitespace collapsed, or None if it is empty or not text."""
    if not isinstance(value, str):
        return None
    text = _SPACE_RE.sub(" ", value).strip()
    return text or None


def _fold(text: str | None) -> str:
    """Fold a string for comparison: case, punctuation and spacing."""
    return " ".join(re.findall(r"\w+", (text or "").casefold()))


def parse_tree(html: str) -> HtmlElement | None:
    """Parse an HTML string into an lxml tree; None if there is nothing to parse."""
    html = _XML_DECLARATION_RE.sub("", html or "", count=1)
    if not html.strip():
        return None
    try:
        return document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError) as error:
        logger.debug("unparseable HTML: %s", error)
        return None


# --------------------------------------------------------------------------- structured data

def _meta_tags(tree: HtmlElement) -> dict[str, list[str]]:
    """Return <meta> contents by lowercased property, name, itemprop or http-equiv."""
    found: dict[str, list[str]] = {}
    for tag in tree.iter("meta"):
        content = _clean(tag.get("content"))
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = tag.get(attribute)
            if key:
                for name in key.lower().split():
                    found.setdefault(name, []).append(content)
    return found


def _first_meta(meta: dict[str, list[str]], *names: str) -> tuple[str | None, str | None]:
    """Return the first value among the given meta names, and which name gave it."""
    for name in names:
        for value in meta.get(name, ()):
            return value, f"meta {name}"
    return None, None


def _load_json(text: str) -> object:
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


def _json_ld_objects(tree: HtmlElement) -> list[dict]:
    """Return every JSON-LD object of the page, @graph members and nested lists flattened."""
    objects: list[dict] = []
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        stack = [_load_json(script.text)]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                objects.append(item)
                if isinstance(item.get("@graph"), (list, dict)):
                    stack.append(item["@graph"])
            elif isinstance(item, list):
                stack.extend(item)
    return objects


def _types(item: dict) -> list[str]:
    kind = item.get("@type")
    return [k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)]


_ARTICLE_TYPES = re.compile(r"Article$|^(BlogPosting|Report|LiveBlogPosting|SocialMediaPosting|"
                            r"NewsArticle|Review|Recipe)$")


def _article_ld(objects: list[dict]) -> dict:
    """Return the JSON-LD object describing the article (else the web page), if any."""
    for item in objects:
        if any(_ARTICLE_TYPES.search(kind) for kind in _types(item)):
            return item
    for item in objects:
        if any(kind in ("WebPage", "ItemPage") for kind in _types(item)):
            return item
    return {}


def _ld_names(value: object, objects: list[dict], depth: int = 0) -> list[str]:
    """Return the names of a JSON-LD person/organisation value, following @id references."""
    if depth > 3:
        return []
    if isinstance(value, str):
        text = _clean(value)
        return [text] if text and not text.startswith(("http://", "https://")) else []
    if isinstance(value, list):
        return [name for item in value for name in _ld_names(item, objects, depth + 1)]
    if isinstance(value, dict):
        if "name" in value:
            return _ld_names(value["name"], objects, depth + 1)
        ref = value.get("@id")
        for item in objects:
            if ref and item is not value and item.get("@id") == ref and "name" in item:
                return _ld_names(item["name"], objects, depth + 1)
    return []


def _ld_site_name(article: dict, objects: list[dict]) -> str | None:
    """Return the publisher named by the article, else a WebSite or Organization's name."""
    names = _ld_names(article.get("publisher"), objects)
    if names:
        return names[0]
    for kind in ("WebSite", "NewsMediaOrganization", "Organization"):
        for item in objects:
            if kind in _types(item):
                names = _ld_names(item.get("name"), objects)
                if names:
                    return names[0]
    return None


def _itemprop(tree: HtmlElement, name: str) -> str | None:
    """Return the value of the first microdata property ``name`` outside JSON-LD/meta."""
    for element in tree.xpath(f"//*[@itemprop='{name}']"):
        if element.tag == "meta":
            continue
        value = element.get("content") or element.get("datetime") or element.text_content()
        value = _clean(value)
        if value:
            return value
    return None


# --------------------------------------------------------------------------- dates

_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")
_COMPACT_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")
_EPOCH_RE = re.compile(r"\d{10}(\d{3})?")
_PUBLISHED_META = ("article:published_time", "og:published_time", "article:published",
                   "published_time", "datepublished", "pubdate", "publishdate", "publish-date",
                   "publish_date", "date_published", "published-date", "article.published",
                   "article_date_original", "original-publish-date", "sailthru.date",
                   "parsely-pub-date", "dc.date.issued", "dcterms.issued", "dcterms.created",
                   "dc.date.created", "rnews:datepublished", "cxenseparse:recs:publishtime",
                   "date", "dc.date", "citation_publication_date", "citation_date")


def normalise_date(value: object, today: dt.date | None = None) -> str | None:
    """Return YYYY-MM-DD (or YYYY-MM) for a date in ISO, epoch or common written form."""
    text = _clean(value if isinstance(value, str) else str(value) if isinstance(value, int)
                  else None)
    if not text or len(text) > 100:
        return None
    today = today or dt.date.today()
    found: dt.date | None = None
    match = _ISO_DATE_RE.match(text)
    if match:
        year, month, day = match.groups()
        try:
            if day is None:
                found = dt.date(int(year), int(month), 1)
                return f"{found:%Y-%m}" if 1990 <= found.year and found <= today else None
            found = dt.date(int(year), int(month), int(day))
        except ValueError:
            return None
    elif _EPOCH_RE.fullmatch(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        found = dt.datetime.fromtimestamp(seconds, dt.timezone.utc).date()
    elif _COMPACT_DATE_RE.fullmatch(text):
        try:
            found = dt.date(*(int(part) for part in _COMPACT_DATE_RE.fullmatch(text).groups()))
        except ValueError:
            return None
    else:
        found = _written_date(text)
    if found is None or not (dt.date(1990, 1, 1) <= found <= today + dt.timedelta(days=1)):
        return None
    return found.isoformat()


def _written_date(text: str) -> dt.date | None:
    """Parse a date written in words or with slashes (e.g. 'Sun Nov 23 16:00:00 EDT 2014')."""
    if not re.search(r"\d", text) or not re.search(r"(?:19|20)\d{2}", text):
        return None
    from dateutil import parser as date_parser  # installed with htmldate

    try:
        return date_parser.parse(text, ignoretz=True, fuzzy=False).date()
    except (ValueError, OverflowError, TypeError):
        return None


_UTC_TIME_RE = re.compile(r"(?:T|\s)(\d{1,2}):\d{2}(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]00:?00|GMT|UTC)?\s*$",
                          re.IGNORECASE)


def _local_day_unknown(value: object) -> bool:
    """Tell whether a timestamp is in UTC (or unzoned) at an hour where the local day may differ.

    Within about ten hours of midnight UTC, the calendar day where the article appeared
    depends on the newsroom's time zone, which the timestamp does not give.
    """
    match = _UTC_TIME_RE.search(value) if isinstance(value, str) else None
    if not match:
        return False
    hour = int(match.group(1))
    return hour < 10 or hour >= 14


def _one_day_apart(first: str, second: str) -> bool:
    try:
        a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(second)
    except ValueError:
        return False
    return abs((a - b).days) == 1


# a clock time as pages show it: 22:41, 9:25pm, 2:00 a. m., 14h30 (not 19.10 or 2019)
_CLOCK_RE = re.compile(r"(?<![\d:.])([01]?\d|2[0-3])\s?(?::|h)\s?([0-5]\d)(?!\d)(?::[0-5]\d)?"
                       r"(?:\s*([ap])\.?\s?m\.?(?![^\W\d_]))?", re.IGNORECASE)


def _utc_moment(value: object) -> dt.datetime | None:
    """Return a stated timestamp in UTC or without a zone as a naive datetime, else None.

    A timestamp with another offset already gives the publisher's local day; one without a
    time gives no moment to look for.
    """
    if not isinstance(value, str) or not re.search(r"\d:\d\d", value) or len(value) > 60:
        return None
    from dateutil import parser as date_parser  # installed with htmldate

    try:
        with warnings.catch_warnings():
            # a zone abbreviation dateutil does not know leaves the time unzoned
            warnings.simplefilter("ignore", date_parser.UnknownTimezoneWarning)
            moment = date_parser.parse(value)
    except (ValueError, OverflowError):
        return None
    if moment.utcoffset():
        return None
    return moment.replace(tzinfo=None)


def _shown_day(text: str, moment: dt.datetime) -> dt.date | None:
    """Return the day a date-and-time text shows for ``moment``, if it shows that moment.

    The text shows the moment when its clock time has the same minute; the hour difference
    is then the page's UTC offset (whole hours only), and the text must also give that
    local day and year.
    """
    for match in _CLOCK_RE.finditer(text):
        hour, minute, meridiem = int(match.group(1)), int(match.group(2)), match.group(3)
        if minute != moment.minute:
            continue
        if meridiem and 1 <= hour <= 12:
            hour = hour % 12 + (12 if meridiem.lower() == "p" else 0)
        offset = (hour - moment.hour) % 24
        if offset > 13:  # from -10 hours (Hawaii) to +13 (New Zealand in summer)
            offset -= 24
        local = moment + dt.timedelta(hours=offset)
        numbers = {int(n) for n in re.findall(r"\d+", text[:match.start()] + " "
                                              + text[match.end():])}
        if local.year in numbers and local.day in numbers:
            return local.date()
    return None


def displayed_day(tree: HtmlElement, value: object) -> str | None:
    """Return the day the page shows its readers for a stated UTC publication time, if it does.

    Timestamps in UTC (or without a zone) do not give the newsroom's day: near midnight
    their date differs from the page's own "3/5/2022 22:41" line. A date-and-time in the
    page text with the same minute as the stated time is that moment as the reader sees it.
    """
    moment = _utc_moment(value)
    body = tree.find("body")
    if moment is None or body is None:
        return None
    minute = f"{moment.minute:02d}"
    for text in body.xpath(f".//text()[contains(., ':{minute}') or contains(., 'h{minute}')"
                           f" or contains(., 'h {minute}')]"):
        element = text.getparent()
        if text.is_tail:
            element = element.getparent()
        if element is None or element.tag in ("script", "style") or not _CLOCK_RE.search(text):
            continue
        # climb a little: date and time often sit in sibling spans of one byline element
        for _ in range(3):
            if element is None:
                break
            shown = element.text_content()
            if len(shown) > 200:
                break
            day = _shown_day(_SPACE_RE.sub(" ", shown), moment)
            if day:
                return day.isoformat()
            element = element.getparent()
    return None


def _htmldate(tree: HtmlElement, url: str | None) -> str | None:
    """Return htmldate's estimate of the publication date (copies the tree)."""
    from htmldate import find_date

    try:
        return find_date(tree, url=url, original_date=True, extensive_search=True,
                         outputformat="%Y-%m-%d")
    except (ValueError, TypeError) as error:
        logger.debug("htmldate failed: %s", error)
        return None


# --------------------------------------------------------------------------- titles and sites

_SEPARATORS = re.compile(r"\s+[|\-–—·:•»«/]{1,2}\s+|\s*[|｜_]\s*|\s+::\s+")


def _contains_words(text: str, part: str) -> bool:
    """Tell whether ``part`` is a shorter run of whole words of ``text`` (folded)."""
    whole, folded = _fold(text), _fold(part)
    return bool(folded) and folded != whole and f" {folded} " in f" {whole} "


def _site_variants(site: str | None, url: str | None) -> list[str]:
    """Return folded forms under which the site may appear in a title."""
    variants = []
    if site:
        variants.append(_fold(site))
    host = urlsplit(url).hostname if url and "//" in url else None
    if host:
        host = host.removeprefix("www.")
        variants.append(_fold(host))
        variants.append(_fold(host.rsplit(".", 1)[0]))
        # each name in the host, for blogs and sections: "Lost in JIT" on lostinjit.blogspot.com
        variants.extend(_fold(label) for label in host.split(".")[:-1] if len(label) >= 3)
    return list(dict.fromkeys(v for v in variants if v))


def _is_site(segment: str, variants: list[str]) -> bool:
    """Tell whether a title segment names the site.

    It does when it is the site's name or domain, a part of the name ("Guardian"), or the
    name and one more word ("CNN Politics"); not merely because it contains the name
    ("Time running out" on time.com).
    """
    folded = _fold(segment)
    if not folded:
        return True
    compact = folded.replace(" ", "")
    for variant in variants:
        if compact == variant.replace(" ", ""):
            return True
        if len(variant) >= 3 and (f" {folded} " in f" {variant} " or (
                f" {variant} " in f" {folded} "
                and len(folded.split()) <= len(variant.split()) + 1)):
            return True
    return False


def strip_site(title: str, site: str | None, url: str | None) -> str:
    """Remove a leading or trailing ' | Site' / ' - Site' segment that names the site."""
    variants = _site_variants(site, url)
    if not variants:
        return title
    parts = _SEPARATORS.split(title)
    separators = _SEPARATORS.findall(title)
    if len(parts) < 2:
        return title
    # trailing segments first, then leading ones, keeping at least one segment
    while len(parts) > 1 and _is_site(parts[-1], variants):
        parts.pop()
        separators.pop()
    while len(parts) > 1 and _is_site(parts[0], variants):
        parts.pop(0)
        separators.pop(0)
    rebuilt = parts[0]
    for separator, part in zip(separators, parts[1:]):
        rebuilt += separator + part
    return rebuilt.strip() or title


def _visible_text(element: HtmlElement) -> str | None:
    return _clean(element.text_content())


def _heading_text(element: HtmlElement) -> str | None:
    """Return an <h1>'s headline, without a kicker set in its own element before it.

    Pages mark up "Kicker: Headline" as separate children (<span class=kicker>, a hidden
    separator, <span class=headline>); then the last and longest part is the headline.
    """
    full = _visible_text(element)
    if not full or re.search(r"\w", element.text or ""):
        return full
    parts = [text for text in (_visible_text(child) for child in element
                               if isinstance(child.tag, str)) if text and re.search(r"\w", text)]
    if any(re.search(r"\w", child.tail or "") for child in element):
        return full
    if len(parts) >= 2 and len(parts[-1].split()) >= 2 and \
            len(parts[-1]) == max(len(part) for part in parts):
        return parts[-1]
    return full


def _headings(tree: HtmlElement) -> list[str]:
    """Return the headlines of the page's <h1> headings (at most a few)."""
    texts = []
    for element in tree.iter("h1"):
        text = _heading_text(element)
        if text and 3 <= len(text) <= 300:
            texts.append(text)
        if len(texts) >= 5:
            break
    return texts


def _overlap(a: str, b: str) -> float:
    """Return the share of the shorter string's words found in the other."""
    x, y = set(_fold(a).split()), set(_fold(b).split())
    if not x or not y:
        return 0.0
    return len(x & y) / min(len(x), len(y))


def choose_title(stated: list[tuple[str, str]], headings: list[str], site: str | None,
                 url: str | None) -> tuple[str | None, str | None]:
    """Pick the headline from the stated titles and the page's <h1> headings.

    ``stated`` lists (title, source) from the page's metadata in order of trust. Stated titles
    often carry a kicker, a section or the site name ("Politics: Headline", "Headline - Site")
    or are cut short for sharing, while the <h1> is the headline as the reader sees it; but
    pages also use <h1> for logos and section names. So an <h1> wins when it agrees with a
    stated title: when one contains the other, or they share nearly all their words.
    """
    cleaned = [(strip_site(title, site, url), source) for title, source in stated if title]
    variants = _site_variants(site, url)
    for heading in headings:
        if _is_site(heading, variants):
            continue
        folded_heading = _fold(heading)
        words = len(folded_heading.split())
        for title, source in cleaned:
            folded_title = _fold(title)
            if folded_heading == folded_title:
                return title, source
            if words >= 3 and (folded_heading in folded_title or (
                    folded_title in folded_heading and len(folded_title.split()) >= 3)):
                return heading, "<h1>"
            if words >= 4 and _overlap(heading, title) >= 0.8:
                return heading, "<h1>"
    if cleaned:
        return cleaned[0]
    if headings:
        return headings[0], "<h1>"
    return None, None


# --------------------------------------------------------------------------- authors

_BYLINE_NOISE = re.compile(r"^(?:by|von|par|por|di|door|de|from)\s+|\s*[|,]?\s*(?:staff|reporter|"
                           r"correspondent|editor)$", re.IGNORECASE)


def clean_author(value: str | None) -> str | None:
    """Return a byline without 'By', e-mail addresses, URLs and dates; None if nothing left."""
    text = _clean(value)
    if not text:
        return None
    text = re.sub(r"\S+@\S+|https?://\S+", " ", text)
    text = re.split(r"\s+(?:\||•)\s+|\s+(?:updated|published|posted)\b|\s+\d{1,2}[./ ]", text,
                    flags=re.IGNORECASE)[0]
    text = _BYLINE_NOISE.sub("", text.strip(" ,;:-–—|"))
    text = _BYLINE_NOISE.sub("", text).strip(" ,;:-–—|")
    if not text or len(text) > 120 or not re.search(r"[^\W\d_]", text):
        return None
    return text


_AUTHOR_META = ("author", "article:author", "byl", "dc.creator", "dcterms.creator",
                "sailthru.author", "parsely-author", "cxenseparse:author")
_PLACEHOLDER_AUTHOR = re.compile(r"^(?:no author|unknown|admin|administrator|anonymous|staff|"
                                 r"redaktion|redacción|rédaction|editor|editors)$", re.IGNORECASE)


def _names_site(name: str, variants: list[str]) -> bool:
    """Tell whether a byline names the site or a placeholder rather than a person."""
    cleaned = clean_author(name)
    if not cleaned or _PLACEHOLDER_AUTHOR.match(cleaned):
        return True
    compact = _fold(cleaned).replace(" ", "")
    return any(compact == variant.replace(" ", "") or (
        len(variant) >= 3 and variant.replace(" ", "") in compact
        and len(compact) <= len(variant.replace(" ", "")) + 12) for variant in variants)


def _microdata_authors(tree: HtmlElement) -> list[str]:
    """Return the names in itemprop=author elements (their itemprop=name if they have one)."""
    names = []
    for element in tree.xpath("//*[@itemprop='author'][not(self::meta)]"):
        inner = element.xpath(".//*[@itemprop='name']")
        value = (inner[0].get("content") or inner[0].text_content()) if inner else \
            element.get("content") or element.text_content()
        if _clean(value):
            names.append(value)
    return names


def _split_names(names: Iterable[str]) -> str | None:
    unique = list(dict.fromkeys(name for name in (clean_author(n) for n in names) if name))
    return ", ".join(unique) or None


# --------------------------------------------------------------------------- body

_BODY_BOILERPLATE = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                     "button", "iframe", "svg", "figure", "template", "select", "input")
_BOILERPLATE_HINT = re.compile(
    r"share|social|related|comment|newsletter|subscribe|promo|advert|sidebar|breadcrumb|"
    r"\bnav|menu|footer|cookie|popup|modal|recommend|more-stories|\btags?\b", re.IGNORECASE)


def _has_content_text(tree: HtmlElement) -> bool:
    """Tell whether the page body has text outside boilerplate elements (modifies tree)."""
    etree.strip_elements(tree, *_BODY_BOILERPLATE, with_tail=False)
    body = tree.find("body")
    return bool(re.search(r"\w", (body if body is not None else tree).text_content()))


def fallback_body(tree: HtmlElement) -> str:
    """Return the paragraphs of the article container, boilerplate removed (modifies tree)."""
    etree.strip_elements(tree, *_BODY_BOILERPLATE, with_tail=False)
    for element in list(tree.iter()):
        if not isinstance(element.tag, str) or element.tag in ("html", "body", "article"):
            continue
        hint = f"{element.get('class') or ''} {element.get('id') or ''}"
        if hint.strip() and _BOILERPLATE_HINT.search(hint) and element.getparent() is not None:
            element.drop_tree()
    containers = tree.xpath("//article|//*[@itemprop='articleBody']") or tree.xpath("//body") \
        or [tree]
    container = containers[0]
    paragraphs = [_clean(p.text_content()) for p in
                  container.iter("p", "h2", "h3", "li", "blockquote", "pre")]
    paragraphs = [p for p in paragraphs if p and len(p) > 1]
    if sum(len(p) for p in paragraphs) < 200:
        paragraphs = [line for line in (_clean(text) for text in container.itertext()) if line]
    return "\n\n".join(paragraphs)


_SHARE_HINT = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social-(?:links|buttons|media|share)|newsletter-signup|"
    r"related-(?:links|articles|stories|posts|content))(?:$|[\s_-])",
    re.IGNORECASE)


def strip_boilerplate_blocks(tree: HtmlElement) -> None:
    """Drop share, social, related-link, comment and promo blocks named by class or id.

    An element holding most of the page's text is never dropped, whatever its name.
    """
    body = tree.find("body")
    if body is None:
        return
    total = len(body.text_content())
    for element in list(body.iter()):
        if not isinstance(element.tag, str) or element.tag in ("body", "article", "main"):
            continue
        hint = f"{element.get('class') or ''} {element.get('id') or ''}"
        if (hint.strip() and _SHARE_HINT.search(hint) and element.getparent() is not None
                and len(element.text_content()) < 0.5 * total):
            element.drop_tree()


def _trafilatura(tree: HtmlElement, url: str | None):
    """Run trafilatura (body and its metadata) on a copy of the tree; None if it finds none."""
    import trafilatura

    try:
        return trafilatura.bare_extraction(
            tree, url=url, with_metadata=True, include_comments=False, include_tables=True,
            date_extraction_params={"original_date": True, "extensive_search": True,
                                    "max_date": dt.date.today().isoformat()})
    except (ValueError, TypeError, etree.LxmlError) as error:
        logger.debug("trafilatura failed: %s", error)
        return None


# --------------------------------------------------------------------------- extraction

class _Picker:
    """Fills a Page field by field, first source with a value wins, recording provenance."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def offer(self, key: str, value: str | None, source: str | None) -> bool:
        value = _clean(value)
        if value and not getattr(self.page, key):
            setattr(self.page, key, value)
            self.page.provenance[key] = source or key
            return True
        return False


def _lang(tree: HtmlElement, meta: dict[str, list[str]], ld: dict) -> tuple[str | None, str]:
    for value, source in ((tree.get("lang") or tree.get("xml:lang"), "<html lang>"),
                          (ld.get("inLanguage") if isinstance(ld.get("inLanguage"), str)
                           else None, "JSON-LD inLanguage"),
                          (_first_meta(meta, "content-language", "og:locale", "language",
                                       "dc.language")[0], "meta language")):
        value = _clean(value)
        if value and re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", value):
            return value.replace("_", "-"), source
    return None, ""


def _iter_dates(meta: dict[str, list[str]], ld: dict, tree: HtmlElement
                ) -> Iterator[tuple[object, str]]:
    """Yield the publication dates the page states, most explicit first."""
    yield ld.get("datePublished"), "JSON-LD datePublished"
    for name in _PUBLISHED_META:
        for value in meta.get(name, ()):
            yield value, f"meta {name}"
    yield ld.get("dateCreated"), "JSON-LD dateCreated"
    for value in meta.get("parsely-page", ()):
        data = _load_json(value)
        if isinstance(data, dict):
            yield data.get("pub_date"), "meta parsely-page"
    for element in tree.xpath("//*[@itemprop='datePublished'][not(self::meta)]"
                              "|//time[@pubdate]|//*[@property='rnews:datePublished']"):
        yield element.get("datetime") or element.get("content") or element.text_content(), \
            "microdata datePublished"


def extract(html: str) -> Page:
    """Return the article metadata and main text of an HTML page; never raises on bad HTML."""
    page = Page()
    tree = parse_tree(html)
    if tree is None:
        return page
    take = _Picker(page).offer
    meta = _meta_tags(tree)
    objects = _json_ld_objects(tree)
    ld = _article_ld(objects)

    # url first: it helps recognise the site name in titles
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    take("url", canonical[0] if canonical else None, "link rel=canonical")
    take("url", *_first_meta(meta, "og:url", "twitter:url"))
    if isinstance(ld.get("url"), str):
        take("url", ld["url"], "JSON-LD url")
    if page.url and not page.url.startswith(("http://", "https://")):
        page.url = None
        page.provenance.pop("url")

    headings = _headings(tree)
    strip_boilerplate_blocks(tree)
    document = _trafilatura(tree, page.url)

    # site name: the page's statements, then trafilatura's guess
    publisher = _ld_site_name(ld, objects)
    named, named_source = _first_meta(meta, "og:site_name", "application-name",
                                      "apple-mobile-web-app-title", "al:ios:app_name")
    # the two statements often differ by a legal form, a domain ending or a slogan
    # ("Salon.com" and "Salon"): the shorter one is the site's bare name
    if publisher and named and _contains_words(publisher, named):
        take("site_name", named, named_source)
    take("site_name", publisher, "JSON-LD publisher")
    take("site_name", named, named_source)
    stated_site = page.site_name
    take("site_name", getattr(document, "sitename", None), "trafilatura sitename")

    # title
    stated = []
    for value, source in ((ld.get("headline"), "JSON-LD headline"),
                          (_first_meta(meta, "og:title")[0], "meta og:title"),
                          (_first_meta(meta, "twitter:title")[0], "meta twitter:title"),
                          (_itemprop(tree, "headline"), "microdata headline"),
                          (_first_meta(meta, "headline", "title", "dc.title")[0], "meta title"),
                          (_clean(tree.findtext(".//title")), "<title>")):
        value = _clean(value)
        if value:
            stated.append((value, source))
    # trafilatura guesses the site name from the title's own segments, so only a name the
    # page states (or its domain) may be cut from the title
    title, source = choose_title(stated, headings, stated_site, page.url)
    take("title", title, source)
    take("title", getattr(document, "title", None), "trafilatura title")

    # date: publication dates the page states, then htmldate's heuristics
    guessed = getattr(document, "date", None) if document is not None else _htmldate(tree, page.url)
    for value, source in _iter_dates(meta, ld, tree):
        date = normalise_date(value)
        if date:
            shown = displayed_day(tree, value)
            if shown:
                # the page's own display of that moment decides its day
                if _one_day_apart(date, shown):
                    date, source = shown, f"{source}, day as the page shows it"
            elif _local_day_unknown(value) and guessed and _one_day_apart(date, guessed):
                date, source = guessed, f"htmldate (near-midnight UTC {source})"
            take("date", date, source)
            break
    take("date", guessed, "htmldate")

    # author: the first source naming people rather than the site itself, else any byline
    variants = _site_variants(page.site_name, page.url)
    bylines = [(_ld_names(ld.get("author"), objects), "JSON-LD author"),
               ([v for name in _AUTHOR_META for v in meta.get(name, ())], "meta author"),
               (re.split(r"\s*;\s*", getattr(document, "author", None) or ""),
                "trafilatura author"),
               (_microdata_authors(tree), "microdata author")]
    people_by_source = [([name for name in names if name and not _names_site(name, variants)],
                         source) for names, source in bylines]
    for people, source in people_by_source:
        if take("author", _split_names(people), source):
            break
    # a visible byline often lists co-authors the metadata leaves out: keep the fuller list
    visible = _split_names(people_by_source[2][0])
    if page.author and visible and page.provenance["author"] != "trafilatura author":
        chosen, fuller = set(page.author.casefold().split(", ")), visible.casefold().split(", ")
        if chosen < set(fuller):
            page.author, page.provenance["author"] = visible, "trafilatura author"
    for names, source in bylines:
        take("author", _split_names(n for n in names if n and not _PLACEHOLDER_AUTHOR.match(n)),
             source)

    language, source = _lang(tree, meta, ld)
    take("language", language, source)
    take("description", *_first_meta(meta, "og:description", "description"))

    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    # trafilatura falls back to any text it can find; a short result only counts if the page
    # has text outside navigation, forms and the like
    if text and (len(text) >= 200 or _has_content_text(tree)):
        page.body, page.provenance["body"] = text, "trafilatura"
    elif not text:
        page.body = fallback_body(tree)
        page.provenance["body"] = "paragraphs"
    return page
