"""Prefix, wildcard and fuzzy words: bounded expansions that match what Whoosh matches."""
import pytest

from builders import jsonl_service
from searchsvc.backends.whoosh.multiterm import MAX_EXPANSIONS
from searchsvc.backends.whoosh.translate import to_whoosh
from searchsvc.service import SearchError, SearchRequest

# Term zetaNN is in NN // 10 + 1 documents: 60 terms sharing a prefix, with frequencies 1-6.
ZETA_RECORDS = [{"id": f"z{k:02d}-{copy}", "title": f"Report {k}",
                 "body": f"the zeta{k:02d} reading was taken at the station {copy}"}
                for k in range(60) for copy in range(k // 10 + 1)]
WORD_RECORDS = [
    {"id": "colour", "title": "Paint", "body": "the colour of the walls was chosen"},
    {"id": "color", "title": "Ink", "body": "the color of the ink was chosen"},
    {"id": "colder", "title": "Weather", "body": "a colder week is forecast"},
    {"id": "table", "title": "Furniture", "body": "a table and four chairs"},
    {"id": "ion", "title": "Physics", "body": "an ion beam"},
    {"id": "ink", "title": "Pens", "body": "blue ink"},
]


def _ids(result):
    return {hit["id"] for hit in result["hits"]}


def _whoosh_ids(service, q):
    """Return the ids Whoosh itself matches for the query as the reader parses it."""
    searcher, _, _ = service.backend.handle.searcher()
    parsed = to_whoosh(service.reader.read(q).tree, searcher.schema)
    return {searcher.stored_fields(n)["id"] for n in searcher.docs_for_query(parsed)}


@pytest.mark.parametrize("q", ["colo*", "col*r", "colr~", "colour~2", "title:pai*",
                               "colo* -ink", "chosen colo*"])
def test_expansion_matches_what_whoosh_matches(tmp_path, registry, q):
    service = jsonl_service(tmp_path, registry, WORD_RECORDS)
    result = service.search(SearchRequest(q=q, per_page=100))
    assert _ids(result) == _whoosh_ids(service, q)
    assert all(hit["score"] > 0 for hit in result["hits"])   # scored like typed words
    assert result["query"]["notes"] == []


def test_prefix_with_too_many_words_searches_the_most_common(tmp_path, registry):
    service = jsonl_service(tmp_path, registry, ZETA_RECORDS)
    result = service.search(SearchRequest(q="zeta*", per_page=100))
    # The 50 most frequent terms are zeta10-zeta59; the ten terms in one document each go.
    assert MAX_EXPANSIONS == 50
    assert result["total"] == len(ZETA_RECORDS) - 10
    assert not any(hit["id"].startswith("z0") for hit in result["hits"])
    assert result["query"]["notes"] == [
        "zeta* matches more words than are searched; the 50 most common were searched"]


def test_fuzzy_distance_is_capped_at_two(tmp_path, registry):
    service = jsonl_service(tmp_path, registry, WORD_RECORDS)
    result = service.search(SearchRequest(q="colour~7"))
    # Within two edits of "colour": colour, color (one), colder (two); never "table".
    assert _ids(result) == {"colour", "color", "colder"}
    assert ("colour~7: searched within 2 edits, the most a word of 6 letters allows"
            in result["query"]["notes"])
    assert _ids(service.search(SearchRequest(q="colour~1"))) == {"colour", "color"}


def test_short_fuzzy_words_get_fewer_edits(tmp_path, registry):
    # Three letters allow one edit (Elasticsearch's AUTO): "ion" is two from "ink".
    service = jsonl_service(tmp_path, registry, WORD_RECORDS)
    result = service.search(SearchRequest(q="ink~2"))
    assert _ids(result) == {"ink", "color"}          # "the color of the ink"
    assert result["query"]["notes"] == [
        "ink~2: searched within 1 edit, the most a word of 3 letters allows"]


def test_many_fuzzy_words_stay_bounded(tmp_path, registry):
    service = jsonl_service(tmp_path, registry, ZETA_RECORDS)
    q = " ".join(f"zeta{k:02d}~2" for k in range(10))       # the most a query may have
    result = service.search(SearchRequest(q=q))
    assert result["total"] > 0
    assert any("nearest were searched" in note for note in result["query"]["notes"])
    with pytest.raises(SearchError, match="at most 10") as refused:
        service.search(SearchRequest(q=q + " zeta10~2"))
    assert refused.value.parameter == "q"


def test_a_field_range_counts_as_one_word(seeds_service):
    # Five words inside a range do not make a long query: the other word stays required.
    result = seeds_service.search(SearchRequest(q="date:[2011-07-01 TO 2011-07-05] asylum"))
    assert _ids(result) == {"004_b08c682b17bd4db1", "001_239a778613941eab"}
    assert result["query"]["mode"] == "syntax"
