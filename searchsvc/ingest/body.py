"""The article's main text: trafilatura's, else the paragraphs of the article container."""
from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable

from lxml import etree
from lxml.html import HtmlElement

from .pagetree import clean, fold, parse_tree

logger = logging.getLogger(__name__)

_BODY_BOILERPLATE = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                     "button", "iframe", "svg", "figure", "template", "select", "input")
_BOILERPLATE_HINT = re.compile(
    r"share|social|related|comment|newsletter|subscribe|promo|advert|sidebar|breadcrumb|"
    r"\bnav|menu|footer|cookie|popup|modal|recommend|more-stories|\btags?\b", re.IGNORECASE)


def has_content_text(tree: HtmlElement) -> bool:
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
    paragraphs = [clean(p.text_content()) for p in
                  container.iter("p", "h2", "h3", "li", "blockquote", "pre")]
    paragraphs = [p for p in paragraphs if p and len(p) > 1]
    if sum(len(p) for p in paragraphs) < 200:
        paragraphs = [line for line in (clean(text) for text in container.itertext()) if line]
    return "\n\n".join(paragraphs)


# Share bars, related-link lists, newsletter sign-up boxes, media players' labels ("Listen
# to this article") and readers' comments; "newsletter" alone is not enough: a site's own
# call to its readers may be the article's text; nor is "comment", many sites' opinion section.
_SHARE_HINT = re.compile(
    r"\b(?:share|sharing|social (?:links|buttons|media|share)|"
    r"newsletter (?:promo|signup|sign up|subscribe|subscription|cta|box|widget|form|module)|"
    r"related (?:links|articles|stories|posts|content)|(?:audio|video|media) player|"
    r"comments|comment (?:list|section|area|thread|form)|discussion|disqus)\b")


# What a class or id matching _SHARE_HINT holds, lowercased: tested first, as splitting every
# element's class into words costs a few milliseconds a page (and so does IGNORECASE)
_SHARE_PART = re.compile(r"shar|social|newsletter|related|player|comment|discussion|disqus")
_CLASS_AND_ID = etree.XPath(".//@class|.//@id")


_CLASS_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def class_words(element: HtmlElement) -> str:
    """Return the words of an element's class and id, lowercased, one space apart.

    Class names are written in kebab, snake or camel case ("related-stories",
    "related_stories", "relatedStories"); all three name the same thing.
    """
    hint = f"{element.get('class') or ''} {element.get('id') or ''}"
    return " ".join(word.lower() for word in _CLASS_WORD.findall(hint))


def strip_boilerplate_blocks(tree: HtmlElement) -> None:
    """Drop share, social, related-link, comment and promo blocks named by class or id.

    An element holding most of the page's text is never dropped, whatever its name.
    """
    body = tree.find("body")
    if body is None:
        return
    total = len(body.text_content())
    # the elements whose class or id may name such a block, in document order
    marked = dict.fromkeys(value.getparent() for value in _CLASS_AND_ID(body)
                           if _SHARE_PART.search(value.lower()))
    for element in marked:
        if element.tag in ("body", "article", "main"):
            continue
        hint = class_words(element)
        if (hint and _SHARE_HINT.search(hint) and element.getparent() is not None
                and len(element.text_content()) < 0.5 * total):
            element.drop_tree()


_WORD = re.compile(r"\w")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _linked_headline_holders(body: HtmlElement) -> set[HtmlElement]:
    """Return every element holding a subheading that is mostly a link (a teaser's headline).

    A teaser's kicker ("Editorial") may go unlinked before it. <h1> is left out: an article's
    own headline may link to the article itself.
    """
    holders: set[HtmlElement] = set()
    for heading in body.iter(*_HEADINGS[1:]):
        if heading.find(".//a") is None:
            continue
        words = len(heading.text_content().strip())
        linked = sum(len(a.text_content().strip()) for a in heading.iter("a"))
        if words and linked > 0.5 * words:
            holders.update(heading.iterancestors())
    return holders


def _paragraphs(element: HtmlElement) -> int:
    """Count the <p> elements with text inside an element."""
    return sum(1 for p in element.iter("p") if p.text_content().strip())


def strip_teaser_cards(tree: HtmlElement) -> None:
    """Drop runs of other articles' teasers: three or more sibling blocks of one template
    (same tag and first class), each a linked headline with at most two paragraphs, each a
    small share of the page's text.

    Siblings of the same template without a linked headline stay: a stream of stories often
    opens with the article itself. A block of more paragraphs is an article or a page section,
    not a teaser; an article's own subheads are plain text.
    """
    body = tree.find("body")
    if body is None:
        return
    holders = _linked_headline_holders(body)
    total = len(body.text_content())
    for parent in [element for element in holders if element.getparent() is not None]:
        groups: dict[tuple[str, ...], list[HtmlElement]] = {}
        for child in parent:
            if child in holders and child.tag not in _HEADINGS:
                # a template's first class names it; later ones often number the card
                template = (child.get("class") or "").split()[:1]
                groups.setdefault((child.tag, *template), []).append(child)
        for cards in groups.values():
            cards = [card for card in cards if _paragraphs(card) <= 2]
            if len(cards) >= 3 and all(len(card.text_content()) < 0.2 * total for card in cards):
                for card in cards:
                    card.drop_tree()


_TEXT_CONTAINERS = ("div", "section", "article", "main", "td")


def _opens_paragraphs(block: HtmlElement) -> bool:
    """Tell whether paragraphs follow a block, beside it or beside its parent."""
    return bool(block.xpath("following-sibling::*[descendant-or-self::p] | "
                            "../following-sibling::*[descendant-or-self::p]"))


def wrap_loose_text(tree: HtmlElement) -> None:
    """Put the loose text runs of a block that holds a paragraph's worth of them into <p>s.

    Some pages write their lead, or all their text, straight into a <div> between other
    elements; trafilatura reads paragraphs and drops such runs. Every run of such a block is
    wrapped, short ones too, so the block's text stays in order and together. A block of bare
    text alone (no elements in it) counts only when paragraphs follow it: one after the text
    is a closing note (about the author, a notice), not the article.
    """
    body = tree.find("body")
    if body is None:
        return
    for block in list(body.iter(*_TEXT_CONTAINERS)):
        children = [child for child in block if isinstance(child.tag, str)]
        if not any(len((run or "").strip()) >= 100 for run in
                   (block.text, *(child.tail for child in children))):
            continue
        if not children and not _opens_paragraphs(block):
            continue
        for child in children:
            if child.tail and _WORD.search(child.tail):
                paragraph = block.makeelement("p", {})
                paragraph.text, child.tail = child.tail, None
                child.addnext(paragraph)
        if block.text and _WORD.search(block.text):
            paragraph = block.makeelement("p", {})
            paragraph.text, block.text = block.text, None
            block.insert(0, paragraph)


_TABLE_PARTS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption")


def unwrap_layout_tables(tree: HtmlElement) -> None:
    """Turn tables used for page layout into plain blocks.

    A table whose cells hold paragraphs, headings or other tables lays the page out; it is
    no data. trafilatura renders tables as rows of cells, which runs a whole page's text,
    navigation included, into one line; as blocks, its paragraphs are read as such.
    """
    body = tree.find("body")
    if body is None:
        return
    for table in list(body.iter("table")):
        if table.xpath(".//td//*[self::p or self::h1 or self::h2 or self::h3 or self::table]"
                       " | .//th//*[self::p or self::h1 or self::h2 or self::table]"):
            for part in [table, *table.iter(*_TABLE_PARTS)]:
                part.tag = "div"


def _is_intro(block: HtmlElement) -> bool:
    """Tell whether a header's block is a sentence or two of text: 100 characters, mostly unlinked."""
    if block.xpath(".//*[self::p or self::div or self::ul or self::ol or self::table"
                   " or self::h1 or self::h2]"):
        return False
    text = len(block.text_content().strip())
    linked = sum(len(a.text_content()) for a in block.iter("a"))
    return text >= 100 and linked < 0.5 * text


def _paragraph_block(header: HtmlElement) -> HtmlElement | None:
    """Return the block beside a header with the most paragraphs of its own (two at least)."""
    best, most = None, 1
    for block in header.getparent().iter("div", "section", "article", "main"):
        count = sum(1 for child in block if child.tag == "p")
        if count > most and block is not header and header not in block.iterancestors():
            best, most = block, count
    return best


def _detach(element: HtmlElement) -> None:
    """Take an element out of the tree, leaving the text after it where it was."""
    if element.tail:
        previous, parent = element.getprevious(), element.getparent()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
        element.tail = None
    element.getparent().remove(element)


def lift_header_intro(tree: HtmlElement) -> None:
    """Move the article's intro out of its <header> to where its paragraphs are.

    The header holding the <h1> (or inside an <article>) often carries the standfirst, the
    article's own opening sentences; trafilatura leaves headers out, and the intro with them.
    Its runs of text go, as paragraphs, to the start of the block beside the header with the
    most paragraphs (the article's text), else right after the header.
    """
    body = tree.find("body")
    if body is None:
        return
    for header in list(body.iter("header")):
        if header.find(".//h1") is None and not any(
                ancestor.tag == "article" for ancestor in header.iterancestors()):
            continue
        intros = [block for block in header.iter("p", "div") if _is_intro(block)]
        if not intros:
            continue
        text_block = _paragraph_block(header)
        anchor = header if text_block is None else None
        for intro in intros:
            _detach(intro)
            intro.tag = "p"
            if anchor is None:
                text_block.insert(0, intro)
            else:
                anchor.addnext(intro)
            anchor = intro


def without_headline(text: str, headlines: Iterable[str | None]) -> str:
    """Return the text without a first line that is the article's headline.

    The headline is the article's title, not its text; an extractor reading the article's
    container takes the <h1> along, sometimes with the kicker or section label beside it.
    ``headlines`` are the title chosen and the page's <h1>s (a page may title itself
    otherwise than its <h1> does).
    """
    first, _, rest = text.partition("\n")
    line = fold(first)
    for headline in filter(None, map(fold, headlines)):
        if rest.strip() and (line == headline or (
                line.startswith(headline) or line.endswith(headline))
                and len(line) <= len(headline) + 40):
            return rest.lstrip()
    return text


_DATE_NUMBER = re.compile(r"\b\d{1,2}[:.h]\d{2}\b|\b(?:19|20)\d{2}\b")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
_NUMBER = re.compile(r"\d+")


def _byline(line: str, authors: list[str]) -> bool:
    """Tell whether a short line names one of the authors with at most four other words."""
    words = fold(line).split()
    for author in authors:
        name = fold(author).split()
        if name and len(words) <= len(name) + 4 and all(part in words for part in name):
            return True
    return False


def without_date_lines(text: str, authors: Iterable[str] = ()) -> str:
    """Return the text without the dateline and byline lines above its first paragraph.

    Pages print when the article was published or updated ("08.04.2015 12:46", "Posted on
    April 21, 2015", "By Ada Byron, 4 March 2021") and who wrote it between headline and
    text; those are the date and author fields, not the text. Only lines before the first
    line of 100 characters count. A dateline is under 80 characters, holds a year or a time
    of day among two numbers at least (a date, not "2012 in review") and at most eight
    words; a byline names one of ``authors`` with at most four other words.
    """
    lines = text.split("\n")
    kept = []
    for number, line in enumerate(lines):
        if len(line) >= 100:
            return "\n".join(kept + lines[number:])
        if not (len(line) < 80 and _DATE_NUMBER.search(line) and len(_NUMBER.findall(line)) >= 2
                and len(_LETTER_WORD.findall(line)) <= 8) and not _byline(line, authors):
            kept.append(line)
    return text


_COPYRIGHT = re.compile(r"\s*(?:©|\(c\)\s*\d|copyright\b)", re.IGNORECASE)


def without_copyright_notice(text: str) -> str:
    """Return the text without the copyright notice closing it ("© 2019 Example Network")."""
    lines = text.split("\n")
    while len(lines) > 1 and len(lines[-1]) < 300 and _COPYRIGHT.match(lines[-1]):
        lines.pop()
    return "\n".join(lines)


def stated_body(value: object) -> str:
    """Return the text of a JSON-LD articleBody, paragraphs kept (it may be written as HTML)."""
    text = value if isinstance(value, str) else ""
    if "<" not in text:
        return "\n".join(line for line in map(clean, text.splitlines()) if line)
    tree = parse_tree(f"<html><body>{text}</body></html>")
    if tree is None:
        return ""
    blocks = [clean(block.text_content()) for block in
              tree.iter("p", "li", "h2", "h3", "h4", "blockquote", "pre")]
    return "\n".join(block for block in blocks if block) or clean(tree.text_content()) or ""


def more_of_the_stated_body(text: str, stated: str) -> bool:
    """Tell whether the article's stated text (JSON-LD articleBody) holds more of the article
    than the extracted one: fifty words at least, of which the extracted text misses half.

    A page that writes its text with a script shows a reader little in its markup; its
    articleBody, the text the publisher states for the article, is then the better source.
    """
    stated_words = Counter(fold(stated).split())
    if sum(stated_words.values()) < 50:
        return False
    found = stated_words & Counter(fold(text).split())
    return sum(found.values()) < 0.5 * sum(stated_words.values())


def run_trafilatura(tree: HtmlElement, url: str | None):
    """Run trafilatura's main-text extraction on a copy of the tree; None if it finds none.

    Its metadata pass is left out: it runs htmldate's full search on every page (about half of
    trafilatura's time), while the page metadata usually states the date already; the date
    and byline steps call htmldate and trafilatura's byline search only when they need them.
    """
    import trafilatura

    try:
        return trafilatura.bare_extraction(
            tree, url=url, with_metadata=False, include_comments=False, include_tables=True)
    except (ValueError, TypeError, etree.LxmlError) as error:
        logger.debug("trafilatura failed: %s", error)
        return None


