"""The per-generation array cache: saved once, read back equal, never stale, optional."""
import numpy as np

from searchsvc.backends.whoosh.arraycache import PREFIX, cached_arrays, index_digest
from searchsvc.backends.whoosh.backend import WhooshBackend
from searchsvc.backends.whoosh.generations import current_generation
from searchsvc.backends.contract import Filters, SearchSpec
from searchsvc.query import tree as t
from builders import jsonl_service

RECORDS = [{"id": f"a{n}", "title": f"Harvest {n}", "outlet": "CNN" if n % 2 else "BBC News",
            "date": f"2011-07-0{n + 1}", "body": f"harvest report {n} with apples"}
           for n in range(4)]


def test_arrays_are_saved_once_and_read_back(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {"a": np.arange(5), "labels": np.array(["x", "y"])}

    (tmp_path / "seg.toc").write_text("1")
    first = cached_arrays(tmp_path, "columns", compute)
    second = cached_arrays(tmp_path, "columns", compute)
    assert len(calls) == 1
    assert np.array_equal(first["a"], second["a"]) and list(second["labels"]) == ["x", "y"]
    # A changed index file is a new digest: computed again, not read from the old file.
    (tmp_path / "seg.toc").write_text("22")
    cached_arrays(tmp_path, "columns", compute)
    assert len(calls) == 2
    assert len(list(tmp_path.glob(PREFIX + "columns-*.npz"))) == 1     # the stale one gone


def test_a_torn_cache_file_is_computed_again(tmp_path):
    cached_arrays(tmp_path, "x", lambda: {"a": np.arange(3)})
    [saved] = tmp_path.glob(PREFIX + "x-*.npz")
    saved.write_bytes(b"PK\x03\x04 torn")
    assert list(cached_arrays(tmp_path, "x", lambda: {"a": np.arange(3)})["a"]) == [0, 1, 2]


def test_a_cache_that_cannot_be_written_is_computed_each_time(tmp_path):
    # A directory where the cache file would go: neither read nor written (as a read-only
    # index directory, which root, running the tests, could still write).
    (tmp_path / f"{PREFIX}x-{index_digest(tmp_path)}.npz").mkdir()
    calls = []

    def compute():
        calls.append(1)
        return {"a": np.arange(3)}

    for _ in range(2):
        assert list(cached_arrays(tmp_path, "x", compute)["a"]) == [0, 1, 2]
    assert len(calls) == 2 and not list(tmp_path.glob("*.tmp"))


def test_a_backend_opened_on_a_saved_cache_searches_the_same(tmp_path, registry):
    jsonl_service(tmp_path, registry, RECORDS)
    index_dir = tmp_path / "ix"
    spec = SearchSpec(t.Word("harvest"), Filters(outlets=("CNN",)), sort="relevance")
    cold = WhooshBackend(index_dir).search(spec)
    generation = index_dir / current_generation(index_dir)
    assert {path.name.split("-")[1] for path in generation.glob(PREFIX + "*")} == {
        "facets", "lengths"}
    warm = WhooshBackend(index_dir).search(spec)
    assert [f.fields["id"] for f in warm.hits] == [f.fields["id"] for f in cold.hits]
    assert [f.score for f in warm.hits] == [f.score for f in cold.hits]
    assert warm.facets == cold.facets and warm.total == 2


def test_an_update_is_searched_with_its_own_arrays(tmp_path, registry):
    service = jsonl_service(tmp_path, registry, RECORDS)
    backend = service.backend
    assert backend.search(SearchSpec(t.Word("harvest"), Filters(outlets=("CNN",)))).total == 2
    backend.update_articles(delete_ids=["a1"])
    fresh = WhooshBackend(tmp_path / "ix")
    assert fresh.search(SearchSpec(t.Word("harvest"), Filters(outlets=("CNN",)))).total == 1
    generation = tmp_path / "ix" / current_generation(tmp_path / "ix")
    assert len(list(generation.glob(PREFIX + "facets-*.npz"))) == 1
