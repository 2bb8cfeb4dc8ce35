"""Research views: OpenSearch description, export of every hit, the Atom feed."""
import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from searchsvc import create_app
from searchsvc.cli import main
from searchsvc.service import SearchRequest
from searchsvc.service.export import (COLUMNS, GenerationChanged, HitStream,
                                      spreadsheet_safe)
from builders import jsonl_service

feedparser = pytest.importorskip("feedparser")
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
ATOM = "{http://www.w3.org/2005/Atom}"


def ids_of(client, url):
    return [hit["id"] for hit in client.get(url).get_json()["hits"]]


# ---- OpenSearch

def test_opensearch_description_names_templates_for_page_feed_and_json(client):
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    assert root.tag == OPENSEARCH + "OpenSearchDescription"
    assert len(root.find(OPENSEARCH + "ShortName").text) <= 16
    templates = {url.get("type"): url.get("template") for url in root.iter(OPENSEARCH + "Url")}
    assert set(templates) == {"text/html", "application/atom+xml", "application/json",
                              "application/opensearchdescription+xml"}
    for mime in ("text/html", "application/atom+xml", "application/json"):
        assert "{searchTerms}" in templates[mime]
        # The template, filled in, is a working search of that type.
        url = templates[mime].replace("http://localhost", "").replace(
            "{searchTerms}", "asylum").replace("&page={startPage?}", "&page=1")
        filled = client.get(url)
        assert filled.status_code == 200 and filled.mimetype == mime


@pytest.mark.parametrize("url", ["/", "/search?q=asylum", "/articles/000_63fb707cc87ede63",
                                 "/articles/nope", "/search?page=0"])
def test_every_page_links_the_opensearch_description(client, url):
    page = client.get(url).get_data(as_text=True)
    assert ('<link rel="search" type="application/opensearchdescription+xml" '
            'title="searchsvc" href="/opensearch.xml">') in page


# ---- export

def read_csv(response):
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_export_csv_has_every_hit_in_the_search_order(client):
    response = client.get("/api/export?q=diplomat+OR+asylum&format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header = response.get_data(as_text=True).splitlines()[0]
    assert header.split(",") == list(COLUMNS)
    rows = read_csv(response)
    search = client.get("/api/search?q=diplomat+OR+asylum&per_page=100").get_json()
    assert [row["id"] for row in rows] == [hit["id"] for hit in search["hits"]]
    assert int(response.headers["X-Total-Count"]) == search["total"] == len(rows)
    first = search["hits"][0]
    assert rows[0]["title"] == first["title"] and rows[0]["outlet"] == first["outlet"]
    assert float(rows[0]["score"]) == first["score"]
    assert rows[0]["topic"] == ""        # not in the index yet: the column is there, empty


@pytest.mark.parametrize("params", ["outlet=CNN", "year=2011&sort=oldest", "sort=newest",
                                    "q=asylum&date_from=2011-07-05", "q=defect*"])
def test_export_applies_the_filters_and_sort_of_the_search(client, params):
    rows = read_csv(client.get(f"/api/export?{params}"))
    assert [row["id"] for row in rows] == ids_of(client, f"/api/search?{params}&per_page=100")


def test_export_json_lines_with_body(client):
    response = client.get("/api/export?q=asylum&format=jsonl&fields=body")
    assert response.mimetype == "application/x-ndjson"
    rows = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert [row["id"] for row in rows] == ids_of(client, "/api/search?q=asylum")
    assert list(rows[0]) == list(COLUMNS) + ["body"]
    assert all(len(row["body"]) > 200 for row in rows)
    assert "body" not in json.loads(client.get("/api/export?format=jsonl").get_data(
        as_text=True).splitlines()[0])


def test_export_reads_the_backend_a_chunk_at_a_time(seeds_service):
    request = SearchRequest(q="diplomat OR asylum OR myanmar")
    whole = [found.fields["id"] for found in HitStream(seeds_service, request)]
    assert len(whole) == 5
    for chunk in (1, 2, 3):
        assert [found.fields["id"] for found in HitStream(seeds_service, request, chunk)] == whole
    assert len(list(HitStream(seeds_service, request, 2, limit=3))) == 3


def test_export_stops_when_the_index_switches_generation(tmp_path, registry):
    records = [{"id": f"a{n}", "title": f"Report {n}", "outlet": "CNN",
                "body": f"harvest report number {n} of the season"} for n in range(4)]
    service = jsonl_service(tmp_path, registry, records)
    stream = iter(HitStream(service, SearchRequest(q="harvest"), chunk=2))
    assert next(stream) and next(stream)
    service.backend.update_articles(delete_ids=["a3"])
    with pytest.raises(GenerationChanged):
        list(stream)


@pytest.mark.parametrize("url, parameter", [
    ("/api/export?format=xml", "format"),
    ("/api/export?fields=title", "fields"),
    ("/api/export?sort=sideways", "sort"),
    ("/api/export?year=abc", "year"),
    ("/api/export?date_to=2011-13-40", "date_to"),
])
def test_export_bad_parameters_are_400_in_the_error_shape(client, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    assert response.get_json()["error"] == {
        "status": 400, "parameter": parameter, "message": response.get_json()["error"]["message"]}


def test_export_without_an_index_is_a_503(tmp_path):
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")}).test_client()
    response = client.get("/api/export?q=x")
    assert response.status_code == 503 and response.get_json()["error"]["status"] == 503


def test_results_page_links_the_export_and_feed_of_its_search(client):
    page = client.get("/search?q=asylum&outlet=CNN&page=1&sort=oldest").get_data(as_text=True)
    assert 'href="/api/export?q=asylum&amp;outlet=CNN&amp;sort=oldest&amp;format=csv"' in page
    assert 'href="/api/export?q=asylum&amp;outlet=CNN&amp;sort=oldest&amp;format=jsonl"' in page
    assert ('<link rel="alternate" type="application/atom+xml" title="Newest articles for '
            'asylum" href="/feed.atom?q=asylum&amp;outlet=CNN">') in page


def test_cli_export_to_stdout_and_to_a_file(runner, seeds_index, tmp_path):
    result = runner.invoke(main, ["export", "asylum", "--index-dir", str(seeds_index),
                                  "--outlet", "CNN"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [row["outlet"] for row in rows] == ["CNN"]
    target = tmp_path / "out.jsonl"
    result = runner.invoke(main, ["export", "", "--index-dir", str(seeds_index), "--format",
                                  "jsonl", "--body", "--sort", "newest", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "wrote 5 hits" in result.output
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 5 and all(row["body"] for row in rows)
    assert rows[0]["date"] == "2022-03-25"


def test_cli_export_rejects_a_bad_date(runner, seeds_index):
    result = runner.invoke(main, ["export", "x", "--index-dir", str(seeds_index),
                                  "--from", "yesterday"])
    assert result.exit_code == 2 and "Invalid value for --from" in result.output


# ---- Atom feed

def test_feed_is_valid_atom_newest_first(client):
    response = client.get("/feed.atom?q=diplomat+OR+asylum&sort=relevance")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "searchsvc: diplomat OR asylum"
    assert feed.feed.id == "http://localhost/feed.atom?q=diplomat+OR+asylum"
    newest = ids_of(client, "/api/search?q=diplomat+OR+asylum&sort=newest")
    assert [entry.link.rsplit("/", 1)[1] for entry in feed.entries] == newest
    dates = [entry.updated_parsed for entry in feed.entries]
    assert dates == sorted(dates, reverse=True)
    for entry in feed.entries:
        assert entry.id and entry.title and entry.summary
    # RFC 4287 requires an author for every entry: the feed's stands for those without one.
    root = ET.fromstring(response.data)
    assert root.find(f"{ATOM}author/{ATOM}name").text == "searchsvc"


def test_feed_keeps_filters_and_survives_control_characters(client):
    feed = feedparser.parse(client.get("/feed.atom?q=asylum%0B%01&outlet=CNN").data)
    assert not feed.bozo
    assert [entry.tags[0].term for entry in feed.entries] == ["CNN"]


def test_feed_bad_parameter_is_a_400_page(client):
    response = client.get("/feed.atom?year=abc")
    assert response.status_code == 400 and "year" in response.get_data(as_text=True)


def test_an_http_export_is_cut_short_by_a_generation_switch(tmp_path, registry, caplog):
    records = [{"id": f"a{n:03}", "title": f"Report {n}", "outlet": "CNN",
                "body": f"harvest report number {n}"} for n in range(501)]   # two chunks
    service = jsonl_service(tmp_path, registry, records)
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "ix")}).test_client()
    response = client.get("/api/export?q=harvest&format=jsonl", buffered=False)
    rows = iter(response.response)
    for _ in range(500):              # the first chunk, read when the response began
        next(rows)
    service.backend.update_articles(delete_ids=["a000"])
    with pytest.raises(GenerationChanged):
        next(rows)
    assert "export cut short by a generation switch" in caplog.text


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_export_csv_cells_cannot_be_read_as_formulas(tmp_path, registry, start):
    # A spreadsheet runs a cell starting with = + - @ as a formula (CSV injection): the
    # cell gets a leading apostrophe; JSON lines are unchanged.
    title = f"{start}HYPERLINK(\"http://example.org\",\"click\") rates"
    jsonl_service(tmp_path, registry, [
        {"id": "x1", "title": title, "body": "Rates rose again.", "author": "-Ann Lee",
         "outlet": "Reuters", "date": "2020-01-02"},
        {"id": "x2", "title": "Plain rates", "body": "Rates fell.", "outlet": "Reuters",
         "date": "2020-01-01"}])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "ix")}).test_client()
    text = client.get("/api/export?q=rates&format=csv&sort=newest").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["title"] == "'" + title and rows[0]["authors"] == "'-Ann Lee"
    assert rows[1]["title"] == "Plain rates" and rows[1]["date"] == "2020-01-01"
    lines = client.get("/api/export?q=rates&format=jsonl&sort=newest").get_data(as_text=True)
    assert json.loads(lines.splitlines()[0])["title"] == title


def test_spreadsheet_safe_guards_text_only():
    # (titles and names lose leading tabs and line ends when read; a field may not)
    for value in ("\t=1+1", "\r=1+1", "=1+1", "@SUM(A1)", "-2", "+2"):
        assert spreadsheet_safe(value) == "'" + value
    assert spreadsheet_safe("Rates rose") == "Rates rose"
    assert spreadsheet_safe(-1.5) == -1.5 and spreadsheet_safe("") == ""
