"""Reading queries into trees by the stated rules (README, query language)."""
import datetime as dt

import pytest

from searchsvc.query import tree as t
from searchsvc.query.reader import QueryReader
from searchsvc.query.synonyms import Synonyms

LONG = "which methods are presently available for predicting body pressures"


@pytest.fixture
def reader():
    return QueryReader(Synonyms([("myanmar", "burma")]))


def test_a_hyphen_inside_a_word_joins_its_parts(reader):
    assert reader.read("long-term care").tree == t.All((t.Word("long-term"), t.Word("care")))
    assert reader.read("long -term").tree == t.All((t.Word("long"), t.Not(t.Word("term"))))


def test_a_description_counts_the_parts_of_a_joined_word(reader):
    words = {leaf.text for leaf in t.walk(reader.read(LONG + " free-flight").tree)
             if isinstance(leaf, t.Word)}
    assert {"free", "flight"} <= words and "free-flight" not in words


def test_operator_words_in_a_sentence_are_words(reader):
    short = reader.read("asylum NOT geneva").tree
    assert short == t.All((t.Word("asylum"), t.Not(t.Word("geneva"))))
    long = reader.read(LONG + " AND NOT wind tunnels")
    assert not any(isinstance(node, t.Not) for node in t.walk(long.tree))
    bracketed = reader.read("(body OR wing) pressures and drag NOT tunnels in flight")
    assert any(isinstance(node, t.Not) for node in t.walk(bracketed.tree))


def test_a_repeated_word_counts_each_time(reader):
    tree = reader.read("pressure pressure drag").tree
    assert t.Word("pressure", weight=2.0) in tree.parts and t.Word("drag") in tree.parts


def test_a_synonym_group_is_one_node_and_an_excluded_word_means_itself(reader):
    assert reader.read("myanmar").tree == t.Synonyms((t.Word("myanmar"), t.Word("burma")))
    excluded = reader.read("asylum -burma").tree
    assert excluded == t.All((t.Word("asylum"), t.Not(t.Word("burma"))))


def test_fields_ranges_and_phrases(reader):
    assert reader.read('title:"kyaw win"~5').tree == t.Phrase(("kyaw", "win"), "title", 5)
    assert reader.read("year:[2011 TO 2013]").tree == t.YearRange(2011, 2013)
    assert reader.read("date:{2011-07-01 TO 2011-07-31}").tree == t.DateRange(
        dt.date(2011, 7, 2), dt.date(2011, 7, 30))
    assert reader.read("date:>2011").tree == t.DateRange(dt.date(2012, 1, 1), None)
    assert reader.read("diplom*").tree == t.Prefix("diplom")
    assert reader.read("asylim~").tree == t.Fuzzy("asylim")


def test_long_queries_are_read_whole_up_to_ten_thousand_characters():
    whole = QueryReader().read("drag " * 1900)                # 9,500 characters
    assert whole.notes == [] and t.Word("drag", weight=1900.0) in whole.tree.parts
    cut = QueryReader().read("drag " * 2100)                  # 10,500 characters
    assert any("cut to its first 10000 characters" in note for note in cut.notes)


def test_brackets_in_a_sentence_are_punctuation(reader):
    sentence = reader.read("separation anxiety in infancy (i.e. up to two years of age)")
    assert sentence.mode == "any word" and sentence.description
    assert reader.read("alpha (beta)").mode == "syntax"
    assert reader.read("(body OR wing) pressures and drag in flight").mode == "syntax"


def test_a_repeated_word_counts_in_a_sentence_with_syntax(reader):
    tree = reader.read('"wind tunnel" tests of drag on wings and drag of bodies').tree
    assert t.Word("drag", weight=2.0) in tree.parts


def test_a_quoted_phrase_in_a_description_counts_its_words_too(reader):
    tree = reader.read('articles on "what you see is what you get" text formatting').tree
    quoted = next(part for part in tree.parts if isinstance(part, t.Any))
    assert t.Phrase(("what", "you", "see", "is", "what", "you", "get")) in quoted.parts
    assert t.Word("see") in quoted.parts and t.Word("what") not in quoted.parts
    assert reader.read('"kyaw win" asylum').tree == t.All((t.Phrase(("kyaw", "win")),
                                                           t.Word("asylum")))


def test_a_wildcard_without_a_letter_or_digit_is_no_word(reader):
    assert reader.read("|*").tree is None and reader.read("|*").unsearchable
    assert reader.read("|* asylum").tree == t.Word("asylum")
