"""Title, date and byline rules found on the dev sets' misses (issue 15): small hand-written
pages, one rule each, read by the public extractor."""
from __future__ import annotations

from searchsvc import extract_article

TEXT = "".join(f"<p>Paragraph {n} of the story tells how the harbour council voted on the "
               f"budget, with figures from the town's finance office.</p>" for n in range(5))


def page(head: str = "", body: str = "", lang: str = "en") -> bytes:
    """Return a page with the given head and an article body of a few paragraphs."""
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>{head}</head>"
            f"<body>{body}<article>{TEXT}</article></body></html>").encode()


def ld_author(kind: str, name: str) -> str:
    """Return the JSON-LD of an article whose author is a ``kind`` (Person, Organization)."""
    return ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Council '
            f'passes budget", "author": {{"@type": "{kind}", "name": "{name}"}}}}</script>')


def person(name: str, props: str = "author") -> str:
    """Return a microdata Person item holding ``name`` under the properties ``props``."""
    return (f'<span itemprop="{props}" itemscope itemtype="https://schema.org/Person">'
            f'<span itemprop="name">{name}</span></span>')


def test_microdata_property_lists_are_read_token_by_token():
    # itemprop holds a space-separated list: "author creator" names an author too
    body = ("<h1>Council passes budget</h1><p>"
            + ", ".join(f"<span class='byline'>{person(name, 'author creator')}</span>"
                        for name in ("Ada Byron", "Bo Chen")) + "</p>")
    article = extract_article(page("<title>Council passes budget</title>", body))
    assert article.authors == ["Ada Byron", "Bo Chen"]


def test_rdfa_property_lists_are_read_token_by_token():
    body = ("<h1>Council passes budget</h1>"
            "<span property='schema:datePublished dcterms:issued' content='2021-03-04'>"
            "Thursday</span>")
    article = extract_article(page("<title>Council passes budget</title>", body))
    # stated, not guessed: htmldate would find the same day by its heuristics
    assert (article.date, article.provenance["date"]) == ("2021-03-04", "microdata datePublished")


def test_picture_credits_are_no_authors():
    # the writer in the byline; the photographers' credits in captions and image items
    caption = ("<figure><img src='a.jpg'><figcaption>The harbour at dawn. "
               "<span itemprop='author'>Cy Dunn</span></figcaption></figure>"
               "<div itemscope itemtype='https://schema.org/ImageObject'><img src='b.jpg'>"
               "<span itemprop='author'>Di Eve</span></div>")
    body = ("<h1>Council passes budget</h1><p>By " + person("Ada Byron") + "</p>" + caption)
    article = extract_article(page("<title>Council passes budget</title>", body))
    assert article.authors == ["Ada Byron"]


def test_byline_closing_the_text():
    # signed at the end, as many papers do; the site's JSON-LD names only itself
    head = ld_author("Organization", "HT")
    # a long text: the byline is far below the headline
    body = ("<h1>Council passes budget</h1><div>"
            + "".join(f"<p>Paragraph {n} of the story on the harbour budget.</p>" for n in range(45))
            + "<p><em>Von Ada Byron</em></p></div>")
    article = extract_article(page(head, body, lang="de"))
    assert (article.authors, article.provenance["authors"]) == \
        (["Ada Byron"], "byline closing the text")


def test_a_sentence_closing_the_text_is_no_byline():
    body = ("<h1>Council passes budget</h1><div>"
            + "".join(f"<p>Paragraph {n} of the story on the harbour budget.</p>" for n in range(4))
            + "<p>By the end of the year the harbour will reopen.</p></div>")
    assert extract_article(page("", body)).authors == []


def test_agency_named_in_the_dateline():
    body = ("<h1>Council passes budget</h1><p>HARBOUR TOWN (Wire/nord) – The council passed its "
            "budget on Thursday after a debate of four hours, the mayor said.</p>")
    article = extract_article(page("", body))
    assert (article.authors, article.provenance["authors"]) == \
        (["Wire/nord"], "agency in the dateline")
    # a person's byline comes first
    byline = "<p class='byline'>By Ada Byron</p>"
    assert extract_article(page("", body.replace("</h1>", "</h1>" + byline))).authors == \
        ["Ada Byron"]


def test_shown_byline_over_an_author_the_page_never_shows():
    # the CMS states the account that posted the story; the page shows the reporters
    head = ld_author("Person", "Cy Dunn")
    body = "<h1>Council passes budget</h1><p class='byline'>By Ada Byron and Bo Chen</p>"
    article = extract_article(page(head, body))
    assert (article.authors, article.provenance["authors"]) == \
        (["Ada Byron", "Bo Chen"], "trafilatura byline")
    # shown anywhere on the page, the stated author stays
    shown = body + "<footer>Produced by Cy Dunn for the web desk</footer>"
    assert extract_article(page(head, shown)).authors == ["Cy Dunn"]


def test_author_in_a_list_of_the_article_facts():
    # the JSON-LD names an account the page never shows; the facts list names the writer
    head = ld_author("Person", "Cy Dunn")
    body = ("<h1>Council passes budget</h1><dl><dt>Date</dt><dd>4 March 2021</dd>"
            "<dt>Auteur</dt><dd><a href='/staff/ada-byron/'>Ada Byron</a></dd></dl>")
    article = extract_article(page(head, body, lang="fr"))
    assert (article.authors, article.provenance["authors"]) == (["Ada Byron"], "marked byline")
    # with nothing else shown, the JSON-LD's author stays
    assert extract_article(page(head, "<h1>Council passes budget</h1>")).authors == ["Cy Dunn"]


def test_credit_line_beside_the_headline():
    # wire copy credited to its agency under the headline; a picture's credit is not one
    body = ("<header><h1>Council passes budget</h1><p class='credit'>HARBOURWIRE</p></header>"
            "<figure><img src='a.jpg'><p class='credit'>Cy Dunn</p></figure>")
    article = extract_article(page("", body))
    assert (article.authors, article.provenance["authors"]) == \
        (["HARBOURWIRE"], "credit beside the headline")
    photo = "<h1>Council passes budget</h1><div class='credit'><img src='a.jpg'>Cy Dunn</div>"
    assert extract_article(page("", photo)).authors == []


def test_headline_over_a_heading_only_the_sharing_card_agrees_with():
    # og:title and <title> state the headline; the <h1> repeats twitter:title's wording
    head = ("<meta property='og:title' content='Harbour council passes a leaner budget'>"
            "<meta name='twitter:title' content='Why the harbour budget shrank this year'>"
            "<title>Harbour council passes a leaner budget - Harbour News</title>")
    body = "<h1>Why the harbour budget shrank this year</h1>"
    article = extract_article(page(head, body), url="https://harbour.example/budget")
    assert (article.title, article.provenance["title"]) == (
        "Harbour council passes a leaner budget", "meta og:title")


def test_heading_the_title_element_agrees_with_over_a_stale_og_title():
    # og:title left as the site's tagline on every page; <title> and the <h1> state the story
    head = ("<meta property='og:title' content='All the news from the harbour, every day'>"
            "<title>Harbour council passes a leaner budget - Harbour News</title>")
    body = "<h1>Harbour council passes a leaner budget</h1>"
    article = extract_article(page(head, body), url="https://harbour.example/budget")
    assert article.title == "Harbour council passes a leaner budget"


def test_heading_agreeing_with_one_of_the_article_statements_wins():
    # JSON-LD and og:title differ; the <h1> agrees with og:title, so it is the headline
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
            '"Budget cuts: what the council decided and why"}</script>'
            "<meta property='og:title' content='Harbour council passes a leaner budget'>")
    body = "<h1>Harbour council passes a leaner budget</h1>"
    article = extract_article(page(head, body), url="https://harbour.example/budget")
    assert article.title == "Harbour council passes a leaner budget"
