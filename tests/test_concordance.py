"""Concordance: the query's matches in context, through the service, the API, the page, the CLI."""
import pytest

from searchsvc.cli import main
from searchsvc.service import SearchRequest
from searchsvc.service.concordance import concordance, context_line


def squashed(text):
    return " ".join(text.split())


def test_lines_are_the_text_around_each_match_in_hit_order(client, seeds_service):
    data = client.get("/api/concordance?q=diplomat&per_page=100&width=30").get_json()
    assert data["lines"] and not data["more"]
    hits = client.get("/api/search?q=diplomat&per_page=100").get_json()["hits"]
    order = [hit["id"] for hit in hits]
    ranks = [order.index(line["id"]) for line in data["lines"]]
    assert ranks == sorted(ranks)
    for line in data["lines"]:
        assert line["match"].lower().startswith("diplomat")
        assert len(line["left"]) <= 30 and len(line["right"]) <= 30
        body = squashed(seeds_service.backend.article(line["id"])["body"])
        assert line["left"] + line["match"] + line["right"] in body
    assert data["hits_read"] == data["total_hits"] == len(hits)


def test_a_phrase_is_one_match(client):
    data = client.get('/api/concordance?q="Kyaw+Win"').get_json()
    assert data["lines"] and {line["match"] for line in data["lines"]} == {"Kyaw Win"}


def test_pages_of_lines_join_up_and_reading_stops_at_the_page(client):
    whole = client.get("/api/concordance?q=defect*&per_page=8").get_json()
    first = client.get("/api/concordance?q=defect*&per_page=4").get_json()
    second = client.get("/api/concordance?q=defect*&per_page=4&page=2").get_json()
    assert first["lines"] + second["lines"] == whole["lines"]
    assert first["more"] and first["hits_read"] <= second["hits_read"]
    one = client.get("/api/concordance?q=defect*&per_page=1").get_json()
    assert one["hits_read"] == 1 and one["more"]
    beyond = client.get("/api/concordance?q=defect*&per_page=100&page=50").get_json()
    assert beyond["lines"] == [] and not beyond["more"]


def test_filters_apply(client):
    data = client.get("/api/concordance?q=diplomat&outlet=CNN").get_json()
    assert {line["outlet"] for line in data["lines"]} == {"CNN"}


def test_context_is_cut_at_words_and_whitespace_squashed():
    text = "alpha  beta\n\ngamma delta KEY epsilon zeta\teta theta"
    left, match, right = context_line(text, text.index("KEY"), text.index("KEY") + 3, 12)
    assert (left, match, right) == ("gamma delta ", "KEY", " epsilon")


def test_width_is_bounded(seeds_service):
    with pytest.raises(ValueError):
        concordance(seeds_service, SearchRequest(q="x"), width=5)


@pytest.mark.parametrize("url, parameter", [
    ("/api/concordance?q=x&width=5", "width"), ("/api/concordance?q=x&width=abc", "width"),
    ("/api/concordance?q=x&width=%D9%A3%D9%A3", "width"), ("/api/concordance?q=x&width=201", "width"),
    ("/api/concordance?q=x&page=0", "page"), ("/api/concordance?q=x&per_page=101", "per_page"),
    ("/api/concordance?q=x&year=abc", "year"),
])
def test_bad_parameters_are_400(client, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_page_view_aligns_lines_and_links_pages(client):
    response = client.get("/concordance?q=defect*&per_page=2")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('<td class="match"><mark>') == 2
    assert 'rel="next" href="/concordance?q=defect%2A&amp;per_page=2&amp;page=2"' in page
    assert 'href="/api/concordance?q=defect%2A&amp;per_page=2&amp;page=1"' in page
    assert client.get("/concordance?q=x&width=1").status_code == 400


def test_results_page_links_its_concordance(client):
    page = client.get("/search?q=asylum&outlet=CNN").get_data(as_text=True)
    assert 'href="/concordance?q=asylum&amp;outlet=CNN">In context</a>' in page


def test_cli_kwic(runner, seeds_index):
    result = runner.invoke(main, ["kwic", "asylum", "--index-dir", str(seeds_index),
                                  "--width", "20", "--per-page", "3"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.endswith("]")]
    assert len(lines) == 3 and all("asylum" in line.lower() for line in lines)
    assert "3 lines from" in result.output and "more: --page 2" in result.output
