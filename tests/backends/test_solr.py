"""The Solr backend beside the Whoosh one: same analysis, same answers, no lost query.

These tests need a running cluster (`searchsvc solr start --dir DIR`, then TEST_SOLR_DIR=DIR);
without one they skip, except those of the command line's error messages.
"""
import os
import threading

import pytest
import requests

from searchsvc.backends.solr.analysis import analyze_text
from searchsvc.backends.solr.backend import SolrBackend
from searchsvc.backends.solr.client import SolrClient
from searchsvc.backends.solr.generations import served
from searchsvc.cli import main
from searchsvc.config import PACKAGE_DATA
from searchsvc.service import SearchRequest, open_service

from conftest import CORPUS

QUERIES = ["", "asylum", "diplomat", "Diplomats defected", "defect*", "embassy staff",
           '"embassy in washington"', "burma OR myanmar", "diplomat -asylum", "year:2011",
           "outlet:CNN", "military junta", "asylim", "the of and", 'a:b (c "d\\',
           "refugees 2022", "Thein Sein", "author:ponnudurai",
           '"applied political asylum"']  # a stop word inside: no gap, as in Whoosh
FILTERS = [{}, {"outlets": ("CNN",)}, {"years": ("2011",)},
           {"outlets": ("CNN", "Radio Free Asia"), "years": ("2022", "2011")},
           {"date_from": "2011-07-14", "date_to": "2022"}]


@pytest.fixture(scope="session")
def solr_dir():
    """The folder of the running test cluster, or a skip."""
    folder = os.environ.get("TEST_SOLR_DIR")
    if not folder:
        pytest.skip("no Solr cluster: start one with `searchsvc solr start --dir DIR` and set "
                    "TEST_SOLR_DIR=DIR")
    return folder


@pytest.fixture(scope="session")
def solr_urls(solr_dir):
    from searchsvc.backends.solr.cluster import cluster_urls
    return cluster_urls(solr_dir)


@pytest.fixture(scope="session")
def bundled(solr_urls, registry):
    """The bundled corpus in a collection of 3 shards with 2 replicas each."""
    backend = SolrBackend(solr_urls, alias="test_bundled", shards=3, replicas=2)
    backend.build(CORPUS, registry=registry)
    yield backend
    backend.drop()


def service(index_dir, **options):
    """Return the search service (Whoosh over index_dir, or as options say) with the package data."""
    files = {"outlets_file": str(PACKAGE_DATA / "outlets.toml"),
             "synonyms_file": str(PACKAGE_DATA / "synonyms.txt")}
    return open_service(index_dir, **files, **options)


def answers(search, q, filters):
    """Return what must agree between backends: total, facet counts, suggestion."""
    result = search.search(SearchRequest(q=q, **filters))
    facets = {name: [(row["value"], row["count"]) for row in rows]
              for name, rows in result["facets"].items()}
    return result["total"], facets, result["suggestion"]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "no filter")
def test_totals_and_facets_equal_whoosh_on_the_bundled_corpus(bundled, solr_urls,
                                                              seeds_index, filters):
    whoosh = service(str(seeds_index))
    solr = service("", backend="solr", solr_url=",".join(solr_urls),
                   solr_collection=bundled.alias)
    for q in QUERIES:
        assert answers(solr, q, filters) == answers(whoosh, q, filters), q


def test_the_analysis_here_is_solrs(bundled, solr_urls):
    collection, _ = served(bundled.client, bundled.alias)
    text = " ".join(path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.txt")))
    text += " Café naïve O’Neill U.S. e.g. it's 3.5 résumés Zürich"
    answer = requests.post(f"{solr_urls[0]}/{collection}/analysis/field", timeout=60,
                           data={"analysis.fieldtype": "text_en", "analysis.fieldvalue": text,
                                 "wt": "json"}).json()
    stages = answer["analysis"]["field_types"]["text_en"]["index"]
    solr_terms = [token["text"] for token in stages[-1]]
    assert solr_terms == analyze_text(text)


def test_a_build_swaps_the_alias_and_keeps_the_previous_collections(solr_urls, tmp_path,
                                                                    registry):
    backend = SolrBackend(solr_urls, alias="test_swaps", keep_generations=1)
    built = [backend.build(CORPUS, registry=registry).generation for _ in range(3)]
    names = SolrClient(solr_urls).collection_names()
    assert served(backend.client, "test_swaps")[0] == built[-1]
    assert built[1] in names and built[0] not in names        # one kept, older dropped
    backend.drop()
    assert not [name for name in SolrClient(solr_urls).collection_names()
                if name.startswith("test_swaps_")]


def test_index_command_builds_with_shards_and_replicas(runner, solr_urls, monkeypatch):
    monkeypatch.setenv("SEARCHSVC_BACKEND", "solr")
    monkeypatch.setenv("SEARCHSVC_SOLR_URL", ",".join(solr_urls))
    monkeypatch.setenv("SEARCHSVC_SOLR_COLLECTION", "test_cli")
    result = runner.invoke(main, ["index", "--corpus", str(CORPUS), "--shards", "2",
                                  "--replicas", "2"])
    assert result.exit_code == 0, result.output
    assert "indexed 5 documents" in result.output
    client = SolrClient(solr_urls)
    collection, _ = served(client, "test_cli")
    status = client.collections("CLUSTERSTATUS", collection=collection)
    shards = status["cluster"]["collections"][collection]["shards"]
    assert len(shards) == 2 and all(len(s["replicas"]) == 2 for s in shards.values())
    result = runner.invoke(main, ["search", "asylum", "--json"])
    assert result.exit_code == 0 and '"total": 5' in result.output
    SolrBackend(solr_urls, alias="test_cli").drop()


def test_solr_commands_without_a_cluster_say_so(runner, tmp_path):
    for command in (["solr", "stop", "--dir", str(tmp_path)],
                    ["solr", "stop-node", "--dir", str(tmp_path), "--node", "1"]):
        result = runner.invoke(main, command)
        assert result.exit_code == 1 and "no cluster is running" in result.output


def test_stopping_a_node_under_load_loses_no_query(bundled, solr_dir, solr_urls):
    """Replicas 2 on 3 nodes: a node stopped and started again while queries run."""
    from searchsvc.backends.solr import cluster
    search = service("", backend="solr", solr_url=",".join(solr_urls),
                     solr_collection=bundled.alias)
    expected = {q: search.search(SearchRequest(q=q))["total"] for q in QUERIES[:8]}
    failures, totals, done = [], [], threading.Event()

    def load():
        while not done.is_set():
            for q, total in expected.items():
                try:
                    totals.append((q, search.search(SearchRequest(q=q))["total"], total))
                except Exception as error:      # any failure is what this test counts
                    failures.append((q, repr(error)))

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        cluster.stop_node(solr_dir, 1)
        cluster.start_node(solr_dir, 1)
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert totals and all(found == total for _, found, total in totals)


def test_the_web_app_searches_solr_when_configured(bundled, solr_urls, seeds_index):
    from searchsvc import create_app
    app = create_app({"TESTING": True, "BACKEND": "solr", "SOLR_URL": ",".join(solr_urls),
                      "SOLR_COLLECTION": bundled.alias})
    answer = app.test_client().get("/api/search?q=asylum&outlet=CNN").get_json()
    whoosh = create_app({"TESTING": True, "INDEX_DIR": str(seeds_index)})
    expected = whoosh.test_client().get("/api/search?q=asylum&outlet=CNN").get_json()
    assert answer["total"] == expected["total"] > 0
    assert answer["facets"] == expected["facets"]
    assert answer["hits"][0]["snippets"] and "<mark>" in answer["hits"][0]["snippets"][0]["html"]
    assert answer["generation"] != expected["generation"]


def test_an_update_sends_only_new_and_changed_articles(solr_urls, registry, tmp_path):
    from backends.conftest import RECORDS, write_corpus
    corpus = tmp_path / "corpus"
    write_corpus(corpus, RECORDS)
    backend = SolrBackend(solr_urls, alias="test_update_diff", shards=2)
    backend.build(corpus, registry=registry)
    collection, _ = served(backend.client, backend.alias)

    def versions():
        """Each article's _version_: Solr gives a new one to every document it is sent."""
        answer = backend.client.get(f"/{collection}/select", q="*:*", fl="id,_version_",
                                    rows=100)
        return {doc["id"]: doc["_version_"] for doc in answer["response"]["docs"]}
    before = versions()
    records = [dict(r) for r in RECORDS if r["id"] != "a5"]        # a5 removed
    records[1]["body"] += " The embassy confirmed it."             # a2: new text
    records[2]["outlet"] = "BBC News"                              # a3: new outlet only
    records.append({"id": "a6", "title": "Consulate closes", "outlet": "CNN",
                    "date": "2023-01-02", "body": "The consulate closed its doors."})
    write_corpus(corpus, records)
    try:
        report = backend.build(corpus, registry=registry, update=True)
        assert (report.indexed, report.removed, report.unchanged_articles) == (3, 1, 2)
        after = versions()
        assert after["a1"] == before["a1"] and after["a4"] == before["a4"]   # not sent
        assert after["a2"] != before["a2"] and after["a3"] != before["a3"]
        assert sorted(after) == ["a1", "a2", "a3", "a4", "a6"]
        assert backend.article("a3")["outlet"] == "BBC News"
        again = backend.build(corpus, registry=registry, update=True)
        assert (again.indexed, again.removed, again.unchanged_articles) == (0, 0, 5)
        assert versions() == after
    finally:
        backend.drop()


# The unified highlighter's parameters, written out here so that the test asks Solr itself.
UNIFIED = {"hl": "true", "hl.method": "unified", "hl.fl": "body", "hl.snippets": 3,
           "hl.fragsize": 200, "hl.bs.type": "WORD", "hl.fragsizeIsMinimum": "false",
           "hl.fragAlignRatio": 0.33, "hl.tag.pre": "[[", "hl.tag.post": "]]",
           "hl.defaultSummary": "false", "wt": "json"}


def highlighted(solr_urls, collection, q, rows=50):
    """Return {id: the highlighter's passages as plain text, spaces collapsed} for a query."""
    answer = requests.get(f"{solr_urls[0]}/{collection}/select", timeout=60,
                          params={"q": q, "fl": "id", "rows": rows, **UNIFIED}).json()
    return {doc_id: [" ".join(p.replace("[[", "").replace("]]", "").split())
                     for p in found.get("body", [])]
            for doc_id, found in answer["highlighting"].items()}


def snippet_texts(hit):
    return [s["text"].removeprefix("… ").removesuffix(" …") for s in hit["snippets"]]


def test_snippets_are_the_unified_highlighters_passages(bundled, solr_urls):
    from searchsvc.passages import passage_text
    from searchsvc.service.snippets import make_snippets
    search = service("", backend="solr", solr_url=",".join(solr_urls),
                     solr_collection=bundled.alias)
    hits = search.search(SearchRequest(q="asylum", per_page=50))["hits"]
    collection, _ = served(bundled.client, bundled.alias)
    passages = highlighted(solr_urls, collection, "body:asylum")
    same = differ_from_ours = 0
    for hit in hits:
        if not passages.get(hit["id"]):
            continue            # a title match only: the service shows the opening
        assert all(any(text in p for p in passages[hit["id"]]) for text in snippet_texts(hit))
        same += snippet_texts(hit) == passages[hit["id"]]
        stored = bundled.article(hit["id"])
        ours = make_snippets(passage_text(stored["body"], stored["title"]),
                             bundled.highlight_terms(search.reader.read("asylum").tree))
        differ_from_ours += [s.text for s in ours] != [s["text"] for s in hit["snippets"]]
        assert any("<mark>asylum</mark>" in s["html"].lower() for s in hit["snippets"])
    assert same >= 3 and differ_from_ours >= 1, (same, differ_from_ours)


def test_highlighter_passages_keep_the_snippet_rules(solr_urls, registry, tmp_path):
    from backends.conftest import write_corpus
    body = ("Asylum seekers reach the border\nAdvertisement\nThe asylum office opened "
            "early.\nSign up for our newsletter about asylum\nLater, more asylum seekers came.")
    write_corpus(tmp_path / "corpus", [{"id": "r1", "title": "Asylum seekers reach the border",
                                        "outlet": "CNN", "date": "2020-01-02", "body": body}])
    backend = SolrBackend(solr_urls, alias="test_hl_rules", shards=1)
    backend.build(tmp_path / "corpus", registry=registry)
    try:
        collection, _ = served(backend.client, backend.alias)
        raw = highlighted(solr_urls, collection, "body:asylum")["r1"]
        assert raw[0].startswith("Asylum seekers reach") and "Advertisement" in raw[0]
        search = service("", backend="solr", solr_url=",".join(solr_urls),
                         solr_collection=backend.alias)
        hit = search.search(SearchRequest(q="asylum"))["hits"][0]
        texts = snippet_texts(hit)
        assert texts and not any(t.startswith("Asylum seekers reach") for t in texts)
        assert not any("Advertisement" in t or "newsletter" in t for t in texts)
        assert "The <mark>asylum</mark> office opened early." in hit["snippets"][0]["html"]
    finally:
        backend.drop()


def test_relevance_feedback_reranks_a_description_as_whoosh_does(bundled, seeds_index):
    from searchsvc.backends.contract import SearchSpec
    from searchsvc.backends.solr.feedback import FEEDBACK_NOTE
    from searchsvc.backends.whoosh.backend import WhooshBackend
    from searchsvc.backends.whoosh.ranking import Ranking
    from searchsvc.query.reader import QueryReader
    reading = QueryReader().read("diplomats who defected from the military regime and asked "
                                 "for asylum in the united states")
    assert reading.description
    spec = SearchSpec(reading.tree, fallback=reading.fallback, feedback=True)
    # The bundled corpus is small: feedback on from 2 matches instead of 100.
    eager = Ranking(feedback_min_matches=2)
    plain = bundled.search(spec)
    fed = SolrBackend(bundled.client, alias=bundled.alias, ranking=eager).search(spec)
    whoosh = WhooshBackend(seeds_index, ranking=eager).search(spec)
    ids = lambda outcome: [found.fields["id"] for found in outcome.hits]  # noqa: E731
    assert FEEDBACK_NOTE not in plain.notes and FEEDBACK_NOTE in fed.notes
    assert fed.total == plain.total and fed.facets == plain.facets
    assert sorted(ids(fed)) == sorted(ids(plain)) and ids(fed) != ids(plain)
    assert ids(fed)[:3] == ids(whoosh)[:3] and FEEDBACK_NOTE in whoosh.notes
