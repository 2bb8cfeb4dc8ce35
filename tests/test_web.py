import re
from urllib.parse import parse_qs, urlsplit

import pytest

from searchsvc.config import SETTINGS, PROJECT_ROOT


def test_home_page_has_form(client):
    html = client.get("/").get_data(as_text=True)
    assert '<form class="search" role="search"' in html
    assert '<label for="q"' in html


def test_search_page_renders_result(client):
    html = client.get("/search?q=Kyaw+Win").get_data(as_text=True)
    assert "<mark>Kyaw</mark>" in html
    assert 'href="/api/search?q=Kyaw+Win"' in html
    assert "Matches by month" in html          # its articles all fall within 2011
    assert re.search(r'href="/search\?q=Kyaw\+Win&amp;outlet=CNN"', html)


def test_selected_facet_is_removable_in_one_click(client):
    html = client.get("/search?q=asylum&outlet=CNN&year=2011").get_data(as_text=True)
    assert 'href="/search?q=asylum&amp;year=2011" title="Remove this filter"' in html
    assert 'href="/search?q=asylum&amp;outlet=CNN" title="Remove this filter"' in html


def test_bad_parameter_is_a_400_page_with_the_valid_rest_applied(client):
    response = client.get("/search?q=asylum&page=0&sort=oldest&per_page=2&outlet=CNN")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "page must be" in html
    assert '<option value="oldest" selected>' in html          # sort kept, page dropped
    assert 'href="/api/search?q=asylum&amp;sort=oldest&amp;per_page=2&amp;outlet=CNN"' in html
    assert "page=0" not in html


@pytest.mark.parametrize("url", ["/search?year=%C2%B2%C2%B2%C2%B2%C2%B2", "/?per_page=abc",
                                 "/search?date_to=2011-13-01", "/search?sort="])
def test_no_bad_parameter_yields_a_500(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)


def test_form_and_clear_keep_how_results_are_shown(client):
    html = client.get("/search?q=asylum&outlet=CNN&per_page=2&date_from=2011"
                      "&sort=newest").get_data(as_text=True)
    assert '<input type="hidden" name="per_page" value="2">' in html
    assert '<input id="from" name="from" type="date" value="2011-01-01"' in html
    assert '<input type="hidden" name="outlet" value="CNN">' in html
    assert '<a href="/search?q=asylum&amp;per_page=2&amp;sort=newest">Clear all filters</a>' \
        in html


def test_article_links_lead_back_to_the_same_results(client):
    html = client.get("/search?q=asylum&outlet=CNN&sort=oldest&page=1").get_data(as_text=True)
    link = re.search(r'<h3><a href="(/articles/[^"]+)"', html).group(1).replace("&amp;", "&")
    back = parse_qs(urlsplit(link).query)["back"]
    assert back == ["/search?q=asylum&outlet=CNN&sort=oldest&page=1"]
    article = client.get(link).get_data(as_text=True)
    assert '<a href="/search?q=asylum&amp;outlet=CNN&amp;sort=oldest&amp;page=1">' \
           '← Back to results</a>' in article
    assert "<mark>asylum</mark>" in article
    # Only a search page is a way back: anything else falls back to the query's results.
    other = client.get("/articles/001_239a778613941eab?q=asylum&back=https://evil.example/")
    assert "evil.example" not in other.get_data(as_text=True)


def test_year_chart_bars_select_their_year(client):
    html = client.get("/search?q=Myanmar").get_data(as_text=True)
    assert re.search(r'<a href="/search\?q=Myanmar&amp;year=2011" aria-label="2011: 4 articles; '
                     r'show only this year"><rect', html)


def test_only_web_addresses_are_linked_as_the_original(tmp_path, registry):
    from searchsvc import create_app
    from searchsvc.backends.whoosh.indexer import build_index
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "set.jsonl").write_text(
        '{"id": "a", "title": "T", "body": "Storm news.", "url": "javascript:alert(1)"}\n'
        '{"id": "b", "title": "U", "body": "Storm news.", "url": "https://example.org/b"}\n',
        encoding="utf-8")
    build_index(corpus, tmp_path / "ix", registry=registry)
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "ix")}).test_client()
    assert 'href="javascript' not in client.get("/articles/a").get_data(as_text=True)
    assert 'href="https://example.org/b"' in client.get("/articles/b").get_data(as_text=True)


def test_html_errors_have_the_right_status(client, tmp_path):
    from searchsvc import create_app
    assert client.get("/nope").status_code == 404
    response = client.post("/search?q=x")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    missing = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")}).test_client()
    for url in ("/", "/search?q=x", "/articles/000_63fb707cc87ede63"):
        response = missing.get(url)
        assert response.status_code == 503 and "searchsvc index" in response.get_data(as_text=True)


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
    from searchsvc.backends.whoosh.indexer import build_index
    corpus = tmp_path / "c"
    corpus.mkdir()
    lines = [f'{{"id": "a{n}", "title": "T{n}", "body": "Storm news {n}.", "outlet": "Outlet {n:02d}"}}'
             for n in range(20)]
    (corpus / "set.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build_index(corpus, tmp_path / "ix", registry=registry)
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "ix")}).test_client()
    html = client.get("/search?q=storm").get_data(as_text=True)
    assert "<summary>Show all 20</summary>" in html
    assert html.count('<span class="value">Outlet') == 12 + 20     # the top 12, then all


def test_articles_with_some_of_the_words_are_set_apart(client):
    html = client.get("/search?q=asylum+geneva").get_data(as_text=True)
    assert "2 with all the words" in html
    first, rest = html.split('<h2 class="partial-heading">Articles with some of the words</h2>')
    assert first.count('<li class="hit">') == 2 and rest.count('<li class="hit">') == 3
    assert '<ol class="hits partial" start="3">' in rest
    # On the second page of one-per-page results, the heading comes before its first hit.
    page = client.get("/search?q=asylum+geneva&per_page=1&page=3").get_data(as_text=True)
    assert '<ol class="hits partial" start="3">' in page
    # In date order the heading has no place.
    assert "partial-heading" not in client.get("/search?q=asylum+geneva&sort=newest").get_data(
        as_text=True)


def test_a_filter_named_by_an_alias_is_removable(client):
    html = client.get("/search?q=asylum&outlet=RFA").get_data(as_text=True)
    assert 'href="/search?q=asylum" title="Remove this filter"' in html


def test_an_article_without_text_is_marked_in_results_and_on_its_page(tmp_path, registry):
    from builders import jsonl_service
    from searchsvc import create_app
    jsonl_service(tmp_path, registry, [
        {"id": "bare", "title": "Harbour strike called off", "body": "", "date": "2016-09-20"},
        {"id": "full", "title": "Harbour strike goes on", "body": "Dockers stayed out."}])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "ix")}).test_client()
    html = client.get("/search?q=harbour+strike").get_data(as_text=True)
    assert html.count('<span class="no-text">headline only</span>') == 1
    page = client.get("/articles/bare").get_data(as_text=True)
    assert "gave this article's headline and details but not its text" in page
    assert "not its text" not in client.get("/articles/full").get_data(as_text=True)


def test_date_range_inputs_and_removable_chips(client):
    html = client.get("/search?q=asylum&outlet=CNN&from=2011&to=2011-07").get_data(as_text=True)
    assert '<input id="from" name="from" type="date" value="2011-01-01"' in html
    assert '<input id="to" name="to" type="date" value="2011-07-31"' in html
    assert ('<a class="chip" href="/search?q=asylum&amp;outlet=CNN&amp;to=2011-07" '
            'title="Remove this filter">From 2011 ') in html
    assert ('<a class="chip" href="/search?q=asylum&amp;outlet=CNN&amp;from=2011" '
            'title="Remove this filter">To 2011-07 ') in html
    # A bad bound is dropped with a message naming it; the rest of the search still runs.
    response = client.get("/search?q=asylum&from=July&to=2011")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "from must be a date like" in html and "To 2011 " in html


def test_a_page_past_the_last_says_so_and_links_to_the_last(client):
    html = client.get("/search?q=asylum&per_page=1&page=9").get_data(as_text=True)
    last = client.get("/api/search?q=asylum&per_page=1").get_json()["pages"]
    assert last > 1
    assert f"Note: page 9 is past the last page, {last}." in html
    assert (f'<p class="past-last"><a href="/search?q=asylum&amp;per_page=1&amp;page={last}">'
            f'Go to page {last}, the last</a></p>') in html
    assert f'<a rel="prev" href="/search?q=asylum&amp;per_page=1&amp;page={last}">' in html
    assert f'<a href="/search?q=asylum&amp;per_page=1&amp;page={last}">{last}</a>' in html
    assert 'rel="next"' not in html
    within = client.get(f"/search?q=asylum&per_page=1&page={last}").get_data(as_text=True)
    assert "past-last" not in within and "past the last page" not in within


def test_month_chart_bars_narrow_the_day_range_to_their_month(client):
    html = client.get("/search?q=asylum&outlet=CNN").get_data(as_text=True)
    assert "Matches by month" in html
    assert ('<a href="/search?q=asylum&amp;outlet=CNN&amp;from=2011-07&amp;to=2011-07" '
            'aria-label="2011-07: 1 articles; show only this month">') in html
    chosen = client.get("/search?q=asylum&outlet=CNN&from=2011-07&to=2011-07").get_data(
        as_text=True)
    assert ('<a href="/search?q=asylum&amp;outlet=CNN" aria-label="2011-07: 1 articles; '
            'remove this month">') in chosen


@pytest.mark.parametrize("text", ["", "plain words", "AT&T", "<b>", "O'Brien", 'say "no"',
                                  "é ü 東京", "a&amp;b", "\u2028"])
def test_html_text_escapes_as_markupsafe_does(text):
    from markupsafe import escape
    from searchsvc.web.facethtml import html_text
    assert html_text(text) == str(escape(text))
    assert type(html_text(text)) is str


def test_hit_items_list_copies_outlets_once_and_count_the_rest(app):
    from searchsvc.web.facethtml import hit_items
    copy = {"id": "b", "title": "Same <story>", "outlet": "CNN", "date": "2011-07-01"}
    hit = {"id": "a b", "title_html": "A <mark>story</mark>", "outlet": None, "date": None,
           "date_display": None, "author": "Kyaw & Win", "has_text": False,
           "snippets": [{"html": "one <mark>x</mark>"}], "copy_count": 5,
           "copies": [copy, {**copy, "id": "c", "outlet": "cnn", "date": None}]}
    with app.test_request_context():
        html = str(hit_items([hit], "?q=x&back=/search"))
    assert '<a href="/articles/a%20b?q=x&amp;back=/search">A <mark>story</mark></a>' in html
    assert 'Unknown outlet</span>' in html and "date unknown" in html
    assert 'Kyaw &amp; Win' in html and "headline only" in html
    assert "Also in 1 outlet (5 copies):" in html and " and 3 more</p>" in html
    assert ('title="Same &lt;story&gt;">CNN, <time datetime="2011-07-01">2011-07-01</time></a>, '
            '<a href="/articles/c?q=x&amp;back=/search" title="Same &lt;story&gt;">cnn</a>') in html
