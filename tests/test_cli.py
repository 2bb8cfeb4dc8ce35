import json

from searchsvc.cli import main


def test_search_prints_highlighted_hits_and_facets(runner, seeds_index):
    result = runner.invoke(main, ["search", "Kyaw Win", "--index-dir", str(seeds_index),
                                  "--outlet", "CNN"], color=True)
    assert result.exit_code == 0, result.output
    assert "1 articles for 'Kyaw Win'" in result.output
    assert "\x1b[1m\x1b[7mKyaw\x1b[0m" in result.output      # bold reverse video
    assert "outlet: " in result.output and "*CNN (1)" in result.output
    assert "year: 2011 (1)" in result.output


def test_search_json(runner, seeds_index):
    result = runner.invoke(main, ["search", "asylum", "--index-dir", str(seeds_index), "--json",
                                  "--year", "2022"])
    data = json.loads(result.output)
    assert data["total"] == 1 and data["hits"][0]["outlet"] == "The Irrawaddy"


def test_search_without_index_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(main, ["search", "x", "--index-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "searchsvc index" in result.output


def test_search_rejects_bad_sort(runner, seeds_index):
    result = runner.invoke(main, ["search", "x", "--index-dir", str(seeds_index), "--sort", "up"])
    assert result.exit_code == 2
    assert "Invalid value for '--sort'" in result.output


def test_serve_rebuilds_an_older_analysis_index_from_its_own_corpus(tmp_path, registry):
    import json

    import click
    import pytest

    from searchsvc.cli import build_needed
    from searchsvc.backends.whoosh.generations import BUILD_INFO, current_generation
    from searchsvc.backends.whoosh.indexer import build_index

    corpus = tmp_path / "news"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Diplomat defects\n\nA diplomat asked for asylum.", "utf-8")
    index_dir = tmp_path / "ix"
    assert build_needed(str(index_dir), "corpus") == (f"no index in {index_dir}", "corpus")
    build_index(corpus, index_dir, registry=registry)
    assert build_needed(str(index_dir), "corpus") is None
    info_file = index_dir / current_generation(index_dir) / BUILD_INFO
    info = json.loads(info_file.read_text("utf-8"))
    del info["analysis"]                      # as written before analysis versions existed
    info_file.write_text(json.dumps(info), "utf-8")
    why, rebuild_from = build_needed(str(index_dir), "corpus")
    assert "older text analysis" in why and rebuild_from == str(corpus)
    info["corpus"] = str(tmp_path / "gone")
    info_file.write_text(json.dumps(info), "utf-8")
    with pytest.raises(click.ClickException, match="searchsvc index --corpus"):
        build_needed(str(index_dir), "corpus")


def test_a_build_on_a_terminal_shows_articles_per_second_and_eta(tmp_path):
    import os
    import pty
    import subprocess
    import sys

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "news.jsonl").write_text("".join(
        json.dumps({"id": f"a{n}", "title": f"Report {n}", "body": f"words about item {n}"})
        + "\n" for n in range(1200)), encoding="utf-8")
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "searchsvc.cli", "index", "--corpus", str(corpus),
             "--index-dir", str(tmp_path / "index")],
            stdout=subprocess.PIPE, stderr=follower, timeout=300, check=False)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:      # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0, shown.decode(errors="replace")
    text = shown.decode(errors="replace")
    assert "indexing" in text and "articles, " in text and "/s" in text


def test_search_by_date_range(runner, seeds_index):
    def total(*options):
        result = runner.invoke(main, ["search", "--index-dir", str(seeds_index), "--json",
                                      *options])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["total"]
    assert total("--from", "2022") == 1
    assert total("--to", "2011-07-04", "--from", "2011-07-04") >= 1
    assert total("--from", "2011-07-05", "--to", "2011-07-05") == 0


def test_search_bad_date_names_the_option(runner, seeds_index):
    result = runner.invoke(main, ["search", "--index-dir", str(seeds_index), "--from", "July"])
    assert result.exit_code == 2
    assert "Invalid value for --from" in result.output
    result = runner.invoke(main, ["search", "--index-dir", str(seeds_index), "--to", "2011-13"])
    assert result.exit_code == 2 and "Invalid value for --to" in result.output


def test_search_past_the_last_page_says_so(runner, seeds_index):
    result = runner.invoke(main, ["search", "asylum", "--index-dir", str(seeds_index),
                                  "--per-page", "1", "--page", "40"])
    assert result.exit_code == 0, result.output
    assert "note: page 40 is past the last page" in result.output
