"""A corpus of odd files, made here: each is read or skipped with a reason, never a traceback."""
import json
import os

import pytest

from searchsvc.backends.whoosh.indexer import build_index
from searchsvc.cli import main
from searchsvc.ingest.corpus import CorpusReader, Skipped

DEEP = 5000
TEXT = "Talks in Geneva went on late into the night. " * 8


@pytest.fixture
def odd_corpus(tmp_path):
    """A folder with link loops, dangling links, a FIFO, a deep page, code pages, repeated ids."""
    root = tmp_path / "odd"
    (root / "sub").mkdir(parents=True)
    (root / "good.txt").write_text("Good Headline\n\n" + TEXT, encoding="utf-8")
    os.symlink("loop.txt", root / "loop.txt")                 # a link to itself
    os.symlink("..", root / "sub" / "up")                     # a folder loop
    os.symlink("nowhere.txt", root / "dangling.txt")
    os.mkfifo(root / "pipe.txt")
    (root / "unreadable.txt").write_text("Locked\n\n" + TEXT, encoding="utf-8")
    (root / "unreadable.txt").chmod(0)
    (root / "deep.html").write_text(
        "<html><head><title>Deep Page</title></head><body>" + "<div>" * DEEP
        + f"<p>{TEXT}</p>" + "</div>" * DEEP + "</body></html>", encoding="utf-8")
    (root / "latin1.txt").write_bytes(
        "Une affaire très naïve\n\nLe député était à Genève, où l'été fut très chaud.\n"
        .encode("latin-1"))
    (root / "cp1252.txt").write_bytes(
        "Quotes\n\nHe said “it is over” – and left… for €5.\n".encode("cp1252"))
    (root / "bad-utf8.txt").write_bytes(
        "Zürich talks\n\nThe naïve délégués met in Zürich — “again”.\n".encode("utf-8")
        + b"\xff\xfe\xfa\xfb and more words.\n")
    (root / "sub" / "repeats.jsonl").write_text("".join(
        json.dumps({"id": "same", "title": f"Story {n}", "body": f"Story number {n}. {TEXT}"})
        + "\n" for n in range(400)), encoding="utf-8")
    yield root
    (root / "unreadable.txt").chmod(0o644)


def _read(root, registry):
    reader = CorpusReader(root, registry)
    items = list(reader.read())
    articles = {item.source: item for item in items if not isinstance(item, Skipped)}
    skipped = {item.source: item.reason for item in items if isinstance(item, Skipped)}
    return articles, skipped


def test_links_that_lead_nowhere_and_special_files_are_skipped_with_reasons(odd_corpus,
                                                                            registry):
    articles, skipped = _read(odd_corpus, registry)
    assert "symbolic links" in skipped["loop.txt"]
    assert "No such file" in skipped["dangling.txt"]
    assert skipped["pipe.txt"] == "not a regular file"
    assert "good.txt" in articles
    assert not any(source.startswith("sub/up/") for source in [*articles, *skipped])
    if os.geteuid() != 0:                 # root reads every file
        assert "Permission denied" in skipped["unreadable.txt"]


def test_a_file_gone_between_listing_and_reading_is_skipped(odd_corpus, registry):
    reader = CorpusReader(odd_corpus, registry)
    files = reader.files()
    (odd_corpus / "good.txt").unlink()
    assert reader.file_fingerprint(odd_corpus / "good.txt") == ""
    skipped = {item.source: item.reason for item in reader.read(files)
               if isinstance(item, Skipped)}
    assert "No such file" in skipped["good.txt"]


def test_a_page_nested_5000_deep_keeps_its_text(odd_corpus, registry):
    articles, _ = _read(odd_corpus, registry)
    page = articles["deep.html"]
    assert page.title == "Deep Page" and "Talks in Geneva" in page.body


def test_western_code_pages_and_bad_utf8_bytes_are_decoded_right(odd_corpus, registry):
    articles, _ = _read(odd_corpus, registry)
    assert articles["latin1.txt"].title == "Une affaire très naïve"
    assert "député était à Genève, où l'été" in articles["latin1.txt"].body
    assert "“it is over” – and left… for €5" in articles["cp1252.txt"].body
    bad = articles["bad-utf8.txt"]
    assert "naïve délégués met in Zürich — “again”" in bad.body
    assert bad.body.count("\ufffd") == 4
    assert "4 undecodable bytes replaced (read as UTF-8)" in bad.notes


def test_the_build_of_an_odd_corpus_reports_reasons_and_counts_repeated_ids(odd_corpus,
                                                                            tmp_path, runner):
    result = runner.invoke(main, ["index", "--corpus", str(odd_corpus), "--index-dir",
                                  str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "duplicate id 399" in result.output                      # counted once
    assert result.output.count("duplicate id 'same'") == 3          # with a few examples
    assert "... and 396 more: duplicate id" in result.output
    assert "loop.txt: cannot read file" in result.output


def test_a_build_indexes_what_it_can_read(odd_corpus, tmp_path, registry):
    report = build_index(odd_corpus, tmp_path / "ix", registry=registry)
    assert report.indexed == 6 + (os.geteuid() == 0)   # good, deep, three code pages, the
    # first repeated id (and the "unreadable" file, which root reads)
    assert sum("duplicate id" in reason for _, reason in report.skipped) == 399


@pytest.mark.parametrize("text, codec", [
    ("Le député était à Genève, où l'été fut très chaud; cœur, déjà.", "cp1252"),
    ("Die Straße in München ist schön und groß. Übermorgen fährt er.", "cp1252"),
    ("Così però è la città più bella.", "cp1252"),
    ("Señor, ¿dónde está el niño? Mañana.", "cp1252"),
    ("Příliš kůň úpěl ódy. Česká republika ve městě.", "cp1250"),   # Western letters too
    ("Zażółć gęślą jaźń. Łódź jest piękna.", "cp1250"),
    ("Привет мир, это тест на русском языке.", "cp1251"),
])
def test_single_byte_text_is_decoded_in_its_own_code_page(text, codec):
    from searchsvc.ingest.decoding import decode_bytes
    assert decode_bytes(text.encode(codec))[0] == text


@pytest.mark.parametrize("text, repaired", [
    ("cafÃ© crÃ¨me", "café crème"),                 # UTF-8 read as Latin-1
    ("it\u00e2\u20ac\u2122s", "it's"),                 # ... as cp1252 (ftfy uncurls it)
    ("\u00ef\u00bb\u00bfHeadline", "Headline"),        # a byte-order mark read as cp1252
    ("pâté, Ãbidos", "pâté, Ãbidos"),                 # the opening characters alone: kept
    ("plain text", "plain text"),
])
def test_mojibake_is_repaired_only_where_its_pattern_matches(text, repaired):
    from searchsvc.ingest.decoding import repair_mojibake
    assert repair_mojibake(text) == repaired
