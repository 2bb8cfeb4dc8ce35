"""Outlets named by domain from a dataset's labels; the label as given kept beside the name."""
import json

import pytest

from builders import jsonl_service
from searchsvc.ingest.corpus import CorpusReader
from searchsvc.ingest.outletnames import (OutletNamer, is_guest_label, looks_like_person,
                                          names_an_author)
from searchsvc.outlets import domain_of


def record(number, label, domain=None, authors="", url=None, body="Some text of the story."):
    return {"id": f"r{number}", "title": f"Story {number}", "body": f"{body} {number}",
            "outlet": label, "outlet_domain": domain, "authors": authors, "url": url}


# Two unregistered outlets sharing a syndicated columnist, a guest writer, a domain labelled
# mostly by its own name, a domain with only a person's label, and a registered domain.
RECORDS = [
    *(record(n, "Harbour Times", "www.harbour.example") for n in range(3)),
    record(3, "Harbour Times (Online)", "harbour.example"),
    record(4, "Guest Writer - Right", "www.harbour.example"),
    record(5, "Ann Pundit", "www.harbour.example", authors="Ann Pundit"),
    *(record(n, "Valley Post", "www.valley.example") for n in range(6, 9)),
    record(9, "Ann Pundit", "www.valley.example"),
    record(10, "Bob Smith", "corner-shop.example"),
    record(11, "labelled.example", "labelled.example"),
    record(12, "labelled.example", "www1.labelled.example"),
    record(13, "Labelled Daily", "m.labelled.example"),
    record(14, "Guest Writer", "www.rfa.org"),
    record(15, "Guest Writer"),
    record(16, "Unlisted Times"),
    record(17, "Carl Columnist Jones", authors="Carl Columnist Jones"),
    record(18, "Some Label", url="https://www.valley.example/2020/story"),
]


@pytest.fixture
def articles(tmp_path, registry):
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    return {a.id: a for a in CorpusReader(path, registry).read()}


def test_the_domain_decides_the_outlet_and_the_label_is_kept(articles):
    outlets = {key: a.outlet for key, a in articles.items()}
    assert {outlets[f"r{n}"] for n in range(6)} == {"Harbour Times"}
    assert {outlets[f"r{n}"] for n in range(6, 10)} == {"Valley Post"}
    assert articles["r4"].outlet_label == "Guest Writer - Right"
    assert articles["r5"].outlet_label == "Ann Pundit"
    assert outlets["r14"] == "Radio Free Asia"      # the registry names its domains
    assert outlets["r18"] == "Valley Post"          # no domain given: the URL's host


def test_a_person_alone_at_a_domain_gives_way_to_the_domain(articles):
    assert articles["r10"].outlet == "corner-shop.example"
    assert articles["r10"].outlet_label == "Bob Smith"


def test_a_real_name_beats_a_label_repeating_the_domain(articles):
    assert {articles[f"r{n}"].outlet for n in (11, 12, 13)} == {"Labelled Daily"}


def test_without_a_domain_a_guest_or_author_label_is_no_outlet(articles):
    assert articles["r15"].outlet is None and articles["r15"].outlet_label is None
    assert articles["r16"].outlet == "Unlisted Times"
    assert articles["r17"].outlet is None


def test_the_facet_has_no_more_values_than_domains(tmp_path, registry):
    service = jsonl_service(tmp_path, registry, RECORDS)
    facet = service.search(_request())["facets"]["outlet"]
    values = {row["value"] for row in facet}
    assert values == {"Harbour Times", "Valley Post", "corner-shop.example", "Labelled Daily",
                      "Radio Free Asia", "Unlisted Times", "unknown"}
    assert not values & {"Ann Pundit", "Guest Writer", "Guest Writer - Right", "Bob Smith"}


def test_outlet_query_finds_the_label_too(tmp_path, registry):
    service = jsonl_service(tmp_path, registry, RECORDS)
    result = service.search(_request('outlet:"Ann Pundit"'))
    assert {hit["id"] for hit in result["hits"]} == {"r5", "r9"}
    assert {hit["outlet"] for hit in result["hits"]} == {"Harbour Times", "Valley Post"}
    assert {hit["outlet_label"] for hit in result["hits"]} == {"Ann Pundit"}


def _request(q=""):
    from searchsvc.service import SearchRequest
    return SearchRequest(q=q, per_page=50)


@pytest.mark.parametrize("label, expected", [
    ("Guest Writer - Left", True), ("Contributors", True), ("Fox News Opinion", False),
    ("Writers' Bloc", True), ("Vox", False)])
def test_guest_labels(label, expected):
    assert is_guest_label(label) is expected


def test_a_label_names_an_author_by_whole_words():
    assert names_an_author("Rand Paul", "Sen. Rand Paul")
    assert names_an_author("Ann Pundit", "Joe Bloggs, Ann Pundit")
    assert not names_an_author("Ann", "Annabel Lee")
    assert not names_an_author("Reuters", "")


@pytest.mark.parametrize("label, domain, expected", [
    ("Peggy Noonan", "on.wsj.com", True), ("Henry A. Brechter", "sfchronicle.com", True),
    ("Mother Jones", "motherjones.com", False), ("The Atlantic", "msn.com", False),
    ("Daily Kos", "dailykos.com", False), ("Commonwealth Journal", "x.org", False),
    ("Vox", "vox.com", False), ("Harbour Times", "elsewhere.example", False)])
def test_personal_name_shape(label, domain, expected):
    assert looks_like_person(label, domain) is expected


def test_a_roving_label_is_a_persons_even_with_no_author_given(registry):
    namer = OutletNamer(registry)
    for _ in range(5):
        namer.observe("Harbour Times", "harbour.example")
        namer.observe("Valley Post", "valley.example")
    namer.observe("Zed", "harbour.example")
    namer.observe("Zed", "valley.example")
    namer.observe("Zed", "zed.example")      # where it is the only label: still roving
    assert ("zed.example", "Zed") in namer.person_labels()
    assert namer.names()["zed.example"] == "zed.example"


def test_a_label_behind_at_subdomains_of_one_site_does_not_rove(registry):
    namer = OutletNamer(registry)
    for _ in range(5):
        namer.observe("Big News (Online)", "bignews.example")
    namer.observe("BigNews", "bignews.example")
    namer.observe("BigNews", "politics.bignews.example")
    assert namer.names()["politics.bignews.example"] == "BigNews"


@pytest.mark.parametrize("given, expected", [
    ("www.foxnews.com", "foxnews.com"), ("www1.cbn.com", "cbn.com"),
    ("https://www.amp.washingtontimes.com:443/news", "washingtontimes.com"),
    ("m.bbc.co.uk", "bbc.co.uk"), ("www.com", "www.com"), ("http://[x", ""), ("", "")])
def test_domains_fold_www_and_similar_prefixes(given, expected):
    assert domain_of(given) == expected


def test_the_article_page_shows_the_label_beside_the_outlet(tmp_path, registry):
    from searchsvc import create_app
    jsonl_service(tmp_path, registry, RECORDS)
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "ix")}).test_client()
    html = client.get("/articles/r4").get_data(as_text=True)
    assert "<dt>Outlet</dt><dd>Harbour Times</dd>" in html
    assert '<dd class="outlet-label">Guest Writer - Right</dd>' in html
    assert client.get("/api/articles/r4").get_json()["outlet_label"] == "Guest Writer - Right"
    assert "outlet-label" not in client.get("/articles/r0").get_data(as_text=True)


def test_the_survey_counts_lines_only_the_json_module_reads(tmp_path, registry):
    # The survey parses with orjson and falls back to json: a lone surrogate, NaN and a
    # byte-order mark are refused by the first and read by the second.
    from searchsvc.ingest.corpus import DEFAULT_FIELD_MAP
    from searchsvc.ingest.outletnames import survey_jsonl
    lines = [json.dumps(record(n, "Harbour Times", "harbour.example")) for n in range(2)]
    lines.append(json.dumps(record(2, "Harbour Times", "harbour.example", body="\ud800")))
    lines.append(json.dumps(record(3, "Harbour Times", "harbour.example"))[:-1]
                 + ', "score": NaN}')
    lines.append(json.dumps(record(4, "Harbour \ud83d Times", "harbour.example")))
    lines.append("{not json")
    path = tmp_path / "set.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + b"\n")
    (tmp_path / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + json.dumps(
        record(5, "Harbour Times", "harbour.example")).encode())
    namer = survey_jsonl([path, tmp_path / "bom.jsonl"], registry, DEFAULT_FIELD_MAP)
    assert namer.labels["harbour.example"] == {"Harbour Times": 5, "Harbour \ud83d Times": 1}
