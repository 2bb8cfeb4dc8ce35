"""Publication dates as pages state them, as the calendar day written (never shifted to UTC)."""
from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
from typing import Iterator
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from .pagetree import SPACE_RE, clean, fold, has_property, ld_first, parsely_page

logger = logging.getLogger(__name__)

_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")
_COMPACT_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")
_YEAR_FIRST_RE = re.compile(r"\d{4}\D")
_EPOCH_RE = re.compile(r"\d{10}(\d{3})?")
_PUBLISHED_META = ("article:published_time", "og:published_time", "article:published",
                   "published_time", "datepublished", "pubdate", "publishdate", "publish-date",
                   "publish_date", "date_published", "published-date", "article.published",
                   "article_date_original", "original-publish-date", "sailthru.date",
                   "parsely-pub-date", "dc.date.issued", "dcterms.issued", "dcterms.created",
                   "dc.date.created", "rnews:datepublished", "cxenseparse:recs:publishtime",
                   # the other names htmldate and newspaper read, Open Graph's and Dublin
                   # Core's spellings among them
                   "og:article:published_time", "article:published_date", "article:post_date",
                   "og:pubdate", "og:publish_date", "og:datepublished", "publication_date",
                   "published_date", "publish_time", "dateposted", "dc.date.publication",
                   "dcsext.articlefirstpublished", "originalpublicationdate",
                   "shareaholic:article_published_time", "displaydate",
                   "date", "dc.date", "dcterms.date", "citation_publication_date",
                   "citation_date")


# languages whose pages write a numeric date month first (3/4/2021 is March 4): US English,
# and English without a region, which US sites mostly declare; the others write the day first
_MONTH_FIRST = ("", "en", "en-us", "en-ca", "en-ph")


def day_first(language: str | None) -> bool:
    """Tell whether a page in ``language`` writes numeric dates day first (4/3/2021)."""
    return (language or "").casefold().replace("_", "-") not in _MONTH_FIRST


def normalise_date(value: object, today: dt.date | None = None,
                   dayfirst: bool = False) -> str | None:
    """Return YYYY-MM-DD (or YYYY-MM) for a date in ISO, epoch or common written form.

    ``dayfirst`` reads an ambiguous numeric date (04/03/2021) as 4 March; a dotted one
    (04.03.2021) is read day first in any case, as no convention writes it month first.
    """
    text = clean(value if isinstance(value, str) else str(value) if isinstance(value, int)
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
        # a date that opens with its year is year, month, day in every convention
        # (dateutil would read 2021/03/04 day first as 3 April)
        found = _written_date(text, not _YEAR_FIRST_RE.match(text) and (
            dayfirst or bool(_DOTTED_DATE_RE.search(text))))
    if found is None or not (dt.date(1990, 1, 1) <= found <= today + dt.timedelta(days=1)):
        return None
    return found.isoformat()


# an ISO 8601 moment as pages state it: 2021-03-04T23:30:00-05:00, 2021-03-04 23:30:00 +0500,
# 2021-03-04T23:30Z; the zone, when given, is kept as the page gives it
_ISO_MOMENT_RE = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)"
                            r"\s*(?:(Z)|([+-])(\d{2}):?(\d{2}))?")


def stated_moment(value: object, day: str) -> str | None:
    """Return the ISO 8601 moment a stated timestamp gives on ``day``, in the page's own zone.

    "2021-03-04 23:30:00 -0500" gives "2021-03-04T23:30:00-05:00": the time and offset as
    stated, never converted, so the day stays the publisher's. None when the value is no ISO
    timestamp or names another day.
    """
    match = _ISO_MOMENT_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match or match.group(1) != day:
        return None
    date, time, utc, sign, hours, minutes = match.groups()
    if not (int(time[:2]) < 24 and int(time[3:5]) < 60 and
            (sign is None or (int(hours) < 15 and int(minutes) < 60))):
        return None
    zone = "Z" if utc else f"{sign}{hours}:{minutes}" if sign else ""
    return f"{date}T{time}{zone}"


def _written_date(text: str, dayfirst: bool = False) -> dt.date | None:
    """Parse a date written in words or with slashes (e.g. 'Sun Nov 23 16:00:00 EDT 2014')."""
    if not re.search(r"\d", text) or not re.search(r"(?:19|20)\d{2}", text):
        return None
    from dateutil import parser as date_parser  # installed with htmldate

    try:
        return date_parser.parse(text, ignoretz=True, fuzzy=False, dayfirst=dayfirst).date()
    except (ValueError, OverflowError, TypeError):
        return None


_UTC_TIME_RE = re.compile(r"(?:T|\s)(\d{1,2}):\d{2}(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]00:?00|GMT|UTC)?\s*$",
                          re.IGNORECASE)


def local_day_unknown(value: object) -> bool:
    """Tell whether a timestamp is in UTC (or unzoned) at an hour where the local day may differ.

    Within about ten hours of midnight UTC, the calendar day where the article appeared
    depends on the newsroom's time zone, which the timestamp does not give.
    """
    match = _UTC_TIME_RE.search(value) if isinstance(value, str) else None
    if not match:
        return False
    hour = int(match.group(1))
    return hour < 10 or hour >= 14


def one_day_apart(first: str, second: str) -> bool:
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
            day = _shown_day(SPACE_RE.sub(" ", shown), moment)
            if day:
                return day.isoformat()
            element = element.getparent()
    return None


def htmldate_guess(tree: HtmlElement, url: str | None) -> str | None:
    """Return htmldate's estimate of the publication date (copies the tree)."""
    from htmldate import find_date

    try:
        return find_date(tree, url=url, original_date=True, extensive_search=True,
                         outputformat="%Y-%m-%d")
    except (ValueError, TypeError) as error:
        logger.debug("htmldate failed: %s", error)
        return None


# /2021/03/04/, /2021-03-04/, /20210304/, /2021/mar/04/ in a URL's path: the day the
# newsroom filed it
_URL_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
               "dec")
_URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2]|(?<=/)(?:%s)[a-z]*(?=/))"
                          r"[/_-]?(0[1-9]|[12]\d|3[01])(?=[/_.-]|$)" % "|".join(_URL_MONTHS),
                          re.IGNORECASE)


def url_date(url: str | None) -> str | None:
    """Return the day a URL's path names (/2021/03/04/ and the like), if it names one."""
    if not url or "//" not in url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:  # a malformed address ("http://[x")
        return None
    match = _URL_DATE_RE.search(path)
    if not match:
        return None
    year, month, day = match.groups()
    if not month.isdigit():
        month = str(_URL_MONTHS.index(month[:3].casefold()) + 1)
    return normalise_date(f"{year}-{month}-{day}")


def stated_dates(meta: dict[str, list[str]], ld: dict, tree: HtmlElement
                ) -> Iterator[tuple[object, str]]:
    """Yield the publication dates the page states, most explicit first."""
    yield ld_first(ld.get("datePublished")), "JSON-LD datePublished"
    for name in _PUBLISHED_META:
        for value in meta.get(name, ()):
            yield value, f"meta {name}"
    yield ld_first(ld.get("dateCreated")), "JSON-LD dateCreated"
    yield parsely_page(meta).get("pub_date"), "meta parsely-page"
    # microdata, the HTML5 draft's pubdate, RDFa (schema.org's and Dublin Core's terms)
    rdfa = has_property("property", "rnews:datePublished", "datePublished",
                        "schema:datePublished", "dcterms:issued", "dc:date", "dcterms:date")
    for element in tree.xpath(f"//*[{has_property('itemprop', 'datePublished')}]"
                              f"[not(self::meta)]|//time[@pubdate]|//*[@property]"
                              f"[not(self::meta)][{rdfa}]"):
        yield element.get("datetime") or element.get("content") or element.text_content(), \
            "microdata datePublished"
    # microformats: hAtom's class=published (its machine date in title=) and h-entry's
    # dt-published, when they carry a machine-readable date
    for element in tree.xpath("//*[@datetime or @title][contains(concat(' ', normalize-space("
                              "@class), ' '), ' published ') or contains(concat(' ', "
                              "normalize-space(@class), ' '), ' dt-published ')]"):
        yield element.get("datetime") or element.get("title"), "microformat published"


# names that say a page has a date, not which: CMSs often fill them with when the page was built
GENERIC_DATE_META = ("date", "dc.date", "dcterms.date")
# a date line under a headline: "Published: 28.04.2020 18:00", "Stand: 28.04.2020", "Publié le"
_DATE_LINE_RE = re.compile(r"^(?:published|posted|updated|stand|veröffentlicht|aktualisiert|"
                           r"publié|mis à jour|publicado|actualizado|pubblicato)\b",
                           re.IGNORECASE)
_DOTTED_DATE_RE = re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)\d{2})(?!\d)")


def _after_headline(tree: HtmlElement, headline: str | None) -> list[HtmlElement]:
    """Return the <time> elements and leaves after the <h1> holding ``headline``.

    After the first <h1> when none holds it, from the top when there is none: pages list
    other articles' dates in their navigation and some set their logo in an <h1> above.
    """
    headings = tree.xpath("//h1")
    folded = fold(headline)
    start = next((h for h in headings if folded and folded in fold(h.text_content())),
                 headings[0] if headings else None)
    return start.xpath("following::*[self::time or not(*)][position() <= 400]") \
        if start is not None else tree.xpath("//body//*[self::time or not(*)][position() <= 400]")


def headline_time(tree: HtmlElement, headline: str | None = None) -> str | None:
    """Return the first <time> after the headline as written: its datetime, else its text.

    None on a page without an <h1>: its first <time> may be anywhere (a list of stories).
    """
    if tree.find(".//h1") is None:
        return None
    for element in _after_headline(tree, headline):
        if element.tag == "time":
            value = clean(element.get("datetime")) or clean(element.text_content())
            if value:
                return value
    return None


def headline_date(tree: HtmlElement, headline: str | None = None,
                  dayfirst: bool = False) -> str | None:
    """Return the day the article shows under its headline: its first <time> or date line.

    ``dayfirst`` reads a numeric date as the page's language writes it (see day_first).
    """
    for element in _after_headline(tree, headline):
        if element.tag in ("script", "style") or not isinstance(element.tag, str):
            continue
        text = clean(element.text_content()) or ""
        if element.tag != "time" and not _DATE_LINE_RE.match(text):
            continue
        stamp = element.get("datetime") if element.tag == "time" else None
        # a UTC datetime near midnight may be the day after the one the <time> shows
        day = normalise_date(stamp) if stamp and not local_day_unknown(stamp) else None
        if not day and len(text) <= 80:
            match = _DOTTED_DATE_RE.search(text)
            day = normalise_date("-".join(match.group(3, 2, 1))) if match else \
                normalise_date(re.sub(r"^(?:on|am|le|el|il)\s+", "", _DATE_LINE_RE.sub(
                    "", text).strip(" :"), flags=re.IGNORECASE), dayfirst=dayfirst)
        day = day or normalise_date(stamp)
        if day:
            return day
    return None


def headline_day_before(tree: HtmlElement, date: str, headline: str | None = None,
                        dayfirst: bool = False) -> str | None:
    """Return the day shown under the headline if it is up to a week before ``date``.

    Further back it is more likely another article's date than the publication day.
    """
    shown = headline_date(tree, headline, dayfirst)
    if not shown or len(shown) != len(date) or not shown < date:
        return None
    try:
        gap = dt.date.fromisoformat(date) - dt.date.fromisoformat(shown)
    except ValueError:  # month precision
        return None
    return shown if gap <= dt.timedelta(days=7) else None
