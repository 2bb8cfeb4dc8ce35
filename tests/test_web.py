import re

from searchsvc.config import SETTINGS, PROJECT_ROOT


def test_home_page_has_form(client):
    html = client.get("/").get_data(as_text=True)
    assert '<form class="search" role="search"' in html
    assert '<label for="q"' in html


def test_search_page_renders_result(client):
    html = client.get("/search?q=Kyaw+Win").get_data(as_text=True)
    assert "<mark>Kyaw</mark>" in html
    assert 'href="/api/search?q=Kyaw+Win"' in html
    assert "Matches by year" in html
    assert re.search(r'href="/search\?q=Kyaw\+Win&amp;outlet=CNN"', html)


def test_selected_facet_is_removable_in_one_click(client):
    html = client.get("/search?q=asylum&outlet=CNN&year=2011").get_data(as_text=True)
    assert 'href="/search?q=asylum&amp;year=2011" title="Remove this filter"' in html
    assert 'href="/search?q=asylum&amp;outlet=CNN" title="Remove this filter"' in html


def test_bad_parameter_shows_message_not_500(client):
    response = client.get("/search?q=asylum&page=0")
    assert response.status_code == 200
    assert "page must be" in response.get_data(as_text=True)


def test_query_read_differently_is_noted(client):
    html = client.get('/search?q=%22Kyaw+Win').get_data(as_text=True)
    assert "unbalanced quote" in html


def test_empty_state_and_suggestion(client):
    html = client.get("/search?q=diplomta").get_data(as_text=True)
    assert "No articles found" in html
    assert "Did you mean" in html and ">diplomat</a>" in html


def test_article_page(client):
    response = client.get("/articles/000_63fb707cc87ede63?q=defect")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Radio Free Asia" in html and "13 July 2011" in html
    assert "<mark>defected</mark>" in html
    assert "Other coverage" in html


def test_article_page_escapes_and_404(client):
    response = client.get("/articles/%3Cscript%3E")
    assert response.status_code == 404
    assert "<script>" not in response.get_data(as_text=True)


def test_every_setting_is_documented():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert setting.env_var in readme, f"{setting.env_var} missing from README"


def test_long_facet_lists_fold_the_rest(tmp_path, registry):
    from searchsvc import create_app
    from searchsvc.indexer import build_index
    corpus = tmp_path / "c"
    corpus.mkdir()
    lines = [f'{{"id": "a{n}", "title": "T{n}", "body": "Storm news {n}.", "outlet": "Outlet {n:02d}"}}'
             for n in range(20)]
    (corpus / "set.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build_index(corpus, tmp_path / "ix", registry=registry)
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "ix")}).test_client()
    html = client.get("/search?q=storm").get_data(as_text=True)
    assert "<summary>8 more</summary>" in html
    assert html.count('<span class="value">Outlet') == 20
