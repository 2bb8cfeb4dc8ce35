import gzip
import json

import pytest

from searchsvc.ingest.corpus import (Article, CorpusReader, NotText, Skipped, decode_bytes,
                                     field_map_with)
from conftest import CORPUS

SEED_FACTS = {
    "000_63fb707cc87ede63": dict(outlet="Radio Free Asia", title="Another Burmese Diplomat Defects",
                                 date="2011-07-13", author="Parameswaran Ponnudurai"),
    "001_239a778613941eab": dict(outlet="CNN", date="2011-07", author=None),
    "002_b799067c995269f7": dict(outlet="Burma Partnership", date="2011-07-11",
                                 title="4-10 July: Defections Show Deep Dissatisfaction Within "
                                       "Burma’s Military Regime"),
    "003_33987ea7448e5f2a": dict(outlet="The Irrawaddy", date="2022-03-25",
                                 title="Myanmar’s Parallel Government Asks Foreign Governments "
                                       "to Accept Military Defectors"),
    "004_b08c682b17bd4db1": dict(outlet="The Washington Post", date="2011-07-04"),
}


def read_all(path, registry):
    return list(CorpusReader(path, registry).read())


def articles_by_id(items):
    return {item.id: item for item in items if isinstance(item, Article)}


def test_seed_corpus_metadata(registry):
    items = read_all(CORPUS, registry)
    assert not [item for item in items if isinstance(item, Skipped)]
    articles = articles_by_id(items)
    assert set(articles) == set(SEED_FACTS)
    for article_id, facts in SEED_FACTS.items():
        article = articles[article_id]
        assert article.outlet == facts["outlet"]
        assert article.date.iso() == facts["date"]
        if "title" in facts:
            assert article.title == facts["title"]
        if "author" in facts:
            assert article.author == facts["author"]
        assert article.title and article.body


def test_seed_text_is_verbatim(registry):
    for path in sorted(CORPUS.glob("*.txt")):
        original = (CORPUS.parent.parent / "shared" / "seeds" / path.name)
        if original.exists():
            assert path.read_bytes() == original.read_bytes()


def test_untitled_seeds_get_derived_titles_and_month_dates(registry):
    articles = articles_by_id(read_all(CORPUS, registry))
    cnn = articles["001_239a778613941eab"]
    assert cnn.title.startswith("The second-highest-ranking diplomat")
    assert cnn.provenance["title"] == "derived from opening words"
    assert cnn.date.precision == "month" and cnn.date.display() == "July 2011"
    wapo = articles["004_b08c682b17bd4db1"]
    assert wapo.title.startswith("The second-ranking diplomat")


def test_provenance_says_where_values_came_from(registry):
    articles = articles_by_id(read_all(CORPUS, registry))
    irrawaddy = articles["003_33987ea7448e5f2a"]
    assert irrawaddy.provenance["outlet"].startswith("text: byline")
    assert irrawaddy.provenance["date"].startswith("text: dated byline")
    assert articles["002_b799067c995269f7"].provenance["date"] == "text: dateline"
    assert articles["000_63fb707cc87ede63"].provenance["outlet"] == "metadata.toml"
    assert articles["001_239a778613941eab"].provenance["author"] == "unknown"


def test_text_front_matter_and_passing_mentions(tmp_path, registry):
    (tmp_path / "a.txt").write_text(
        "---\ntitle: Front Matter Title\noutlet: rfa.org\ndate: 2020-02-03\nauthor: A. Writer\n---\n"
        "Body text that mentions July 4, 1999 in passing and is told to CNN.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(
        "A short headline\n\nThe report said on March 3, 2001 that talks failed, CNN said.\n",
        encoding="utf-8")
    articles = articles_by_id(read_all(tmp_path, registry))
    a = articles["a"]
    assert (a.title, a.outlet, a.date.iso(), a.author) == (
        "Front Matter Title", "Radio Free Asia", "2020-02-03", "A. Writer")
    b = articles["b"]
    assert b.title == "A short headline"
    # A date or outlet mentioned in passing is not the article's own.
    assert b.date is None and b.outlet is None
    assert b.provenance["date"] == "unknown"


def test_html_reader_uses_page_metadata(tmp_path, registry):
    (tmp_path / "page.html").write_text("""<!doctype html><html lang="en"><head>
      <meta charset="utf-8"><title>Big Story | Radio Free Asia</title>
      <meta property="og:title" content="Big Story">
      <meta property="og:site_name" content="RFA">
      <meta property="article:published_time" content="2019-05-06T10:00:00Z">
      <meta name="author" content="Jane Doe">
      <link rel="canonical" href="https://www.rfa.org/english/big-story.html">
      </head><body><nav>Home | World | Sports</nav>
      <article><h1>Big Story</h1><p>First paragraph of the story about the talks in Yangon,
      which went on long into the night.</p><p>Second paragraph with more detail on what
      the delegates agreed and what they did not.</p>
      <div class="share-buttons">Share on Facebook</div></article>
      <script>var tracking = 1;</script><footer>Copyright</footer></body></html>""",
                                       encoding="utf-8")
    article = articles_by_id(read_all(tmp_path, registry))["page"]
    assert article.title == "Big Story"
    assert article.outlet == "Radio Free Asia"
    assert article.date.iso() == "2019-05-06"
    assert article.author == "Jane Doe"
    assert article.url == "https://www.rfa.org/english/big-story.html"
    assert "First paragraph" in article.body
    for boilerplate in ("Home | World", "Share on Facebook", "tracking", "Copyright"):
        assert boilerplate not in article.body


def test_jsonl_reader_with_gzip_and_field_mapping(tmp_path, registry):
    records = [
        {"id": "x1", "headline": "One", "text": "Body one about Burma.", "source": "RFA",
         "published": "2012-01-02", "byline": "A B", "link": "https://rfa.org/1"},
        {"id": "x2", "title": "Two", "body": "Body two.", "outlet": "Unlisted Times",
         "date": "1700-01-01"},
    ]
    path = tmp_path / "set.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
    articles = articles_by_id(read_all(path, registry))
    one, two = articles["x1"], articles["x2"]
    assert (one.title, one.outlet, one.date.iso(), one.author, one.url) == (
        "One", "Radio Free Asia", "2012-01-02", "A B", "https://rfa.org/1")
    assert two.outlet == "Unlisted Times"
    assert two.date is None and two.year is None
    assert any("implausible" in note for note in two.notes)


def test_encodings_are_detected(tmp_path, registry):
    text = "Café owners in Zürich said the naïve plan would fail, according to officials. " * 3
    (tmp_path / "latin.txt").write_bytes(("Headline\n\n" + text).encode("cp1252"))
    (tmp_path / "utf16.txt").write_bytes(("Headline two\n\n" + text).encode("utf-16"))
    articles = articles_by_id(read_all(tmp_path, registry))
    assert "Café owners in Zürich" in articles["latin"].body
    assert "naïve" in articles["utf16"].body


def test_decode_rejects_binary_and_empty():
    with pytest.raises(NotText):
        decode_bytes(b"")
    with pytest.raises(NotText):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def test_bad_inputs_are_skipped_with_reasons_and_good_ones_kept(tmp_path, registry):
    (tmp_path / "good.txt").write_text("Good Headline\n\nA good article body.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("   \n\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (tmp_path / "broken.html").write_text("<html><body><p>Unclosed <b>tags <div>everywhere "
                                          "and a decent amount of text to be an article body "
                                          "for the reader to find.", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "bad.jsonl").write_text('{"id": "j1", "title": "J", "body": "Fine."}\n'
                                        '{not json\n[1, 2]\n{"id": "j2", "title": "No body"}\n'
                                        '{"id": "j3", "body": "  "}\n',
                                        encoding="utf-8")
    items = read_all(tmp_path, registry)
    articles = articles_by_id(items)
    skipped = {item.source: item.reason for item in items if isinstance(item, Skipped)}
    assert set(articles) == {"good", "broken", "j1", "j2"}
    assert (articles["j2"].title, articles["j2"].body, articles["j2"].has_text) == (
        "No body", "", False)
    assert articles["j1"].has_text
    assert "Unclosed" in articles["broken"].body
    assert skipped["empty.txt"] == "empty file"
    assert skipped["blank.txt"] == "empty file"
    assert "binary" in skipped["binary.txt"]
    assert "unsupported file type" in skipped["image.png"]
    assert "malformed JSON" in skipped["bad.jsonl#2"]
    assert "not an object" in skipped["bad.jsonl#3"]
    assert skipped["bad.jsonl#5"] == "record has no article text and no title"


def test_undecodable_bytes_are_repaired_not_fatal(tmp_path, registry):
    (tmp_path / "mixed.txt").write_bytes(
        "Headline\n\nGood text ".encode("utf-8") + b"\xff\xfe\xfa broken bytes" +
        " and more good text about Myanmar.".encode("utf-8"))
    article = articles_by_id(read_all(tmp_path, registry))["mixed"]
    assert "Myanmar" in article.body
    assert article.notes


def test_body_holds_the_headline(tmp_path, registry):
    (tmp_path / "a.txt").write_text("Headline Here\n\nThe story text.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("---\ntitle: Given Title\n---\nThe story text.\n",
                                    encoding="utf-8")
    articles = articles_by_id(read_all(tmp_path, registry))
    assert articles["a"].body == "Headline Here\n\nThe story text."
    assert articles["b"].body == "Given Title\n\nThe story text."


# A page that names neither its outlet, its date nor its address: only the URL given beside it
# (sidecar or JSON field) can supply them, so each test below fails if the reader drops it.
BARE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
  <title>Ferries stop for the winter</title></head><body><article>
  <h1>Ferries stop for the winter</h1><p>The harbour ferries stopped running on Monday, the
  operator said, and will not sail again until the spring thaw opens the channel.</p>
  <p>Passengers were told to use the bridge road instead, which adds half an hour.</p>
  </article></body></html>"""


def assert_url_reached(article, url, outlet):
    assert article.url == url
    assert article.outlet == outlet
    assert article.provenance["outlet"].endswith("url domain, outlet registry")
    assert article.date.iso() == "2021-03-04"
    assert article.provenance["date"] == "html: url"


@pytest.mark.parametrize("name", ["page.html", "page.htm"])
def test_html_sidecar_url_reaches_the_article(tmp_path, registry, name):
    url = "https://www.rfa.org/english/news/2021/03/04/ferries.html"
    (tmp_path / name).write_text(BARE_PAGE, encoding="utf-8")
    (tmp_path / "metadata.toml").write_text(f'["{name}"]\nurl = "{url}"\n', encoding="utf-8")
    article = articles_by_id(read_all(tmp_path, registry))["page"]
    assert_url_reached(article, url, "Radio Free Asia")
    assert article.provenance["url"] == "metadata.toml"


@pytest.mark.parametrize("key", ["url", "link", "canonical_url"])
@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_jsonl_html_record_url_reaches_the_article(tmp_path, registry, key, suffix):
    url = "https://edition.cnn.com/2021/03/04/world/ferries"
    line = json.dumps({"id": "r1", "html": BARE_PAGE, key: url}) + "\n"
    path = tmp_path / ("set" + suffix)
    opener = gzip.open if suffix.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as handle:
        handle.write(line)
    article = articles_by_id(read_all(path, registry))["r1"]
    assert_url_reached(article, url, "CNN")
    assert article.provenance["url"] == "record fields"


def test_jsonl_url_read_from_a_mapped_key(tmp_path, registry):
    url = "https://www.rfa.org/2021/03/04/ferries.html"
    (tmp_path / "set.jsonl").write_text(
        json.dumps({"id": "r1", "html": BARE_PAGE, "permalink": url}) + "\n", encoding="utf-8")
    reader = CorpusReader(tmp_path, registry, field_map_with({"url": "permalink"}))
    article = articles_by_id(reader.read())["r1"]
    assert_url_reached(article, url, "Radio Free Asia")


def test_outlet_the_page_names_wins_over_the_url_domain(tmp_path, registry):
    page = BARE_PAGE.replace("<title>", '<meta property="og:site_name" content="Harbour Times">'
                                        "<title>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    (tmp_path / "metadata.toml").write_text(
        '["page.html"]\nurl = "https://www.rfa.org/2021/03/04/ferries.html"\n', encoding="utf-8")
    article = articles_by_id(read_all(tmp_path, registry))["page"]
    assert article.outlet == "Harbour Times"
    assert article.url == "https://www.rfa.org/2021/03/04/ferries.html"


def _gzipped_records(count: int) -> bytes:
    # Bodies of random words: deflate cannot shrink them to a few bytes, so damage halfway
    # through the file falls halfway through the records.
    import random
    pick = random.Random(5)
    lines = "".join(json.dumps({"id": f"r{n}", "title": f"Record {n}", "body": " ".join(
        "".join(pick.choice("abcdefghij") for _ in range(6)) for _ in range(60))}) + "\n"
        for n in range(count))
    return gzip.compress(lines.encode("utf-8"))


@pytest.mark.parametrize("damage, reason", [
    ("truncated", "cannot read compressed data: Compressed file ended"),
    ("corrupt", "cannot read compressed data"),
    ("not gzip", "cannot read compressed data: not a gzip file"),
])
def test_a_damaged_gzip_file_keeps_the_records_before_the_damage(tmp_path, registry, damage,
                                                                 reason):
    data = _gzipped_records(400)
    if damage == "truncated":
        data = data[:len(data) // 2]
    elif damage == "corrupt":
        broken = bytearray(data)
        for offset in range(len(data) // 2, len(data) // 2 + 64):
            broken[offset] ^= 0x5A
        data = bytes(broken)
    else:
        data = b'{"id": "plain", "title": "Not compressed", "body": "text"}\n'
    (tmp_path / "set.jsonl.gz").write_bytes(data)
    (tmp_path / "good.txt").write_text("Title line\n\nA good article's text.", encoding="utf-8")
    items = read_all(tmp_path, registry)
    skipped = [item for item in items if isinstance(item, Skipped)]
    assert skipped[-1].source == "set.jsonl.gz"
    assert skipped[-1].reason.startswith(reason), skipped[-1].reason
    # Corrupt deflate data may inflate to garbage lines until the check at the end fails.
    assert all(item.source.startswith("set.jsonl.gz#") and "malformed JSON" in item.reason
               for item in skipped[:-1])
    assert damage == "corrupt" or len(skipped) == 1
    articles = articles_by_id(items)
    assert "good" in articles
    if damage != "not gzip":
        read = [name for name in articles if name.startswith("r")]
        assert 50 < len(read) < 400     # those before the damage, and none after it
