import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from whoosh import index as whoosh_index

from searchsvc.cli import main
from searchsvc.backends.whoosh.analysis import ANALYSIS_VERSION
from searchsvc.backends.whoosh.generations import (BuildError, BuildLocked, build_lock,
                                                  current_generation, hold_generation,
                                                  open_current)
from searchsvc.backends.whoosh.indexer import build_index
from searchsvc.service import SearchRequest
from builders import whoosh_service


def doc_ids(index_dir):
    ix, _ = open_current(index_dir)
    with ix.searcher() as searcher:
        return {fields["id"] for fields in searcher.all_stored_fields()}


def test_build_seeds_reports_counts(corpus_copy, tmp_path, registry):
    report = build_index(corpus_copy, tmp_path / "ix", registry=registry)
    assert report.indexed == 5 and report.total_documents == 5
    assert report.skipped == []
    assert report.unknown == {"outlet": 0, "date": 0}
    assert current_generation(tmp_path / "ix") == report.generation


def test_duplicates_skipped_and_unknowns_counted(corpus_copy, tmp_path, registry):
    (corpus_copy / "copy.txt").write_bytes((corpus_copy / "000_63fb707cc87ede63.txt").read_bytes())
    (corpus_copy / "nodate.txt").write_text("Headline\n\nAn article with no date or outlet.\n",
                                            encoding="utf-8")
    (corpus_copy / "empty.txt").write_bytes(b"")
    report = build_index(corpus_copy, tmp_path / "ix", registry=registry)
    reasons = dict(report.skipped)
    assert "same article as 000_63fb707cc87ede63.txt" == reasons["copy.txt"]
    assert reasons["empty.txt"] == "empty file"
    assert report.indexed == 6
    assert report.unknown == {"outlet": 1, "date": 1}


def test_atomic_switch_keeps_open_searcher_working(corpus_copy, tmp_path, registry):
    index_dir = tmp_path / "ix"
    build_index(corpus_copy, index_dir, registry=registry)
    ix, first = open_current(index_dir)
    held = hold_generation(index_dir, first)      # as a server's index handle does
    searcher = ix.searcher()
    before = searcher.doc_count()
    (corpus_copy / "000_63fb707cc87ede63.txt").unlink()
    build_index(corpus_copy, index_dir, registry=registry)
    assert current_generation(index_dir) != first
    # The old searcher still reads its generation, stored fields included.
    assert searcher.doc_count() == before == 5
    assert len(list(searcher.all_stored_fields())) == 5
    searcher.close()
    held.close()
    assert len(doc_ids(index_dir)) == 4


def _generations(index_dir):
    return sorted(p.name for p in index_dir.iterdir() if p.name.startswith(("gen-", ".building-")))


def test_old_generations_are_removed_once_no_reader_holds_them(corpus_copy, tmp_path,
                                                                 registry):
    index_dir = tmp_path / "ix"
    for _ in range(4):
        build_index(corpus_copy, index_dir, registry=registry)
        assert _generations(index_dir) == [current_generation(index_dir)]
    # A generation a reader holds stays while it is the one the served one replaced.
    first = current_generation(index_dir)
    held = hold_generation(index_dir, first)
    build_index(corpus_copy, index_dir, registry=registry)
    assert _generations(index_dir) == sorted([first, current_generation(index_dir)])
    # The next build removes the one it replaced, which no reader holds: never three.
    second = current_generation(index_dir)
    build_index(corpus_copy, index_dir, registry=registry)
    assert _generations(index_dir) == sorted([first, current_generation(index_dir)])
    assert second not in _generations(index_dir)
    held.close()
    build_index(corpus_copy, index_dir, registry=registry)
    assert _generations(index_dir) == [current_generation(index_dir)]


def test_the_service_holds_the_generation_it_serves(corpus_copy, tmp_path, registry):
    index_dir = tmp_path / "ix"
    build_index(corpus_copy, index_dir, registry=registry)
    served = current_generation(index_dir)
    service = whoosh_service(index_dir, registry)
    assert service.search(SearchRequest(q="asylum"))["total"] > 0
    build_index(corpus_copy, index_dir, registry=registry)
    assert served in _generations(index_dir)            # still open in the service
    assert service.search(SearchRequest(q="asylum"))["generation"] != served
    build_index(corpus_copy, index_dir, registry=registry)
    assert served not in _generations(index_dir)        # the service let it go
    assert len(_generations(index_dir)) == 2            # and holds the one it moved to


def test_second_build_stops_with_clear_message(corpus_copy, tmp_path, registry, runner):
    index_dir = tmp_path / "ix"
    with build_lock(index_dir):
        with pytest.raises(BuildLocked, match="another build is already running"):
            build_index(corpus_copy, index_dir, registry=registry)
        result = runner.invoke(main, ["index", "--corpus", str(corpus_copy),
                                      "--index-dir", str(index_dir)])
    assert result.exit_code == 1
    assert "another build is already running" in result.output
    assert "Traceback" not in result.output


def test_killed_build_leaves_served_index(corpus_copy, tmp_path, registry):
    index_dir = tmp_path / "ix"
    build_index(corpus_copy, index_dir, registry=registry)
    served = current_generation(index_dir)
    # Many articles so the build is still running when it is killed.
    for number in range(400):
        (corpus_copy / f"extra{number:04d}.txt").write_text(
            f"Headline {number}\n\n" + ("Words about the talks number %d. " % number) * 200,
            encoding="utf-8")
    script = textwrap.dedent(f"""
        from searchsvc.backends.whoosh.indexer import build_index
        from searchsvc.outlets import OutletRegistry
        build_index({str(corpus_copy)!r}, {str(index_dir)!r}, registry=OutletRegistry())
    """)
    process = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.time() + 30
    while time.time() < deadline and not list(index_dir.glob(".building-*")):
        time.sleep(0.02)
    time.sleep(0.3)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert current_generation(index_dir) == served
    assert len(doc_ids(index_dir)) == 5
    # The next build cleans up the half-written directory and succeeds.
    report = build_index(corpus_copy, index_dir, registry=registry)
    assert report.total_documents == 405
    assert not list(index_dir.glob(".building-*"))


def test_update_handles_added_changed_removed(corpus_copy, tmp_path, registry):
    index_dir = tmp_path / "ix"
    build_index(corpus_copy, index_dir, registry=registry)
    (corpus_copy / "new.txt").write_text("New Headline\n\nA new article about Yangon.\n",
                                         encoding="utf-8")
    (corpus_copy / "001_239a778613941eab.txt").write_text(
        "Changed Headline\n\nThe CNN article, rewritten entirely for this test.\n",
        encoding="utf-8")
    (corpus_copy / "004_b08c682b17bd4db1.txt").unlink()
    report = build_index(corpus_copy, index_dir, registry=registry, update=True)
    assert report.mode == "update"
    assert report.indexed == 2          # the new file and the changed one only
    assert report.unchanged_files == 3
    assert report.removed == 1
    assert report.total_documents == 5
    ids = doc_ids(index_dir)
    assert "new" in ids and "004_b08c682b17bd4db1" not in ids
    ix, _ = open_current(index_dir)
    with ix.searcher() as searcher:
        assert searcher.document(id="001_239a778613941eab")["title"] == "Changed Headline"
    # Nothing changed: nothing re-indexed.
    again = build_index(corpus_copy, index_dir, registry=registry, update=True)
    assert again.indexed == 0 and again.total_documents == 5


def test_an_update_shares_segment_files_and_leaves_the_served_generation_as_it_was(
        corpus_copy, tmp_path, registry):
    index_dir = tmp_path / "ix"
    first = build_index(corpus_copy, index_dir, registry=registry)
    old = index_dir / first.generation
    mark = hold_generation(index_dir, first.generation)     # a reader keeps it served
    before = {path.name: path.read_bytes() for path in old.iterdir()}
    (corpus_copy / "new.txt").write_text("New Headline\n\nA new article about Yangon.\n",
                                         encoding="utf-8")
    (corpus_copy / "004_b08c682b17bd4db1.txt").unlink()
    second = build_index(corpus_copy, index_dir, registry=registry, update=True)
    new = index_dir / second.generation
    assert {path.name: path.read_bytes() for path in old.iterdir()} == before
    shared = [path for path in old.iterdir()
              if (new / path.name).exists()
              and path.stat().st_ino == (new / path.name).stat().st_ino]
    assert shared and all(path.name.startswith("MAIN_") and path.suffix != ".toc"
                          for path in shared)
    old_ix = whoosh_index.open_dir(str(old))
    with old_ix.searcher() as searcher:       # the old generation still reads as before
        assert searcher.doc_count() == 5
        assert searcher.document(id="004_b08c682b17bd4db1") is not None
    old_ix.close()
    mark.close()
    assert doc_ids(index_dir) >= {"new"} and "004_b08c682b17bd4db1" not in doc_ids(index_dir)


def test_cli_index_prints_summary(corpus_copy, tmp_path, runner):
    (corpus_copy / "empty.txt").write_bytes(b"")
    result = runner.invoke(main, ["index", "--corpus", str(corpus_copy),
                                  "--index-dir", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert "indexed 5 documents" in result.output
    assert "empty.txt: empty file" in result.output
    assert "unknown outlet: 0; unknown date: 0" in result.output


def test_cli_index_reads_environment(corpus_copy, tmp_path, runner):
    env = {"SEARCHSVC_CORPUS_DIR": str(corpus_copy), "SEARCHSVC_INDEX_DIR": str(tmp_path / "e")}
    result = runner.invoke(main, ["index"], env=env)
    assert result.exit_code == 0, result.output
    assert current_generation(tmp_path / "e")


def test_cli_index_missing_corpus_is_a_clear_error(tmp_path, runner):
    result = runner.invoke(main, ["index", "--corpus", str(tmp_path / "nope"),
                                  "--index-dir", str(tmp_path / "ix")])
    assert result.exit_code == 1
    assert "corpus not found" in result.output


def test_cli_field_mapping_for_jsonl(tmp_path, runner):
    dataset = tmp_path / "set.jsonl"
    dataset.write_text('{"uid": "a1", "headline": "Mapped", "story": "Text about Yangon.", '
                       '"paper": "RFA"}\n', encoding="utf-8")
    index_dir = tmp_path / "ix"
    result = runner.invoke(main, ["index", "--corpus", str(dataset), "--index-dir",
                                  str(index_dir), "--field", "body=story", "--field", "id=uid",
                                  "--field", "outlet=paper"])
    assert result.exit_code == 0, result.output
    ix, _ = open_current(index_dir)
    with ix.searcher() as searcher:
        document = searcher.document(id="a1")
    assert document["outlet"] == "Radio Free Asia" and document["title"] == "Mapped"
    bad = runner.invoke(main, ["index", "--corpus", str(dataset), "--index-dir", str(index_dir),
                               "--field", "colour=x"])
    assert bad.exit_code == 2 and "unknown article field 'colour'" in bad.output


def test_progress_counts_bytes_within_one_large_file(tmp_path, registry):
    dataset = tmp_path / "big.jsonl"
    dataset.write_text("".join(
        f'{{"id": "r{n}", "title": "Title {n}", "body": "Body text number {n} here."}}\n'
        for n in range(3000)), encoding="utf-8")
    calls = []
    build_index(dataset, tmp_path / "ix", registry=registry,
                progress=lambda *call: calls.append(call))
    total = dataset.stat().st_size
    assert calls[-1] == (total, total, "big.jsonl", 3000)
    middle = [done for done, _, _, _ in calls if 0 < done < total]
    assert len(middle) >= 3 and middle == sorted(middle)
    articles = [count for *_, count in calls]
    assert articles == sorted(articles) and 0 < articles[len(articles) // 2] < 3000


def test_update_of_an_index_with_older_analysis_asks_for_full_build(corpus_copy, tmp_path,
                                                                     registry):
    index_dir = tmp_path / "ix"
    report = build_index(corpus_copy, index_dir, registry=registry)
    info_path = index_dir / report.generation / "build.json"
    info = json.loads(info_path.read_text(encoding="utf-8"))
    assert info["analysis"] == ANALYSIS_VERSION
    del info["analysis"]                   # as written before analysis versions were recorded
    info_path.write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(BuildError, match="older text analysis; run a full build"):
        build_index(corpus_copy, index_dir, registry=registry, update=True)
    assert current_generation(index_dir) == report.generation
    rebuilt = build_index(corpus_copy, index_dir, registry=registry)
    assert rebuilt.mode == "rebuild"
    assert build_index(corpus_copy, index_dir, registry=registry, update=True).mode == "update"


def test_records_without_text_are_indexed_by_headline_and_listed(tmp_path, registry, runner):
    lines = [{"id": "full", "title": "Harbour Strike Ends", "body": "Dockers went back.",
              "outlet_domain": "harbour.example", "outlet": "Harbour Times"}]
    lines += [{"id": f"bare{n}", "title": f"Harbour strike day {n}", "body": "",
               "outlet_domain": "harbour.example", "outlet": "Harbour Times",
               "date": "2016-09-20", "url": f"https://harbour.example/{n}"} for n in range(3)]
    lines += [{"id": f"none{n}", "body": " "} for n in range(12)]
    corpus = tmp_path / "set.jsonl"
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = runner.invoke(main, ["index", "--corpus", str(corpus),
                                  "--index-dir", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert "indexed 4 documents" in result.output
    assert "indexed without text (headline and metadata only): 3" in result.output
    assert "skipped 12: record has no article text and no title 12" in result.output
    assert result.output.count("\n    set.jsonl#") == 3         # examples, not all twelve
    assert "... and 9 more: record has no article text and no title" in result.output
    report_file = tmp_path / "ix" / current_generation(tmp_path / "ix") / "build-report.tsv"
    assert f"every skipped input and article without text: {report_file}" in result.output
    rows = report_file.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + 12 + 3
    assert "set.jsonl#2\tindexed without text\theadline and metadata only" in rows

    service = whoosh_service(tmp_path / "ix", registry)
    found = service.search(SearchRequest(q="title:day"))
    assert found["total"] == 3
    assert {hit["has_text"] for hit in found["hits"]} == {False}
    assert {hit["snippets"] == [] for hit in found["hits"]} == {True}
    assert {hit["outlet"] for hit in found["hits"]} == {"Harbour Times"}
    assert service.search(SearchRequest(q="dockers"))["hits"][0]["has_text"] is True


def test_update_of_an_index_without_newer_fields_asks_for_full_build(corpus_copy, tmp_path,
                                                                     registry):
    from whoosh import index as whoosh_index
    from searchsvc.backends.whoosh.backend import WhooshBackend
    index_dir = tmp_path / "ix"
    report = build_index(corpus_copy, index_dir, registry=registry)
    old = whoosh_index.open_dir(str(index_dir / report.generation))
    writer = old.writer()
    for name in ("month", "authors", "topics", "outlet_label", "has_text"):
        writer.remove_field(name)              # as an index built before these fields
    writer.commit()
    # It still serves: the facets and the chart by month it has no columns for are empty.
    result = whoosh_service(index_dir, registry).search(SearchRequest(q="asylum"))
    assert result["total"] and result["facets"]["author"] == result["facets"]["topic"] == []
    assert result["timeline"]["unit"] == "year"
    with pytest.raises(BuildError, match="without the fields authors, has_text, month, "
                                         "outlet_label, topics; run a full build"):
        build_index(corpus_copy, index_dir, registry=registry, update=True)
    with pytest.raises(BuildError, match="run a full build"):
        WhooshBackend(index_dir).update_articles(delete_ids=["x"])
    assert current_generation(index_dir) == report.generation
    assert not list(index_dir.glob(".building-*"))
    assert build_index(corpus_copy, index_dir, registry=registry).mode == "rebuild"
