"""The numpy posting path gives Whoosh's documents and scores, on real indexes."""
import json
import random

import numpy as np
import pytest
from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher

from searchsvc.config import PACKAGE_DATA
from searchsvc.backends.whoosh.indexer import build_index
from searchsvc.backends.whoosh.postings import Matches, PostingCache, QueryEvaluator, Unsupported
from searchsvc.backends.whoosh.postingarrays import places_in
from searchsvc.backends.whoosh.positions import (POSITION_BITS, contains, decode_positions,
                                                 read_one_by_one, read_positions, read_postings)
from searchsvc.backends.whoosh.backend import top_ranked
from searchsvc.backends.whoosh.phrases import WrittenAs
from searchsvc.backends.whoosh.translate import to_whoosh
from searchsvc.query.synonyms import Synonyms
from searchsvc.service import SearchRequest
from builders import whoosh_service

# Zipf-like vocabulary: early words are common (hundreds of postings, several blocks).
WORDS = ("market election minister court police storm vote bank trade union health school "
         "river bridge factory harvest museum orchestra glacier volcano lantern meadow "
         "quarry saddle thimble walrus zephyr").split()
OUTLETS = ["CNN", "Reuters", "The Irrawaddy", "BBC News"]


def _article(rng: random.Random, number: int) -> dict:
    def words(count: int) -> str:
        return " ".join(rng.choices(WORDS, weights=[1 / (i + 1) for i in range(len(WORDS))],
                                    k=count))
    return {"id": f"gen-{number}", "title": words(rng.randint(2, 8)).capitalize(),
            "body": ". ".join(words(rng.randint(4, 25)) for _ in range(rng.randint(1, 12))),
            "outlet": rng.choice(OUTLETS), "date": f"{rng.randint(2010, 2023)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            "authors": rng.choice(["Ann Lee", "Bo Chan", ""])}


def _write(path, articles):
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")


@pytest.fixture(scope="module")
def generated_index(tmp_path_factory, registry):
    """A 600-article generated corpus in three files, then updated: several segments, deletions."""
    root = tmp_path_factory.mktemp("generated")
    corpus = root / "corpus"
    corpus.mkdir()
    rng = random.Random(7)
    articles = [_article(rng, n) for n in range(600)]
    for part in range(3):
        _write(corpus / f"part{part}.jsonl", articles[part * 200:(part + 1) * 200])
    build_index(corpus, root / "ix", registry=registry)
    # Replace one file: its old documents become deletions in the first segment.
    _write(corpus / "part1.jsonl", [_article(rng, n) for n in range(600, 750)])
    build_index(corpus, root / "ix", registry=registry, update=True)
    return root / "ix"


QUERIES = ["market", "market election", "storm river bridge", '"market election"',
           '"election minister court"', "market OR walrus", "market NOT election",
           "market -election", "NOT market", "(market OR bank) AND NOT (vote OR trade)",
           "title:market", "author:lee", "outlet:reuters", "zephyr", "nonexistentword",
           '"walrus zephyr"', "market AND (glacier OR volcano) -lantern", "meadow^2 quarry",
           # Exact phrases led by their rarest word: in the middle, at the end, repeated.
           '"market zephyr election"', '"election market walrus"', '"market market"',
           '"market election market"',
           "Myanmar", "burma election", "u.s vote", "united states",
           # Proximity: Whoosh's SpanNear2 semantics (in order, each word 1..slop after).
           '"market election"~3', '"election market"~2', '"market court vote"~4',
           '"storm bridge"~10', '"market market"~5', '"walrus zephyr"~30 OR "bank trade"~2']


def _services(index_dir, registry):
    service = whoosh_service(index_dir, registry, Synonyms.load(PACKAGE_DATA / "synonyms.txt"))
    return service.backend.handle, service


def _whoosh_scores(searcher, parsed):
    """Every matching document and its score, by Whoosh's own matcher."""
    matcher = parsed.matcher(searcher)
    docs, scores = [], []
    while matcher.is_active():
        docs.append(matcher.id())
        scores.append(matcher.score())
        matcher.next()
    return np.array(docs, dtype=np.int64), np.array(scores)


def _checks_written_text(query) -> bool:
    """Tell whether a query holds a phrase with stop words, checked on the stored text."""
    return isinstance(query, WrittenAs) or any(map(_checks_written_text, query.children()))


@pytest.mark.parametrize("arrays", [True, False], ids=["posting-arrays", "whoosh-blocks"])
@pytest.mark.parametrize("which", ["generated", "seeds"])
def test_same_documents_and_scores_as_whoosh(which, arrays, generated_index, seeds_index,
                                             registry):
    index_dir = generated_index if which == "generated" else seeds_index
    handle, service = _services(index_dir, registry)
    searcher, columns, generation = handle.searcher()
    assert QueryEvaluator.usable(searcher)      # the service's ranking takes the fast path
    if which == "generated":
        assert len(searcher.leaf_searchers()) > 1 and searcher.reader().has_deletions()
    cache = PostingCache(columns.live, arrays_dir=index_dir / generation if arrays else None)
    evaluator = QueryEvaluator(cache, searcher)
    checked = 0
    for q in QUERIES + ["asylum", '"Kyaw Win"', "asylum NOT Irrawaddy", "diplomat asylum"]:
        reading = service.reader.read(q)
        for parsed in (to_whoosh(reading.tree, searcher.schema),
                       to_whoosh(reading.fallback, searcher.schema)):
            if parsed is None:
                continue
            matches = evaluator.evaluate(parsed)
            docs, scores = _whoosh_scores(searcher, parsed)
            if _checks_written_text(parsed):
                # Whoosh matches such a phrase as its index terms: a superset ("meadow^2" is
                # the phrase "meadow 2", whose "2" the index leaves out).
                kept = np.isin(docs, matches.docs)
                docs, scores = docs[kept], scores[kept]
            else:
                assert np.array_equal(matches.docs,
                                      np.sort(list(searcher.docs_for_query(parsed)))), q
            assert np.array_equal(matches.docs, docs), q
            np.testing.assert_allclose(matches.scores, scores, rtol=1e-12, atol=0, err_msg=q)
            checked += matches.docs.size
    assert checked > 1000 if which == "generated" else checked > 10


def test_posting_arrays_hold_the_long_lists_whoosh_holds(generated_index, registry):
    handle, _ = _services(generated_index, registry)
    searcher, columns, generation = handle.searcher()
    cache = PostingCache(columns.live, arrays_dir=generated_index / generation)
    leaves = [leaf.reader() for leaf, _ in searcher.leaf_searchers()]
    # The bulk-written segments have arrays; the update's deletions leave them valid.
    assert sum(cache.arrays_of(reader) is not None for reader in leaves) >= 2
    from_arrays = 0
    for fieldname in ("body", "title"):
        for text in searcher.reader().field_terms(fieldname):
            docs, weights, _, frequency = read_postings(searcher, fieldname, text,
                                                        arrays=cache.arrays_of)
            expected_docs, expected_weights, _, expected_frequency = read_postings(
                searcher, fieldname, text)
            # Whoosh's own count, deleted documents included, whichever way it was read.
            assert frequency == expected_frequency == searcher.doc_frequency(fieldname, text)
            # Whoosh's reader may leave out a deleted document leading a segment.
            live, expected_live = columns.live[docs], columns.live[expected_docs]
            assert np.array_equal(docs[live], expected_docs[expected_live]), text
            assert np.array_equal(weights[live], expected_weights[expected_live]), text
            tbytes = searcher.schema[fieldname].to_bytes(text)
            held = sum(cache.arrays_of(reader).postings(fieldname, tbytes) is not None
                       for reader in leaves if cache.arrays_of(reader) is not None)
            from_arrays += held
            if held:
                live_docs = np.unique(expected_docs[expected_live])
                assert np.array_equal(
                    read_positions(searcher, fieldname, text, live_docs, cache.arrays_of),
                    read_positions(searcher, fieldname, text, live_docs)), text
    assert from_arrays >= 10     # the common words are read from the arrays


def test_segment_arrays_that_do_not_fit_together_are_not_used(tmp_path):
    from array import array
    from searchsvc.backends.whoosh.postingarrays import (SPANS, SegmentArrays,
                                                         SegmentArraysWriter)
    writer = SegmentArraysWriter(tmp_path, "MAIN_x", min_postings=2)
    writer.add("body", b"vote", array("I", [1, 4, 9]), array("f", [1.0, 3.0, 2.0]), 1.0,
               array("I", [7, 0, 5, 9, 2, 3]))
    writer.add("body", b"rare", array("I", [5]), array("f", [1.0]), 1.0)          # too short
    writer.add("body", b"boosted", array("I", [1, 2]), array("f", [1.5, 2.0]), 1.0)  # not counts
    writer.add("title", b"vote", array("I", [2, 3]), array("f", [2.0, 4.0]), 2.0)
    writer.close()
    arrays = SegmentArrays.open(tmp_path, "MAIN_x")
    docs, freqs = arrays.postings("body", b"vote")
    assert list(docs) == [1, 4, 9] and list(freqs) == [1, 3, 2]
    docs, positions = arrays.positions("body", b"vote", np.array([4, 9]))
    assert list(docs) == [4, 4, 4, 9, 9] and list(positions) == [0, 5, 9, 2, 3]
    assert [list(a) for a in arrays.postings("title", b"vote")] == [[2, 3], [1, 2]]
    assert arrays.positions("title", b"vote", np.array([2])) is None    # none were given
    assert arrays.postings("body", b"rare") is None
    assert arrays.postings("body", b"boosted") is None
    assert arrays.postings("body", b"a-term-longer-than-any-key-in-the-table") is None
    np.save(tmp_path / f"MAIN_x{SPANS}", np.array([[0, 3, 0], [3, 99, -1]], dtype="<i8"))
    assert SegmentArrays.open(tmp_path, "MAIN_x") is None     # a span past the end
    assert SegmentArrays.open(tmp_path, "MAIN_missing") is None


@pytest.mark.parametrize("spread", [3, 40, 2 ** 40], ids=["dense", "sparse", "position-keys"])
def test_contains_agrees_with_isin_on_long_lists(spread):
    # Long, dense lists take the bitmap; sparse ones and position keys the binary search.
    rng = np.random.default_rng(spread)
    values = np.unique(rng.integers(0, 20_000 * spread, 20_000))
    edges = [values[0], values[-1], values[-1] + 1, -1]
    wanted = np.concatenate([rng.choice(values, 3_000), edges,
                             rng.integers(-5, 20_000 * spread + 5, 3_000)])
    assert np.array_equal(contains(values, wanted), np.isin(wanted, values))
    assert not contains(values[:0], wanted).any()


@pytest.mark.parametrize("wanted_count", [10, 5_000], ids=["binary-search", "dense-slots"])
def test_places_in_finds_each_document_and_its_index(wanted_count):
    # Few documents looked up take binary searches, many a slot array: the same answers.
    rng = np.random.default_rng(wanted_count)
    docs = np.unique(rng.integers(0, 100_000, 30_000))
    wanted = np.unique(np.concatenate([rng.choice(docs, wanted_count // 2),
                                       rng.integers(0, 100_100, wanted_count // 2),
                                       [docs[0], docs[-1], docs[-1] + 1]]))
    found, places = places_in(docs, wanted)
    assert np.array_equal(found, np.isin(wanted, docs))
    assert np.array_equal(docs[places[found]], wanted[found])
    assert not places_in(docs[:0], wanted)[0].any()


def test_search_ranks_by_whoosh_scores_with_docnum_ties(generated_index, registry):
    handle, service = _services(generated_index, registry)
    searcher, _, generation = handle.searcher()
    for q in ["market", "storm bridge", '"market election"', "walrus OR zephyr"]:
        result = service.search(SearchRequest(q=q, per_page=25))
        parsed = to_whoosh(service.reader.read(q).tree, searcher.schema)
        docs, scores = _whoosh_scores(searcher, parsed)
        expected = sorted(zip(-scores, docs))[:25]
        assert [hit["score"] for hit in result["hits"]] == [round(-s, 4) for s, _ in expected]
        ids = [searcher.stored_fields(int(d))["id"] for _, d in expected]
        assert [hit["id"] for hit in result["hits"]] == ids
        assert result["total"] == docs.size


def test_top_ranked_breaks_ties_by_lower_docnum():
    docs = np.array([3, 5, 8, 9, 12])
    scores = np.array([1.0, 2.0, 2.0, 0.5, 2.0])
    assert list(docs[top_ranked(docs, scores, 2)]) == [5, 8]
    assert list(docs[top_ranked(docs, scores, 10)]) == [5, 8, 12, 3, 9]


def test_block_reader_matches_matcher_interface(generated_index, registry):
    handle, _ = _services(generated_index, registry)
    searcher, columns, _ = handle.searcher()
    for word in ["market", "zephyr"]:
        docs, weights, values, _ = read_postings(searcher, "body", word, with_values=True)
        assert docs.size > 0
        expected_docs, expected_weights, expected_values = [], [], []
        for leaf, offset in searcher.leaf_searchers():
            if ("body", word) in leaf.reader():
                found = []
                matcher = leaf.reader().postings("body", word)
                if isinstance(matcher, FilterMatcher):   # deleted documents are kept here
                    matcher = matcher.child
                d, w = read_one_by_one(matcher, found)
                expected_docs.append(d + offset)
                expected_weights.append(w)
                expected_values.extend(found)
        # Deleted documents may or may not be included (Whoosh's deletion filter skips the
        # ones leading a segment when it is made); every live one must be, in order.
        expected_docs = np.concatenate(expected_docs)
        live = columns.live[docs]
        expected_live = columns.live[expected_docs]
        assert np.array_equal(docs[live], expected_docs[expected_live])
        assert np.array_equal(weights[live], np.concatenate(expected_weights)[expected_live])
        assert [v for v, keep in zip(values, live) if keep] == \
            [v for v, keep in zip(expected_values, expected_live) if keep]
        assert live.sum() == len(list(searcher.docs_for_query(wq.Term("body", word))))
    assert read_postings(searcher, "body", "nonexistentword")[0].size == 0


def test_positions_read_in_chosen_documents_are_those_of_the_whole_list(generated_index,
                                                                       registry):
    handle, _ = _services(generated_index, registry)
    searcher, columns, _ = handle.searcher()
    rng = np.random.default_rng(3)
    for word in ["market", "storm", "zephyr"]:
        docs, _, values, _ = read_postings(searcher, "body", word, with_values=True)
        live = columns.live[docs]
        every = decode_positions([v for v, keep in zip(values, live) if keep], docs[live])
        for share in (0.02, 0.3, 1.0):      # few documents: most blocks skipped unread
            chosen = np.sort(rng.choice(docs[live], max(1, int(share * live.sum())),
                                        replace=False))
            wanted = every[contains(chosen, every >> POSITION_BITS)]
            assert np.array_equal(read_positions(searcher, "body", word, chosen), wanted)
        assert read_positions(searcher, "body", word, np.array([], dtype=np.int64)).size == 0



@pytest.mark.parametrize("parsed", [
    wq.Wildcard("body", "mark*"), wq.FuzzyTerm("body", "markte"),
    wq.NumericRange("year", 2011, 2015),
    wq.Every(), wq.Or([wq.Term("body", "market"), wq.Term("body", "vote")], scale=0.5),
])
def test_other_queries_are_left_to_whoosh(parsed, generated_index, registry):
    handle, _ = _services(generated_index, registry)
    searcher, columns, _ = handle.searcher()
    with pytest.raises(Unsupported):
        QueryEvaluator(PostingCache(columns.live), searcher).evaluate(parsed)


@pytest.mark.parametrize("q", ["mark*", "markte~", '"market election"~3', "year:[2011 TO 2015]"])
def test_whoosh_fallback_still_searches(q, generated_index, registry):
    _, service = _services(generated_index, registry)
    result = service.search(SearchRequest(q=q))
    assert result["total"] > 0 and result["hits"]


def test_cache_stays_within_budget(generated_index, registry):
    handle, _ = _services(generated_index, registry)
    searcher, columns, _ = handle.searcher()
    cache = PostingCache(columns.live, budget=400)
    for word in WORDS:
        cache.term(searcher, "body", word)
    assert cache._held <= 400 or len(cache._entries) == 1
    # An evicted term is read again, unchanged.
    again = cache.term(searcher, "body", WORDS[0])
    fresh = PostingCache(columns.live).term(searcher, "body", WORDS[0])
    assert np.array_equal(again.docs, fresh.docs) and np.array_equal(again.scores, fresh.scores)


def test_not_excludes_a_first_match_that_the_excluded_word_reaches_late(tmp_path):
    """Whoosh's AndNotMatcher kept a's first document when b started before it (fixed)."""
    from whoosh import fields
    from whoosh.filedb.filestore import RamStorage

    import searchsvc.backends.whoosh.backend  # noqa: F401  (installs the correction)

    ix = RamStorage().create_index(fields.Schema(body=fields.TEXT))
    with ix.writer() as writer:
        writer.add_document(body="lantern")            # 0: only the excluded word
        writer.add_document(body="market lantern")     # 1: a's first document, excluded
        writer.add_document(body="market")             # 2
    query = wq.AndNot(wq.Term("body", "market"), wq.Term("body", "lantern"))
    with ix.searcher() as searcher:
        assert list(searcher.docs_for_query(query)) == [2]
        assert [hit.docnum for hit in searcher.search(query)] == [2]


def test_or_of_a_subset_adds_scores_exactly_as_the_general_path():
    rng = np.random.default_rng(7)
    large_docs = np.sort(rng.choice(5_000, size=800, replace=False)).astype(np.int64)
    small_docs = np.sort(rng.choice(large_docs, size=90, replace=False))
    large = Matches(large_docs, rng.random(large_docs.size) * 7)
    small = Matches(small_docs, rng.random(small_docs.size) * 0.2)
    within = QueryEvaluator._or_within(small, large)
    # The general path: every posting's score summed per document, in the parts' order.
    docs = np.concatenate([small.docs, large.docs])
    unique, inverse = np.unique(docs, return_inverse=True)
    summed = np.bincount(inverse, weights=np.concatenate([small.scores, large.scores]))
    assert np.array_equal(within.docs, unique)
    assert np.array_equal(within.scores, summed)     # bit for bit, not approximately
    # A few of small's documents outside large (before, between and after its own) are
    # inserted in order, with the same scores as the general path.
    absent = np.setdiff1d(np.arange(5_002), large_docs)
    few = np.concatenate([absent[:3], absent[400:405], [5_001]]).astype(np.int64)
    for part in (few, np.union1d(small_docs, few)):
        other = Matches(part, rng.random(part.size))
        merged = QueryEvaluator._or_within(other, large)
        docs = np.concatenate([other.docs, large.docs])
        unique, inverse = np.unique(docs, return_inverse=True)
        summed = np.bincount(inverse, weights=np.concatenate([other.scores, large.scores]))
        assert np.array_equal(merged.docs, unique)
        assert np.array_equal(merged.scores, summed)
    # Many outside: the general path's work.
    many = Matches(absent[:200].astype(np.int64), np.ones(200))
    assert QueryEvaluator._or_within(many, large) is None


def test_a_synonym_group_scores_each_document_by_its_own_best_alternative(tmp_path):
    """Whoosh's DisjunctionMaxMatcher gave a document the other matcher's later score (fixed)."""
    from whoosh import fields
    from whoosh.filedb.filestore import RamStorage

    import searchsvc.backends.whoosh.backend  # noqa: F401  (installs the correction)

    ix = RamStorage().create_index(fields.Schema(body=fields.TEXT))
    with ix.writer() as writer:
        writer.add_document(body="burma")                        # 0: only b
        writer.add_document(body="myanmar myanmar myanmar")      # 1: only a, scored high
    query = wq.DisjunctionMax([wq.Term("body", "myanmar"), wq.Term("body", "burma")])
    with ix.searcher() as searcher:
        scores = {hit.docnum: hit.score for hit in searcher.search(query)}
        alone = {hit.docnum: hit.score for hit in searcher.search(wq.Term("body", "burma"))}
    assert scores[0] == pytest.approx(alone[0])


def _padded(date_iso):
    """Return a stored ISO date (2011, 2011-07, 2011-07-04) as its first day, or None."""
    if not date_iso:
        return None
    parts = (date_iso.split("-") + ["01", "01"])[:3]
    return "-".join(part.zfill(2) for part in parts)


@pytest.mark.parametrize("q, wanted", [
    ("year:[2011 TO 2015]", lambda d: "2011" <= d[:4] <= "2015"),
    ("year:[* TO 2012]", lambda d: d[:4] <= "2012"),       # Whoosh's own matched every doc
    ("year:>2013", lambda d: d[:4] > "2013"),
    ("year:[* TO *]", lambda d: True),
    ("date:[* TO *]", lambda d: True),
    ("date:>2011", lambda d: d >= "2012-01-01"),
    ("date:<2012-03", lambda d: d <= "2012-02-29"),
    ("date:[2011-07 TO 2012]", lambda d: "2011-07-01" <= d <= "2012-12-31"),
    ("date:{2011-07-04 TO 2022}", lambda d: "2011-07-05" <= d <= "2021-12-31"),
    ("date:2011-07-04", lambda d: d == "2011-07-04"),
])
@pytest.mark.parametrize("which", ["generated", "seeds"])
def test_year_and_date_ranges_match_the_stored_dates(which, q, wanted, generated_index,
                                                     seeds_index, registry):
    handle, service = _services(generated_index if which == "generated" else seeds_index,
                                registry)
    searcher, columns, _ = handle.searcher()
    evaluator = QueryEvaluator(PostingCache(columns.live), searcher, columns=columns)
    matches = evaluator.evaluate(to_whoosh(service.reader.read(q).tree, searcher.schema))
    expected = [docnum for docnum in range(columns.live.size) if columns.live[docnum]
                and (day := _padded(searcher.stored_fields(docnum).get("date_iso")))
                and wanted(day)]
    assert matches.docs.tolist() == expected
    assert set(matches.scores.tolist()) <= {1.0}          # constant, as Whoosh scores them


@pytest.mark.parametrize("q", ["market year:[2011 TO 2013]", "market OR date:2012",
                               "date:>2011 -market", "(vote OR bank) date:[2011 TO 2014]"])
def test_ranges_within_queries_score_as_whoosh(q, generated_index, registry):
    handle, service = _services(generated_index, registry)
    searcher, columns, _ = handle.searcher()
    parsed = to_whoosh(service.reader.read(q).tree, searcher.schema)
    matches = QueryEvaluator(PostingCache(columns.live), searcher,
                             columns=columns).evaluate(parsed)
    docs, scores = _whoosh_scores(searcher, parsed)
    assert docs.size and np.array_equal(matches.docs, docs), q
    np.testing.assert_allclose(matches.scores, scores, rtol=1e-12, atol=0, err_msg=q)


def test_many_valued_counts_of_few_or_many_documents_are_those_of_their_positions(
        generated_index, registry):
    handle, _ = _services(generated_index, registry)
    _, columns, _ = handle.searcher()
    rng = np.random.default_rng(5)
    for values in (columns.authors, columns.topics):
        live = np.flatnonzero(columns.live)
        for size in (0, 1, 7, live.size // 20, live.size // 2, live.size):
            docs = np.sort(rng.choice(live, size, replace=False))
            expected: dict[str, int] = {}
            chosen = set(docs.tolist())
            for code, doc in zip(values.codes.tolist(), values.docs.tolist()):
                if doc in chosen:
                    expected[values.labels[code]] = expected.get(values.labels[code], 0) + 1
            assert dict(values.counts(docs)) == expected
