"""Snippet internals: the fast candidate scan finds exactly what the candidate regex finds."""
import pytest

import sys

from searchsvc.snippets import (WHITESPACE_CODES, QueryTerms, _candidate_regex, _candidate_words,
                                _whitespace_offsets, _word_boundary, find_matches, make_snippets)

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
        spaces = [i for i, char in enumerate(text) if char.isspace()]
        for listed in (None, spaces):
            assert _word_boundary(text, index, forward=True, spaces=listed) == forward
            assert _word_boundary(text, index, forward=False, spaces=listed) == backward


def test_many_matches_pick_passages_with_most_distinct_words():
    text = ("filler " * 60 + "storm ") * 5 + "storm flood storm flood " + "filler " * 60
    snippets = make_snippets(text, QueryTerms(frozenset({"storm", "flood"})))
    assert any("<mark>flood</mark>" in snippet.html for snippet in snippets)
    assert len(find_matches(text, QueryTerms(frozenset({"storm"})))) == 7


def test_whitespace_codes_are_what_isspace_accepts():
    expected = [code for code in range(sys.maxunicode + 1) if chr(code).isspace()]
    assert sorted(WHITESPACE_CODES.tolist()) == expected
    text = "a b\tc\u3000d\u2009e\U0001f600 f\ud800 g"
    assert _whitespace_offsets(text) == [i for i, char in enumerate(text) if char.isspace()]
