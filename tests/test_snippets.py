"""Snippet internals: the fast candidate scan finds exactly what the candidate regex finds."""
import pytest


from searchsvc.backends.whoosh.analysis import analyze_word
from searchsvc.backends.contract import QueryTerms
from searchsvc.service.snippets import (_candidate_regex, _candidate_words, _prefix,
                                _word_boundary, find_matches, highlight_all,
                                make_snippets)

TEXTS = [
    "The President said the U.S. presidency was pressing; presidents preside.",
    "Trump’s trumpet — TRUMP, trump-card, trump_x, xtrump, trump.com and trump.",
    "u.s u.s. U.S.A us US-led e.g. e.g.x eg",
    "Ünïcödé café CAFÉ naïve Zürich zurich Straße STRASSE",
    "ſtate ſaid Kelvin \u212aey dotless \u0131nn \u0130stanbul istanbul said",
    "sai said says saying sayings Said SAYS",
    "",
    "no match here at all",
    "a\u00a0said\u2003said\tsaid\nsaid",
]
STEM_SETS = [{"presid", "sai"}, {"trump"}, {"u.", "us"}, {"cafe", "zurich", "strass"},
             {"state", "sai", "kei", "inn", "istanbul"}, {"e.g", "x"}, {"a"}]


@pytest.mark.parametrize("stems", STEM_SETS)
@pytest.mark.parametrize("text", TEXTS)
def test_candidate_scan_equals_regex(text, stems):
    found = _candidate_regex(frozenset(stems))
    expected = [(m.start(), m.end(), m.group()) for m in found.pattern.finditer(text)]
    assert _candidate_words(text, found) == expected


@pytest.mark.parametrize("text", TEXTS + ["   lead", "trail   ", "x" * 600 + " y", "y " + "x" * 600])
def test_word_boundary_moves_to_whitespace(text):
    for index in range(len(text) + 1):
        forward = index
        while forward < len(text) and not text[forward].isspace():
            forward += 1
        backward = index
        while backward > 0 and not text[backward - 1].isspace():
            backward -= 1
        assert _word_boundary(text, index, forward=True) == forward
        assert _word_boundary(text, index, forward=False) == backward


def test_many_matches_pick_passages_with_most_distinct_words():
    text = ("filler " * 60 + "storm ") * 5 + "storm flood storm flood " + "filler " * 60
    snippets = make_snippets(text, QueryTerms(frozenset({"storm", "flood"}), analyze=analyze_word))
    assert any("<mark>flood</mark>" in snippet.html for snippet in snippets)
    assert len(find_matches(text, QueryTerms(frozenset({"storm"}), analyze=analyze_word))) == 7


WORD_FORMS = ["day", "days", "Friday", "making", "make", "probability", "probabilities",
              "hoping", "hopping", "relational", "generation", "sensibly", "agreed", "ponies",
              "six", "leaves", "leaving", "Ukraine", "Ukrainian", "capabilities", "happy",
              "Myanmar’s", "during", "conformably", "organization", "valency",
              "dying", "lying", "tying", "skies", "generously"]


@pytest.mark.parametrize("word", WORD_FORMS)
def test_every_word_starts_with_the_prefix_of_its_stem(word):
    stem = analyze_word(word)
    assert word.lower().startswith(_prefix(stem))


def test_short_stems_keep_their_whole_length():
    # "si" would propose every word starting so (since, side, similar ...) for checking.
    assert _prefix("six") == "six"
    assert _prefix("dai") == "da"
    assert _prefix("make") == "mak"


def test_a_match_inside_a_passage_taken_gives_no_second_passage():
    text = " ".join(["storm"] * 20) + " filler" * 200 + " storm calm" + " filler" * 200
    snippets = make_snippets(text, QueryTerms(frozenset({"storm"}), analyze=analyze_word))
    assert len(snippets) == 2
    assert all(snippet.html.count("<mark>") >= 1 for snippet in snippets)


@pytest.mark.parametrize("text", ["<b>Storm</b> & \"storm\" 'x'",
                                  "\ue000<b>storm</b>\ue001 storm & more"])
def test_marked_text_is_escaped_whatever_it_holds(text):
    from markupsafe import escape
    html = make_snippets(text, QueryTerms(frozenset({"storm"}), analyze=analyze_word))[0].html
    assert html.replace("<mark>", "").replace("</mark>", "") == str(escape(text))
    assert html.count("<mark>") == html.count("</mark>") == 2


def test_long_text_stops_reading_once_passages_hold_every_term():
    from searchsvc.service.snippets import SCAN_CHARS
    early = " ".join(f"storm flood {'filler ' * 40}" for _ in range(3))
    late = "filler " * (SCAN_CHARS // 7) + "storm flood storm flood storm flood " * 3
    snippets = make_snippets(early + late, QueryTerms(frozenset({"storm", "flood"}), analyze=analyze_word))
    assert len(snippets) == 3
    assert all("<mark>storm</mark> <mark>flood</mark>" in s.html for s in snippets)
    # The early passages are taken although a denser one lies further on.
    assert all(s.text.count("storm") == 1 for s in snippets)


def test_a_term_only_found_late_makes_reading_go_on():
    text = "storm " + "filler " * 12_000 + "flood and storm together"
    snippets = make_snippets(text, QueryTerms(frozenset({"storm", "flood"}), analyze=analyze_word))
    assert any("<mark>flood</mark>" in s.html for s in snippets)


def test_passages_show_every_matched_word_before_repeating_one():
    # "asylum" three times early, "geneva" once at the end, never in one passage together:
    # the passages show geneva too, not three passages of asylum alone.
    filler = " ".join(f"word{n}" for n in range(40))
    text = f"asylum {filler} asylum {filler} asylum {filler} {filler} he served in geneva."
    snippets = make_snippets(text, QueryTerms(frozenset({"asylum", "geneva"}), analyze=analyze_word))
    assert len(snippets) == 3
    assert sum("<mark>asylum</mark>" in s.html for s in snippets) == 2
    assert "<mark>geneva</mark>" in snippets[-1].html
    # One word: its three best passages, as before.
    single = make_snippets(text, QueryTerms(frozenset({"asylum"}), analyze=analyze_word))
    assert all("<mark>asylum</mark>" in s.html for s in single) and len(single) == 3


def test_passages_skip_the_repeated_headline_and_page_furniture():
    from searchsvc.passages import passage_text
    body = ("Port Strike Ends\n\nAdvertisement\nDockers went back to work on Monday.\n"
            "Sign up for Daily Newsletters Manage Newsletters\nREUTER\n___\n"
            "Copyright © 2019 The Harbour Times, LLC. Click here for reprint permission.\n"
            "The copyright office said nothing about the strike.")
    assert passage_text(body, "Port Strike Ends") == (
        "Dockers went back to work on Monday.\n"
        "The copyright office said nothing about the strike.")
    # The headline run into the first line: its words go, the rest stays.
    assert passage_text("Port Strike Ends By Ann Lee 25 March. Dockers went back.",
                        "Port strike ends") == "By Ann Lee 25 March. Dockers went back."
    # A first line that only begins like the headline stays whole.
    assert passage_text("Port Strikes Are Rare.", "Port Strike") == "Port Strikes Are Rare."
    # Any non-word characters between and around the words, in any case; none between two
    # words is not the headline.
    assert passage_text("\u201cPORT \u2014 strike: U.S. ends!\u201d  Then more.",
                        "Port strike U.S. ends") == "Then more."
    assert passage_text("PortStrike ends. More.", "Port Strike ends") == "PortStrike ends. More."
    long_line = "Sign up " + "word " * 40
    assert passage_text(long_line, None) == long_line.strip()


def test_furniture_lines_found_whatever_lowercasing_does_to_the_body():
    # Lines are checked for noise phrases only where the lowercased body holds a cue; a
    # body whose lowercasing would hide one or move the offsets is checked line by line.
    from searchsvc.passages import passage_text
    text = "Dockers went back to work on Monday."
    for furniture in ("SIGN UP for alerts", "\u017fign up for alerts",   # long s: IGNORECASE
                      "Follow us on social media", "Get the Harbour Times app",
                      "\u0130stanbul desk: subscribe now", "_" * 40,
                      "More on this " + "\u2014 " * 15, "STORY CONTINUED BELOW"):
        for body in (f"{text}\n{furniture}\nThey were paid.",
                     f"{furniture}\n{text}\n\u0130zmir: they were paid."):
            assert furniture not in passage_text(body, None).split("\n"), (furniture, body)
    # A cue in one line does not make its neighbours noise.
    assert passage_text(f"{text}\nSigned, the union.\nThey were paid.", None) == (
        f"{text}\nSigned, the union.\nThey were paid.")
    assert passage_text("Story continued below the fold, said the editor at length.", None) == (
        "Story continued below the fold, said the editor at length.")


def test_search_snippets_come_from_the_text_after_the_headline(tmp_path, registry):
    from builders import jsonl_service
    from searchsvc.service import SearchRequest
    service = jsonl_service(tmp_path, registry, [
        {"id": "s1", "title": "Harbour strike ends",
         "body": "Advertisement\nDockers ended the harbour strike on Monday.\n"
                 "Sign up for our newsletter about the harbour"}])
    hit = service.search(SearchRequest(q="harbour"))["hits"][0]
    assert [s["text"] for s in hit["snippets"]] == ["Dockers ended the harbour strike on Monday."]


def test_passages_chosen_elsewhere_follow_the_snippet_rules():
    from searchsvc.passages import passage_text
    from searchsvc.service.snippets import passage_snippets
    title = "Storm hits the coast"
    body = ("Storm hits the coast\nAdvertisement\nThe storm flooded the town.\n"
            "Follow us on Twitter\nA second storm followed.")
    terms = QueryTerms(frozenset({"storm"}), analyze=analyze_word)
    # A passage over the headline, the furniture line and the first sentence.
    whole = (0, body.index("town.") + len("town."))
    [first] = passage_snippets(body, title, [whole], terms)
    assert first.text == "The storm flooded the town. …"
    assert first.html == "The <mark>storm</mark> flooded the town. …"
    last = body.index("A second")
    [second] = passage_snippets(body, title, [(last + 2, len(body))], terms)
    assert second.html == "… second <mark>storm</mark> followed."
    # The headline alone, or a furniture line alone, is no passage.
    assert passage_snippets(body, title, [(0, len(title)), (body.index("Follow"),
                                                           body.index("Twitter"))], terms) == []
    assert passage_text(body, title) == "The storm flooded the town.\nA second storm followed."


def test_passage_text_lowered_gives_the_text_folded():
    from searchsvc.passages import fold, passage_text, passage_text_lowered
    from searchsvc.service.snippets import make_snippets
    terms = QueryTerms(frozenset({"docker"}), analyze=analyze_word)
    for body in ("\n  Port Strike Ends: DOCKERS went back.\nAdvertisement\n  Dockers paid.  \n",
                 "Sign up for alerts\n\nDOCKERS WENT BACK. \u03a3 Dockers paid.",
                 "\u0130zmir DOCKERS went back.\nAdvertisement\nDockers paid."):
        text, lowered = passage_text_lowered(body, "Port strike ends")
        assert text == passage_text(body, "Port strike ends")
        assert lowered == fold(text)
        assert make_snippets(text, terms, lowered=lowered) == make_snippets(text, terms)
        assert "<mark>DOCKERS</mark>" in make_snippets(text, terms)[0].html
    # A long text: its start alone, what is read first; reading further folds the rest.
    from searchsvc.passages import FOLDED_CHARS
    body = "Storm \u00e9t\u00e9 " * (FOLDED_CHARS // 10) + "\u201cFlood\u201d " * 3
    text, lowered = passage_text_lowered(body, None)
    assert len(text) > FOLDED_CHARS and lowered == fold(text[:FOLDED_CHARS])
    terms = QueryTerms(frozenset({"storm", "flood"}), analyze=analyze_word)
    assert make_snippets(text, terms, lowered=lowered) == make_snippets(text, terms)
    assert "<mark>Flood</mark>" in make_snippets(text, terms, lowered=lowered)[-1].html
    # One byte a character (a dotted capital I lowercases to two): ASCII lowercased, the
    # rest "?".
    assert fold("\u0130zmir DOCKERS’ caf\u00e9 \U0001f600 A_1") == b"?zmir dockers? caf? ? a_1"


def test_passage_runs_give_the_passage_text():
    from searchsvc.passages import passage_runs, passage_text, passage_text_lowered
    title = "Port strike ends"
    for body in ("Port Strike Ends: dockers went back.\nAdvertisement\n\nThey were paid.\n",
                 "Advertisement\nPort strike ends\nDockers went back.\nSign up for alerts",
                 "\n\nPORT STRIKE ENDS\n\u0130zmir dockers went back.", "", "Advertisement",
                 "Dockers went back.\n" + "Follow us on social media\n" * 3 + "Paid."):
        runs = passage_runs(body, title)
        assert all(isinstance(offset, int) for offset in runs) and len(runs) % 2 == 0
        assert "\n".join(body[s:e] for s, e in zip(runs[::2], runs[1::2])).strip() == (
            passage_text(body, title))
        assert passage_text_lowered(body, title, runs) == passage_text_lowered(body, title)
    # neighbouring kept lines make one run; furniture lines and the headline split them
    body = "Port strike ends: dockers went back.\nThey were paid.\nAdvertisement\nThe end."
    assert passage_runs(body, title) == (18, 52, 67, 75)


@pytest.mark.parametrize("processes", [0, 2])
def test_the_index_stores_passage_runs_and_search_uses_them(tmp_path, registry, processes):
    import json
    from builders import whoosh_service
    from searchsvc.backends.whoosh.generations import open_current
    from searchsvc.backends.whoosh.indexer import build_index, update_articles
    from searchsvc.ingest.corpus import Article
    from searchsvc.passages import passage_runs
    from searchsvc.service import SearchRequest
    title = "Harbour strike ends"
    body = ("Harbour strike ends: dockers went back.\nAdvertisement\n"
            "Dockers ended the harbour strike on Monday.\nSign up for our harbour newsletter")
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "docs.jsonl").write_text(json.dumps({"id": "s1", "title": title, "body": body}),
                                       encoding="utf-8")
    build_index(corpus, tmp_path / "ix", registry=registry, processes=processes)
    # an update (Whoosh's own writer) stores them too
    update_articles(tmp_path / "ix", [Article(id="s2", title="Port news",
                                              body="Advertisement\nPort strike.",
                                              source="new.jsonl#1", source_file="new.jsonl")])
    ix, _ = open_current(tmp_path / "ix")
    with ix.searcher() as searcher:
        stored = {fields["id"]: fields["passage_runs"] for fields in searcher.all_stored_fields()}
    assert stored == {"s1": passage_runs(body, title), "s2": (14, 26)}
    assert stored["s1"] == (21, 39, 54, 97)
    # the reading process leaves them to the build workers (its time bounds a build's)
    from searchsvc.backends.whoosh.indexer import article_document, content_hash
    article = Article(id="s3", title=title, body=body, source="a#1", source_file="a")
    assert "passage_runs" not in article_document(article, content_hash(article))
    hit = whoosh_service(tmp_path / "ix", registry).search(SearchRequest(q="harbour"))["hits"][0]
    assert [s["text"] for s in hit["snippets"]] == [
        "dockers went back. Dockers ended the harbour strike on Monday."]


@pytest.mark.parametrize("first", ["a", "\u017f"])   # a long s: the scan takes the regex
def test_a_word_across_the_scan_limit_is_never_cut(first):
    from searchsvc.service.snippets import SCAN_CHARS
    # Three passages with "trump" end reading at SCAN_CHARS; "trumpeters" runs across it.
    head = f"{first} trump said. " + "filler " * 100 + "trump spoke. " + "filler " * 100
    text = head + "filler " * ((SCAN_CHARS - len(head) - 200) // 7)
    text += "x" * (SCAN_CHARS - 18 - len(text)) + " trump trump trumpeters. " + "filler " * 50
    assert text.index("trumpeters") < SCAN_CHARS < text.index("trumpeters") + len("trump") + 1
    snippets = make_snippets(text, QueryTerms(frozenset({"trump"}), analyze=analyze_word))
    assert len(snippets) == 3
    assert "<mark>trump</mark> <mark>trump</mark> trumpeters." in snippets[-1].html


@pytest.mark.parametrize("stems", STEM_SETS)
@pytest.mark.parametrize("text", TEXTS)
def test_candidate_scan_with_a_limit_equals_the_regex(text, stems):
    from searchsvc.service.snippets import _pattern_words
    found = _candidate_regex(frozenset(stems))
    for limit in range(len(text) + 2):
        expected = _pattern_words(text, found.pattern, min(limit, len(text)))
        assert _candidate_words(text, found, limit) == expected, limit


def test_only_four_characters_outside_ascii_match_ascii_ignoring_case():
    # The scans in folded text rely on it: any other character cannot match a prefix.
    import re
    import sys
    from searchsvc.service.snippets import _SPECIAL_LETTERS
    from searchsvc.passages import CASE_SPECIALS
    ascii_word = re.compile(r"[a-z0-9_.]", re.IGNORECASE)
    found = {chr(code): [c for c in "abcdefghijklmnopqrstuvwxyz0123456789_."
                         if re.fullmatch(re.escape(c), chr(code), re.IGNORECASE)]
             for code in range(0x80, sys.maxunicode + 1) if ascii_word.fullmatch(chr(code))}
    assert found == {special: [letter] for special, letter in _SPECIAL_LETTERS.items()}
    assert set(_SPECIAL_LETTERS) == set(CASE_SPECIALS)


# Pieces of text where the scans in folded text have their own branches: case, a
# non-ASCII word character before or after a match (the folded text has "?" there), dots
# inside and after words, the four special characters, underscores and digits.
PIECES = ["trump", "Trump", "TRUMP", "tRuMp", "trumpeters", "\u00e9trump", "trum\u00e9",
          "trum\u00e9.trump", "trum\u00e9trump", "x.trump", "trump.", "trump.x", "trump.\u00e9",
          "u.s.", "U.S.", "u.s", "us", "US-led", "\u017ftate", "state", "\u0130stanbul",
          "istanbul", "\u0131nn", "inn", "\u212aey", "key", "\u2019", "\u201c", "?", ".", "_trump",
          "trump_", "9trump", "\u00e9", "na\u00efve", "caf\u00e9", "president", "presidential",
          "said", "Says", "\u03a3", "\U0001f600"]
SEPARATORS = [" ", " ", "  ", "\n", ", ", "\u00a0", "", "-", "\u2014"]
SCAN_STEMS = [{"trump"}, {"u.", "us"}, {"state", "kei", "istanbul", "inn"}, {"presid", "sai"},
              {"trump", "presid", "state"}, {"e"}]


def _random_texts(count, seed, specials=True):
    import random
    rng = random.Random(seed)
    pieces = PIECES if specials else [p for p in PIECES if not any(
        c in p for c in "\u017f\u0130\u0131\u212a")]
    for _ in range(count):
        words = [rng.choice(pieces) for _ in range(rng.randint(0, 40))]
        yield "".join(w + rng.choice(SEPARATORS) for w in words)


@pytest.mark.parametrize("stems", SCAN_STEMS)
def test_candidate_scans_find_what_the_regex_finds(stems):
    from searchsvc.passages import fold
    from searchsvc.service.snippets import _pattern_words, _scan
    import random
    found = _candidate_regex(frozenset(stems))
    rng = random.Random(7)
    scanned = 0
    for text in _random_texts(400, hash(frozenset(stems)) % 1000):
        for limit in (None, rng.randint(0, len(text) + 1), rng.randint(0, len(text) + 1)):
            stop = len(text) if limit is None else min(limit, len(text))
            expected = _pattern_words(text, found.pattern, stop)
            assert _candidate_words(text, found, limit) == expected, (text, limit)
            assert _candidate_words(text, found, limit, fold(text)) == expected, (text, limit)
            # The scans alone, where they can tell (then they must be right), in texts
            # without the special characters their prefixes have letters of.
            words = _scan(text, fold(text), found.scans, stop)
            if words is not None and not any(c in text[:stop] for c in found.specials):
                scanned += 1
                assert words == expected, (text, limit)
    assert scanned > 400        # most texts are scanned, not given to the regex


def test_scans_give_way_only_where_they_cannot_tell():
    from searchsvc.passages import fold
    from searchsvc.service.snippets import _scan
    found = _candidate_regex(frozenset({"trump"}))
    # A letter outside ASCII before a match: not a word start, the scan cannot tell.
    assert _scan("\u00e9trump", fold("\u00e9trump"), found.scans, 6) is None
    # Quotes and dashes (not word characters) before a match are read from the text.
    text = "\u201cTrump\u201d \u2014trump"
    assert _scan(text, fold(text), found.scans, len(text)) == [(1, 6, "Trump"), (9, 14, "trump")]
    # A long s only matters to a prefix with an s in it.
    assert _candidate_regex(frozenset({"trump"})).specials == ()
    assert _candidate_regex(frozenset({"state", "kei"})).specials == ("\u017f", "\u212a")


@pytest.mark.parametrize("stems", SCAN_STEMS[:-1])
def test_passages_render_as_each_piece_escaped_on_its_own(stems):
    # The reference: the passage's text and its marked HTML, each made one space at a
    # time, the HTML escaped a piece at a time (no brackets, no joint escaping).
    from markupsafe import escape
    from searchsvc.service.snippets import _best_windows, _render, _term_spans
    terms = QueryTerms(frozenset(stems), analyze=analyze_word)
    extra = ["<b>", "&amp;", "'q'", '"q"', "\ue000", "\ue001", "\t", "\u2003", "\r\n"]
    import random
    rng = random.Random(3)
    rendered = 0
    for text in _random_texts(300, 11):
        text = "".join(piece + (rng.choice(extra) if rng.random() < 0.1 else "")
                       for piece in text.split(" "))
        spans = _term_spans(text, terms)
        if not spans:
            continue
        for start, end, _ in _best_windows(text, spans, 3):
            html, position = [], start
            for span_start, span_end, _ in spans:
                if span_end <= start or span_start >= end:
                    continue
                span_start, span_end = max(span_start, start), min(span_end, end)
                html += [str(escape(text[position:span_start])), "<mark>",
                         str(escape(text[span_start:span_end])), "</mark>"]
                position = span_end
            html.append(str(escape(text[position:end])))
            lead = "\u2026 " if start > 0 else ""
            tail = " \u2026" if end < len(text) else ""
            snippet = _render(text, start, end, spans)
            assert snippet.html == lead + " ".join("".join(html).split()) + tail
            assert snippet.text == lead + " ".join(text[start:end].split()) + tail
            rendered += 1
    assert rendered > 50


def test_long_texts_read_in_parts_give_what_reading_them_whole_gives_when_needed():
    # A term only found past the first part: reading goes on, and the words found then
    # are the same as the regex's over the whole text.
    from searchsvc.service.snippets import SCAN_CHARS, _pattern_words
    text = ("\u201cStorm\u201d caf\u00e9 " * (SCAN_CHARS // 12) + "\u00e9flood FLOOD flood."
            + " storm" * 3)
    terms = QueryTerms(frozenset({"storm", "flood"}), analyze=analyze_word)
    snippets = make_snippets(text, terms)
    assert any("<mark>FLOOD</mark> <mark>flood</mark>." in s.html for s in snippets)
    assert "\u00e9flood" in text and "<mark>\u00e9flood" not in "".join(s.html for s in snippets)
    found = _candidate_regex(frozenset({"storm", "flood"}))
    assert _candidate_words(text, found) == _pattern_words(text, found.pattern, len(text))


def test_phrases_are_marked_where_the_words_stand_together():
    terms = QueryTerms(frozenset(), (("presid", "trump"),), analyze=analyze_word)
    text = ("\u201cPresident Trump\u201d said. " + "filler " * 40 + "PRESIDENT \u2014 TRUMP. "
            + "filler " * 40 + "Trump met the president.")
    html = [s.html for s in make_snippets(text, terms)]
    assert len(html) == 2
    assert "<mark>President</mark> <mark>Trump</mark>" in html[0]
    assert "<mark>PRESIDENT</mark> \u2014 <mark>TRUMP</mark>" in html[1]
    assert str(highlight_all("President Trump\u2019s day", terms)) == (
        "<mark>President</mark> <mark>Trump</mark>\u2019s day")


def test_escaping_is_markupsafes():
    import random
    from markupsafe import escape
    from searchsvc.service.snippets import _escape
    rng = random.Random(5)
    alphabet = "&<>'\"a \u00e9\u2019;#\ue000"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert _escape(text) == str(escape(text)) and type(_escape(text)) is str
