"""Bylines: the names of the people who wrote an article, without the words around them."""
from __future__ import annotations

import logging
import re
from typing import Iterable, Sequence

from lxml.html import HtmlElement

from .bylinesearch import byline_search
from .pagetree import clean, fold, has_property

logger = logging.getLogger(__name__)

_LEAD_IN = re.compile(r"^(?:(?:(?:written|reported|posted|story|text|words|photos?)\s+)?"
                      r"(?:by|von|par|por|di|door|de|from|av|af)\s+|"
                      # a label: "Text: Jo Reed", "Author: Jo Reed", "About the author Jo Reed"
                      r"(?:text|words|story|reporting|authors?|auteur|autor(?:in)?|"
                      r"verfasser(?:in)?)\s*:\s*|"
                      r"about(?:\s+the\s+authors?)?\s*:?\s+)", re.IGNORECASE)
_WIRE = re.compile(r"\b(?:press|presse|news|agency|agencia|agentur|wires?)\b", re.IGNORECASE)
# a credit for pictures beside the writer's: "Photos: Tom Ink", "Video by Tom Ink"
_PICTURE_CREDIT = re.compile(r"^(?:photos?|photography|pictures?|images?|videos?|"
                             r"illustrations?|graphics?)\s*(?:by\b|:)", re.IGNORECASE)
# what a byline shows beside a name: a job title, contact links, follow buttons
_ROLE = (r"(?:(?:senior|chief|staff|contributing|special|deputy|managing|associate|assistant|"
         r"executive|political|foreign|national|international|business|health|science|tech|"
         r"technology|sports?|investigative|economics|white house|news|digital|web|guest|"
         r"freelance|local|metro|features?|opinion|data|global|lead|regional)\s+)*"
         r"(?:writer|reporter|correspondent|editor|contributor|columnist|journalist|producer|"
         r"analyst|photographer|critic|intern|staff|author|editor-in-chief|(?:bureau\s+)?chief|"
         # the same in the other languages of the dev sets
         r"redakteur(?:in)?|korrespondent(?:in)?|autor(?:in)?|expert(?:e|in)|reporter(?:in)?|"
         r"journaliste|rédact(?:eur|rice)|corresponsal|periodista|redactor(?:a)?)s?")
_CONTACT = (r"(?:rss|e-?mail|twitter|x|facebook|linkedin|instagram|follow|bio|contact|more|"
            r"share|newsletter)")
_TRAILING_NOISE = re.compile(rf"(?:\s*[|,/–—-]\s*|\s+)(?:{_ROLE}|{_CONTACT})$", re.IGNORECASE)
_ONLY_NOISE = re.compile(rf"(?:(?:{_ROLE}|{_CONTACT})\b\W*)+", re.IGNORECASE)
_LEADING_ROLE = re.compile(rf"^{_ROLE}\s*[:,]?\s+(?=[A-Z])", re.IGNORECASE)
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?"
# a byline's time stamp opens with a word: English ones as before; the others only before a
# date or a colon ("Stand: 12.03."), since they are names too ("Kurt Stand")
_STAMP_WORD = (r"(?:updated|published|posted|last (?:updated|modified)|stand|aktualisiert|"
               r"veröffentlicht|actualizado|publicado|mis à jour|publié|modifié|aggiornato|"
               r"pubblicato)")
_STAMP_AFTER = rf"(?:\s*:|\s+\d|\s+(?:on|am|le|el|il)\b|\s+{_MONTH})"
_STAMP = rf"(?:updated|published|posted|last (?:updated|modified)|{_STAMP_WORD}(?={_STAMP_AFTER}))"
# where the byline's date or update note starts: "Updated", "March 11, 2015", "Mon, 3/4", "22 Dec"
_DATE_START = re.compile(rf"\s+(?:{_STAMP}|"
                         rf"{_MONTH}\s+\d|{_WEEKDAY}\s+(?:\d|{_MONTH})|\d{{1,2}}[./ ]|"
                         rf"\d{{1,2}}(?:st|nd|rd|th)\b|(?:19|20)\d\d\b|\d+\s+(?:min|hour|day)s?\b|"
                         rf"(?:yesterday|today|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b)",
                         re.IGNORECASE)
# a date glued to the name by markup that sets no space: "Lucas Nolan22 Dec 2016"
_DATE_GLUED = re.compile(rf"(?<=[^\W\d_])(?=\d{{1,2}}\s*{_MONTH}\s)", re.IGNORECASE)

_ONLY_DATE = re.compile(rf"^(?:(?:{_WEEKDAY}\s*)?{_MONTH}(?:\s+\d|$)|{_STAMP_WORD}(?:{_STAMP_AFTER}|\s*$))",
                        re.IGNORECASE)

_FULL_MONTH = re.compile(rf"{_MONTH}", re.IGNORECASE)

# where a byline's links and notes start: "Email the author", "Follow on X", "View all posts",
# "12 comments"; a handle ("@janedoe") goes wherever it stands
_LINKS_START = re.compile(r"\s+(?:(?:e-?mail|follow|contact|message)\s+(?:the\s+)?"
                          r"(?:author|reporter|writer|me|him|her|us|on)\b|follow\b|"
                          r"view\s+(?:all\s+|full\s+)?(?:posts|articles|stories|profile|bio)\b|"
                          r"read\s+(?:more|(?:full\s+)?bio)\b|"
                          r"(?:more|all)\s+(?:posts|articles|stories)\b|(?:\d+|no)\s+comments?\b)",
                          re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w+")
# where a bio or a credit to another outlet starts: "Jane Doe is a staff writer at ...",
# "Jane Doe, special to The Times" (English verbs in lower case: names are capitalised)
_BIO_START = re.compile(r"\s+(?:(?:is|was)\s+(?:a|an|the)\s|(?:covers|writes|reports)\s)"
                        r"|,?\s+(?:[Ff]or|[Ss]pecial\s+[Tt]o)(?:\s+(?=(?:[Tt]he\s+)?[A-Z])|$)"
                        # a job title after a dash: "Jo Reed — Correspondent in Paris"
                        rf"|\s+[–—-]\s+(?=(?i:{_ROLE})\b)")
# a short note in brackets after the name: "(Reuters)", "(she/her)"
_TRAILING_NOTE = re.compile(r"\s*\((?:[^()\s]+(?:\s+[^()\s]+)?)\)$")


def _drop_cut_date(text: str) -> str:
    """Drop a month left after a name set in capitals: a date the markup cut ("JO REED March").

    In a name written in capitals the month would be in capitals too ("JO MAY").
    """
    head, _, last = text.rpartition(" ")
    letters = re.sub(r"[^\w]|[\d_]", "", head)
    if (len(letters) >= 4 and letters.isupper() and last[:1].isupper() and not last.isupper()
            and _FULL_MONTH.fullmatch(last)):
        return head
    return text


def clean_author(value: str | None) -> str | None:
    """Return a byline without 'By', job titles, contact links, e-mail addresses, URLs and dates.

    None if nothing that reads as a name is left.
    """
    text = clean(value)
    if not text:
        return None
    text = re.sub(r"\S+@\S+|https?://[^\s)]+|www\.[^\s)]+", " ", text)
    text = _HANDLE.sub(" ", text)
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text).strip()
    text = re.split(r"\s+(?:\||•)\s+", text)[0]
    text = _BIO_START.split(_LINKS_START.split(text)[0])[0]
    text = _TRAILING_NOTE.sub("", text)
    text = _DATE_START.split(_DATE_GLUED.split(text)[0])[0]
    text = _LEAD_IN.sub("", text.strip(" ,;:-–—|"))
    if _ONLY_NOISE.fullmatch(text):  # "Senior Reporter": nothing is a name
        return None
    text = _LEADING_ROLE.sub("", text)
    for _ in range(3):
        stripped = _TRAILING_NOISE.sub("", text).strip(" ,;:-–—|")
        if stripped == text or not stripped:
            break
        text = stripped
    text = _LEAD_IN.sub("", text).strip(" ,;:-–—|")
    # the word that led to a date cut off ("Jo Reed on", "Jo Reed at")
    text = re.sub(r"\s+(?:on|at|am|le|el|il)$", "", text)
    text = _drop_cut_date(text)
    # the name twice: the byline and the bio under it ("Jo Reed Jo Reed")
    half = text.split()
    if len(half) >= 4 and len(half) % 2 == 0 and half[:len(half) // 2] == half[len(half) // 2:]:
        text = " ".join(half[:len(half) // 2])
    if not text or len(text) > 120 or not re.search(r"[^\W\d_]", text) or \
            _ONLY_DATE.match(text) or _ONLY_NOISE.fullmatch(text):
        return None
    return text


AUTHOR_META = ("author", "article:author", "byl", "dc.creator", "dcterms.creator",
                "sailthru.author", "parsely-author", "cxenseparse:author",
                # the other spellings of OpenGraph's author and a plain "byline"
                "og:article:author", "og:author", "article:author_name", "byline",
                # the names trafilatura reads too: Highwire's, Dublin Core's other spellings
                "citation_author", "dc:creator", "dc.creator.aut", "dcterms.creator.aut",
                "shareaholic:article_author_name", "dcsext.author", "rbauthors", "authors")
PLACEHOLDER_AUTHOR = re.compile(r"^(?:no author|unknown|admin|administrator|anonymous|staff|"
                                r"redaktion|redacción|rédaction|editor|editors|the editors|"
                                r"username|user|guest|newsroom|news ?desk|web ?desk|desk|"
                                r"staff writers?|editorial staff|editorial|rss|e-?mail|"
                                # wire copy credited to no agency in particular
                                r"agenc(?:y|ies)|agencias?|agenturen|news agencies|wires?)$",
                                re.IGNORECASE)


def names_site(name: str, variants: list[str]) -> bool:
    """Tell whether a byline names the site or a placeholder rather than a person."""
    cleaned = clean_author(name)
    # the placeholder as written too: cleaning takes "Author" off "No Author" as a job title
    if not cleaned or PLACEHOLDER_AUTHOR.match(cleaned) or \
            PLACEHOLDER_AUTHOR.match(_LEAD_IN.sub("", clean(name) or "")):
        return True
    # a byline giving the site's own domain names the site: "Deutsche Welle (www.dw.com)"
    # (an e-mail address at the domain is a person's)
    for domain in re.findall(r"(?:https?://)?(?:www\.)?([\w-]+(?:\.[\w-]+)+)",
                             re.sub(r"\S+@\S+", " ", name)):
        if fold(domain) in variants:
            return True
    compact = fold(cleaned).replace(" ", "")
    return any(compact == variant.replace(" ", "") or (
        len(variant) >= 3 and variant.replace(" ", "") in compact
        and len(compact) <= len(variant.replace(" ", "")) + 12) for variant in variants)


def microdata_authors(tree: HtmlElement) -> list[str]:
    """Return the names in itemprop=author elements (their itemprop=name if they have one),
    and in RDFa's author and creator properties (property=schema:author, dc:creator)."""
    names = []
    rdfa = has_property("property", "author", "schema:author", "dc:creator", "dcterms:creator")
    authors = (f"//*[{has_property('itemprop', 'author')} or {rdfa}][not(self::meta)]"
               # a picture's author is its photographer: credits in captions and image items
               "[not(ancestor::figure or ancestor::figcaption or ancestor::*[re:test("
               "@itemtype, '(ImageObject|Photograph|VideoObject|MediaObject)$')])]")
    for element in tree.xpath(authors, namespaces=_REGEXP_NS):
        inner = element.xpath(f".//*[{has_property('itemprop', 'name')} or "
                              f"{has_property('property', 'name', 'schema:name')}]")
        value = (inner[0].get("content") or inner[0].text_content()) if inner else \
            element.get("content") or element.text_content()
        if clean(value):
            names.append(value)
    return names


# a site's page about one of its writers: /people/jo-reed, /author/jo-reed, /autor/jo-reed
_AUTHOR_PAGE = re.compile(r"/(?:authors?|autor(?:en|es)?|auteurs?|people|profiles?|"
                          r"journalists?|writers?|staff)/[^/?#\s]+", re.IGNORECASE)
_BYLINE_HINT = re.compile(r"byline|author|autor|auteur|writer|contributor", re.IGNORECASE)


def linked_authors(tree: HtmlElement) -> list[str]:
    """Return the names a byline links to their author pages ("By <a href=/people/..>").

    A link marked rel=author counts anywhere; a link to an author page only inside an element
    marked as a byline or author box, as "more from" lists link other articles' writers.
    """
    names = []
    for link in tree.xpath("//a[@href]"):
        if "author" not in (link.get("rel") or "").split():
            if not _AUTHOR_PAGE.search(link.get("href") or ""):
                continue
            hints = [link, *list(link.iterancestors())[:3]]
            if not any(_BYLINE_HINT.search(f"{e.get('class') or ''} {e.get('id') or ''}")
                       for e in hints):
                continue
        text = clean(link.text_content())
        if text and len(text.split()) <= 4 and text not in names:
            names.append(text)
    return names


# where a byline is marked, beyond the classes trafilatura's byline search knows: a data-*
# attribute (component frameworks name their parts there: data-testid="prism-byline"), the
# word for author in the other languages (class="autor", id="auteur"), a labelled line
# ("Auteur : Jo Reed", "Autor: Jo Reed")
_MARKED_BYLINE = (
    "//body//*[@*[starts-with(name(), 'data-') and contains(translate(., 'BYLINE', 'byline'),"
    " 'byline')]]",
    # as a word of the name: not "autoresize", "autorefresh"
    "//body//*[re:test(concat(@class, ' ', @id), '(^|[^a-z])(autor|auteur)(e?s|en|in|a)?"
    "([^a-z]|$)', 'i')]",
    "//body//*[self::p or self::span or self::div or self::li][not(*)][re:test(normalize-space(),"
    " '^(author|auteur|autor|autorin|verfasser|verfasserin)\\s*:', 'i')]",
    # a list of the article's facts: "<dt>Author</dt><dd>Jo Reed</dd>"
    "//body//dd[preceding-sibling::dt[1][re:test(normalize-space(), '^(authors?|auteurs?|"
    "autor(in|en)?|verfasser(in)?|by|written by|par|por|von)\\s*:?$', 'i')]]",
)
_REGEXP_NS = {"re": "http://exslt.org/regular-expressions"}


def marked_byline(tree: HtmlElement) -> str | None:
    """Return the text of the first short element marked as the byline in a way trafilatura's
    byline search does not read (see _MARKED_BYLINE)."""
    for path in _MARKED_BYLINE:
        for element in tree.xpath(path, namespaces=_REGEXP_NS):
            # its parts are often set apart by CSS alone ("<span>By</span><a>Jo Reed</a>")
            text = clean(" ".join(element.itertext()))
            if text and len(text) <= 200 and clean_author(text):
                return text
    return None


# a byline written as plain text: "By Jo Reed", "Von Jo Reed", "Par Jo Reed | 4 mars"
_PLAIN_BYLINE = re.compile(r"^(?:(?:written|reported|posted|story|text|words)\s+)?"
                           r"(?:by|von|par|por|door|di|av|af)\s+(?=[^\W\d_])", re.IGNORECASE)
# the small words of names ("Ludwig van Beethoven", "Maria de la Cruz")
_NAME_PARTICLES = frozenset("de da del della der den di du la le van von zu bin al y e".split())


def _reads_as_names(byline: str) -> bool:
    """Tell whether every part of a byline is a name: capitalised words and particles."""
    parts = _NAME_SEPARATOR.split(byline)
    return all(1 <= len(part.split()) <= 5 and all(
        word[:1].isupper() or word in _NAME_PARTICLES for word in part.split())
        for part in parts)


def plain_byline(tree: HtmlElement) -> str | None:
    """Return a byline set as plain text under a headline ("<p>By Jo Reed</p>"), if any.

    Looked for in the few elements after each of the first <h1>s, as bylines follow the
    headline; the text must open with a lead-in ("By", "Von", "Par" ...) and what is left
    of it read as names, not as a sentence ("By the end of the year ...").
    """
    for heading in tree.xpath("//h1")[:3]:
        found = None
        for element in heading.xpath("following::*[self::p or self::div or self::span or "
                                     "self::address or self::li or self::strong or self::em "
                                     "or self::b][position() <= 40]"):
            if found is not None and found[0] not in element.iterancestors():
                break
            text = clean(" ".join(element.itertext()))
            if not text or len(text) > 150 or not _PLAIN_BYLINE.match(text):
                continue
            cleaned = clean_author(text)
            if cleaned and _reads_as_names(cleaned):
                # the innermost such element: its container may hold links beside it
                found = element, cleaned
        if found:
            return found[1]
    return None


def closing_byline(tree: HtmlElement) -> str | None:
    """Return a byline set as the last paragraph of a text ("<p>Von Jo Reed</p>"), if any.

    Many papers sign an article at its end rather than under its headline; the paragraph must
    close a run of at least three, open with a lead-in and read as names.
    """
    for paragraph in tree.xpath("//p[not(following-sibling::p)][count(preceding-sibling::p)"
                                " >= 2][not(ancestor::a)]"):
        text = clean(" ".join(paragraph.itertext()))
        if not text or len(text) > 80 or not _PLAIN_BYLINE.match(text):
            continue
        cleaned = clean_author(text)
        if cleaned and _reads_as_names(cleaned):
            return cleaned
    return None


# wire copy names its agency in the dateline: "HAMBURG (dpa/lno) – ...", "PARIS (AFP) - ..."
_DATELINE_AGENCY = re.compile(r"^[^\W\d_][^\s()]*(?:[ -][^\W\d_][^\s()]*){0,3}\s*"
                              r"\(([^\W\d_][^()\s]{1,20}(?:\s[^()\s]{1,20})?)\)\s*[-–—:]\s")


def dateline_agency(tree: HtmlElement) -> str | None:
    """Return the agency a dateline credits ("Hamburg (dpa/lno) – ..."), in the first paragraphs
    of the text."""
    paragraphs = (clean(p.text_content()) for p in tree.iterfind(".//p"))
    for text in [text for text in paragraphs if text and len(text) >= 80][:3]:
        match = _DATELINE_AGENCY.match(text)
        if match:
            return match.group(1)
    return None


# a line crediting the story's source, set beside the headline: "<p class=credit>KYODO</p>"
_CREDIT_CLASS = re.compile(r"(?:^|[^a-z])(?:credit|source|agency|quelle|fuente)s?(?:[^a-z]|$)",
                           re.IGNORECASE)


def headline_credit(tree: HtmlElement) -> str | None:
    """Return a short credit line set beside an <h1> (a sibling of it or of its header group),
    as wire copy is credited to its agency; pictures' credits (with or in images) are not."""
    for heading in tree.xpath("//h1")[:3]:
        for element in heading.xpath("following-sibling::*|../following-sibling::*"):
            marks = f"{element.get('class') or ''} {element.get('id') or ''}"
            if not _CREDIT_CLASS.search(marks) or element.xpath(".//img|.//figure|"
                                                                "ancestor::figure"):
                continue
            text = clean(element.text_content())
            if text and len(text) <= 40 and len(text.split()) <= 4:
                return text
    return None


# a name list: "A, B and C", "A & B"; a comma before a degree or suffix stays ("Jane Doe, MD")
_NAME_SEPARATOR = re.compile(r"\s*(?:;|,?\s+(?:and|und|et|y|e|&)\s+|\s&\s|,(?!\s*(?:[A-Z]{2,4}|"
                             r"Ph\.?D|M\.?D|Jr|Sr|II|III)\.?(?:\s*,|$)))\s*")


def cut_outlet_title(byline: str, variants: Sequence[str]) -> str:
    """Cut the outlet's name and the job title after it off a byline.

    "Jo Reed Harbour News Staff": the title would go first and take "News" with it, leaving
    "Harbour" beside the name.
    """
    compact = {v.replace(" ", "") for v in variants if len(v) >= 3}
    words = byline.split()
    cut = next((start for start in range(2, len(words) - 1) for size in (3, 2, 1)
                if fold(" ".join(words[start:start + size])).replace(" ", "") in compact
                and _ONLY_NOISE.fullmatch(" ".join(words[start + size:]))), None)
    return " ".join(words[:cut]) if cut else byline


def strip_outlet(name: str, variants: Sequence[str]) -> str:
    """Remove the outlet's name (and a job title beside it) from the ends of a byline.

    Bylines often read "Jane Doe PhillyVoice Staff" or "CNN's Jane Doe": the words that fold to
    the site's name or domain are not part of the person's name.
    """
    compact = {v.replace(" ", "") for v in variants if len(v) >= 3}
    if not compact:
        return name
    words = name.split()
    # the site's name glued to a job title: "FOCUS-Online-Experte Jo Reed"; a whole name must
    # be left ("Anne-Marie Slaughter" on a site named Anne keeps her first name)
    if len(words) > 2 and "-" in words[0] and \
            fold(words[0].rsplit("-", 1)[0]).replace(" ", "") in compact:
        words = words[1:]
    for _ in range(2):
        for size in (3, 2, 1):
            if len(words) > size and fold(" ".join(words[-size:])).replace(" ", "") in compact:
                words = words[:-size]
                break
            head = re.sub(r"['’]s$", "", " ".join(words[:size]))
            if len(words) > size and fold(head).replace(" ", "") in compact:
                words = words[size:]
                break
        cleaned = clean_author(" ".join(words))
        words = cleaned.split() if cleaned else words
    return " ".join(words)


def join_names(names: Iterable[str], variants: Sequence[str] = ()) -> list[str]:
    """Return the distinct cleaned names of the given bylines, a list split into its names."""
    found: dict[str, str] = {}
    for byline in names:
        cleaned = clean_author(cut_outlet_title(byline, variants) if variants else byline)
        parts = _NAME_SEPARATOR.split(cleaned) if cleaned else []
        # a comma list of one-word parts is one name written "Last, First"
        if len(parts) == 2 and "," in cleaned and all(" " not in p for p in parts):
            parts = [cleaned]
        names = []
        for part in parts:
            if _PICTURE_CREDIT.match(part):
                continue
            name = clean_author(part)
            name = strip_outlet(name, variants) if name and variants else name
            if name:
                names.append(name)
        # beside a person's full name, a one-word part is an agency, an outlet or a leftover
        # of a job title ("Jo Reed, dpa", "Jo Reed, Times Staff Writer"), and a part naming
        # a wire service is the agency ("Jo Reed, The Associated Press"), not a second writer
        if any(" " in name and not _WIRE.search(name) for name in names):
            names = [name for name in names if " " in name and not _WIRE.search(name)]
        for name in names:
            found.setdefault(name.casefold(), name)
    return list(found.values())


def visible_byline(tree: HtmlElement) -> str | None:
    """Return the byline shown in the page text, as trafilatura's byline search finds it."""
    try:
        return byline_search(tree)
    except (ValueError, TypeError) as error:
        logger.debug("byline search failed: %s", error)
        return None
