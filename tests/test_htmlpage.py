"""Tests for searchsvc.htmlpage on small hand-written pages."""
from __future__ import annotations

import pytest

from searchsvc.ingest import body as pagebody, bylines, htmlpage, pagedates, pagetree, titles

PARAGRAPHS = "".join(
    f"<p>Paragraph {n} of the article explains the harbour council decision in detail, "
    f"with quotes from residents and figures from the budget office.</p>" for n in range(6))


def page(head: str = "", body: str = "") -> str:
    return f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{body}</body></html>"


def test_json_ld_graph_gives_headline_date_author_and_publisher():
    html = page(
        """<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
             {"@type": "WebSite", "@id": "#site", "name": "Harbour Times"},
             {"@type": "NewsArticle", "headline": "Council approves harbour budget",
              "datePublished": "2021-03-04T09:30:00+01:00",
              "dateModified": "2021-05-06T10:00:00+01:00",
              "author": [{"@type": "Person", "name": "Ada Byron"},
                         {"@type": "Person", "name": "Tom Ink"}],
              "publisher": {"@id": "#site"}}]}</script>
           <title>Something else entirely</title>""",
        f"<article><h1>Council approves harbour budget</h1>{PARAGRAPHS}</article>")
    result = htmlpage.extract(html)
    assert result.title == "Council approves harbour budget"
    assert result.date == "2021-03-04"  # published, not modified
    assert result.author == "Ada Byron, Tom Ink"
    assert result.site_name == "Harbour Times"
    assert result.provenance["date"] == "JSON-LD datePublished"


def test_json_ld_strings_escaped_as_html_are_decoded():
    html = page("""<script type="application/ld+json">{"@type": "NewsArticle",
                     "headline": "Arnault&#8217;s gift &amp; the &quot;Louvre&quot;",
                     "author": {"@type": "Person", "name": "Ren&eacute;e Roy"}}</script>""",
                f"<article>{PARAGRAPHS}</article>")
    result = htmlpage.extract(html)
    assert result.title == 'Arnault’s gift & the "Louvre"'
    assert result.authors == ["Renée Roy"]


def test_title_cut_short_gives_way_to_the_whole_one():
    cut = """<script type="application/ld+json">{"@type": "NewsArticle",
               "headline": "Ferries stop for the winter as the storm dam..."}</script>"""
    html = page(cut + "<meta property='og:title' "
                "content='Ferries stop for the winter as the storm damages the pier'>",
                f"<article>{PARAGRAPHS}</article>")
    assert htmlpage.extract(html).title == \
        "Ferries stop for the winter as the storm damages the pier"
    # a headline may end in an ellipsis: without a longer title it stays
    html = page(cut, f"<article>{PARAGRAPHS}</article>")
    assert htmlpage.extract(html).title == "Ferries stop for the winter as the storm dam..."
    html = page(cut + "<meta property='og:title' content='Harbour budget approved'>",
                f"<article>{PARAGRAPHS}</article>")
    assert htmlpage.extract(html).title == "Ferries stop for the winter as the storm dam..."


def test_opengraph_and_site_suffix_removed_from_title():
    html = page(
        """<meta property="og:title" content="Storm closes the ferry line | Harbour Times">
           <meta property="og:site_name" content="Harbour Times">
           <meta property="article:published_time" content="2020-11-02T08:00:00-05:00">
           <meta name="author" content="By Jo Reed">
           <link rel="canonical" href="https://www.harbourtimes.example/storm">
           <title>Storm closes the ferry line - Harbour Times</title>""",
        f"<div class='story'>{PARAGRAPHS}</div>")
    result = htmlpage.extract(html)
    assert result.title == "Storm closes the ferry line"
    assert result.site_name == "Harbour Times"
    assert result.date == "2020-11-02"
    assert result.author == "Jo Reed"
    assert result.url == "https://www.harbourtimes.example/storm"
    assert result.language == "en"


def test_h1_kicker_span_dropped_when_title_states_headline():
    html = page("<meta property='og:title' content='Harbour: Ferries stop for the winter'>",
                "<h1><span class='kicker'>Harbour</span><span class='sep'>: </span>"
                f"<span class='headline'>Ferries stop for the winter</span></h1>{PARAGRAPHS}")
    assert htmlpage.extract(html).title == "Ferries stop for the winter"


def test_logo_h1_does_not_replace_stated_title():
    html = page("<title>Ferries stop for the winter</title>",
                f"<h1><a href='/'>Harbour Times</a></h1>{PARAGRAPHS}")
    assert htmlpage.extract(html).title == "Ferries stop for the winter"


@pytest.mark.parametrize("head, body, expected", [
    ("", "<time datetime='2019-07-08T12:00:00+02:00' pubdate>8 July</time>", "2019-07-08"),
    ("<meta itemprop='datePublished' content='2018-02-03'>", "", "2018-02-03"),
    ("<meta name='pubdate' content='Sun Nov 23 16:00:00 EDT 2014'>", "", "2014-11-23"),
    ("<meta name='article:modified_time' content='2022-01-01'>"
     "<meta name='parsely-pub-date' content='2017-06-05T10:00:00Z'>", "", "2017-06-05"),
])
def test_dates_from_time_and_meta(head, body, expected):
    html = page(head, f"<article>{body}{PARAGRAPHS}</article>")
    assert htmlpage.extract(html).date == expected


@pytest.mark.parametrize("head, under_headline, expected", [
    # a generic date meta is often when the page was built: the article's earlier day wins
    ("<meta name='date' content='2021-03-05T11:52:23'>",
     "<time>04.03.2021, 12:01 Uhr</time>", "2021-03-04"),
    ("<meta name='DC.date' content='2021-03-05'>",
     "<p><span>Stand: 04.03.2021 18:00 Uhr</span></p>", "2021-03-04"),
    ("<meta name='date' content='2021-03-05'>",
     "<time datetime='2021-03-03T09:00:00+01:00'>Wednesday</time>", "2021-03-03"),
    # a later day is an update; more than a week back, another article's date
    ("<meta name='date' content='2021-03-05'>", "<time>06.03.2021</time>", "2021-03-05"),
    ("<meta name='date' content='2021-03-15'>", "<time>04.03.2021</time>", "2021-03-15"),
    # a date meta that says it is the publication's is not second-guessed
    ("<meta property='article:published_time' content='2021-03-05T11:52:23'>",
     "<time>04.03.2021, 12:01 Uhr</time>", "2021-03-05"),
])
def test_generic_date_meta_gives_way_to_an_earlier_day_under_the_headline(head, under_headline,
                                                                          expected):
    html = page(head, f"<nav><time>01.03.2021</time></nav><article><h1>Ferries stop</h1>"
                      f"{under_headline}{PARAGRAPHS}</article>")
    assert htmlpage.extract(html).date == expected


def test_headline_date_skips_dates_before_the_headline():
    tree = pagetree.parse_tree("<body><nav><time>01.03.2021</time></nav><h1>Ferries</h1>"
                               "<p>Published: 4 March 2021</p></body>")
    assert pagedates.headline_date(tree) == "2021-03-04"
    # a logo in an <h1> above the navigation is not the headline
    tree = pagetree.parse_tree("<body><h1>Harbour Times</h1><nav><time>01.03.2021</time></nav>"
                               "<h1>Ferries stop</h1><time>04.03.2021</time></body>")
    assert pagedates.headline_date(tree, "Ferries stop") == "2021-03-04"
    assert pagedates.headline_date(tree) == "2021-03-01"


def test_normalise_date_forms():
    assert pagedates.normalise_date("2023-02-16T12:51:09+00:00") == "2023-02-16"
    assert pagedates.normalise_date("1676551869") == "2023-02-16"
    assert pagedates.normalise_date("1676551869000") == "2023-02-16"
    assert pagedates.normalise_date("2021-04") == "2021-04"
    assert pagedates.normalise_date("3021-01-01") is None
    assert pagedates.normalise_date("not a date") is None


def test_boilerplate_removed_from_body():
    html = page(
        "<style>.x{color:red}</style><script>var tracking = 1;</script>",
        """<nav><a href="/">Home</a> <a href="/sport">Sport navigation link</a></nav>
           <article><h1>Ferries stop</h1>
             <!-- an HTML comment that must not appear -->
             <p>The ferry line between the two islands will stop running for the winter,
                the harbour council said on Monday after a long meeting.</p>
             <div class="share-buttons"><a href="#">Share on Facebook</a></div>
             <p>Residents who rely on the crossing will be offered a bus link instead, with
                timetables published next week on the council website.</p>
             <form><input name="email"><button>Subscribe to our newsletter</button></form>
             <div class="related-links"><a href="/other">Related: Other ferry story</a></div>
           </article>
           <footer>Copyright Harbour Times footer text</footer>""")
    body = htmlpage.extract(html).body
    assert "ferry line between the two islands" in body
    assert "bus link instead" in body
    for noise in ("tracking", "color:red", "navigation link", "HTML comment", "Share on",
                  "Subscribe", "Related:", "footer text"):
        assert noise not in body


def teasers(kicker: str = "", numbered: bool = False) -> str:
    return "".join(
        f"<div class='card{f' card-{n}' if numbered else ''}'><h3>{kicker}"
        f"<a href='/story-{n}'>Other story number {n} about the city</a></h3>"
        f"<p>Teaser {n}: a summary of another article the site would like you to read next, "
        f"long enough to look like a paragraph of running text to an extractor.</p></div>"
        for n in range(4))


@pytest.mark.parametrize("cards", [teasers(), teasers("<strong>Opinion</strong> ", True)],
                         ids=["linked-headline", "kicker-and-numbered-class"])
def test_teaser_cards_after_the_article_are_not_body(cards):
    html = page("", f"<div class='main'><h1>Ferries stop</h1><h2>What the council said</h2>"
                    f"{PARAGRAPHS}<div class='stream'>{cards}</div></div>")
    body = htmlpage.extract(html).body
    assert "Paragraph 5 of the article" in body and "What the council said" in body
    assert "Teaser" not in body and "Other story" not in body


def test_teasers_in_a_stream_that_opens_with_the_article_go():
    cards = teasers().replace("<div class='card'>", "<li class='item'>").replace("</p></div>",
                                                                             "</p></li>")
    html = page("", f"<ul class='stream'><li class='item'><h1>Ferries stop</h1>{PARAGRAPHS}"
                    f"</li>{cards}</ul>")
    body = htmlpage.extract(html).body
    assert "Paragraph 5 of the article" in body
    assert "Teaser" not in body and "Other story" not in body


@pytest.mark.parametrize("section", [
    # an article's own subheads are plain text, whatever its paragraphs link to
    "<h3>Step {n}</h3><p>Section {n} says: <a href='/doc-{n}'>the council's report</a>.</p>",
    # a linked subhead over many paragraphs heads a section, not a teaser
    "<h3><a href='/doc-{n}'>Report {n}</a></h3>" + PARAGRAPHS.replace("Paragraph", "Section {n} p"),
], ids=["plain-subheads", "many-paragraphs"])
def test_article_sections_stay(section):
    sections = "".join(f"<div class='part'>{section.format(n=n)}</div>" for n in range(6))
    tree = pagetree.parse_tree(page("", f"<article>{sections}</article>"))
    pagebody.strip_teaser_cards(tree)
    assert all(f"Section {n}" in tree.text_content() for n in range(6))


def test_loose_text_of_a_block_is_body():
    lead = ("HARBOUR CITY (AP) — The ferry line between the two islands will stop running for "
            "the winter, the harbour council said on Monday.")
    html = page("", f"<div class='story'><h1>Ferries stop</h1><div class='kicker'>Local</div>"
                    f"{lead}{PARAGRAPHS}<br>A short loose line.</div>")
    body = htmlpage.extract(html).body
    assert "HARBOUR CITY (AP)" in body and "Paragraph 5" in body
    assert "A short loose line." in body


@pytest.mark.parametrize("layout", [
    "<article><header><h1>Ferries stop</h1><div class='intro'>{intro}</div></header>"
    "<div class='text'>{text}</div></article>",
    "<header><h1>Ferries stop</h1><p>{intro}</p><span>By A. Writer</span></header>"
    "<article>{text}</article>",
], ids=["intro-div-in-article-header", "header-above-the-article"])
def test_intro_in_the_article_header_is_body(layout):
    intro = ("The ferry line between the two islands stops for the winter: the harbour council "
             "chose a bus link after a long meeting on Monday.")
    body = htmlpage.extract(page("", layout.format(intro=intro, text=PARAGRAPHS))).body
    assert body.index("The ferry line between") < body.index("Paragraph 0 of the article")


def test_fallback_body_removes_boilerplate():
    tree = pagetree.parse_tree(page("", """<nav>Menu entry</nav><div class="sidebar">Side</div>
        <article><p>First real paragraph of the story about ferries.</p>
        <ul class="social-share"><li>Tweet this</li></ul><p>Second paragraph.</p></article>"""))
    body = pagebody.fallback_body(tree)
    assert "First real paragraph" in body and "Second paragraph." in body
    assert "Menu entry" not in body and "Tweet this" not in body and "Side" not in body


@pytest.mark.parametrize("html", [
    "", "   ", "<html><body><p>unclosed <b>bold <i>italic</table></div>",
    "<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>",
    "<html><head><script type='application/ld+json'>{broken json,,}</script>"
    "<meta property='article:published_time' content='garbage'></head></html>",
    "\x00\x01 binary-ish <<<>>> &&& </p>", "<p>only a fragment</p>",
])
def test_malformed_html_does_not_raise(html):
    result = htmlpage.extract(html)
    assert isinstance(result, htmlpage.Page)
    assert result.date is None


def test_page_without_article_text():
    result = htmlpage.extract(page("<title>Gallery</title>", "<img src='a.jpg'><nav>Home</nav>"))
    assert result.title == "Gallery"
    assert result.body.strip() == ""


def test_author_that_names_the_site_is_skipped():
    html = page("""<meta property="og:site_name" content="Harbour Times">
                   <meta name="author" content="Harbour Times">
                   <script type="application/ld+json">{"@type": "NewsArticle",
                     "author": {"@type": "Person", "name": "Jo Reed"}}</script>""",
                f"<article>{PARAGRAPHS}</article>")
    assert htmlpage.extract(html).author == "Jo Reed"


def test_byline_links_to_author_pages_name_the_authors_when_nothing_else_does():
    more = "<ul class='more-stories'><li><a href='/people/ann-other'>Ann Other</a></li></ul>"
    html = page("", "<div class='contributors'><a href='/people/jo-reed'>Jo Reed</a></div>"
                    f"<article>{PARAGRAPHS}</article>{more}")
    result = htmlpage.extract(html, "https://harbour.example/a")
    assert result.authors == ["Jo Reed"]
    assert result.provenance["authors"] == "byline author links"
    assert bylines.linked_authors(pagetree.parse_tree(
        "<p><a rel='author' href='https://social.example/1'>Jo Reed</a></p>")) == ["Jo Reed"]
    # outside a byline, links to writers' pages are other articles' credits; a photo credit
    # names who took the picture
    assert htmlpage.extract(page("", f"<article>{PARAGRAPHS}</article>{more}")).authors == []
    photo = "<figure><span class='credit'><a href='/staff/ann-other'>Ann Other</a></span></figure>"
    assert htmlpage.extract(page("", f"{photo}<article>{PARAGRAPHS}</article>")).authors == []
    # and a stated author is not extended by them
    html = page("<meta name='author' content='Tom Ink'>",
                f"<p class='byline'><a href='/author/ann-other'>Ann Other</a></p>"
                f"<article>{PARAGRAPHS}</article>")
    assert htmlpage.extract(html).authors == ["Tom Ink"]


@pytest.mark.parametrize("name", ["og:article:author", "og:author", "article:author_name",
                                  "byline"])
def test_author_meta_spellings(name):
    html = page(f"<meta property='{name}' content='Jo Reed'>", f"<article>{PARAGRAPHS}</article>")
    assert htmlpage.extract(html).authors == ["Jo Reed"]


def test_strip_site_keeps_title_when_site_is_unknown():
    assert titles.strip_site("Ferries stop - the winter", None, None) == \
        "Ferries stop - the winter"
    assert titles.strip_site("Harbour Times | Ferries stop", "Harbour Times", None) == \
        "Ferries stop"
    assert titles.strip_site("Ferries stop - harbourtimes.example", None,
                               "https://harbourtimes.example/a") == "Ferries stop"


def test_parsed_elements_have_lxml_html_classes():
    # the C-level class lookup gives each element the class lxml.html's own lookup gives it
    from lxml import html as lxml_html

    markup = ("<!DOCTYPE html><HTML><body><FORM action='/s'><Input name=q><select><option>a"
              "</option></select><textarea>t</textarea><label for=q>Q</label></FORM><p>x<svg:g/>"
              "<b>y</b>&nbsp;&bogus;</p><!-- note --></body></HTML>")
    ours = pagetree.parse_tree(markup)
    theirs = lxml_html.document_fromstring(markup)
    assert [type(e) for e in ours.iter()] == [type(e) for e in theirs.iter()
                                              if not isinstance(e, lxml_html.HtmlComment)]
    assert {"FormElement", "InputElement", "SelectElement", "TextareaElement",
            "LabelElement", "HtmlElement"} <= {type(e).__name__ for e in ours.iter()}
    made = ours.find(".//p").makeelement("input", {})
    assert type(made) is lxml_html.InputElement


def test_declared_charset():
    assert pagetree.declared_charset(b'<meta charset="iso-8859-1">') == "iso-8859-1"
    assert pagetree.declared_charset(b"<html></html>") is None


# --------------------------------------------------------------------------- titles and site names

def test_site_name_guessed_from_the_title_is_not_cut_from_it():
    # trafilatura takes a title segment with a dot for the site name; the page states none
    html = page("<title>“Only One” Lyrics : PJ Morton (Ft. Stevie Wonder)</title>"
                "<link rel='canonical' href='https://allnewlyrics.example/only-one'>",
                f"<article>{PARAGRAPHS}</article>")
    assert htmlpage.extract(html).title == "“Only One” Lyrics : PJ Morton (Ft. Stevie Wonder)"


def test_title_segment_containing_the_site_name_is_not_the_site():
    assert titles.strip_site("Time running out for Brexit deal - Politics | TIME", "TIME",
                               "https://time.com/5/brexit") == \
        "Time running out for Brexit deal - Politics"
    assert titles.strip_site("Ferries stop - Harbour Times Sport", "Harbour Times", None) == \
        "Ferries stop"
    assert titles.strip_site("Ferries stop | Times", "The Harbour Times", None) == \
        "Ferries stop"


def test_blog_name_h1_is_not_the_headline():
    html = page("<title>Lost in JIT: PyPy and the road towards SciPy</title>"
                "<link rel='canonical' href='http://lostinjit.blogspot.com/2011/10/pypy.html'>",
                f"<h1>Lost in JIT</h1><article>{PARAGRAPHS}</article>")
    # and the blog's name labelling the headline is the site's, not the headline's
    assert htmlpage.extract(html).title == "PyPy and the road towards SciPy"


def test_title_segment_named_by_the_home_link_is_the_site():
    # no og:site_name, and the name is not the domain: the logo link to "/" names the site
    body = f"<header><a href='/'>港湾日报</a></header><article>{PARAGRAPHS}</article>"
    html = page("<title>渡轮停航三天-港湾日报</title>", body)
    url = "https://harbour.example/2021/ferry.html"
    assert htmlpage.extract(html, url).title == "渡轮停航三天"
    html = page("<title>Ferries stop | The Daily Gull</title>",
                "<a href='https://www.harbour.example/'><img src=l.png alt='The Daily Gull'></a>"
                f"<article>{PARAGRAPHS}</article>")
    assert htmlpage.extract(html, "https://harbour.example/a").title == "Ferries stop"


def test_home_link_names_only_whole_segments_and_only_its_own_site():
    # home links also say "Home" and "Privacy Policy": only a whole segment is the site's name
    html = page("<title>Ferries stop - Policy of the harbour</title>",
                f"<a href='/'>Privacy Policy</a><article>{PARAGRAPHS}</article>")
    assert htmlpage.extract(html, "https://harbour.example/a").title == \
        "Ferries stop - Policy of the harbour"
    # a link to another site's front page does not name this one
    html = page("<title>Ferries stop | Gull Weekly</title>",
                "<a href='https://gull.example/'>Gull Weekly</a>"
                f"<article>{PARAGRAPHS}</article>")
    assert htmlpage.extract(html, "https://harbour.example/a").title == \
        "Ferries stop | Gull Weekly"
    assert titles.home_link_names(pagetree.parse_tree(
        "<a href='http://[bad-host]/'>x</a><a href='/'>Gull</a>"), ["https://h.example/"]) == \
        ["Gull"]


@pytest.mark.parametrize("publisher, named, expected", [
    ("Salon.com", "Salon", "Salon"),
    ("St.Galler Tagblatt AG", "St.Galler Tagblatt", "St.Galler Tagblatt"),
    ("Libération", "Libération.fr", "Libération"),
    ("Harbour Times", "Harbour Times - news from the islands", "Harbour Times"),
    ("Reuters", "U.S.", "Reuters"),  # a section, not a shorter form of the name
])
def test_site_name_is_the_bare_name_of_publisher_and_og_site_name(publisher, named, expected):
    html = page(f"""<meta property="og:site_name" content="{named}">
                    <script type="application/ld+json">{{"@type": "NewsArticle",
                      "publisher": {{"@type": "Organization", "name": "{publisher}"}}}}</script>""",
                f"<article>{PARAGRAPHS}</article>")
    assert htmlpage.extract(html).site_name == expected


# --------------------------------------------------------------------------- the day a page shows

def ld_date(value: str) -> str:
    return f"""<script type="application/ld+json">{{"@type": "NewsArticle",
               "datePublished": "{value}"}}</script>"""


@pytest.mark.parametrize("stated, byline, expected", [
    # 02:41 UTC is 22:41 the evening before in the newsroom
    ("Wed, 04 May 2022 02:41:00 GMT", "<span>3/5/2022</span> <span>22:41</span>", "2022-05-03"),
    ("2020-02-25T02:25:54Z", "February 24, 2020 <span>|</span> 9:25pm", "2020-02-24"),
    ("2023-11-09T05:30:59+00:00", "November 8, 2023 at 11:30 p.m.", "2023-11-08"),
    # east of UTC: same day shown, so nothing else may move it
    ("2019-10-19T03:00:00.000Z", "19.10.2019, 05:00 Uhr", "2019-10-19"),
])
def test_utc_publication_time_takes_the_day_the_page_shows(stated, byline, expected):
    html = page(ld_date(stated),
                f"<article><p class='byline'>{byline}</p>{PARAGRAPHS}</article>")
    assert htmlpage.extract(html).date == expected


def test_displayed_day_needs_the_same_moment_with_its_day_and_year():
    def shown(body: str, stated: str = "2022-05-04T02:41:00Z") -> str | None:
        return pagedates.displayed_day(pagetree.parse_tree(page("", body)), stated)

    assert shown("<p>3/5/2022 22:41</p>") == "2022-05-03"
    assert shown("<p>3/5/2022 10:41 pm</p>", "2022-05-04T08:41:00Z") == "2022-05-03"  # Hawaii
    assert shown("<p>4/5/2022 12:41</p>", "2022-05-03T23:41:00Z") == "2022-05-04"  # NZ summer
    assert shown("<p>Updated 22:41</p>") is None  # a clock time without its day
    assert shown("<p>3/5/2022 22:40</p>") is None  # another minute, another moment
    assert shown("<script>var t = '3/5/2022 22:41';</script>") is None
    assert shown("<p>3/5/2022 22:41</p>", "2022-05-04") is None  # no time stated
    # a stated offset already gives the newsroom's day (here a comment shows another time)
    assert shown("<p>3/5/2022 22:41</p>", "2022-05-04T02:41:00+01:00") is None
