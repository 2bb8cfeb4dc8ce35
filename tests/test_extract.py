"""extract_article and `searchsvc extract` on small hand-written pages."""
from __future__ import annotations

import json

import pytest

from searchsvc import extract_article
from searchsvc.cli import main
from searchsvc.ingest.bylines import clean_author, join_names, names_site
from searchsvc.ingest import extract as ingest
from searchsvc.ingest.extract import ExtractedArticle, NotText
from searchsvc.ingest.pagedates import url_date
from searchsvc.ingest.titles import strip_site
from searchsvc.outlets import OutletRegistry

STORY = ("<p>The harbour ferries stopped running on Monday after the storm damaged the pier, "
         "the council said, and will not run again before the spring repairs are done.</p>"
         "<p>Travellers were told to use the coast road, which adds an hour to the trip and "
         "has its own closures whenever the tide is high.</p>")


def page(head: str, body: str = STORY) -> bytes:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>{head}</head>"
            f"<body><article>{body}</article></body></html>").encode()


def test_fields_and_provenance():
    article = extract_article(page(
        """<title>Ferries stop for the winter | Harbour Times</title>
        <meta property="og:site_name" content="Harbour Times">
        <meta property="article:published_time" content="2021-03-04T09:00:00+01:00">
        <meta name="author" content="By Jo Reed, Staff Writer">
        <link rel="canonical" href="https://harbourtimes.example/2021/03/04/ferries">"""))
    assert isinstance(article, ExtractedArticle)
    assert article.title == "Ferries stop for the winter"
    assert article.outlet == "Harbour Times"
    assert article.date == "2021-03-04T09:00:00+01:00"
    assert article.authors == ["Jo Reed"]
    assert article.url == "https://harbourtimes.example/2021/03/04/ferries"
    assert article.language == "en"
    assert "coast road" in article.body
    assert article.provenance["date"] == "meta article:published_time"
    assert article.provenance["authors"] == "meta author"
    data = article.to_dict()
    assert json.loads(json.dumps(data))["authors"] == ["Jo Reed"]
    with pytest.raises(Exception):
        article.title = "changed"   # frozen


@pytest.mark.parametrize("stated, expected", [
    # the time and zone as stated, never moved to March 5 by converting to UTC
    ("2021-03-04T23:30:00-05:00", "2021-03-04T23:30:00-05:00"),
    ("2021-03-04 00:30:00 +0900", "2021-03-04T00:30:00+09:00"),
    ("2021-03-04T11:05Z", "2021-03-04T11:05Z"),
    ("2021-03-04T11:05:09.250", "2021-03-04T11:05:09.250"),   # no zone stated, none added
    ("2021-03-04", "2021-03-04"),
    ("2021-03", "2021-03"),                         # month precision kept
    ("March 4, 2021 11:05 PM EST", "2021-03-04"),   # a written time: the day only
    ("2021-03-04T25:61:00+01:00", "2021-03-04"),    # no such time: the day only
])
def test_date_as_the_page_writes_it(stated, expected):
    article = extract_article(page(f'<meta property="article:published_time" content="{stated}">'))
    assert article.date == expected


def test_meta_value_attribute_is_read():
    article = extract_article(page(
        """<meta name="title" value="Ferries stop for the winter">
        <meta name="pubdate" value="2021-03-04"><meta name="author" value="Jo Reed">"""))
    assert (article.title, article.date, article.authors) == \
        ("Ferries stop for the winter", "2021-03-04", ["Jo Reed"])


def test_url_gives_outlet_and_date_when_the_page_does_not():
    article = extract_article(page("<title>Ferries stop for the winter</title>"),
                              url="https://www.harbourtimes.example/news/2021/03/04/ferries")
    assert article.outlet == "harbourtimes.example"
    assert article.provenance["outlet"] == "url domain"
    assert article.date == "2021-03-04"
    assert article.provenance["date"] == "url"
    assert article.url == "https://www.harbourtimes.example/news/2021/03/04/ferries"


def test_url_domain_in_the_registry_names_the_outlet():
    article = extract_article(page("<title>Ferries stop</title>"),
                              url="https://edition.cnn.com/2021/03/04/world/ferries")
    assert article.outlet == "CNN"


def test_title_segment_the_registry_lists_for_the_domain_is_the_site(tmp_path):
    listing = tmp_path / "outlets.toml"
    listing.write_text('[[outlet]]\nname = "Harbour Times"\naliases = ["HT Online"]\n'
                       'domains = ["harbour.example"]\n', encoding="utf-8")
    registry = OutletRegistry.load(listing)
    data = page("<title>Ferries stop - HT Online</title>")
    assert ingest.extract_article(data, "https://news.harbour.example/a",
                                  registry=registry).title == "Ferries stop"
    # the alias names this outlet only on its own domain
    assert ingest.extract_article(data, "https://gull.example/a", registry=registry).title == \
        "Ferries stop - HT Online"
    assert registry.names_at("https://harbour.example/a") == ["Harbour Times", "harbour times",
                                                               "ht online"]


def test_stated_date_wins_over_the_url():
    article = extract_article(page('<meta itemprop="datePublished" content="2021-03-02">'),
                              url="https://example.org/2021/03/04/ferries")
    assert article.date == "2021-03-02"


def test_url_date_forms():
    assert url_date("https://a.example/2021/03/04/story") == "2021-03-04"
    assert url_date("https://a.example/news/20210304-story.html") == "2021-03-04"
    assert url_date("https://a.example/2021-13-04/story") is None
    assert url_date("https://a.example/story-2021") is None
    assert url_date(None) is None


@pytest.mark.parametrize("title, site, expected", [
    ("Ferries stop ｜ Harbour Times", "Harbour Times", "Ferries stop"),
    ("Harbour Times：Ferries stop", "Harbour Times", "Ferries stop"),
    ("Ferries stop_Harbour Times", "Harbour Times", "Ferries stop"),
    ("Ferries stop – Harbour Times", "Harbour Times", "Ferries stop"),
    ("Ferries stop · Harbour Times", "Harbour Times", "Ferries stop"),
    ("渡轮停运！-港口时报", "港口时报", "渡轮停运！"),
    ("Ferries stop: the winter", "Harbour Times", "Ferries stop: the winter"),
])
def test_title_separators_and_site_name(title, site, expected):
    assert strip_site(title, site) == expected


def test_site_name_from_the_domain_is_cut_from_the_title():
    article = extract_article(page("<title>Ferries stop for the winter - Harbour Times</title>"),
                              url="https://harbourtimes.example/ferries")
    assert article.title == "Ferries stop for the winter"


@pytest.mark.parametrize("byline, expected", [
    ("By Jo Reed, Staff Writer", "Jo Reed"),
    ("Jo Reed Senior Reporter", "Jo Reed"),
    ("Jo Reed Email Twitter", "Jo Reed"),
    ("Jo Reed RSS", "Jo Reed"),
    ("By JO REED March 11, 2015 3:46 PM", "JO REED"),
    ("by Jo Reed22 Dec 2016", "Jo Reed"),
    ("By Jo Reed Updated 9:41 AM", "Jo Reed"),
    ("Theresa May", "Theresa May"),
    ("By Ezra Klein", "Ezra Klein"),
    ("Stand: 12.03.2020, 10:00 Uhr", None),
    ("Jo Reed Aktualisiert am 12.03.2020", "Jo Reed"),
    ("Jo Reed, publié le 3 mars 2020", "Jo Reed"),
    ("Kurt Stand", "Kurt Stand"),
    ("Jo Reed, Redakteurin", "Jo Reed"),
    ("Jo Reed | Journaliste", "Jo Reed"),
    ("GILLIAN MOHNEY March", "GILLIAN MOHNEY"),
    ("JO MAY", "JO MAY"),
    ("Jo Reed March", "Jo Reed March"),
    ("April 28, 2019 at 6:01 am", None),
    ("RSS", None),
])
def test_author_cleaning(byline, expected):
    assert clean_author(byline) == expected


def test_author_lists_and_outlet_names():
    assert join_names(["Jo Reed, Sam Park and Ana Ruiz"]) == ["Jo Reed", "Sam Park", "Ana Ruiz"]
    assert join_names(["Brenda Goodman, MA"]) == ["Brenda Goodman, MA"]
    assert join_names(["Jo Reed Harbour Times Staff"], ["harbour times"]) == ["Jo Reed"]
    assert join_names(["Von Harbour-Times-Experte Jo Reed"], ["harbour times"]) == ["Jo Reed"]
    assert join_names(["Anne-Marie Slaughter"], ["anne"]) == ["Anne-Marie Slaughter"]


def test_placeholder_byline_is_not_a_person():
    # "Author" is a job title elsewhere; taken off first, "No Author" would leave "No"
    assert names_site("No Author", [])
    assert names_site("Agencies", []) and names_site("By Agenturen", [])
    assert not names_site("Ezra Klein", ["vox"])


def test_fuller_author_list_from_another_source_is_kept():
    article = extract_article(page(
        """<script type="application/ld+json">{"@type": "NewsArticle",
        "author": {"@type": "Person", "name": "Jo Reed"}}</script>
        <meta name="author" content="Jo Reed, Sam Park">"""))
    assert article.authors == ["Jo Reed", "Sam Park"]


def test_author_naming_only_the_outlet_is_not_a_person():
    article = extract_article(page(
        """<meta property="og:site_name" content="Harbour Times">
        <meta name="author" content="Harbour Times"><meta name="byl" content="By Jo Reed">"""))
    assert article.authors == ["Jo Reed"]


@pytest.mark.parametrize("data", [
    b"<html><body><div><p>Broken <b>markup</p></div>",
    ("<div>" * 5000 + "<p>Deep text of the article.</p>" + "</div>" * 5000).encode(),
    b"\xff\xd8\xff\xe0 not a page",
    "<html><head><meta charset='iso-8859-1'><title>Caf\xe9</title></head></html>"
    .encode("latin-1"),
])
def test_bad_input_gives_a_result(data):
    article = extract_article(data)
    assert isinstance(article, ExtractedArticle)


@pytest.mark.parametrize("data", [b"", b"   ", b"\x00\x01\x02binary"])
def test_bytes_that_are_not_text_raise_not_text(data):
    with pytest.raises(NotText):
        extract_article(data)


def test_cli_json_one_object_per_file_and_error_line(tmp_path):
    from click.testing import CliRunner

    first, second = tmp_path / "a.html", tmp_path / "b.html"
    first.write_bytes(page("<title>Ferries stop for the winter</title>"))
    second.write_bytes(page('<meta property="og:title" content="Pier repairs begin">'))
    result = CliRunner().invoke(main, ["extract", "--json", "--url",
                                       "https://harbourtimes.example/2021/03/04/x",
                                       str(first), str(tmp_path / "missing.html"), str(second)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line.get("title") for line in lines] == \
        ["Ferries stop for the winter", None, "Pier repairs begin"]
    assert "error" in lines[1] and lines[1]["path"].endswith("missing.html")
    assert lines[0]["date"] == "2021-03-04" and lines[0]["authors"] == []
    assert set(lines[0]) >= {"title", "outlet", "date", "authors", "url", "language", "body",
                             "provenance"}


def test_cli_summary_and_exit_status(tmp_path):
    from click.testing import CliRunner

    good = tmp_path / "a.html"
    good.write_bytes(page("<title>Ferries stop for the winter</title>"))
    result = CliRunner().invoke(main, ["extract", str(good)])
    assert result.exit_code == 0
    assert "title:    Ferries stop for the winter" in result.output
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = CliRunner().invoke(main, ["extract", str(empty), str(good)])
    assert result.exit_code == 1
    assert "empty.html: error: empty file" in result.output
    assert "Ferries stop for the winter" in result.output


def test_app_import_does_not_load_the_extractor():
    import subprocess
    import sys

    code = ("import sys, searchsvc; searchsvc.create_app; "
            "print('searchsvc.ingest.htmlpage' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_byline_inside_a_share_block_is_read():
    # the author box often sits in the block with the follow and share links
    article = extract_article(page("", '<div class="byline-share"><span itemprop="author">'
                                       "Jo Reed</span> <a href='#'>Share</a></div>" + STORY))
    assert article.authors == ["Jo Reed"]
    assert "Share" not in article.body
