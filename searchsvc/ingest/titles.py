"""Titles: the headline as the article states it, without the site's name."""
from __future__ import annotations

import re
from typing import Sequence
from urllib.parse import SplitResult, urlsplit

from lxml.html import HtmlElement

from .pagetree import clean, fold

# " | ", " - ", " :: ", "|", "_" and an em dash anywhere; full-width "｜" and "："; a dash
# touching CJK text ("英雄的城！-新华网"), where titles set no spaces
_CJK = "\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef"
_SEPARATORS = re.compile(rf"\s+[|\-–—·:•»«/]{{1,2}}\s+|\s*[|｜_：—]\s*|\s+::\s+"
                         rf"|(?<=[{_CJK}])\s*[-–—]\s*|\s*[-–—]\s*(?=[{_CJK}])")


def contains_words(text: str, part: str) -> bool:
    """Tell whether ``part`` is a shorter run of whole words of ``text`` (folded)."""
    whole, folded = fold(text), fold(part)
    return bool(folded) and folded != whole and f" {folded} " in f" {whole} "


def site_variants(site: str | None, urls: str | Sequence[str | None] | None = ()) -> list[str]:
    """Return folded forms under which the site may appear in a title: its name, its domains."""
    variants = []
    if site:
        variants.append(fold(site))
    for url in [urls] if isinstance(urls, str) else urls or ():
        parts = _split(url) if url and "//" in url else None
        host = parts.hostname if parts else None
        if not host:
            continue
        host = host.removeprefix("www.")
        variants.append(fold(host))
        variants.append(fold(host.rsplit(".", 1)[0]))
        # each name in the host, for blogs and sections: "Lost in JIT" on lostinjit.blogspot.com
        variants.extend(fold(label) for label in host.split(".")[:-1] if len(label) >= 3)
    return list(dict.fromkeys(v for v in variants if v))


def is_site(segment: str, variants: list[str], names: Sequence[str] = ()) -> bool:
    """Tell whether a title segment names the site.

    It does when it is the site's name or domain, a part of the name ("Guardian"), or the
    name and one more word ("CNN Politics"); not merely because it contains the name
    ("Time running out" on time.com). ``names`` are other names the site goes by (what its
    home links say, what the outlet registry lists): a segment must be one of them whole,
    as home links also say "Home" or "Privacy Policy".
    """
    folded = fold(segment)
    if not folded:
        return True
    compact = folded.replace(" ", "")
    if any(compact == fold(name).replace(" ", "") for name in names):
        return True
    for variant in variants:
        if compact == variant.replace(" ", ""):
            return True
        if len(variant) >= 3 and (f" {folded} " in f" {variant} " or (
                f" {variant} " in f" {folded} "
                and len(folded.split()) <= len(variant.split()) + 1)):
            return True
    return False


def strip_site(title: str, site: str | None,
               urls: str | Sequence[str | None] | None = (), names: Sequence[str] = ()) -> str:
    """Remove a leading or trailing ' | Site' / ' - Site' segment that names the site."""
    variants = site_variants(site, urls)
    if not variants and not names:
        return title
    # the site's name in brackets after the headline: "Headline (Harbour News)"
    bracketed = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", title)
    if bracketed and is_site(bracketed.group(2), variants, names):
        return bracketed.group(1)
    parts = _SEPARATORS.split(title)
    separators = _SEPARATORS.findall(title)
    # the site's name as a label before the headline: "Harbour News: Headline"
    labelled = re.match(r"([^:]{2,60}):\s+(?=\S)", parts[0])
    if labelled and is_site(labelled.group(1), variants, names):
        parts[0] = parts[0][labelled.end():]
    if len(parts) < 2:
        return parts[0]
    # trailing segments first, then leading ones, keeping at least one segment
    trailing = False
    while len(parts) > 1 and is_site(parts[-1], variants, names):
        parts.pop()
        trailing = separators.pop()
    # between the headline and the site's name, a section set off the same way:
    # "Headline | Politics | Harbour News" (a word or two, shorter than the headline)
    while trailing and len(parts) > 1 and separators[-1] == trailing and \
            len(parts[-1].split()) <= 2 and len(parts[-1]) < len(parts[0]):
        parts.pop()
        separators.pop()
    leading = False
    while len(parts) > 1 and is_site(parts[0], variants, names):
        parts.pop(0)
        leading = separators.pop(0)
    # the same after a leading site name: "Harbour News | Politics | Headline"
    while leading and len(parts) > 1 and separators[0] == leading and \
            len(parts[0].split()) <= 2 and len(parts[0]) < len(parts[-1]):
        parts.pop(0)
        separators.pop(0)
    rebuilt = parts[0]
    for separator, part in zip(separators, parts[1:]):
        rebuilt += separator + part
    return rebuilt.strip() or title


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:  # a malformed link ("http://[ccpa-preferences]")
        return None


def home_link_names(tree: HtmlElement, urls: Sequence[str | None] = ()) -> list[str]:
    """Return the names the page gives its own home page: its logo link's text, alt or title.

    Pages without og:site_name still name themselves in the link to their front page
    ("新华网" linking to http://www.xinhuanet.com/), and titles append that name.
    """
    hosts = {(parts.hostname or "").removeprefix("www.")
             for parts in (_split(url) for url in urls if url) if parts} - {""}
    homes = {"/", "./", "/index.html"} | {
        f"{scheme}//{www}{host}{tail}" for host in hosts for scheme in ("https:", "http:", "")
        for www in ("", "www.") for tail in ("", "/", "/index.html")}
    names = []
    # pages have thousands of links: one look-up each (an XPath test per address took ~1 ms)
    for link in (link for link in tree.iter("a") if link.get("href") in homes):
        for text in (_visible_text(link), link.get("title"), *link.xpath(".//img/@alt")):
            text = clean(text)
            # a name, not a sentence or "Back to the front page of ..."
            if text and len(text) <= 40 and len(text.split()) <= 4 and text not in names:
                names.append(text)
        if len(names) >= 8:
            break
    return names


# "© 2021 Harbour News. All rights reserved", "Copyright 2010-2021 Harbour News Ltd"
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?)?"
                        r"[\s,]*([^\W\d][^.|,©\n]{1,38}?)\s*(?:[.|,]|all rights|$)",
                        re.IGNORECASE)


def stated_site_names(meta: dict[str, list[str]], tree: HtmlElement) -> list[str]:
    """Return other names the page gives its site: publisher metas, its X (Twitter) account,
    the holder of its copyright notice.

    Titles append the site's name where og:site_name is missing; these are whole-segment
    candidates only (see ``is_site``).
    """
    names = []
    for key in ("publisher", "dc.publisher", "dcterms.publisher", "article:publisher",
                "twitter:site", "copyright"):
        for value in meta.get(key, ()):
            if value.startswith(("http://", "https://")):
                # a page of the site's elsewhere: https://www.facebook.com/harbournews
                value = value.rstrip("/").rsplit("/", 1)[-1]
            names.append(value.lstrip("@"))
    for text in tree.xpath("//body//text()[contains(., '©') or contains(., 'opyright')]")[-3:]:
        match = _COPYRIGHT.search(str(text))
        if match:
            names.append(match.group(1))
    return [name for name in dict.fromkeys(clean(name) for name in names) if name]


def _visible_text(element: HtmlElement) -> str | None:
    return clean(element.text_content())


# the class names the conventions give a kicker, the line set above a headline
_KICKER_CLASS = re.compile(r"kicker|overline|eyebrow|dachzeile|topline|roofline|supertitle|"
                           r"pretitle|spitzmarke|surtitre|antetitulo|sobretitulo", re.IGNORECASE)


def _heading_text(element: HtmlElement) -> str | None:
    """Return an <h1>'s headline, without a kicker set in its own element before it.

    Pages mark up "Kicker: Headline" as separate children (<span class=kicker>, a hidden
    separator, <span class=headline>); then the last and longest part is the headline.
    """
    full = _visible_text(element)
    if not full or re.search(r"\w", element.text or ""):
        return full
    first = next((child for child in element if isinstance(child.tag, str)), None)
    if first is not None and _KICKER_CLASS.search(f"{first.get('class') or ''} "
                                                  f"{first.get('id') or ''}"):
        # a kicker its markup names as such ("<span class=overline>Topic</span>Headline")
        rest = clean(full[len(_visible_text(first) or ""):] if full.startswith(
            _visible_text(first) or "") else None)
        if rest and len(rest.split()) >= 2:
            return rest.strip(" :–—-|")
    parts = [text for text in (_visible_text(child) for child in element
                               if isinstance(child.tag, str)) if text and re.search(r"\w", text)]
    if any(re.search(r"\w", child.tail or "") for child in element):
        return full
    if len(parts) >= 2 and len(parts[-1].split()) >= 2 and \
            len(parts[-1]) == max(len(part) for part in parts):
        return parts[-1]
    return full


def page_headings(tree: HtmlElement) -> list[str]:
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
    x, y = set(fold(a).split()), set(fold(b).split())
    if not x or not y:
        return 0.0
    return len(x & y) / min(len(x), len(y))


# where a page states its own title: schema.org JSON-LD, Open Graph, the <title> element; as
# against a sharing card's wording (twitter:title), the other meta fields (name=title, Dublin
# Core, parsely, sailthru: on the dev pages they repeat the card's wording) and the heading's
# own markup (microdata, microformats), none of which can confirm a heading alone
_ARTICLE_TITLE_SOURCES = frozenset({"JSON-LD headline", "JSON-LD name", "meta og:title",
                                    "<title>"})

_CUT_SHORT = re.compile(r"\s*(?:\.\.\.|…)$")


def _whole_titles(titles: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop titles cut short when another title states them whole.

    Sharing titles are often cut to a length ("...should be essential reading for Hong Kong
    leader..."); a headline may also end in an ellipsis, so one goes only when a longer
    title begins with its words.
    """
    kept = []
    for title, source in titles:
        stem = fold(_CUT_SHORT.sub("", title))
        if _CUT_SHORT.search(title) and any(
                len(fold(other)) > len(stem) and fold(other).startswith(stem)
                for other, _ in titles if not _CUT_SHORT.search(other)):
            continue
        # cut inside a word with no ellipsis: a length limit (JSON-LD headlines are often
        # cut at 110 characters) where another title goes on with the same word
        if title[-1:].isalnum() and any(
                other.startswith(title) and other[len(title):][:1].isalnum()
                for other, _ in titles):
            continue
        kept.append((title, source))
    return kept or titles


def choose_title(stated: list[tuple[str, str]], headings: list[str], site: str | None,
                 urls: Sequence[str | None] = (), names: Sequence[str] = ()
                 ) -> tuple[str | None, str | None]:
    """Pick the headline from the stated titles and the page's <h1> headings.

    ``stated`` lists (title, source) from the page's metadata in order of trust. Stated titles
    often carry a kicker, a section or the site name ("Politics: Headline", "Headline - Site")
    or are cut short for sharing, while the <h1> is the headline as the reader sees it; but
    pages also use <h1> for logos and section names. So an <h1> wins when it agrees with a
    stated title: when one contains the other, or they share nearly all their words. Where the
    page states its title in JSON-LD, og:title or <title>, the <h1> must agree with one of
    those: twitter:title or another meta field, or markup on the heading itself, does not
    confirm it alone. ``names`` are other names the site goes by (its home links', the
    outlet registry's).
    """
    cleaned = _whole_titles([(strip_site(title, site, urls, names), source)
                             for title, source in stated if title])
    variants = site_variants(site, urls)
    # a stated title that is only the site's name (a front page's og:title left on every
    # page) is no headline while another stated title is; an <h1> alone does not outweigh
    # it, as navigation headings ("Sections") are <h1>s too
    cleaned = [(title, source) for title, source in cleaned
               if not is_site(title, variants, names)] or cleaned
    # the page's own statements of its title confirm a heading; a sharing card's or the
    # tools' fields do not: an <h1> that agrees only with twitter:title is the card's wording
    confirming = [(title, source) for title, source in cleaned
                  if source in _ARTICLE_TITLE_SOURCES] or cleaned
    for heading in headings:
        if is_site(heading, variants, names):
            continue
        folded_heading = fold(heading)
        words = len(folded_heading.split())
        for title, source in confirming:
            folded_title = fold(title)
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


