"""Long posting lists written only as arrays read through Whoosh as its own writer's blocks."""
import os
import random
import shutil
from collections import Counter

import pytest
from whoosh import index
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher
from whoosh.writing import SegmentWriter

from searchsvc.backends.whoosh.arraycodec import ARRAYS_ONLY, ArrayCodec
from searchsvc.backends.whoosh import termrows
from searchsvc.backends.whoosh.bulkwrite import BulkSegmentWriter
from searchsvc.backends.whoosh.schema import build_schema

# Zipf-like vocabulary: the first words fill lists of hundreds of postings (several blocks).
WORDS = ("market election minister court police storm vote bank trade union health school "
         "river bridge factory harvest museum orchestra glacier volcano lantern meadow "
         "quarry saddle thimble walrus zephyr").split()
SEGMENTS = 3
PER_SEGMENT = 250


def _documents() -> list[dict]:
    rng = random.Random(18)

    def words(count: int) -> str:
        return " ".join(rng.choices(WORDS, weights=[1 / (i + 1) for i in range(len(WORDS))],
                                    k=count))
    return [{"id": f"d{n}", "title": words(rng.randint(1, 8)).capitalize(),
             "body": ". ".join(words(rng.randint(2, 30)) for _ in range(rng.randint(1, 9))),
             "author": rng.choice(["Ann Lee", "Bo Chan", "Cy Ode"]),
             "outlet": rng.choice(["cnn", "bbc"]), "year": rng.randint(2000, 2020),
             "source_file": f"f{n % 7}"}
            for n in range(SEGMENTS * PER_SEGMENT)]


# Deleted: the first document of the index and of a segment, and a file's worth.
DELETED_IDS = ["d0", f"d{PER_SEGMENT}"]
DELETED_FILE = "f3"


def _build(folder, writer_class):
    """Write the documents in SEGMENTS segments with writer_class, then delete some."""
    folder.mkdir()
    ix = index.create_in(str(folder), build_schema())
    docs = _documents()
    for start in range(0, len(docs), PER_SEGMENT):
        writer = writer_class(ix, compound=False)
        for doc in docs[start:start + PER_SEGMENT]:
            writer.add_document(**doc)
        writer.commit(merge=False)
    writer = ix.writer()
    for doc_id in DELETED_IDS:
        writer.delete_by_term("id", doc_id)
    writer.delete_by_term("source_file", DELETED_FILE)
    writer.commit(merge=False)
    return index.open_dir(str(folder))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The same documents written by Whoosh's SegmentWriter and by the bulk writer."""
    root = tmp_path_factory.mktemp("arraycodec")
    return _build(root / "stock", SegmentWriter), _build(root / "bulk", BulkSegmentWriter), root


def _term_infos(reader):
    return {term: reader.term_info(*term) for term in reader.all_terms()}


def contents(ix) -> dict:
    """Every term of each segment: statistics, postings (id, weight, value, positions)."""
    found = {}
    with ix.searcher() as searcher:
        for number, (leaf, _) in enumerate(searcher.leaf_searchers()):
            reader = leaf.reader()
            for (fieldname, tbytes), info in _term_infos(reader).items():
                matcher = reader.postings(fieldname, tbytes)
                rows = []
                while matcher.is_active():
                    rows.append((matcher.id(), matcher.weight(), matcher.value(),
                                 matcher.value_as("positions")
                                 if matcher.supports("positions") else None))
                    matcher.next()
                found[number, fieldname, tbytes] = (
                    info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                    info.max_weight(), info.min_id(), info.max_id(),
                    reader.doc_frequency(fieldname, tbytes), reader.frequency(fieldname, tbytes),
                    rows)
    return found


def _array_only_terms(ix) -> int:
    with ix.searcher() as searcher:
        return sum(not info.is_inlined() and info.extent()[0] == ARRAYS_ONLY
                   for leaf, _ in searcher.leaf_searchers()
                   for info in _term_infos(leaf.reader()).values())


def test_long_lists_are_written_as_arrays_only(built):
    stock, bulk, root = built
    assert _array_only_terms(bulk) >= 20      # common words, in title and body, each segment
    assert _array_only_terms(stock) == 0
    assert all(isinstance(segment.codec(), ArrayCodec) for segment in bulk._segments())

    def postings_bytes(folder):
        return sum(os.path.getsize(folder / name) for name in os.listdir(folder)
                   if name.endswith(".pst"))
    # The blocks left out were most of the postings file.
    assert postings_bytes(root / "bulk") * 2 < postings_bytes(root / "stock")


def test_every_term_reads_as_whoosh_wrote_it(built):
    stock, bulk, _ = built
    expected, found = contents(stock), contents(bulk)
    assert len(expected) > 100 and expected.keys() == found.keys()
    for key in expected:
        assert found[key] == expected[key], key
    # Deletions were applied, and the long lists were read (several blocks' worth).
    assert stock.doc_count() < stock.doc_count_all()
    assert max(len(value[-1]) for value in found.values()) > 128


def test_blocks_and_inlined_lists_hold_plain_python_numbers(built):
    # Values compare equal to numpy scalars too; the pickled blocks must hold Python's own.
    _, bulk, _ = built
    kinds = set()
    inlined = 0
    with bulk.searcher() as searcher:
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            for term in reader.all_terms():
                info = reader.term_info(*term)
                if info.is_inlined():       # short lists with positions: in the term table
                    inlined += 1
                    for part in info.inlined_postings():
                        kinds.update(map(type, part))
                    continue
                matcher = reader.postings(*term)
                matcher = getattr(matcher, "child", matcher)     # deletions' filter
                if isinstance(matcher, W3LeafMatcher):
                    matcher._read_data()
                    ids, weights, values = matcher._data
                    kinds.update(map(type, ids))
                    kinds.update(map(type, weights if isinstance(weights, tuple)
                                     else [weights or 1.0]))
                    kinds.update(map(type, values or ()))
    assert kinds == {int, float, bytes}
    assert inlined >= 10


def _lists_by_kind(ix) -> Counter:
    """Count the terms of every segment by how their postings are held, text or other fields."""
    kinds: Counter = Counter()
    with ix.searcher() as searcher:
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            for (fieldname, tbytes), info in _term_infos(reader).items():
                if info.is_inlined():
                    kind = "inlined"
                elif info.extent()[0] == ARRAYS_ONLY:
                    kind = "arrays only"
                else:
                    kind = "one block" if info.doc_frequency() <= 128 else "blocks"
                kinds[kind, "text" if fieldname in ("title", "body") else "other"] += 1
    return kinds


def test_the_comparison_sees_every_way_a_term_is_written(built):
    # test_every_term_reads_as_whoosh_wrote_it compares each of them with Whoosh's writer.
    _, bulk, _ = built
    kinds = _lists_by_kind(bulk)
    for kind in [("inlined", "text"), ("one block", "text"), ("arrays only", "text"),
                 ("one block", "other"), ("blocks", "other")]:
        assert kinds[kind] >= 1, kind


def test_boosted_documents_read_as_whoosh_wrote_them(tmp_path):
    # Boosted weights are not whole counts: no posting arrays, long lists in W3 blocks.
    docs = _documents()[:PER_SEGMENT * 2]
    for number, doc in enumerate(docs):
        if number % 3 == 1:
            doc["_boost"] = 1.5
        if number % 4 == 2:
            doc["_author_boost"] = 0.7
            doc["_body_boost"] = 3.25
    found = {}
    for writer_class in (SegmentWriter, BulkSegmentWriter):
        folder = tmp_path / writer_class.__name__
        folder.mkdir()
        ix = index.create_in(str(folder), build_schema())
        writer = writer_class(ix, compound=False)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit(merge=False)
        found[writer_class] = contents(index.open_dir(str(folder)))
    stock, bulk = found[SegmentWriter], found[BulkSegmentWriter]
    assert max(len(value[-1]) for value in stock.values()) > 128
    assert stock.keys() == bulk.keys()
    for key in stock:
        assert bulk[key] == stock[key], key


def test_term_rows_written_in_several_writes_read_as_whoosh_wrote_them(built, tmp_path,
                                                                         monkeypatch):
    stock, _, _ = built
    monkeypatch.setattr(termrows, "ROWS_PER_WRITE", 3)
    assert contents(_build(tmp_path / "bulk", BulkSegmentWriter)) == contents(stock)


def _scored(ix, query, limit=None):
    with ix.searcher() as searcher:
        matcher = query.matcher(searcher)
        every = []
        while matcher.is_active():
            every.append((matcher.id(), matcher.score()))
            matcher.next()
        top = [(hit.docnum, hit.score) for hit in searcher.search(query, limit=limit or 10)]
        return every, top


QUERIES = [wq.Term("body", "market"), wq.Term("title", "market"), wq.Term("body", "zephyr"),
           wq.Phrase("body", ["market", "elect"]), wq.Phrase("body", ["elect", "market"], slop=3),
           wq.And([wq.Term("body", "market"), wq.Term("title", "elect")]),
           wq.Or([wq.Term("body", "storm"), wq.Term("title", "vote")]),
           wq.AndNot(wq.Term("body", "market"), wq.Term("body", "bank")),
           wq.Prefix("body", "m"), wq.FuzzyTerm("body", "markat"), wq.Term("author", "lee")]


@pytest.mark.parametrize("query", QUERIES, ids=str)
def test_whoosh_queries_match_and_score_as_on_whoosh_blocks(built, query):
    stock, bulk, _ = built
    every, top = _scored(stock, query)
    assert len(every) >= 1
    assert _scored(bulk, query) == (every, top)


def test_merging_the_segments_keeps_every_posting(built, tmp_path):
    stock, bulk, root = built
    merged = {}
    for name in ("stock", "bulk"):
        shutil.copytree(root / name, tmp_path / name)
        ix = index.open_dir(str(tmp_path / name))
        ix.optimize()       # Whoosh's writer reads every posting of the segments it merges
        ix = index.open_dir(str(tmp_path / name))
        assert len(ix._segments()) == 1 and ix.doc_count() == ix.doc_count_all()
        assert type(ix._segments()[0].codec()) is W3Codec
        merged[name] = contents(ix)
    assert merged["bulk"] == merged["stock"]
    assert _scored(index.open_dir(str(tmp_path / "bulk")), QUERIES[0]) == \
        _scored(index.open_dir(str(tmp_path / "stock")), QUERIES[0])


def test_an_array_only_term_without_its_arrays_is_a_clear_error(built, tmp_path):
    _, _, root = built
    shutil.copytree(root / "bulk", tmp_path / "bulk")
    for name in os.listdir(tmp_path / "bulk"):
        if ".pa_" in name:
            os.unlink(tmp_path / "bulk" / name)
    ix = index.open_dir(str(tmp_path / "bulk"))
    with ix.searcher() as searcher:
        with pytest.raises(OSError, match="posting arrays of body:b'market'"):
            searcher.postings("body", "market")
