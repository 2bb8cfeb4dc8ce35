"""The public Python API renders the same search result as the JSON endpoint."""
import pytest

import searchsvc
from searchsvc import create_app
from searchsvc.service import SearchError

from conftest import CORPUS


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("api-index")
    report = searchsvc.build_index(CORPUS, index_dir)
    assert report.indexed == 5
    return index_dir


def _without_timing(result):
    return {key: value for key, value in result.items() if key != "took_ms"}


@pytest.mark.parametrize("q, options, query_string", [
    ("asylum", {}, {}),
    ("diplomat", {"year": 2011, "sort": "newest"}, {"year": "2011", "sort": "newest"}),
    ("", {"outlet": ["CNN", "RFA"], "per_page": 2}, {"outlet": ["CNN", "RFA"], "per_page": 2}),
])
def test_search_is_the_json_result(built, q, options, query_string):
    archive = searchsvc.open_index(built)
    client = create_app({"TESTING": True, "INDEX_DIR": str(built)}).test_client()
    expected = client.get("/api/search", query_string={"q": q, **query_string}).get_json()
    assert _without_timing(archive.search(q, **options)) == _without_timing(expected)


def test_article_and_errors(built):
    archive = searchsvc.open_index(built)
    first = archive.search("asylum")["hits"][0]
    assert archive.article(first["id"])["title"] == first["title"]
    assert archive.article("no-such-id") is None
    with pytest.raises(SearchError, match="per_page"):
        archive.search("asylum", per_page=0)
