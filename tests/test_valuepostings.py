"""Postings grouped by value give each term the lists Whoosh's field.index() gives it."""
from __future__ import annotations

from array import array
from itertools import cycle

import pytest
from whoosh.fields import DATETIME, ID, NUMERIC, TEXT

from searchsvc.backends.whoosh.analysis import name_analyzer
from searchsvc.backends.whoosh.valuepostings import ValuePostings

import datetime as dt

BOOSTS = (1.0, 2.5, 1.0, 0.3)


def reference(field, values: list) -> dict:
    """Return {term: (docnums, weights, values)}, each document's postings appended in turn."""
    terms: dict = {}
    for docnum, (value, boost) in enumerate(zip(values, cycle(BOOSTS))):
        for tbytes, _, weight, vbytes in field.index(value):
            lists = terms.setdefault(tbytes, ([], [], []))
            lists[0].append(docnum)
            lists[1].append(array("f", [weight * boost])[0])    # stored as float32
            lists[2].append(vbytes)
    return terms


CASES = {
    # shift-step terms: the coarse ones are made by several values
    "numbers": (NUMERIC(int, bits=32, signed=False), [2001, 2003, 2001, 1999, 2003, 2001, 7]),
    "dates": (DATETIME(), [dt.datetime(2011, 7, 13), dt.datetime(2011, 7, 1),
                           dt.datetime(2011, 7, 13), dt.datetime(1999, 1, 1)]),
    "unique ids": (ID(unique=True), ["a", "b", "c", "d"]),
    "repeated ids": (ID(), ["x", "y", "x", "x", "z", "y"]),
    # positions as values; "lee" is a term of three values, twice in one
    "names": (TEXT(analyzer=name_analyzer()), ["Ann Lee", "Bo Lee", "Ann Lee", "",
                                               "Lee Ann Lee", "Ann Lee"]),
    # 1 and 1.0 and True are one dict key, not one value
    "equal keys": (NUMERIC(float), [1, 1.0, 2, 1.0, 1]),
}


@pytest.mark.parametrize("name", CASES)
def test_grouped_postings_are_each_documents_postings(name):
    field, values = CASES[name]
    held = ValuePostings(field)
    added = [held.add(docnum, value, boost)
             for docnum, (value, boost) in enumerate(zip(values, cycle(BOOSTS)))]
    expected = reference(field, values)
    # each document's length and postings as index() gives them
    assert added == [(sum(freq for _, freq, _, _ in field.index(value)),
                      len(list(field.index(value)))) for value in values]
    terms = held.terms()
    assert terms.keys() == expected.keys() and terms
    keeps_values = field.format.fixed_value_size() != 0
    for tbytes, (docnums, weights, kept, positions) in terms.items():
        docs, expected_weights, expected_values = expected[tbytes]
        assert (docnums.typecode, weights.typecode, positions) == ("I", "f", None)
        assert docnums.tolist() == docs, tbytes
        assert weights.tolist() == expected_weights, tbytes
        assert kept == (expected_values if keeps_values else []), tbytes
    assert held.terms() == {}       # released
