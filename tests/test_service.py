"""The service while the index changes under it, and the settings it runs with."""
import threading

from searchsvc import create_app
from searchsvc.config import load_settings
from searchsvc.backends.whoosh.indexer import build_index


def test_rebuilt_index_is_picked_up_without_restart(corpus_copy, tmp_path, registry):
    index_dir = tmp_path / "ix"
    build_index(corpus_copy, index_dir, registry=registry)
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    first = client.get("/api/search?q=zeppelin").get_json()
    assert first["total"] == 0
    (corpus_copy / "z.txt").write_text("Zeppelin News\n\nA zeppelin landed.\n", encoding="utf-8")
    build_index(corpus_copy, index_dir, registry=registry)
    second = client.get("/api/search?q=zeppelin").get_json()
    assert second["total"] == 1
    assert second["generation"] != first["generation"]
    assert client.get("/api/health").get_json()["documents"] == 6


def test_service_answers_throughout_a_rebuild(corpus_copy, tmp_path, registry):
    index_dir = tmp_path / "ix"
    build_index(corpus_copy, index_dir, registry=registry)
    for number in range(150):
        (corpus_copy / f"n{number}.txt").write_text(
            f"Story {number}\n\n" + "Talks in Zanzibar continued. " * 100, encoding="utf-8")
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    builder = threading.Thread(target=build_index, args=(corpus_copy, index_dir),
                               kwargs={"registry": registry})
    builder.start()
    statuses, totals = [], set()
    while builder.is_alive():
        response = client.get("/api/search?q=asylum")
        statuses.append(response.status_code)
        totals.add(response.get_json()["total"])
    builder.join()
    final = client.get("/api/search?q=zanzibar").get_json()
    assert statuses and set(statuses) == {200}
    assert totals == {5}
    # (150 articles of one repeated text: copies of one another, so fewer stories)
    assert final["articles"] == 150 and final["total"] <= 150


def test_settings_precedence(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "searchsvc.toml").write_text('index_dir = "/from/file"\nport = 9000\n'
                                             'max_per_page = 50\n', encoding="utf-8")
    settings = load_settings(instance, environ={"SEARCHSVC_PORT": "9100"})
    assert settings["INDEX_DIR"] == "/from/file"
    assert settings["PORT"] == 9100                   # environment beats the file
    assert settings["MAX_PER_PAGE"] == 50
    overridden = load_settings(instance, overrides={"port": 1}, environ={"SEARCHSVC_PORT": "9100"})
    assert overridden["PORT"] == 1                    # an explicit override beats both


def test_debug_is_off_by_default(seeds_index):
    app = create_app({"INDEX_DIR": str(seeds_index)})
    assert not app.debug


def test_a_search_past_its_time_limit_returns_what_it_found_marked_partial(seeds_index,
                                                                           registry):
    from builders import whoosh_service
    from searchsvc.service import SearchRequest
    unlimited = whoosh_service(seeds_index, registry)
    limited = whoosh_service(seeds_index, registry)
    limited.time_budget = 0.0                     # already spent when matching starts
    request = SearchRequest(q="diplomat OR Geneva OR asylum")
    whole, cut = unlimited.search(request), limited.search(request)
    assert not whole["partial"] and whole["total"] == 5
    # Only the first alternative is read (diplomat in titles); the result says so.
    assert cut["partial"] and 0 < cut["total"] < whole["total"]
    assert any("time limit" in note for note in cut["query"]["notes"])


def test_the_app_takes_its_search_time_limit_from_the_settings(seeds_index):
    app = create_app({"TESTING": True, "INDEX_DIR": str(seeds_index),
                      "SEARCH_TIME_LIMIT_MS": 250})
    assert app.extensions["searchsvc"].time_budget == 0.25
    unlimited = create_app({"TESTING": True, "INDEX_DIR": str(seeds_index),
                            "SEARCH_TIME_LIMIT_MS": 0})
    assert unlimited.extensions["searchsvc"].time_budget is None


def test_timeline_by_month_under_three_years_else_by_year():
    from searchsvc.service.search import timeline
    by_month = timeline([("2011", 3), ("2012", 1), ("unknown", 4)],
                        [("2011-11", 2), ("2012-02", 1)])
    assert by_month == {"unit": "month", "periods": [
        {"period": "2011-11", "count": 2}, {"period": "2011-12", "count": 0},
        {"period": "2012-01", "count": 0}, {"period": "2012-02", "count": 1}]}
    by_year = timeline([("2009", 1), ("2011", 2)], [("2009-05", 1), ("2011-01", 2)])
    assert by_year == {"unit": "year", "periods": [
        {"period": "2009", "count": 1}, {"period": "2010", "count": 0},
        {"period": "2011", "count": 2}]}
    # Years but no article dated to the month: by year.
    assert timeline([("2011", 2)], [])["unit"] == "year"
    assert timeline([("unknown", 2)], []) == {"unit": "year", "periods": []}
