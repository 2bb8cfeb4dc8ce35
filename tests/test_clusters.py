"""Story clusters through the Whoosh build, updates, the service, the JSON API, the page and
the command line, on a real index of a wire story carried by three outlets."""
import json

import numpy as np
import pytest

from searchsvc import create_app
from searchsvc.backends.whoosh.backend import WhooshBackend
from searchsvc.backends.whoosh.indexer import build_index, update_articles
from searchsvc.cli import main
from searchsvc.ingest.corpus import Article
from searchsvc.service import SearchRequest
from builders import whoosh_service
from storycorpus import STORY_RECORDS, wire_copy


def _write(folder, name, records):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


@pytest.fixture(scope="module")
def story_index(tmp_path_factory, registry):
    """The story corpus built with the parallel build (signatures made in the workers)."""
    work = tmp_path_factory.mktemp("stories")
    _write(work / "corpus", "docs.jsonl", STORY_RECORDS)
    report = build_index(work / "corpus", work / "index", registry=registry)
    assert report.clusters["clusters"] == 1 and report.clusters["clustered_articles"] == 3
    return work / "index"


@pytest.fixture(scope="module")
def story_service(story_index, registry):
    return whoosh_service(story_index, registry)


def _ids(result):
    return [hit["id"] for hit in result["hits"]]


def _story(result):
    """The one hit of the wire story (its ids start with w)."""
    (story,) = [hit for hit in result["hits"] if hit["id"].startswith("w")]
    return story


def test_copies_are_one_hit_naming_the_others(story_service):
    # (fewer than 10 articles have both words: the headline-only h1, with "rates", follows)
    result = story_service.search(SearchRequest(q="interest rate"))
    assert result["collapsed"] and result["total"] == 3 and result["articles"] == 5
    assert result["counts"] == ("5 articles in 3 stories (copies of one story are one hit); "
                                "facet counts are articles")
    assert set(_ids(result)) - {"w1", "w2", "w3"} == {"u2", "h1"}
    story = next(hit for hit in result["hits"] if hit["id"].startswith("w"))
    assert story["copy_count"] == 2 and len(story["copies"]) == 2
    assert {copy["id"] for copy in story["copies"]} | {story["id"]} == {"w1", "w2", "w3"}
    assert set(story["copies"][0]) == {"id", "title", "outlet", "date", "url"}
    # copies oldest first
    assert [copy["date"] for copy in story["copies"]] == sorted(
        copy["date"] for copy in story["copies"])
    # facets count articles, every copy
    outlets = dict((row["value"], row["count"]) for row in result["facets"]["outlet"])
    assert outlets == {"BBC News": 2, "CNN": 1, "Reuters": 1, "Fox News": 1}
    assert result["pages"] == 1


def test_collapse_false_lists_every_copy(story_service):
    result = story_service.search(SearchRequest(q="interest rate", collapse=False))
    assert not result["collapsed"] and result["total"] == result["articles"] == 5
    assert set(_ids(result)) == {"w1", "w2", "w3", "u2", "h1"}
    assert all(hit["copies"] == [] and hit["copy_count"] == 0 for hit in result["hits"])


@pytest.mark.parametrize("sort, shown", [("newest", "w3"), ("oldest", "w1")])
def test_the_story_is_shown_by_its_copy_first_in_the_sort(story_service, sort, shown):
    result = story_service.search(SearchRequest(q="central bank", sort=sort))
    story = [hit for hit in result["hits"] if hit["id"].startswith("w")]
    assert [hit["id"] for hit in story] == [shown]
    dates = [hit["date"] for hit in result["hits"]]
    assert dates == sorted(dates, reverse=sort == "newest")


def test_a_filter_leaves_the_copies_it_excludes_out(story_service):
    result = story_service.search(SearchRequest(q="central bank", outlets=("CNN", "Reuters")))
    assert _ids(result) == ["w1"] or _ids(result) == ["w2"]
    assert result["articles"] == 2 and result["total"] == 1
    assert result["hits"][0]["copy_count"] == 1


def test_headline_only_records_never_join_a_story(story_service):
    result = story_service.search(SearchRequest(q="raises rates", collapse=True))
    ids = _ids(result)
    assert "h1" in ids and all(hit["copies"] == [] for hit in result["hits"] if hit["id"] == "h1")


def test_an_update_adds_new_copies_to_the_existing_story(tmp_path, registry):
    corpus = tmp_path / "corpus"
    _write(corpus, "docs.jsonl", STORY_RECORDS)
    build_index(corpus, tmp_path / "index", registry=registry, processes=0)
    _write(corpus, "later.jsonl", [{
        "id": "w4", "title": "Rates rise", "outlet": "Fox News", "date": "2022-05-08",
        "body": wire_copy({"governor": "bank's governor"})}])
    report = build_index(corpus, tmp_path / "index", registry=registry, update=True)
    assert report.mode == "update" and report.clusters["clustered_articles"] == 4
    service = whoosh_service(tmp_path / "index", registry)
    story = _story(service.search(SearchRequest(q="central bank", sort="oldest")))
    assert story["id"] == "w1"
    assert [copy["id"] for copy in story["copies"]] == ["w2", "w3", "w4"]
    # an update by id too; and deleting the leader leaves the others one story
    update_articles(tmp_path / "index", [Article(
        id="w5", title="Rate rise", body=wire_copy({"Shares": "Stocks"}), source="api",
        source_file="api", outlet="Al Jazeera")], delete_ids=["w1"])
    result = service.search(SearchRequest(q="central bank", sort="oldest"))
    # w2 leads now; w3 is no copy of w2 (two outlets' edits apart: estimated J < 0.7), and
    # does not join it through w1, which is gone
    (story,) = [hit for hit in result["hits"] if hit["id"] == "w2"]
    assert {copy["id"] for copy in story["copies"]} == {"w4", "w5"}
    assert "w1" not in _ids(result)


def test_an_index_without_a_clusters_file_shows_every_article(tmp_path, registry):
    corpus = tmp_path / "corpus"
    _write(corpus, "docs.jsonl", STORY_RECORDS)
    build_index(corpus, tmp_path / "index", registry=registry, processes=0)
    for path in (tmp_path / "index").glob("gen-*/clusters.npy"):
        path.unlink()
    result = whoosh_service(tmp_path / "index", registry).search(
        SearchRequest(q="interest rate"))
    assert result["total"] == result["articles"] == 5


@pytest.mark.parametrize("leaders", [[-1, 0, 0, 0, 0, 0, 0, 0], [99] * 8, [0.5] * 8],
                         ids=["negative", "past-the-end", "not-docnums"])
def test_a_clusters_file_naming_no_article_shows_every_article(tmp_path, registry, leaders):
    corpus = tmp_path / "corpus"
    _write(corpus, "docs.jsonl", STORY_RECORDS)
    build_index(corpus, tmp_path / "index", registry=registry, processes=0)
    service = whoosh_service(tmp_path / "index", registry)
    count = service.backend.handle.searcher()[0].doc_count_all()
    for path in (tmp_path / "index").glob("gen-*/clusters.npy"):
        np.save(path, np.resize(np.array(leaders), count))
    result = whoosh_service(tmp_path / "index", registry).search(
        SearchRequest(q="interest rate"))
    assert result["total"] == result["articles"] == 5


def test_the_api_carries_copies_and_reads_collapse(story_index):
    client = create_app({"TESTING": True, "INDEX_DIR": str(story_index)}).test_client()
    collapsed = client.get("/api/search?q=interest+rate").get_json()
    assert collapsed["total"] == 3 and collapsed["articles"] == 5
    assert sum(len(hit["copies"]) for hit in collapsed["hits"]) == 2
    every = client.get("/api/search?q=interest+rate&collapse=false").get_json()
    assert every["total"] == 5 and not every["collapsed"]
    bad = client.get("/api/search?q=interest+rate&collapse=maybe")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["parameter"] == "collapse"
    # blank is not given (the default); the OpenAPI document states exactly what is read
    import re
    from urllib.parse import quote
    from searchsvc.web.openapi import BOOLEAN_TEXT
    accepted = re.compile(BOOLEAN_TEXT["pattern"])
    for value in ("", " \n ", "TRUE", " off ", "1", "0", "Yes", "maybe", "truee", "2", "o n"):
        response = client.get(f"/api/search?q=interest+rate&collapse={quote(value)}")
        assert response.status_code == (200 if accepted.match(value) else 400), value
        if value.strip() in ("", "TRUE", "1", "Yes"):
            assert response.get_json()["collapsed"], value
    # an export lists every copy
    lines = client.get("/api/export?q=interest+rate&format=jsonl").get_data(as_text=True)
    assert len(lines.splitlines()) == 5


def test_the_page_names_the_other_outlets_with_links_and_toggles(story_index):
    client = create_app({"TESTING": True, "INDEX_DIR": str(story_index)}).test_client()
    page = client.get("/search?q=central+bank+rate&sort=oldest").get_data(as_text=True)
    assert "Also in 2 outlets" in page
    assert 'href="/articles/w2?' in page and 'href="/articles/w3?' in page
    assert "3 articles in 1 story" in page or "articles in" in page
    assert "facet counts are articles" in page
    assert 'class="collapse" href="/search?q=central+bank+rate&amp;sort=oldest&amp;collapse=false"' in page
    every = client.get("/search?q=central+bank+rate&sort=oldest&collapse=false").get_data(
        as_text=True)
    assert "Also in" not in every and "Group copies into stories" in every
    # the form keeps showing every copy for a new query
    assert '<input type="hidden" name="collapse" value="false">' in every


def test_the_command_line_collapses_unless_told_not_to(story_index, runner):
    collapsed = runner.invoke(main, ["search", "interest rate", "--index-dir",
                                     str(story_index)])
    assert collapsed.exit_code == 0, collapsed.output
    assert "3 stories (5 articles; facet counts are articles) for 'interest rate'" in \
        collapsed.output and "also in:" in collapsed.output
    every = runner.invoke(main, ["search", "interest rate", "--no-collapse", "--index-dir",
                                 str(story_index)])
    assert every.exit_code == 0 and "5 articles for 'interest rate'" in every.output
    assert "also in:" not in every.output
