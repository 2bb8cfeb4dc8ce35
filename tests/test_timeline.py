"""Coverage over time through the service and the JSON API, on the bundled corpus."""
import pytest

from searchsvc.service import SearchRequest
from searchsvc.service.timeline import timeline


def test_matches_beside_all_articles_per_year(client):
    data = client.get("/api/timeline?q=diplomat&interval=year").get_json()
    assert data["interval"] == "year" and data["by"] is None
    search = client.get("/api/search?q=diplomat").get_json()
    assert data["total"] == search["total"]
    by_year = {row["value"]: row["count"] for row in search["facets"]["year"]}
    assert {row["start"][:4]: row["matches"] for row in data["periods"]
            if row["matches"]} == {year: count for year, count in by_year.items()
                                   if year != "unknown"}
    everything = {row["value"]: row["count"] for row in
                  client.get("/api/search").get_json()["facets"]["year"]}
    for row in data["periods"]:
        assert row["articles"] == everything[row["start"][:4]]
        assert row["share"] == round(row["matches"] / row["articles"], 6)


def test_periods_between_matches_are_zeros_not_gaps(client):
    # Matches in 2011 and 2022 only; the archive has articles in no year between, so the
    # two years are the periods; by month, July 2011's neighbours with articles appear.
    data = client.get("/api/timeline?q=diplomat+OR+defectors&interval=month").get_json()
    starts = [row["start"] for row in data["periods"]]
    assert starts == sorted(starts) and starts[0].startswith("2011")
    assert all(row["articles"] >= row["matches"] for row in data["periods"])


def test_by_outlet_splits_each_period(client):
    data = client.get("/api/timeline?q=diplomat&interval=month&by=outlet").get_json()
    for row in data["periods"]:
        assert sum(entry["matches"] for entry in row["outlets"]) == row["matches"]
        assert all(entry["matches"] <= entry["articles"] for entry in row["outlets"])
    outlets = {entry["outlet"] for row in data["periods"] for entry in row["outlets"]}
    facet = client.get("/api/search?q=diplomat").get_json()["facets"]["outlet"]
    assert outlets == {row["value"] for row in facet}


def test_filters_and_a_stop_word_query(client, seeds_service):
    cnn = client.get("/api/timeline?q=diplomat&outlet=CNN&by=outlet").get_json()
    assert {e["outlet"] for row in cnn["periods"] for e in row["outlets"]} == {"CNN"}
    assert timeline(seeds_service, SearchRequest(q="the"))["periods"] == []


@pytest.mark.parametrize("url, parameter", [
    ("/api/timeline?interval=hour", "interval"), ("/api/timeline?interval=", "interval"),
    ("/api/timeline?by=author", "by"), ("/api/timeline?by=", "by"),
    ("/api/timeline?year=abc", "year"), ("/api/timeline?date_from=soon", "date_from"),
])
def test_bad_parameters_are_400(client, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_results_page_chart_reads_the_timeline_of_its_search_without_its_years(client):
    # The chart counts by year when the results span three years or more (2011 and 2022).
    page = client.get("/search?q=diplomat+OR+asylum&year=2011&sort=oldest").get_data(
        as_text=True)
    assert 'data-timeline="/api/timeline?q=diplomat+OR+asylum&amp;interval=year"' in page
    # A chart by month (one outlet's results, all in 2011) has no year share to show.
    by_month = client.get("/search?q=diplomat&outlet=CNN").get_data(as_text=True)
    assert "Matches by month" in by_month and "data-timeline" not in by_month
    assert '<script src="/static/timeline.js" defer></script>' in page
    assert client.get("/static/timeline.js").status_code == 200
