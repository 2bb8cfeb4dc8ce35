"""Body rules for unseen pages (issue 15), each on small hand-written pages."""
from __future__ import annotations

import json

import pytest

from searchsvc.ingest import body as pagebody, htmlpage, pagetree

PARAGRAPHS = "".join(
    f"<p>Paragraph {n} of the article explains the harbour council decision in detail, "
    f"with quotes from residents and figures from the budget office.</p>" for n in range(6))


def page(head: str = "", body: str = "") -> str:
    return f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{body}</body></html>"


# --------------------------------------------------------------------------- class names

@pytest.mark.parametrize("marks", [f"class='{name}'" for name in (
    "related-stories", "related_stories", "relatedStories", "RelatedStories widget",
    "socialShare", "share_bar", "newsletter-promo", "newsletterSignup", "audio-player",
    "c-video_player", "comments", "comment-list", "discussion", "disqus_thread")] + [
    # named by its id, or in capitals
    "id='SOCIAL-SHARE'", "class='story' id='relatedLinks'", "class='x' id='Comments'",
    "class='MEDIA PLAYER'"])
def test_boilerplate_named_in_any_case_convention_goes(marks):
    tree = pagetree.parse_tree(page("", f"<article><h1>Ferries stop</h1>{PARAGRAPHS}"
                                        f"<div {marks}><p>Listen to this article or sign "
                                        f"up for the harbour newsletter</p></div></article>"))
    pagebody.strip_boilerplate_blocks(tree)
    assert "Paragraph 5 of the article" in tree.text_content()
    assert "Listen to this article" not in tree.text_content()


@pytest.mark.parametrize("name", ["shareholders", "relatedness", "unrelated-stories-x",
                                  # a site's call to its readers may be the article's text
                                  "newsletter", "player-profile",
                                  # an opinion section is named so too
                                  "comment", "section-comment"])
def test_words_that_only_contain_a_boilerplate_name_stay(name):
    tree = pagetree.parse_tree(page("", f"<div class='{name}'><p>Kept text.</p></div>"
                                        f"<div>{PARAGRAPHS}</div>"))
    pagebody.strip_boilerplate_blocks(tree)
    assert "Kept text." in tree.text_content()


def test_class_words_split_kebab_snake_and_camel_case():
    element = pagetree.parse_tree(
        page("", "<div class='relatedStories share_bar' id='RSS-Feed2'>x</div>")).find(".//div")
    assert pagebody.class_words(element) == "related stories share bar rss feed 2"


# --------------------------------------------------------------------------- the headline

@pytest.mark.parametrize("first", ["Ferries stop for the winter", "FERRIES STOP FOR THE WINTER!",
                                   "Harbour Ferries stop for the winter"],
                         ids=["same", "case-and-punctuation", "with-a-kicker"])
def test_headline_at_the_start_of_the_text_goes(first):
    text = f"{first}\nThe ferry line stops running.\nBuses replace it."
    got = pagebody.without_headline(text, ["Ferries stop for the winter"])
    assert got == "The ferry line stops running.\nBuses replace it."


@pytest.mark.parametrize("text", [
    # a first paragraph that opens with the headline's words and goes on is text
    "Ferries stop for the winter, the harbour council said on Monday after a long meeting "
    "that ran late into the night.\nBuses replace them.",
    # a text of one line is left whole
    "Ferries stop for the winter",
    # the headline further down is not the first line
    "The ferry line stops running.\nFerries stop for the winter",
])
def test_text_that_is_not_a_leading_headline_stays(text):
    assert pagebody.without_headline(text, ["Ferries stop for the winter"]) == text


@pytest.mark.parametrize("title, h1", [
    ("Ferries stop for the winter", "Ferries stop for the winter"),
    # a page may title itself otherwise than its <h1> does
    ("Island ferries: winter timetable", "How to reach the islands this winter"),
], ids=["title-is-the-h1", "title-differs-from-the-h1"])
def test_extracted_body_does_not_repeat_the_headline(title, h1):
    html = page(f"<title>{title}</title>", f"<article><h1>{h1}</h1>{PARAGRAPHS}</article>")
    result = htmlpage.extract(html)
    assert result.title == title
    assert result.body.startswith("Paragraph 0 of the article")


# --------------------------------------------------------------------------- articleBody

ARTICLE_TEXT = ("The ferry line between the two islands will stop running for the winter, the "
                "harbour council said on Monday. Residents who rely on the crossing will be "
                "offered a bus link instead, with timetables published next week. The council "
                "said the ferry lost money on every winter crossing since the storm of 2019, "
                "and that the boat needs repairs before the spring season begins in April.")


def ld_page(article_body: str, markup: str) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle",
            "headline": "Ferries stop", "articleBody": article_body}
    return page(f"<script type='application/ld+json'>{json.dumps(data)}</script>", markup)


@pytest.mark.parametrize("article_body", [
    ARTICLE_TEXT,
    "<p>" + ARTICLE_TEXT.replace(". ", ".</p><p>") + "</p>",
], ids=["plain-text", "written-as-html"])
def test_stated_article_body_replaces_a_page_drawn_by_script(article_body):
    # the markup holds a subscription pitch; a script would draw the article's text
    pitch = "".join(f"<p>Subscribe to read the harbour news every morning ({n}), with our "
                    f"editors' picks, the tide tables and the weather for the islands.</p>"
                    for n in range(4))
    html = ld_page(article_body, f"<nav><a href='/'>Home</a></nav><h1>Ferries stop</h1>"
                                 f"<div class='teaser'>{pitch}</div><div id='app'></div>")
    result = htmlpage.extract(html)
    assert result.provenance["body"] == "JSON-LD articleBody"
    assert "offered a bus link instead" in result.body and "<p>" not in result.body
    assert "Subscribe" not in result.body


def test_stated_article_body_keeps_its_paragraphs():
    text = pagebody.stated_body("<p>First <b>one</b>.</p><p>Second &amp; last.</p>")
    assert text == "First one.\nSecond & last."


@pytest.mark.parametrize("article_body", [
    ARTICLE_TEXT,                          # the markup holds the same text: it stays the source
    "The ferry line stops for the winter.",   # too short to judge by
], ids=["markup-has-it", "short"])
def test_markup_text_stays_when_it_holds_the_stated_body(article_body):
    paragraphs = "".join(f"<p>{sentence}.</p>" for sentence in ARTICLE_TEXT.split(". "))
    result = htmlpage.extract(ld_page(article_body, f"<article><h1>Ferries stop</h1>"
                                                    f"{paragraphs}{PARAGRAPHS}</article>"))
    assert result.provenance["body"] == "trafilatura"
    assert "Paragraph 5 of the article" in result.body


# --------------------------------------------------------------------------- text-only blocks

LEAD = ("HARBOUR CITY — The ferry line between the two islands stops for the winter, the harbour "
        "council said on Monday after a long meeting.")


def test_a_block_of_bare_text_before_the_paragraphs_is_body():
    html = page("", f"<article><h1>Ferries stop</h1><div class='facts'>{LEAD}</div>"
                    f"<div class='text'>{PARAGRAPHS}</div></article>")
    body = htmlpage.extract(html).body
    assert body.index("HARBOUR CITY") < body.index("Paragraph 0 of the article")


def test_a_block_of_bare_text_after_the_paragraphs_stays_as_it_is():
    # an about-the-author note or a notice closes the text; no paragraphs follow it
    note = ("Ada Byron covers the harbour for the Times. She previously wrote about the "
            "islands' schools for the Gazette and the Herald.")
    tree = pagetree.parse_tree(page("", f"<article><div class='text'>{PARAGRAPHS}</div>"
                                        f"<div class='note'>{note}</div></article>"))
    pagebody.wrap_loose_text(tree)
    assert tree.find(".//div[@class='note']/p") is None
    assert tree.find(".//div[@class='note']").text.startswith("Ada Byron")


# --------------------------------------------------------------------------- date lines

@pytest.mark.parametrize("line", ["08.04.2015 12:46", "Posted on April 21, 2015, at 11:29 a.m.",
                                  "By Ada Byron, 4 March 2021", "Stand: 04.03.2021 18:00 Uhr",
                                  "기사입력 2013-10-24 03:00:00"])
def test_date_lines_above_the_text_go(line):
    text = f"{line}\n{PARAGRAPHS[3:-4]}\nThe end, 4 March 2021."
    assert pagebody.without_date_lines(text) == f"{PARAGRAPHS[3:-4]}\nThe end, 4 March 2021."


@pytest.mark.parametrize("rule, text", [
    ("without_date_lines", "2012 in review: the harbour\n" + PARAGRAPHS[3:-4]),  # a heading
    ("without_date_lines", "Open Monday to Friday, 9:00 to 17:30, at the harbour office on "
                           "the quay, as the council said in its statement on 4 March 2021."),
    ("without_date_lines", PARAGRAPHS[3:-4] + "\n4 March 2021"),   # below the first paragraph
    ("without_copyright_notice", "Copyright law changed in 2021.\nThe council said so."),
    ("without_copyright_notice", "The council owns the copyright to the timetable."),
    ("without_copyright_notice", "© 2021 Harbour Times"),         # nothing else: left whole
])
def test_lines_that_are_no_dateline_or_notice_stay(rule, text):
    assert getattr(pagebody, rule)(text) == text


def test_extracted_body_has_no_dateline():
    html = page("", f"<article><h1>Ferries stop</h1><p>Posted on March 4, 2021, at 11:29</p>"
                    f"{PARAGRAPHS}</article>")
    assert htmlpage.extract(html).body.startswith("Paragraph 0 of the article")


# --------------------------------------------------------------------------- layout tables

def test_a_layout_table_is_read_as_blocks():
    html = page("", f"<table><tr><td class='nav'><a href='/'>Home</a> <a href='/sport'>Sport</a>"
                    f"</td><td><h1>Ferries stop</h1>{PARAGRAPHS}</td></tr></table>")
    body = htmlpage.extract(html).body
    assert body.startswith("Paragraph 0 of the article") and "\nParagraph 1 of" in body
    assert "Home" not in body and "|" not in body


def test_a_data_table_stays_a_table():
    table = ("<table><tr><th>Route</th><th>Buses a day</th></tr>"
             "<tr><td>Harbour to station</td><td>24</td></tr></table>")
    tree = pagetree.parse_tree(page("", f"<article>{PARAGRAPHS}{table}</article>"))
    pagebody.unwrap_layout_tables(tree)
    assert [cell.text for cell in tree.iter("td")] == ["Harbour to station", "24"]


@pytest.mark.parametrize("line, kept", [
    ("By Ada Byron", False), ("Von Ada Byron und Tom Ink", False),
    ("Ada Byron, Staff Writer", False),
    ("Ada Byron said the council had no choice", True),    # a sentence naming the author
], ids=["by", "two-authors", "job-title", "sentence"])
def test_byline_lines_above_the_text_go(line, kept):
    text = f"{line}\n{PARAGRAPHS[3:-4]}"
    got = pagebody.without_date_lines(text, ["Ada Byron", "Tom Ink"])
    assert got == (text if kept else PARAGRAPHS[3:-4])


def test_extracted_body_has_no_byline_line():
    html = page("<meta name='author' content='Ada Byron'>",
                f"<main><article><h1>Ferries stop</h1><p>By Ada Byron</p></article>"
                f"<article>{PARAGRAPHS}</article></main>")
    result = htmlpage.extract(html)
    assert result.authors == ["Ada Byron"]
    assert result.body.startswith("Paragraph 0 of the article")


# --------------------------------------------------------------------------- copyright notice

@pytest.mark.parametrize("notice", ["© 2021 Harbour Times", "(c) 2021 Harbour Times",
                                    "Copyright 2021 Harbour Times. All rights reserved."])
def test_a_closing_copyright_notice_goes(notice):
    text = f"{PARAGRAPHS[3:-4]}\n{notice}"
    assert pagebody.without_copyright_notice(text) == PARAGRAPHS[3:-4]


def test_extracted_body_has_no_copyright_notice():
    html = page("", f"<article><h1>Ferries stop</h1>{PARAGRAPHS}"
                    f"<p>Copyright 2021 Harbour Times Corp. All rights reserved.</p></article>")
    assert htmlpage.extract(html).body.endswith("from the budget office.")
