"""The fast index-time paths write what Whoosh's own analyzer and writer would."""
from __future__ import annotations

from collections import defaultdict

import pytest
from whoosh import index
from whoosh.writing import SegmentWriter

from whoosh.formats import Positions

from searchsvc.backends.whoosh.analysis import (english_analyzer, english_term_byte_positions,
                                                english_term_numbers, english_term_positions)
from searchsvc.backends.whoosh.bulkwrite import BulkSegmentWriter, ParallelWriter
from searchsvc.ingest.corpus import Article, CorpusReader
from searchsvc.backends.whoosh.indexer import article_document, content_hash
from searchsvc.outlets import OutletRegistry
from searchsvc.backends.whoosh.schema import build_schema
from searchsvc.backends.whoosh.textpostings import TextPostings

TEXTS = [
    "",
    "The",                                    # only a stop word
    "the and of a",                           # only stop words
    "The cat sat on the mat; the cats were sitting.",
    "To be or not to be: that is the question",   # leading stop words keep their positions
    "Café crème, naïve façade, Ångström, Øresund, Straße, ÆON, İstanbul",
    "O’Neill’s and O'Brien's cousins’ dogs ’quoted’ ‘single’ “double”",
    "3.14 1,000,000 2011-07-13 U.S.A. e.g. v2.7.5 x86_64 snake_case __init__ 1st 22nd",
    "Running runs ran runner RUNNING Runs connection connected connecting",
    "a I x y z 7 ab AB aB it's it’s",
    "Ünïcödé ǅemal Ⅻ ① ² ½ ﬁne ﬂow 東京 москва العربية",
    "repeated repeated repeated word word, repeated.",
    "tab\tnew\nline\r\nreturns   and    spaces",
    "e-mail co-operate re-enter pre-war don't won't can't",
    "x" * 300 + " " + "long" * 50,
    "a..b a.b. .a a._b 1.2.3. ..x y.. www.example.co.uk. end.",   # dots in and around words
]


def reference_positions(text: str) -> dict[str, list[int]]:
    """Return {term: positions} as english_analyzer() indexes `text`."""
    found: dict[str, list[int]] = defaultdict(list)
    for token in english_analyzer()(text, positions=True, mode="index"):
        found[token.text].append(token.pos)
    return dict(found)


@pytest.mark.parametrize("text", TEXTS)
def test_fast_terms_and_positions_match_the_analyzer(text):
    assert english_term_positions(text) == reference_positions(text)


@pytest.mark.parametrize("text", TEXTS)
def test_term_bytes_are_the_terms_encoded(text):
    expected = {term.encode("utf-8"): positions
                for term, positions in reference_positions(text).items()}
    assert english_term_byte_positions(text) == expected


def test_term_numbers_grouped_by_term_give_the_analyzers_postings():
    held = TextPostings()
    for docnum, text in enumerate(TEXTS):
        assert held.add(docnum, english_term_numbers(text)) == sum(
            map(len, english_term_byte_positions(text).values()))
    expected = defaultdict(list)
    for docnum, text in enumerate(TEXTS):
        for tbytes, positions in english_term_byte_positions(text).items():
            expected[tbytes].append((docnum, len(positions) * 2.0, positions))
    grouped = {}
    for tbytes, docnums, weights, counts, positions in held.terms(2.0):
        positions = iter(positions.tolist())
        grouped[tbytes] = [(docnum, weight, [next(positions) for _ in range(count)])
                           for docnum, weight, count in zip(docnums, weights, counts.tolist())]
        assert next(positions, None) is None
    assert list(grouped) == sorted(expected)      # in term order, as the codec wants them
    assert grouped == expected


@pytest.mark.parametrize("positions", [[0], [7], [300], [70000], [0, 1], [3, 17, 18, 4000],
                                       list(range(0, 100_000, 997))])
def test_positions_are_encoded_as_whoosh_encodes_them(positions):
    assert build_schema()["body"].encode_positions(positions) == Positions().encode(positions)


def test_fast_terms_match_the_analyzer_on_the_corpus():
    registry = OutletRegistry.load("searchsvc/data/outlets.toml")
    for article in CorpusReader(_corpus(), registry).read():
        for text in (article.title, article.body):
            assert english_term_positions(text) == reference_positions(text)


def test_query_terms_are_the_indexed_terms():
    schema = build_schema()
    text = "Naïve runners’ phrases, O’Neill and the 3.14 cafés"
    for name in ("title", "body"):
        query_terms = list(schema[name].process_text(text, mode="query"))
        indexed = english_term_positions(text)
        assert sorted(indexed, key=lambda t: indexed[t][0]) == query_terms


def _corpus():
    from pathlib import Path
    return Path(__file__).resolve().parent.parent / "corpus"


def _documents() -> list[dict]:
    """Return the index documents of the default corpus, plus some edge cases."""
    registry = OutletRegistry.load("searchsvc/data/outlets.toml")
    articles = [a for a in CorpusReader(_corpus(), registry).read() if isinstance(a, Article)]
    docs = [article_document(a, content_hash(a)) for a in articles]
    for number, text in enumerate(TEXTS):
        doc = dict(docs[number % len(docs)])
        doc.update(id=f"edge-{number}", title=text[:40], body=text, content_hash=f"h{number}",
                   author="", outlet_name="")
        docs.append(doc)
    return docs


def index_contents(ix) -> dict:
    """Return every term of an index with its statistics, postings and stored documents."""
    contents = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for fieldname, tbytes in reader.all_terms():
            info = reader.term_info(fieldname, tbytes)
            postings = reader.postings(fieldname, tbytes)
            rows = []
            while postings.is_active():
                rows.append((postings.id(), postings.weight(), postings.value()))
                postings.next()
            contents[fieldname, tbytes] = (info.weight(), info.doc_frequency(),
                                           info.min_length(), info.max_length(),
                                           info.max_weight(), info.min_id(), info.max_id(),
                                           rows)
        contents["stored"] = list(reader.all_stored_fields())
        contents["lengths"] = {name: [reader.doc_field_length(n, name)
                                      for n in range(reader.doc_count_all())]
                               for name in ix.schema.scorable_names()}
    return contents


def test_bulk_writer_writes_the_index_segment_writer_writes(tmp_path):
    docs = _documents()
    built = {}
    for writer_class in (SegmentWriter, BulkSegmentWriter):
        folder = tmp_path / writer_class.__name__
        folder.mkdir()
        ix = index.create_in(str(folder), build_schema())
        writer = writer_class(ix)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
        built[writer_class] = index_contents(ix)
        ix.close()
    stock, bulk = built[SegmentWriter], built[BulkSegmentWriter]
    assert len(stock) > 100
    assert stock.keys() == bulk.keys()
    for key in stock:
        assert stock[key] == bulk[key], key


def postings_by_id(ix) -> dict:
    """Return {(field, term): {article id: (weight, value)}}, independent of segments."""
    found = {}
    with ix.searcher() as searcher:
        ids = {docnum: fields["id"] for docnum, fields in searcher.iter_docs()}
        for fieldname, tbytes in searcher.reader().all_terms():
            postings = searcher.postings(fieldname, tbytes)
            rows = {}
            while postings.is_active():
                rows[ids[postings.id()]] = (postings.weight(), postings.value())
                postings.next()
            found[fieldname, tbytes] = rows
        found["stored"] = sorted(map(repr, (fields for _, fields in searcher.iter_docs())))
    return found


def build_with(folder, make_writer) -> tuple[dict, int]:
    """Index the test documents with a writer; return their postings and the segment count."""
    folder.mkdir()
    ix = index.create_in(str(folder), build_schema())
    writer = make_writer(ix)
    for doc in _documents():
        writer.add_document(**doc)
    writer.commit()
    ix = index.open_dir(str(folder))
    try:
        return postings_by_id(ix), len(ix._segments())
    finally:
        ix.close()


def test_parallel_writer_indexes_what_segment_writer_does(tmp_path):
    stock, _ = build_with(tmp_path / "stock", SegmentWriter)
    parallel, segments = build_with(tmp_path / "parallel",
                                    lambda ix: ParallelWriter(ix, procs=2, batch_size=3))
    assert 1 <= segments <= 2     # one segment per worker that got documents
    assert stock == parallel


def test_a_worker_writes_a_new_segment_when_its_postings_budget_is_spent(tmp_path):
    whole, _ = build_with(tmp_path / "whole", lambda ix: ParallelWriter(ix, procs=2,
                                                                        batch_size=3))
    rolled, segments = build_with(tmp_path / "rolled", lambda ix: ParallelWriter(
        ix, procs=2, batch_size=3, segment_postings=200))
    assert segments > 2      # each worker wrote out several segments
    assert whole == rolled


def test_parallel_writer_reports_a_failing_worker(tmp_path):
    ix = index.create_in(str(tmp_path), build_schema())
    writer = ParallelWriter(ix, procs=2, batch_size=1)
    writer.add_document(id="x", title="t", body="b", year="not a number")
    with pytest.raises(RuntimeError, match="index worker failed"):
        writer.commit()


def test_the_fast_token_pattern_finds_the_analyzers_tokens():
    # analysis._TOKEN_RE is TOKEN_PATTERN with possessive quantifiers: the same matches.
    import re
    from searchsvc.backends.whoosh.analysis import _TOKEN_RE, TOKEN_PATTERN
    written = re.compile(TOKEN_PATTERN)
    registry = OutletRegistry.load("searchsvc/data/outlets.toml")
    texts = TEXTS + [text for article in CorpusReader(_corpus(), registry).read()
                     for text in (article.title, article.body)]
    assert any("." in token for text in texts for token in written.findall(text))
    for text in texts:
        assert _TOKEN_RE.findall(text) == written.findall(text)


def test_index_tokens_are_the_token_patterns_matches_as_utf8():
    import random
    from searchsvc.backends.whoosh.analysis import _TOKEN_RE, index_tokens
    registry = OutletRegistry.load("searchsvc/data/outlets.toml")
    texts = TEXTS + [text for article in CorpusReader(_corpus(), registry).read()
                     for text in (article.title, article.body)]
    texts += [".", "..", "...", ". .", "a.", ".a", "a..b", "a...b", "a. .b", "x.y.z.", "..a..b..",
              "a.\u2019b", "é.é", "é..é", "_._", "a.\u00a0b", "lone \ud800.x", "ǅ.İ.ß"]
    pick = random.Random(11)
    alphabet = "aZ9_. .,\n\u2019é\u0301\u00a0İ東"
    texts += ["".join(pick.choice(alphabet) for _ in range(pick.randint(0, 30)))
              for _ in range(3000)]
    for text in texts:
        assert index_tokens(text) == [token.encode("utf-8", "surrogatepass")
                                      for token in _TOKEN_RE.findall(text)], text


def test_content_hash_is_the_hash_of_the_text_with_each_run_of_non_words_a_space():
    # Indexes built before keep matching: the hash is of what re.sub(r"\W+", " ") gave.
    import hashlib
    import re

    def reference(article: Article) -> str:
        text = re.sub(r"\W+", " ", (article.title + " " + article.body).casefold()).strip()
        if not article.has_text:
            text += " " + (article.url or article.id)
        return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]

    registry = OutletRegistry.load("searchsvc/data/outlets.toml")
    articles = [a for a in CorpusReader(_corpus(), registry).read() if isinstance(a, Article)]
    odd = ["  ...leading and trailing!!  ", "\u2003em\u00a0space\u3000",
           # case foldings that change length or add a mark that is no word character
           "İstanbul ŞİŞLİ STRASSE Straße ẞ ΣΊΣΥΦΟΣ ς ﬁne ǅemal ŉ Ω K Å",
           "lone \ud800 surrogate\udfff", "a" + " " * 100 + "b" + "\n" * 7 + "c",
           "—’“”…\u00a0«»・。", "x\u0301y"]
    for number, text in enumerate(TEXTS + odd):
        articles.append(Article(id=f"t{number}", title=text[:5], body=text, source="s",
                                source_file="s", has_text=bool(number % 2), url="u"))
    for article in articles:
        assert content_hash(article) == reference(article)
    assert content_hash(Article(id="x", title="A b", body="C", source="s", source_file="s")) \
        == hashlib.sha1(b"a b c").hexdigest()[:20]
