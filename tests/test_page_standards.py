"""Metadata as the standards write it (schema.org, Open Graph, Dublin Core, microformats):
small hand-written pages, one variant each, read by the public extractor."""
from __future__ import annotations

import json

from searchsvc import extract_article

TEXT = "".join(f"<p>Paragraph {n} of the story tells how the harbour council voted on the "
               f"budget, with figures from the town's finance office.</p>" for n in range(5))


def page(head: str = "", body: str = "", lang: str = "en") -> bytes:
    """Return a page with the given head and an article body of a few paragraphs."""
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>{head}</head>"
            f"<body>{body}<article>{TEXT}</article></body></html>").encode()


def ld(data: object) -> str:
    """Return a JSON-LD script holding ``data``."""
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_web_page_main_entity_is_the_article():
    html = page(ld({"@context": "https://schema.org", "@type": "WebPage", "name": "Harbour Times",
                    "mainEntity": {"@type": "NewsArticle", "headline": "Council passes budget",
                                   "datePublished": "2021-03-04T10:00:00-05:00",
                                   "author": {"@type": "Person", "name": "Ada Byron"}}})
                + "<title>Latest news | Harbour Times</title>")
    article = extract_article(html)
    assert (article.title, article.date, article.authors) == \
        ("Council passes budget", "2021-03-04T10:00:00-05:00", ["Ada Byron"])
    assert article.provenance["title"] == "JSON-LD headline"


def test_type_written_as_a_compact_or_full_iri():
    for kind in ("schema:BlogPosting", "http://schema.org/BlogPosting",
                 ["https://schema.org/NewsArticle"]):
        html = page(ld({"@type": kind, "headline": "Council passes budget",
                        "datePublished": "2021-03-04"}))
        article = extract_article(html)
        assert (article.title, article.date) == ("Council passes budget", "2021-03-04"), kind
        assert article.provenance["date"] == "JSON-LD datePublished"


def test_of_several_articles_the_one_at_the_page_url_counts():
    html = page(ld([{"@type": "NewsArticle", "headline": "A related story",
                     "url": "https://harbour.example/2020/other", "datePublished": "2020-01-01"},
                    {"@type": "NewsArticle", "headline": "Council passes budget",
                     "mainEntityOfPage": {"@id": "https://harbour.example/2021/budget/"},
                     "datePublished": "2021-03-04"}]))
    article = extract_article(html, "https://www.harbour.example/2021/budget?src=rss")
    assert (article.title, article.date) == ("Council passes budget", "2021-03-04")
    # without a URL to tell them apart, the first one stays the page's
    assert extract_article(html).title == "A related story"


def test_person_named_by_given_and_family_name():
    html = page(ld({"@type": "NewsArticle", "headline": "Council passes budget",
                    "author": [{"@type": "Person", "givenName": "Ada", "familyName": "Byron"},
                               {"@type": "Person", "name": "Tom Ink",
                                "url": "https://harbour.example/people/tom-ink"}]}))
    assert extract_article(html).authors == ["Ada Byron", "Tom Ink"]


def test_values_given_as_lists_and_an_article_name_as_headline():
    html = page(ld({"@type": "Article", "name": "Council passes budget",
                    "datePublished": ["2021-03-04T10:00:00+01:00", "2021-03-05"]})
                + "<title>Council passes budget - Harbour Times Online</title>")
    article = extract_article(html)
    assert (article.title, article.date) == ("Council passes budget", "2021-03-04T10:00:00+01:00")
    assert article.provenance["title"] == "JSON-LD name"
    # a WebPage's name is often the site's: it is no headline
    html = page(ld({"@type": "WebPage", "name": "Harbour Times"})
                + "<title>Council passes budget</title>")
    assert extract_article(html).title == "Council passes budget"


def test_numeric_dates_read_as_the_page_language_writes_them():
    meta = '<meta name="date" content="04/03/2021"><title>Council passes budget</title>'
    assert extract_article(page(meta, lang="fr")).date == "2021-03-04"
    assert extract_article(page(meta, lang="en-GB")).date == "2021-03-04"
    assert extract_article(page(meta, lang="en-US")).date == "2021-04-03"
    assert extract_article(page(meta, lang="en")).date == "2021-04-03"
    # unambiguous either way
    meta = '<meta name="date" content="13/03/2021"><title>Council passes budget</title>'
    assert extract_article(page(meta, lang="en-US")).date == "2021-03-13"
    # a date that opens with its year is year, month, day in any language
    for value in ("2021/03/04", "2021.03.04", "2021/3/4 10:00"):
        meta = f'<meta name="date" content="{value}"><title>Council passes budget</title>'
        assert extract_article(page(meta, lang="fr")).date == "2021-03-04", value


def test_dotted_dates_are_day_first_in_any_language():
    meta = '<meta name="date" content="04.03.2021 18:00"><title>Council passes budget</title>'
    for lang in ("de", "en", "en-US"):
        assert extract_article(page(meta, lang=lang)).date == "2021-03-04", lang


def test_url_path_with_a_month_name():
    html = page("<title>Council passes budget</title>")
    for url in ("https://harbour.example/world/2021/mar/04/council-budget",
                "https://harbour.example/2021/March/04/council-budget"):
        article = extract_article(html, url)
        assert (article.date, article.provenance["date"]) == ("2021-03-04", "url"), url
    # a month name must stand as its own path segment
    assert extract_article(html, "https://harbour.example/2021/mayor-04/x").date is None


def test_other_published_date_names():
    for name in ("og:article:published_time", "article:published_date", "publication_date",
                 "dc.date.publication", "originalpublicationdate", "dcterms.date"):
        html = page(f'<meta name="{name}" content="2021-03-04T23:30:00-05:00">'
                    "<title>Council passes budget</title>")
        article = extract_article(html)
        assert (article.date, article.provenance["date"]) == ("2021-03-04T23:30:00-05:00", f"meta {name}")


def test_dcterms_date_gives_way_to_the_day_under_the_headline():
    # like dc.date, a CMS fills it with when the page was built
    html = page('<meta name="dcterms.date" content="2021-03-09">'
                "<title>Council passes budget</title>",
                "<h1>Council passes budget</h1><p>Published: 04.03.2021</p>")
    assert extract_article(html).date == "2021-03-04"


def test_titles_and_authors_of_dublin_core_parsely_and_sailthru():
    cases = {
        '<meta name="DCTERMS.title" content="Council passes budget">': "meta title",
        '<meta name="parsely-title" content="Council passes budget">': "meta title",
        '<meta name="sailthru.title" content="Council passes budget">': "meta title",
        """<meta name="parsely-page" content='{"title": "Council passes budget",
            "pub_date": "2021-03-04T10:00:00Z", "authors": ["Ada Byron"]}'>""": "meta parsely-page",
    }
    for head, source in cases.items():
        article = extract_article(page(head))
        assert (article.title, article.provenance["title"]) == ("Council passes budget", source)
    article = extract_article(page(list(cases)[-1]))
    assert (article.authors, article.date) == (["Ada Byron"], "2021-03-04T10:00:00Z")


def authors_of(byline: str, url: str = "https://harbournews.example/2021/03/04/x") -> list[str]:
    """Return the authors extracted from a page whose author meta holds ``byline``."""
    head = ('<meta property="og:site_name" content="Harbour News">'
            f'<meta name="author" content="{byline}"><title>Council passes budget</title>')
    return extract_article(page(head), url).authors


def test_byline_leftovers_go():
    for byline in ("Ada Byron @adabyron", "Ada Byron Twitter: @adabyron",
                   "By Ada Byron Email the author", "Ada Byron View all posts",
                   "Ada Byron Follow on X", "Ada Byron 12 Comments", "Ada Byron Share",
                   "Ada Byron is a staff writer at Harbour News", "Ada Byron (Reuters)",
                   "Ada Byron — Correspondent in Paris", "Ada Byron, Bureau Chief",
                   "Ada Byron Wednesday", "Ada Byron on March 4, 2021", "About Ada Byron",
                   "Ada Byron Ada Byron is a reporter covering city hall.",
                   "Ada Byron, special to The Chronicle", "Ada Byron For The Chronicle",
                   "Ada Byron Harbour News Staff", "Ada Byron, Times Staff Writer",
                   "Ada Byron, Senior Reporter, dpa", "Ada Byron, The Associated Press",
                   "Text: Ada Byron, Photos: Tom Ink"):
        assert authors_of(byline) == ["Ada Byron"], byline


def test_bylines_that_are_names_stay_whole():
    assert authors_of("Ada Byron and Tom Ink, Associated Press") == ["Ada Byron", "Tom Ink"]
    assert authors_of("Byron, Ada") == ["Byron, Ada"]
    assert authors_of("Ada Read") == ["Ada Read"]
    assert authors_of("Ada Byron, M.D.") == ["Ada Byron, M.D."]
    # with no full name beside them, one-word parts are all there is
    assert authors_of("Reuters; dpa") == ["Reuters", "dpa"]


def test_time_under_the_headline_as_the_page_shows_it():
    head = "<title>Council passes budget</title>"
    body = ("<nav><time datetime='2020-01-01'>Older story</time></nav>"
            "<h1>Council passes budget</h1>")
    # a UTC time the page shows as the evening before: the page's day
    html = page(head, body + "<time datetime='2021-03-05T04:30:00Z'>March 4, 2021 11:30 PM"
                "</time>")
    article = extract_article(html)
    assert article.date == "2021-03-04"
    assert article.provenance["date"].startswith("<time> under the headline")
    # a time with its offset keeps the day it states
    html = page(head, body + "<time datetime='2021-03-04T23:30:00-05:00'>Thursday</time>")
    assert extract_article(html).date == "2021-03-04T23:30:00-05:00"
    # the URL's day comes before it
    assert extract_article(html, "https://harbour.example/2021/03/03/budget").date == \
        "2021-03-03"


def test_byline_marked_in_a_data_attribute():
    html = page("<title>Council passes budget</title>",
                "<h1>Council passes budget</h1><div data-module='byline-share'>Share</div>"
                "<div data-testid='story-byline'><span>By</span>"
                "<a href='/team/ada-byron'>Ada Byron</a><span>Updated 4:30 PM</span></div>")
    article = extract_article(html)
    assert (article.authors, article.provenance["authors"]) == (["Ada Byron"], "marked byline")


def test_highwire_citation_authors():
    html = page("<title>Council passes budget</title>"
                '<meta name="citation_author" content="Byron, Ada">'
                '<meta name="citation_author" content="Ink, Tom">')
    assert extract_article(html).authors == ["Byron, Ada", "Ink, Tom"]


def test_byline_marked_by_the_word_for_author_in_other_languages():
    for body in ("<div class='autor'><h6>Ada Byron | Publicado hace 3 horas</h6></div>",
                 "<span id='auteur-principal'>Par Ada Byron</span>",
                 "<p>Auteur : Ada Byron </p><p>Edition : T. Ink</p>",
                 "<p>Autorin: Ada Byron</p>"):
        html = page("<title>Council passes budget</title>",
                    "<h1>Council passes budget</h1>" + body, lang="fr")
        assert extract_article(html).authors == ["Ada Byron"], body
    # the word inside another one is not it
    html = page("<title>Council passes budget</title>",
                "<h1>Council passes budget</h1><div class='autoresize'>Comment Here</div>")
    assert extract_article(html).authors == []


def test_a_byline_giving_the_site_domain_is_the_site():
    html = page('<meta name="author" content="Harbour Times (www.harbour.example)">'
                "<title>Council passes budget</title>",
                "<h1>Council passes budget</h1><p>Author: Ada Byron</p>")
    url = "https://www.harbour.example/budget"
    assert extract_article(html, url).authors == ["Ada Byron"]
    # an e-mail address at the site's domain is a person's
    html = page('<meta name="author" content="Tom Ink (tom.ink@harbour.example)">'
                "<title>Council passes budget</title>")
    assert extract_article(html, url).authors == ["Tom Ink"]


def test_kicker_named_by_its_class_is_not_the_headline():
    for kicker in ("<span class='overline'>Harbour politics</span>",
                   "<span class='article-kicker'>Harbour politics:</span> ",
                   "<em class='dachzeile'>Harbour politics</em>"):
        html = page("<title>Harbour politics - Council passes budget</title>",
                    f"<h1>{kicker}Council passes budget</h1>")
        article = extract_article(html)
        assert (article.title, article.provenance["title"]) == \
            ("Council passes budget", "<h1>"), kicker
    # a first element of another class is part of the headline
    html = page("<title>Ada Byron: Council passes budget</title>",
                "<h1><span class='name'>Ada Byron</span>: Council passes budget</h1>")
    assert extract_article(html).title == "Ada Byron: Council passes budget"


def test_site_name_around_the_headline_goes():
    site = '<meta property="og:site_name" content="Harbour News">'
    url = "https://www.harbournews.example/politics/budget"
    for title in ("Harbour News: Council passes budget for the harbour",
                  "Council passes budget for the harbour (Harbour News)",
                  "Council passes budget for the harbour—Harbour News",
                  "Council passes budget for the harbour | Politics | Harbour News",
                  "Council passes budget for the harbour - City Hall - Harbour News",
                  "Harbour News | Politics | Council passes budget for the harbour"):
        article = extract_article(page(f"{site}<title>{title}</title>"), url)
        assert article.title == "Council passes budget for the harbour", title
    # what does not name the site stays
    for title in ("Budget: Council passes it for the harbour | Harbour News",
                  "Council passes budget—finally",
                  "Council passes budget (again)",
                  "Council passes budget | Harbour politics in a long segment | Harbour News"):
        expected = title.removesuffix(" | Harbour News")
        assert extract_article(page(f"{site}<title>{title}</title>"), url).title == expected


def test_malformed_urls_and_odd_json_ld_values_give_what_can_be_read():
    html = page("<link rel='canonical' href='http://[harbour/2021/03/04/budget'>"
                + ld({"@type": ["NewsArticle", 5], "headline": ["Council passes budget"],
                      "author": {"givenName": ["Ada"], "familyName": {"x": 1}},
                      "mainEntity": "https://harbour.example/", "datePublished": {"x": 1},
                      "url": 5, "mainEntityOfPage": {"name": "no id"}}))
    article = extract_article(html, "https://[::1/2021/mar/04/budget")
    assert article.title == "Council passes budget"
    assert article.authors == []


def test_a_stated_title_that_is_only_the_site_name_gives_way():
    site = '<meta property="og:site_name" content="Harbour News">'
    url = "https://www.harbournews.example/politics/budget"
    for stated in ('<meta property="og:title" content="Harbour News">',
                   ld({"@type": "NewsArticle", "headline": "Harbour News"})):
        html = page(site + stated + "<title>Council passes budget - Harbour News</title>")
        article = extract_article(html, url)
        assert (article.title, article.provenance["title"]) == \
            ("Council passes budget", "<title>"), stated
    # the site's name is all there is: it stays (a navigation <h1> is no better)
    html = page(site + "<title>Harbour News</title>", "<h1>Sections</h1>")
    assert extract_article(html, url).title == "Harbour News"


def test_site_names_from_publisher_metas_the_x_account_and_the_copyright_notice():
    title = "<title>Council passes budget for the harbour | Harbour News</title>"
    for head, foot in (('<meta name="twitter:site" content="@HarbourNews">', ""),
                       ('<meta property="article:publisher" '
                        'content="https://www.facebook.com/harbournews/">', ""),
                       ('<meta name="DC.publisher" content="Harbour News">', ""),
                       ("", "<footer><p>© 2021 Harbour News. All rights reserved.</p></footer>"),
                       ("", "<footer>Copyright 2010-2021 Harbour News | Privacy</footer>")):
        html = page(title + head, foot)
        assert extract_article(html).title == "Council passes budget for the harbour", head + foot
    # without any of them the segment may be the headline's: it stays
    assert extract_article(page(title)).title == \
        "Council passes budget for the harbour | Harbour News"
    # a name only counts as a whole segment
    html = page("<title>Harbour News workers strike | Politics</title>",
                "<footer>© 2021 Harbour News</footer>")
    assert extract_article(html).title == "Harbour News workers strike | Politics"


def test_rdfa_dates_and_authors():
    html = page("<title>Council passes budget</title>",
                "<div vocab='https://schema.org/' typeof='NewsArticle'>"
                "<h1 property='headline'>Council passes budget</h1>"
                "<span property='author' typeof='Person'><span property='name'>Ada Byron</span>"
                "</span><time property='datePublished' datetime='2021-03-04T23:30:00-05:00'>"
                "4 March</time></div>")
    article = extract_article(html)
    assert (article.authors, article.date) == (["Ada Byron"], "2021-03-04T23:30:00-05:00")
    assert article.provenance["date"] == "microdata datePublished"
    html = page("<title>Council passes budget</title>",
                "<p>By <span property='dc:creator'>Ada Byron</span> on "
                "<span property='dcterms:issued' content='2021-03-04'>4 March</span></p>")
    article = extract_article(html)
    assert (article.authors, article.date) == (["Ada Byron"], "2021-03-04")


def test_plain_text_byline_under_the_headline():
    cases = {"<p>By Ada Byron</p>": ["Ada Byron"],
             "<p>By Ada Byron | March 4, 2021</p>": ["Ada Byron"],
             "<div>By <a href='/a'>Ada Byron</a> and <a href='/t'>Tom Ink</a></div>":
                 ["Ada Byron", "Tom Ink"],
             "<p><em>Von Ada Byron</em></p>": ["Ada Byron"],
             "<p>Written by Ada Byron</p>": ["Ada Byron"],
             "<p>Par Ada de la Byron</p>": ["Ada de la Byron"],
             "<div class='meta'><span>By Ada Byron</span> WordPress No Comments</div>":
                 ["Ada Byron"],
             # sentences are not bylines
             "<p>By the end of the year the council will have spent it.</p>": [],
             "<p>By March the Council Will Have Spent It All Again This Year</p>": []}
    for body, expected in cases.items():
        html = page("<title>Council passes budget</title>",
                    "<h1>Council passes budget</h1>" + body)
        assert extract_article(html).authors == expected, body
    # a byline before any headline is not looked for
    html = page("<title>Council passes budget</title>", "<p>By Ada Byron</p>")
    assert extract_article(html).authors == []


def test_near_midnight_utc_date_takes_the_day_shown_under_the_headline():
    stated = ld({"@type": "NewsArticle", "headline": "Council passes budget",
                 "datePublished": "2021-03-05T04:30:00Z"})
    for shown in ("<time>March 4, 2021</time>",
                  "<p>Published: March 4, 2021</p>",
                  # the <time>'s own UTC datetime is the day after the one it shows
                  "<time datetime='2021-03-05T04:30:00Z'>March 4, 2021</time>"):
        html = page(stated, "<h1>Council passes budget</h1>" + shown)
        article = extract_article(html)
        assert article.date == "2021-03-04", shown
        assert article.provenance["date"].startswith("day under the headline"), shown
    # a day the page does not show, or one further off, leaves the stated day
    for shown in ("", "<time>March 1, 2021</time>"):
        html = page(stated, "<h1>Council passes budget</h1>" + shown)
        assert extract_article(html).date == "2021-03-05T04:30:00Z", shown


def test_an_organisation_as_json_ld_author_gives_way_to_a_person():
    author = {"@type": "Organization", "name": "Wire Service International"}
    html = page(ld({"@type": "NewsArticle", "headline": "Council passes budget",
                    "author": [author]}),
                "<h1>Council passes budget</h1><p>By Ada Byron</p>")
    assert extract_article(html).authors == ["Ada Byron"]
    # with no person named anywhere, the organisation is what the page gives
    html = page(ld({"@type": "NewsArticle", "headline": "Council passes budget",
                    "author": author}))
    article = extract_article(html)
    assert (article.authors, article.provenance["authors"]) == \
        (["Wire Service International"], "JSON-LD author")


def test_microformat_published_dates():
    for element, stated in (
            ("<abbr class='published' title='2021-03-04T23:30:00-05:00'>4 March</abbr>",
             "2021-03-04T23:30:00-05:00"),
            ("<time class='dt-published' datetime='2021-03-04'>4 March</time>", "2021-03-04")):
        html = page("<title>Council passes budget</title>",
                    f"<div class='hentry h-entry'><h1 class='entry-title'>Council passes budget"
                    f"</h1>{element}</div>")
        article = extract_article(html)
        assert (article.date, article.provenance["date"]) == \
            (stated, "microformat published"), element


def test_hatom_entry_title_before_the_title_element():
    html = page("<title>Harbour blog</title>",
                "<div class='hentry'><h2 class='entry-title'>Council passes budget</h2></div>")
    article = extract_article(html)
    assert (article.title, article.provenance["title"]) == \
        ("Council passes budget", "microformat entry-title")


def test_no_time_taken_from_a_page_without_a_headline():
    html = page("<title>Council passes budget</title>",
                "<ul><li><time datetime='2020-01-01'>Older story</time></li></ul>")
    assert extract_article(html).provenance.get("date") != "<time> under the headline"


def test_a_headline_cut_inside_a_word_gives_way_to_the_whole_one():
    whole = ("Flint flake tool partially covered by birch tar adds to evidence of the complex "
             "thinking of the harbour's early settlers")
    html = page(ld({"@type": "NewsArticle", "headline": whole[:110]})
                + f'<meta property="og:title" content="{whole}">')
    assert extract_article(html).title == whole
    # one ending on a whole word may be the headline, the other a longer sharing title
    html = page(ld({"@type": "NewsArticle", "headline": "Council passes budget"})
                + '<meta property="og:title" content="Council passes budget, at last">')
    assert extract_article(html).title == "Council passes budget"


def test_the_date_line_under_the_headline_in_the_page_language():
    html = page('<meta name="date" content="2021-03-09"><title>Le conseil vote le budget</title>',
                "<h1>Le conseil vote le budget</h1><p>Publié le 04/03/2021</p>", lang="fr")
    assert extract_article(html).date == "2021-03-04"
