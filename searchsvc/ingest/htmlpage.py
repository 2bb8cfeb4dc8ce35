"""Extracting an article from an HTML page: its metadata and its main text.

The page is parsed once with lxml. Metadata comes from what the page states about itself
(JSON-LD, OpenGraph and other ``<meta>`` tags, microdata, ``<time>``, ``<h1>``) and from its
URL; dates the page does not state come from htmldate's heuristics and bylines it does not
state from trafilatura's byline search, each run only when needed. The body is trafilatura's
main text, with a paragraph-based fallback when trafilatura finds none. Each field records in
``provenance`` which source it came from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from ..outlets import OutletRegistry
from .body import (fallback_body, has_content_text, lift_header_intro,
                   more_of_the_stated_body, run_trafilatura, stated_body,
                   strip_boilerplate_blocks, strip_teaser_cards, unwrap_layout_tables,
                   without_copyright_notice, without_date_lines, without_headline,
                   wrap_loose_text)
from .bylines import (AUTHOR_META, PLACEHOLDER_AUTHOR, closing_byline, dateline_agency,
                      headline_credit, join_names, linked_authors, marked_byline,
                      microdata_authors, names_site, plain_byline, visible_byline)
from .pagedates import (GENERIC_DATE_META, day_first, displayed_day, headline_date,
                        headline_day_before, headline_time, htmldate_guess,
                        local_day_unknown, normalise_date, one_day_apart, stated_dates,
                        stated_moment, url_date)
from .pagetree import (article_ld, clean, first_meta, fold, is_article, itemprop,
                       json_ld_objects, ld_first, ld_names, ld_site_name, ld_types, meta_tags,
                       parse_tree, parsely_page)
from .titles import (choose_title, contains_words, home_link_names, page_headings,
                     site_variants, stated_site_names)


@dataclass
class Page:
    """What a page says about its article."""

    title: str | None = None
    site_name: str | None = None
    date: str | None = None   # the day (or month) of publication
    moment: str | None = None  # the stated ISO 8601 time on that day, in the page's own zone
    authors: list[str] = field(default_factory=list)
    url: str | None = None
    language: str | None = None
    body: str = ""
    description: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)

    @property
    def author(self) -> str | None:
        """Return the authors as one byline ("A, B"), or None."""
        return ", ".join(self.authors) or None


class _Picker:
    """Fills a Page field by field, first source with a value wins, recording provenance."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def offer(self, key: str, value: str | None, source: str | None) -> bool:
        value = clean(value)
        if value and not getattr(self.page, key):
            setattr(self.page, key, value)
            self.page.provenance[key] = source or key
            return True
        return False


def _lang(tree: HtmlElement, meta: dict[str, list[str]], ld: dict) -> tuple[str | None, str]:
    for value, source in ((tree.get("lang") or tree.get("xml:lang"), "<html lang>"),
                          (ld.get("inLanguage") if isinstance(ld.get("inLanguage"), str)
                           else None, "JSON-LD inLanguage"),
                          (first_meta(meta, "content-language", "og:locale", "language",
                                      "dc.language")[0], "meta language")):
        value = clean(value)
        if value and re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", value):
            return value.replace("_", "-"), source
    return None, ""


def _web_url(value: object) -> str | None:
    text = clean(value)
    return text if text and text.startswith(("http://", "https://")) else None


def _entry_title(tree: HtmlElement) -> str | None:
    """Return the text of the first hAtom entry-title or h-entry p-name heading."""
    for element in tree.iter("h1", "h2"):
        if {"entry-title", "p-name"} & set((element.get("class") or "").split()):
            text = clean(element.text_content())
            if text:
                return text
    return None


def _pick_date(page: Page, tree: HtmlElement, meta: dict[str, list[str]], ld: dict,
               urls: list[str]) -> None:
    """Set the publication day: as stated, else the URL's day, else the <time> under the
    headline, else htmldate's estimate.

    A numeric date such as 04/03/2021 is read as the page's language writes dates.
    """
    from_url = next((day for day in map(url_date, urls) if day), None)
    dayfirst = day_first(page.language)

    def day_of(value: object, source: str) -> tuple[str, str] | None:
        date = normalise_date(value, dayfirst=dayfirst)
        if not date:
            return None
        shown = displayed_day(tree, value)
        if shown:
            # the page's own display of that moment decides its day
            if one_day_apart(date, shown):
                date, source = shown, f"{source}, day as the page shows it"
        elif local_day_unknown(value):
            # a UTC time near midnight does not give the newsroom's day; its URL may, or
            # the day the page shows under its headline
            for guess, where in ((lambda: from_url, "url"),
                                 (lambda: headline_date(tree, page.title, dayfirst),
                                  "day under the headline"),
                                 (lambda: htmldate_guess(tree, urls[0] if urls else None),
                                  "htmldate")):
                guessed = guess()
                if guessed and len(guessed) == len(date):
                    break
            if guessed and one_day_apart(date, guessed):
                date, source = guessed, f"{where} (near-midnight UTC {source})"
        if source.removeprefix("meta ") in GENERIC_DATE_META:
            # a page's date, often when it was built: an earlier day shown under the
            # headline is the article's
            earlier = headline_day_before(tree, date, page.title, dayfirst)
            if earlier:
                date, source = earlier, f"day under the headline (before {source})"
        return date, source

    for value, source in stated_dates(meta, ld, tree):
        found = day_of(value, source)
        if found:
            page.date, page.provenance["date"] = found
            # the time of day as stated, when the day is the stated one
            page.moment = stated_moment(value, page.date)
            return
    if from_url:
        page.date, page.provenance["date"] = from_url, "url"
        return
    # the article's own <time>, read with its datetime's zone as the page shows it
    shown = headline_time(tree, page.title)
    found = day_of(shown, "<time> under the headline")
    if found:
        page.date, page.provenance["date"] = found
        page.moment = stated_moment(shown, page.date)
        return
    guessed = htmldate_guess(tree, urls[0] if urls else None)
    if guessed:
        page.date, page.provenance["date"] = guessed, "htmldate"


_ORG_TYPES = {"Organization", "NewsMediaOrganization", "Corporation", "NGO",
              "GovernmentOrganization", "EducationalOrganization"}


def _shown(names: list[str], tree: HtmlElement) -> bool:
    """Tell whether the page's text shows any of the names (scripts and styles aside), as
    written, in capitals or in title case ("JO REED", "Jo Reed")."""
    path = "//body//text()[contains(., $name)][not(ancestor::script or ancestor::style)]"
    # asked of the XPath engine: folding the whole page's text costs several milliseconds
    return any(tree.xpath(path, name=form) for name in names
               for form in dict.fromkeys((name, name.upper(), name.title())))


def _pick_authors(page: Page, tree: HtmlElement, meta: dict[str, list[str]], ld: dict,
                  objects: list[dict], urls: list[str]) -> None:
    """Set the authors: the first source naming people rather than the site, else any byline.

    Sources often name only the first of several authors; when a later one lists those names
    and more, its fuller list is taken.
    """
    variants = site_variants(page.site_name, urls)
    byline = visible_byline(tree)
    parsely = parsely_page(meta)
    # an author typed as an organisation (a wire service, the outlet) is no person: it is
    # kept only for when no source names one
    authors = ld.get("author") if isinstance(ld.get("author"), list) else [ld.get("author")]
    organisations = [author for author in authors
                     if isinstance(author, dict) and set(ld_types(author)) & _ORG_TYPES]
    stated = [(ld_names([a for a in authors if not any(a is o for o in organisations)],
                        objects), "JSON-LD author"),
              ([v for name in AUTHOR_META for v in meta.get(name, ())], "meta author"),
              (ld_names(parsely.get("authors") or parsely.get("author"), []),
               "meta parsely-page"),
              (re.split(r"\s*;\s*", byline or ""), "trafilatura byline"),
              (microdata_authors(tree), "microdata author")]
    people = [(join_names((n for n in names if n and not names_site(n, variants)), variants),
               source) for names, source in stated]
    people = [(names, source) for names, source in people if names]
    # a CMS's JSON-LD often states the account that posted the story (a web producer) as its
    # author: one the page never shows gives way to any byline the page shows
    hidden = []
    if people and people[0][1] == "JSON-LD author" and not _shown(people[0][0], tree):
        hidden = [people.pop(0)]
    # then, searched only when needed (each search costs a pass over the page): bylines
    # marked in ways trafilatura does not read; last, as sidebars link other writers' pages
    # too, the byline's links to author pages
    for search, source in ((lambda: [marked_byline(tree)], "marked byline"),
                           (lambda: [plain_byline(tree)], "byline under the headline"),
                           (lambda: linked_authors(tree), "byline author links"),
                           (lambda: [closing_byline(tree)], "byline closing the text"),
                           (lambda: [dateline_agency(tree)], "agency in the dateline"),
                           (lambda: [headline_credit(tree)], "credit beside the headline")):
        if people:
            break
        names = join_names((n for n in search() if n and not names_site(n, variants)),
                           variants)
        people = [(names, source)] if names else []
    people += hidden
    if people:
        chosen = people[0]
        first = {name.casefold() for name in chosen[0]}
        for names, source in people[1:]:
            if first < {name.casefold() for name in names} and len(names) > len(chosen[0]):
                chosen = names, source
        page.authors, page.provenance["authors"] = chosen
        return
    # nothing but the site or a placeholder: keep a site byline rather than nothing
    for names, source in [(ld_names(organisations, objects), "JSON-LD author"), *stated]:
        names = join_names(n for n in names if n and not PLACEHOLDER_AUTHOR.match(n))
        if names:
            page.authors, page.provenance["authors"] = names, source
            return


def extract(html: str, url: str | None = None, registry: OutletRegistry | None = None) -> Page:
    """Return the article metadata and main text of an HTML page; never raises on bad HTML.

    ``url`` is where the page was found, if known: its domain and a date in its path are
    evidence beside what the page states. ``registry`` names the outlets of known domains,
    which titles append as the site's name.
    """
    page = Page()
    tree = parse_tree(html)
    if tree is None:
        if _web_url(url):
            page.url, page.provenance["url"] = url, "given"
        return page
    take = _Picker(page).offer
    meta = meta_tags(tree)
    objects = json_ld_objects(tree)

    # url first: it helps recognise the site name in titles, and the article's JSON-LD
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    take("url", _web_url(canonical[0]) if canonical else None, "link rel=canonical")
    value, source = first_meta(meta, "og:url", "twitter:url")
    take("url", _web_url(value), source)
    ld = article_ld(objects, [u for u in (page.url, _web_url(value), _web_url(url)) if u])
    take("url", _web_url(ld.get("url")), "JSON-LD url")
    take("url", _web_url(url), "given")
    urls = list(dict.fromkeys(u for u in (page.url, _web_url(url)) if u))

    headings = page_headings(tree)
    # other names of the site, which titles append: its home link's, the registry's
    site_names = home_link_names(tree, urls) + stated_site_names(meta, tree)
    if registry is not None:
        site_names += [name for u in urls for name in registry.names_at(u)]

    # site name: the page's statements (the outlet is found from the URL later)
    publisher = ld_site_name(ld, objects)
    named, named_source = first_meta(meta, "og:site_name", "application-name",
                                     "apple-mobile-web-app-title", "al:ios:app_name")
    # the two statements often differ by a legal form, a domain ending or a slogan
    # ("Salon.com" and "Salon"): the shorter one is the site's bare name
    if publisher and named and contains_words(publisher, named):
        take("site_name", named, named_source)
    take("site_name", publisher, "JSON-LD publisher")
    take("site_name", named, named_source)
    # bylines before the share blocks go: an author box often sits in one with its follow links
    _pick_authors(page, tree, meta, ld, objects, urls)
    strip_boilerplate_blocks(tree)

    # title
    stated = []
    for value, source in ((ld_first(ld.get("headline")), "JSON-LD headline"),
                          # an article's name is its headline (not a WebPage's: often the site's)
                          (ld_first(ld.get("name")) if is_article(ld) else None, "JSON-LD name"),
                          (first_meta(meta, "og:title")[0], "meta og:title"),
                          (first_meta(meta, "twitter:title")[0], "meta twitter:title"),
                          (itemprop(tree, "headline"), "microdata headline"),
                          # hAtom's entry title, h-entry's name
                          (_entry_title(tree), "microformat entry-title"),
                          (first_meta(meta, "headline", "title", "dc.title", "dcterms.title",
                                      "parsely-title", "sailthru.title")[0], "meta title"),
                          (parsely_page(meta).get("title"), "meta parsely-page"),
                          (clean(tree.findtext(".//title")), "<title>")):
        value = clean(value)
        if value:
            stated.append((value, source))
    title, source = choose_title(stated, headings, page.site_name, urls, site_names)
    take("title", title, source)

    language, source = _lang(tree, meta, ld)
    take("language", language, source)
    _pick_date(page, tree, meta, ld, urls)

    take("description", *first_meta(meta, "og:description", "description"))

    unwrap_layout_tables(tree)
    strip_teaser_cards(tree)
    lift_header_intro(tree)
    wrap_loose_text(tree)
    document = run_trafilatura(tree, page.url)
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    text = without_copyright_notice(without_date_lines(
        without_headline(text, [page.title, *headings]), page.authors))
    stated_text = stated_body(ld.get("articleBody")) if is_article(ld) else ""
    # trafilatura falls back to any text it can find; a short result only counts if the page
    # has text outside navigation, forms and the like
    if stated_text and more_of_the_stated_body(text, stated_text):
        page.body, page.provenance["body"] = stated_text, "JSON-LD articleBody"
    elif text and (len(text) >= 200 or has_content_text(tree)):
        page.body, page.provenance["body"] = text, "trafilatura"
    elif not text:
        page.body = fallback_body(tree)
        page.provenance["body"] = "paragraphs"
    return page
