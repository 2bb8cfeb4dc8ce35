"""Author and topic facets through the service, the JSON endpoint, the page and the CLI."""
import json

import pytest

from builders import jsonl_service
from searchsvc import create_app
from searchsvc.cli import main
from searchsvc.ingest.metadata import split_names
from searchsvc.service import SearchRequest

RECORDS = [
    {"id": "p1", "title": "Port strike", "body": "Dockers strike at the port.",
     "authors": "Ann Lee, Bo Chen", "topic": "labour"},
    {"id": "p2", "title": "Port reopens", "body": "The port reopened after the strike.",
     "authors": "Bo Chen", "topic": "labour,trade"},
    {"id": "p3", "title": "Grain prices", "body": "Grain prices rose at the port.",
     "authors": ["Cy Dunn"], "topic": "trade"},
    {"id": "p4", "title": "Port festival", "body": "A festival at the port drew crowds."},
]


@pytest.fixture
def index_dir(tmp_path, registry):
    jsonl_service(tmp_path, registry, RECORDS)
    return tmp_path / "ix"


@pytest.fixture
def facet_client(index_dir):
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()


def test_json_facets_and_filters(facet_client):
    data = facet_client.get("/api/search?q=port").get_json()
    assert data["facets"]["author"] == [
        {"value": "Bo Chen", "count": 2, "selected": False},
        {"value": "Ann Lee", "count": 1, "selected": False},
        {"value": "Cy Dunn", "count": 1, "selected": False}]
    assert [row["value"] for row in data["facets"]["topic"]] == ["labour", "trade"]
    chosen = facet_client.get("/api/search?q=port&author=Ann+Lee&author=Cy+Dunn").get_json()
    assert {hit["id"] for hit in chosen["hits"]} == {"p1", "p3"}
    assert chosen["filters"]["author"] == ["Ann Lee", "Cy Dunn"]
    assert [row["value"] for row in chosen["facets"]["author"] if row["selected"]] == [
        "Ann Lee", "Cy Dunn"]
    both = facet_client.get("/api/search?q=port&author=Bo+Chen&topic=trade").get_json()
    assert [hit["id"] for hit in both["hits"]] == ["p2"]
    unknown = facet_client.get("/api/search?topic=nothing").get_json()
    assert unknown["total"] == 0
    # Counted without its own filter, the facet lists the other topics to choose instead.
    assert unknown["facets"]["topic"] == [
        {"value": "labour", "count": 2, "selected": False},
        {"value": "trade", "count": 2, "selected": False},
        {"value": "nothing", "count": 0, "selected": True}]


def test_the_page_lists_author_and_topic_facets_with_removable_chips(facet_client):
    html = facet_client.get("/search?q=port&topic=trade").get_data(as_text=True)
    assert '<h2 id="facet-author">Author</h2>' in html and '<h2 id="facet-topic">Topic</h2>' in html
    assert 'href="/search?q=port&amp;topic=trade&amp;author=Bo+Chen"' in html
    assert ('<a class="chip" href="/search?q=port" title="Remove this filter">trade ') in html
    assert '<input type="hidden" name="topic" value="trade">' in html


def test_a_long_facet_list_shows_the_top_values_and_all_with_a_filter_box(tmp_path, registry):
    records = [{"id": f"r{n}", "title": f"Story {n}", "body": f"Port story {n}.",
                "authors": f"Writer Number{n:02d}"} for n in range(20)]
    jsonl_service(tmp_path, registry, records)
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "ix")}).test_client()
    html = client.get("/search?q=port").get_data(as_text=True)
    section = html.split('<h2 id="facet-author">')[1].split("</section>")[0]
    assert '<summary>Show all 20</summary>' in section
    assert '<input type="search" class="facet-filter" aria-label="Filter author values"' in section
    assert section.count('<li class="') == 20 + 12        # the top 12, then all in the list
    capped = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "ix"),
                         "FACET_VALUES": 16}).test_client().get("/search?q=port")
    assert "<summary>Show the top 16</summary>" in capped.get_data(as_text=True)


def test_cli_author_and_topic_options(index_dir, runner):
    result = runner.invoke(main, ["search", "port", "--index-dir", str(index_dir), "--json",
                                  "--author", "Bo Chen", "--topic", "labour"])
    assert result.exit_code == 0, result.output
    assert {hit["id"] for hit in json.loads(result.output)["hits"]} == {"p1", "p2"}
    text = runner.invoke(main, ["search", "port", "--index-dir", str(index_dir),
                                "--author", "Cy Dunn"]).output
    assert "author: Bo Chen (2), Ann Lee (1), *Cy Dunn (1)" in text
    assert "topic: trade (1)" in text


def test_the_python_api_takes_author_and_topic(index_dir):
    from searchsvc import open_index
    result = open_index(index_dir).search("port", author="Bo Chen", topic=["trade"])
    assert [hit["id"] for hit in result["hits"]] == ["p2"]


def test_the_facet_setting_limits_the_values_listed(index_dir):
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir),
                         "FACET_VALUES": 1}).test_client()
    data = client.get("/api/search?q=port&author=Cy+Dunn").get_json()
    assert [row["value"] for row in data["facets"]["author"]] == ["Bo Chen", "Cy Dunn"]


@pytest.mark.parametrize("byline, names", [
    ("Ann Lee, Bo Chen and Cy Dunn", ["Ann Lee", "Bo Chen", "Cy Dunn"]),
    ("Jim Meyers; John Bachman", ["Jim Meyers", "John Bachman"]),
    ("Ann Lee & Ann Lee", ["Ann Lee"]), ("N. R. Kleinfield", ["N. R. Kleinfield"]),
    ('"Cortney OBrien"', ["Cortney OBrien"]), ("“Ann Lee”, O’Neill", ["Ann Lee", "O’Neill"]),
    ("", []), (None, [])])
def test_a_byline_splits_into_names(byline, names):
    assert split_names(byline) == names
