"""The corpus generator of bench/synth.py: deterministic, unique, drawn from its source."""
import gzip
import json

import pytest

from benchscripts import load_bench_script


@pytest.fixture(scope="module")
def synth():
    return load_bench_script("synth")


@pytest.fixture
def source(tmp_path):
    records = [{"id": f"r{n}", "outlet": f"Outlet {n % 3}", "outlet_domain": f"o{n % 3}.example",
                "date": f"2016-0{n % 9 + 1}-15", "title": f"Headline {n}",
                "authors": f"Writer {n % 4}", "topic": f"topic{n % 2}", "lang": "en",
                "body": "\n\n".join(f"Paragraph {n}.{p} says something about item {p}."
                                    for p in range(n % 5 + 1))}
               for n in range(40)]
    path = tmp_path / "source.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path, records


def read(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_the_same_seed_gives_the_same_bytes(synth, source, tmp_path):
    path, _ = source
    for name in ("a.jsonl.gz", "b.jsonl.gz"):
        assert synth.main(["--articles", "300", "--out", str(tmp_path / name),
                           "--source", str(path)]) == 0
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (tmp_path / "b.jsonl.gz").read_bytes()
    synth.main(["--articles", "300", "--out", str(tmp_path / "c.jsonl.gz"),
                "--source", str(path), "--seed", "7"])
    assert (tmp_path / "c.jsonl.gz").read_bytes() != (tmp_path / "a.jsonl.gz").read_bytes()


def test_articles_are_unique_and_drawn_from_the_source(synth, source, tmp_path):
    path, records = source
    synth.main(["--articles", "500", "--out", str(tmp_path / "out.jsonl.gz"),
                "--source", str(path)])
    articles = read(tmp_path / "out.jsonl.gz")
    assert len(articles) == 500
    assert len({a["id"] for a in articles}) == 500 and len({a["url"] for a in articles}) == 500
    known = {(r["outlet"], r["outlet_domain"], r["authors"], r["topic"]) for r in records}
    paragraphs = {p for r in records for p in r["body"].split("\n\n")}
    lengths = {len(r["body"]) for r in records}
    for item in articles:
        assert (item["outlet"], item["outlet_domain"], item["authors"], item["topic"]) in known
        assert item["title"] in {r["title"] for r in records}
        assert item["url"].startswith(f"https://{item['outlet_domain']}/")
        parts = item["body"].split("\n\n")
        # Whole paragraphs of the source, the last one possibly cut at a word.
        assert all(part in paragraphs for part in parts[:-1])
        assert any(p.startswith(parts[-1]) for p in paragraphs)
        assert len(item["body"]) <= max(lengths)


def test_a_batch_of_new_articles_starts_where_asked(synth, source, tmp_path):
    path, _ = source
    synth.main(["--articles", "5", "--start", "1001", "--seed", "7",
                "--out", str(tmp_path / "new.jsonl.gz"), "--source", str(path)])
    assert [a["id"] for a in read(tmp_path / "new.jsonl.gz")] == [
        f"synth-{n:07d}" for n in range(1001, 1006)]
