"""A serving process keeps its own data resident, not the index files it has read."""
import random
from array import array

import numpy as np
import pytest

from searchsvc import residency
from searchsvc.backends.whoosh import memorylimit
from searchsvc.backends.whoosh.postingarrays import SegmentArrays, SegmentArraysWriter
from searchsvc.service import SearchRequest
from builders import jsonl_service

linux_only = pytest.mark.skipif(residency.resident_bytes() is None,
                                reason="needs /proc/self/statm")
WORDS = "vote court storm river bridge museum glacier walrus".split()


def _long_arrays(folder) -> SegmentArrays:
    """A segment whose one long list takes 24 MiB of mapped docs, freqs and positions."""
    count = 2 ** 21
    writer = SegmentArraysWriter(folder, "MAIN_big", min_postings=2)
    writer.add("body", b"vote", array("I", range(count)), array("f", [2.0]) * count, 1.0,
               array("I", range(2 * count)))
    writer.close()
    return SegmentArrays.open(folder, "MAIN_big")


@linux_only
def test_released_pages_leave_the_process_and_read_the_same(tmp_path):
    arrays = _long_arrays(tmp_path)
    before = residency.resident_bytes()[1]
    docs, freqs, positions = arrays.term_postings("body", b"vote")
    checksum = (int(docs.sum()), int(freqs.sum()), int(positions.sum()))
    read = residency.resident_bytes()[1]
    assert read - before >= 16 * 2 ** 20       # the pages read are counted as this process's
    arrays.release()
    assert residency.resident_bytes()[1] - before < 4 * 2 ** 20
    # Read again from the page cache, unchanged (a file mapping, never zero-filled).
    docs, freqs, positions = arrays.term_postings("body", b"vote")
    assert (int(docs.sum()), int(freqs.sum()), int(positions.sum())) == checksum


def _own_bytes() -> int:
    resident, mapped = residency.resident_bytes()
    return resident - mapped


@linux_only
def test_a_trimmed_heap_gives_back_the_pages_of_freed_arrays():
    # Arrays below glibc's mmap threshold come from the heap; with every tenth kept, what
    # the others freed sits between live ones and stays resident until trimmed.
    arrays = [np.ones(12_000) for _ in range(1500)]     # 96 KB each, 144 MB in all
    kept = arrays[::10]
    del arrays
    before = _own_bytes()
    if not residency.release_heap():
        pytest.skip("not glibc: no malloc_trim")
    assert before - _own_bytes() > 64 * 2 ** 20
    assert all(float(array.sum()) == 12_000.0 for array in kept)


def test_an_empty_positions_file_maps_as_an_empty_array(tmp_path):
    writer = SegmentArraysWriter(tmp_path, "MAIN_np", min_postings=2)
    writer.add("title", b"vote", array("I", [2, 3]), array("f", [2.0, 4.0]), 2.0)
    writer.close()
    arrays = SegmentArrays.open(tmp_path, "MAIN_np")
    assert [list(a) for a in arrays.postings("title", b"vote")] == [[2, 3], [1, 2]]
    assert arrays.positions("title", b"vote", np.array([2])) is None
    arrays.release()
    assert [list(a) for a in arrays.postings("title", b"vote")] == [[2, 3], [1, 2]]


def _zipf_records(count: int) -> list[dict]:
    rng = random.Random(3)
    weights = [1 / (rank + 1) ** 1.5 for rank in range(len(WORDS))]
    return [{"id": f"z{n}", "title": " ".join(rng.choices(WORDS, weights, k=6)),
             "body": " ".join(rng.choices(WORDS, weights, k=rng.randint(3, 9))),
             "outlet": "Reuters", "date": f"20{10 + n % 12}-03-0{1 + n % 9}"}
            for n in range(count)]


@pytest.fixture(scope="module")
def zipf_service(tmp_path_factory, registry):
    return jsonl_service(tmp_path_factory.mktemp("zipf"), registry, _zipf_records(1500))


def test_warm_up_decodes_the_words_in_most_articles(zipf_service):
    backend = zipf_service.backend
    loaded = backend.warm(frequent_terms=3)
    assert loaded["terms"] == 6                     # three in each text field
    searcher, _, generation = backend.handle.searcher()
    cached = {key for key in backend._postings[generation]._entries}
    for fieldname in ("title", "body"):
        by_articles = sorted(WORDS, key=lambda word: -searcher.doc_frequency(fieldname, word))
        assert {text for field, text in cached if field == fieldname} == set(by_articles[:3])


def test_releasing_pages_during_searches_changes_no_result(zipf_service, monkeypatch):
    queries = ["vote", "vote court", '"vote court"', "storm OR walrus", "river -vote"]

    def results():
        return [[(hit["id"], hit["score"]) for hit in zipf_service.search(
            SearchRequest(q=q, collapse=False))["hits"]] for q in queries]
    kept = results()
    monkeypatch.setattr(zipf_service.backend, "resident_limit", 0)  # release before each read
    monkeypatch.setattr(memorylimit, "MAPPED_FLOOR", 0)
    assert results() == kept


def test_a_worker_past_its_limit_halves_its_posting_cache_down_to_a_quarter(tmp_path,
                                                                          registry):
    backend = jsonl_service(tmp_path, registry, _zipf_records(1500)).backend
    backend.warm(frequent_terms=8)
    cache = next(iter(backend._postings.values()))
    assert cache.budget == backend.posting_cache_bytes      # far below the limit: kept
    held = cache._held
    backend.resident_limit = 1                              # every check is past it
    backend._bound_mapped_pages()
    assert cache.budget == backend.posting_cache_bytes // 2
    for _ in range(4):
        backend._bound_mapped_pages()
    assert cache.budget == backend.posting_cache_bytes // 4
    while cache.budget >= held:                             # a budget below what it holds
        cache.shrink(floor=0)
    assert cache._held <= cache.budget and cache.full       # the least recent ones dropped


def test_the_limit_keeps_room_for_a_search_over_every_article(tmp_path, registry,
                                                              monkeypatch):
    from searchsvc.residency import resident_bytes
    backend = jsonl_service(tmp_path, registry, _zipf_records(1500)).backend
    backend.warm(frequent_terms=8)
    cache = next(iter(backend._postings.values()))
    resident, mapped = resident_bytes()
    margin = 8 * 2 ** 20
    # A limit whose heap share lies 8 MiB above the heap, with no room kept: nothing given back.
    backend.resident_limit = int((resident - mapped + margin) / memorylimit.HEAP_SHARE)
    monkeypatch.setattr(memorylimit, "SEARCH_BYTES_PER_ARTICLE", 0)
    backend._bound_mapped_pages()
    assert cache.budget == backend.posting_cache_bytes
    # The same limit less room for a search over the index's 1,500 articles, made 24 MiB
    # here: the heap is past the share of what is left, and the cache gives way.
    assert backend.handle.article_count() == 1500
    monkeypatch.setattr(memorylimit, "SEARCH_BYTES_PER_ARTICLE", 3 * margin // 1500)
    backend._bound_mapped_pages()
    assert cache.budget == backend.posting_cache_bytes // 2


def test_warm_up_stops_once_the_posting_cache_is_full(tmp_path, registry):
    backend = jsonl_service(tmp_path, registry, _zipf_records(1500)).backend
    searcher, columns, generation = backend.handle.searcher()
    cache = backend._posting_cache(columns, generation)
    cache.budget = cache.term(searcher, "title", WORDS[0]).size + 1    # room for one list
    # The second term pushes the first out: warming more would only replace what it loaded.
    assert backend.warm(frequent_terms=8)["terms"] == 2


def test_the_posting_cache_and_memory_limit_are_what_the_settings_say(seeds_index):
    from searchsvc import create_app
    app = create_app({"INDEX_DIR": str(seeds_index), "POSTING_CACHE_MB": 2, "TESTING": True})
    service = app.extensions["searchsvc"]
    assert service.search(SearchRequest(q="Myanmar"))["total"] > 0
    assert [cache.budget for cache in service.backend._postings.values()] == [2 * 2 ** 20]
    assert service.backend.resident_limit == 300 * 2 ** 20
    never = create_app({"INDEX_DIR": str(seeds_index), "WORKER_MEMORY_MB": 0, "TESTING": True})
    assert never.extensions["searchsvc"].backend.resident_limit is None
    with pytest.raises(ValueError, match="POSTING_CACHE_MB must be at least 1"):
        create_app({"INDEX_DIR": str(seeds_index), "POSTING_CACHE_MB": 0, "TESTING": True})
    with pytest.raises(ValueError, match="WORKER_MEMORY_MB must be 0"):
        create_app({"INDEX_DIR": str(seeds_index), "WORKER_MEMORY_MB": -1, "TESTING": True})
