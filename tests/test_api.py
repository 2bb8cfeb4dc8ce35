import pytest

from searchsvc import create_app
from searchsvc.web.openapi import openapi_document

jsonschema = pytest.importorskip("jsonschema")


def validate(payload, schema_name):
    document = openapi_document()
    schema = {"$ref": f"#/components/schemas/{schema_name}",
              "components": document["components"]}
    jsonschema.validate(payload, schema)


def test_search_returns_core_result(client):
    response = client.get("/api/search?q=asylum&outlet=CNN&per_page=3")
    assert response.status_code == 200
    data = response.get_json()
    assert {"total", "page", "per_page", "hits", "facets", "suggestion", "took_ms"} <= set(data)
    assert data["total"] == 1 and data["per_page"] == 3
    assert data["hits"][0]["outlet"] == "CNN"
    validate(data, "SearchResult")


def test_repeatable_parameters(client):
    data = client.get("/api/search?q=asylum&outlet=CNN&outlet=The+Irrawaddy&year=2022").get_json()
    assert [hit["id"] for hit in data["hits"]] == ["003_33987ea7448e5f2a"]


def test_article_and_health_match_openapi(client):
    article = client.get("/api/articles/003_33987ea7448e5f2a?q=defectors")
    assert article.status_code == 200
    data = article.get_json()
    validate(data, "Article")
    assert data["outlet"] == "The Irrawaddy" and data["date"] == "2022-03-25"
    assert any("<mark>" in paragraph for paragraph in data["paragraphs_html"])
    health = client.get("/api/health").get_json()
    validate(health, "Health")
    assert health["documents"] == 5


@pytest.mark.parametrize("url, status, parameter", [
    ("/api/search?page=0", 400, "page"),
    ("/api/search?page=abc", 400, "page"),
    ("/api/search?per_page=100000", 400, "per_page"),
    ("/api/search?sort=sideways", 400, "sort"),
    ("/api/search?year=abc", 400, "year"),
    ("/api/search?date_from=yesterday", 400, "date_from"),
    ("/api/search?date_to=2011-13-40", 400, "date_to"),
    ("/api/search?from=yesterday", 400, "from"),
    ("/api/search?to=2011-13", 400, "to"),
    ("/api/search?from=2011&date_from=h", 400, "date_from"),
    ("/api/search?year=%C2%B2%C2%B2%C2%B2%C2%B2", 400, "year"),    # superscript digits
    ("/api/search?page=%EF%BC%91", 400, "page"),                   # a fullwidth digit
    ("/api/search?page=", 400, "page"),
    ("/api/search?page=99999999999999999999", 400, "page"),
    ("/api/search?per_page=-99999999999999999999", 400, "per_page"),
    ("/api/search?sort=", 400, "sort"),
    ("/api/articles/nope", 404, None),
    ("/api/nope", 404, None),
])
def test_errors_have_one_shape(client, url, status, parameter):
    response = client.get(url)
    assert response.status_code == status
    data = response.get_json()
    validate(data, "Error")
    assert data["error"]["status"] == status
    if parameter:
        assert data["error"]["parameter"] == parameter


@pytest.mark.parametrize("method, url", [
    ("POST", "/api/search"), ("PUT", "/api/articles/000_63fb707cc87ede63"),
    ("DELETE", "/api/health"), ("PATCH", "/api/openapi.json"),
])
def test_method_not_allowed_is_json(client, method, url):
    response = client.open(url, method=method)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    validate(response.get_json(), "Error")


@pytest.mark.parametrize("name, good, bad", [
    ("year", ["2011", "unknown"], ["abc", "²²²²", "20111", ""]),
    ("date_from", ["2011", "2011-07", "2011-07-04", "2012-02-29", "2000-02-29", "2011-4-30"],
     ["yesterday", "07/04/2011", "0000", "2011-13", "2011-07-32", " 2011", "2011-02-30",
      "2011-02-29", "2100-02-29", "2011-04-31"]),
    ("from", ["2011", "2011-07", "2011-07-04", "2012-02-29"],
     ["yesterday", "07/04/2011", "0000", "2011-13", "2011-07-32", " 2011", "2011-02-30"]),
    ("to", ["2011", "2022-03"], ["2011-07-32", "2011/07", "2011-04-31"]),
    ("page", [1, 10000], [0, 10001]),
    ("per_page", [1, 100], [0, 101]),
    ("sort", ["relevance", "newest", "oldest"], ["", "sideways"]),
])
def test_openapi_parameters_state_the_limits_the_server_enforces(client, name, good, bad):
    spec = {p["name"]: p["schema"] for p in
            client.get("/api/openapi.json").get_json()["paths"]["/api/search"]["get"][
                "parameters"]}[name]
    spec = spec.get("items", spec)
    for value in good:
        jsonschema.validate(value, spec)
        assert client.get("/api/search", query_string={name: value}).status_code == 200
    for value in bad:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(value, spec)
        assert client.get("/api/search", query_string={name: value}).status_code == 400


@pytest.mark.parametrize("query, parameter, says", [
    ("date_from=2011-02-30", "date_from", "28 days"),
    ("date_to=2012-02-30", "date_to", "29 days"),
    ("date_to=2011-04-31", "date_to", "30 days"),
    ("date_from=2012&date_to=2011", "date_from", "after date_to"),
    ("date_from=2011-07-05&date_to=2011-07-04", "date_from", "after date_to"),
])
def test_an_impossible_or_reversed_date_is_a_400_naming_it(client, query, parameter, says):
    response = client.get("/api/search?" + query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == parameter and says in error["message"]


def test_a_range_of_one_day_or_a_leap_day_is_searched(client):
    assert client.get("/api/search?date_from=2011-07-04&date_to=2011-07-04").status_code == 200
    assert client.get("/api/search?date_from=2012-02-29").status_code == 200


def test_a_query_of_only_common_words_matches_nothing(client):
    # "the" is not indexed: the query cannot find anything (an empty query lists everything).
    for q in ("the", "*", "of the", "?", "???", "? ?"):
        data = client.get("/api/search", query_string={"q": q}).get_json()
        assert data["total"] == 0 and data["query"]["notes"]
    assert client.get("/api/search").get_json()["total"] == 5


@pytest.mark.parametrize("q", ['"', "(((", "title:", "\x00", "x" * 10000, "AND", "*", "%ff",
                               "year:[abc TO def]", "date:notadate", "outlet:", "~~~", "\\"])
def test_no_query_yields_a_500(client, q):
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200
    validate(response.get_json(), "SearchResult")


@pytest.mark.parametrize("url", ["/api/search?q=x", "/api/health",
                                 "/api/articles/000_63fb707cc87ede63"])
def test_missing_index_is_a_clear_503(tmp_path, url):
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")}).test_client()
    response = client.get(url)
    assert response.status_code == 503
    validate(response.get_json(), "Error")
    assert "searchsvc index" in response.get_json()["error"]["message"]


def test_openapi_lists_every_api_route(app, client):
    document = client.get("/api/openapi.json").get_json()
    routes = {rule.rule.replace("<article_id>", "{article_id}")
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert routes - {"/api/openapi.json"} == set(document["paths"])


@pytest.mark.parametrize("url", ["/api/search?q=x", "/search?q=x", "/articles/nope",
                                 "/api/nope", "/search?page=0"])
def test_security_headers(client, url):
    response = client.get(url)
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_documented_date_pattern_is_the_days_that_exist():
    import calendar
    import re
    from searchsvc.query.bounds import EXISTING_DAY_PATTERN
    pattern = re.compile(EXISTING_DAY_PATTERN)
    for year in (1800, 1900, 1996, 2000, 2011, 2012, 2100, 2400, 9999):
        for month in range(1, 13):
            for day in range(1, 32):
                exists = day <= calendar.monthrange(year, month)[1]
                assert bool(pattern.fullmatch(f"{year}-{month:02d}-{day:02d}")) == exists
                assert bool(pattern.fullmatch(f"{year}-{month}-{day}")) == exists
            assert pattern.fullmatch(f"{year}-{month:02d}")
        assert pattern.fullmatch(str(year))
    assert not pattern.fullmatch("0999") and not pattern.fullmatch("2011-00")


@pytest.mark.parametrize("url", ["/api/search", "/api/health", "/api/articles/x", "/api/nope"])
@pytest.mark.parametrize("method", ["GET", "POST", "PUT"])
def test_a_body_over_1_mb_is_a_413_on_every_route(client, url, method):
    response = client.open(url, method=method, data=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    validate(response.get_json(), "Error")
    # A body within the limit still meets the route's own answer (405 with Allow for POST).
    small = client.open(url, method=method, data=b"x" * 1024)
    assert small.status_code != 413


def test_the_page_refuses_a_large_body_with_its_error_page(client):
    response = client.post("/search", data=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413 and 'role="alert"' in response.get_data(as_text=True)
    small = client.post("/search", data=b"q=x")
    assert small.status_code == 405 and "GET" in small.headers["Allow"]


def test_more_than_ten_wildcard_or_fuzzy_words_is_a_400_naming_q(client):
    ten = " ".join(f"word{n}~" for n in range(5)) + " " + " ".join(f"ab{n}*" for n in range(5))
    assert client.get("/api/search", query_string={"q": ten}).status_code == 200
    response = client.get("/api/search", query_string={"q": ten + " asyl*"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == "q" and "at most 10" in error["message"]
    page = client.get("/search", query_string={"q": ten + " asyl*"})
    assert page.status_code == 400 and "at most 10" in page.get_data(as_text=True)


def test_from_and_to_bound_the_day_range_inclusively(client):
    def ids(query):
        return {hit["id"] for hit in client.get("/api/search?per_page=50&" + query)
                .get_json()["hits"]}
    everything = ids("")
    july = ids("from=2011-07&to=2011-07")
    assert "004_b08c682b17bd4db1" in july and "003_33987ea7448e5f2a" not in july
    assert "004_b08c682b17bd4db1" in ids("from=2011-07-04&to=2011-07-04")
    assert "004_b08c682b17bd4db1" not in ids("from=2011-07-05&to=2011-07-05")
    assert ids("from=2022") == {"003_33987ea7448e5f2a"}
    assert ids("to=2021") == everything - {"003_33987ea7448e5f2a"}
    assert ids("date_from=2022") == ids("from=2022")           # the older names still work
    assert ids("from=&to=") == everything                      # empty inputs are no bound
    data = client.get("/api/search?from=2022&to=2022-12").get_json()
    assert data["filters"]["from"] == "2022" and data["filters"]["to"] == "2022-12"
    reversed_range = client.get("/api/search?from=2012&to=2011-12-31")
    assert reversed_range.status_code == 400
    assert reversed_range.get_json()["error"]["parameter"] == "from"
    assert "from (2012) is after to (2011-12-31)" in reversed_range.get_json()["error"]["message"]
    impossible = client.get("/api/search?to=2011-02-30").get_json()["error"]
    assert impossible["parameter"] == "to" and "its month has 28 days" in impossible["message"]


def test_a_bad_date_names_the_parameter_as_given(client):
    error = client.get("/api/search?from=2011-31-12").get_json()["error"]
    assert error["parameter"] == "from"
    assert error["message"] == "from must be a date like 2011-07-04, 2011-07 or 2011, " \
                               "not '2011-31-12'"


def test_pages_and_a_page_past_the_last(client):
    data = client.get("/api/search?q=asylum&per_page=2&page=50").get_json()
    assert data["pages"] == -(-data["total"] // 2) and data["hits"] == []
    assert f"page 50 is past the last page, {data['pages']}" in data["query"]["notes"]
    nothing = client.get("/api/search?q=zzzxqv&page=3").get_json()
    assert nothing["pages"] == 1 and not any("past the last" in n
                                             for n in nothing["query"]["notes"])
