"""Malformed queries and parameters through the JSON API and the page; the query reader fuzzed.

Every input gets an answer below 500 (a result, or a 400 naming the parameter), and the page
never shows it unescaped. The reader, given any text, returns a reading, never raises.
"""
import unicodedata
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from searchsvc.query import tree as t
from searchsvc.query.reader import QueryReader
from searchsvc.query.synonyms import Synonyms

MARKUP = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
          "'><svg/onload=alert(1)>", '<a href="javascript:alert(1)">x</a>', "</title><h1>x",
          '<iframe src="//evil">', "<!--", "]]><![CDATA[<b>", "<style>*{}</style>",
          'title:"<b>bold</b>"', "outlet:<i>", "<<>>", "<\u202e>rtl"]
SYNTAX = ['"', '""', '"""', "'", "(", ")", "((((", "))))", "(" * 300, "( )", "[", "]",
          "{", "}", "[* TO *]", "{* TO *}", "title:", "author:", "outlet:", "year:",
          "date:", "date:[", "date:[ TO ]", "date:[2011 TO", "date:[2011-02-30 TO 2011-13-01]",
          "date:[9999 TO 0001]", "date:>", "date:<", "date:>>2011", "year:[abc TO def]",
          "year:[2011 TO 1900]", "year:99999", "unknown:field", ":", "::", "a:b:c",
          "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "AND OR NOT", "NOT NOT NOT x",
          "x AND", "OR x", "x OR OR y", "-", "--", "-x", "- x", "+", "+x", "!", "!!!",
          "?", "???", "*", "**", "*?*", "x*", "*x", "*x*", "a*", "~", "~~~", "x~", "x~9",
          "x~99999", "x^", "x^9", "x^-1", "\\", "\\\\", "\\x", "/", "//", "&", "&&",
          "|", "||", "%", "%%", "%00", "%ff", "\x00", "\x00x", "\x01\x02\x03", "\x7f",
          "\t\n\r", " ", "   ", "\u200b", "\ufeff", "\u202e", "\ufffd", "\U0001f600",
          "ﬁnance", "ｆｕｌｌ", "e\u0301" * 500, "x" * 10_001, "word " * 2000,
          " OR ".join(["w"] * 400), '"' + "a b " * 500 + '"', "a" * 300,
          "日本語 ニュース", "خبر", "новости", "Ελλάδα", "${jndi:ldap://x}", "{{7*7}}",
          "' OR 1=1 --", "1; DROP TABLE x", "../../etc/passwd", "%2e%2e%2f", "null",
          "None", "undefined", "NaN", "-1", "0", "1e309", "[]", "{}", "{\"a\":1}"]
QUERIES = MARKUP + SYNTAX

PARAMETERS = [
    *({"page": value} for value in ["0", "-1", "", " ", "1.5", "1e3", "0x10", "١", "²",
                                    "99999999999999999999", "10001", "abc", "<b>"]),
    *({"per_page": value} for value in ["0", "-5", "101", "", "x", "1.0", "999999999999"]),
    *({"sort": value} for value in ["", "RELEVANCE", "newest ", "<b>", "random", "\x00"]),
    *({"year": value} for value in ["", "abc", "20111", "0", "-2011", "²⁰¹¹", "<i>",
                                    "unknown ", "2011.0", "9999"]),
    *({"outlet": value} for value in ["", "<script>x</script>", "\x00", "x" * 5000,
                                      "'\"", "CNN\nX-Header: 1"]),
    *({name: value} for name in ("date_from", "date_to")
      for value in ["", "yesterday", "2011-02-30", "2011-04-31", "2011-13", "2011-00-10",
                    "0000", "99999", "2011/07/04", "04-07-2011", " 2011", "2011-7-4x",
                    "<b>2011</b>", "2011-07-04T00:00", "1e3", "\x00"]),
    {"date_from": "2012", "date_to": "2011"},
    {"date_from": "2011-07-05", "date_to": "2011-07-04"},
    {"unknown": "<b>x</b>"}, {"q": ["a", "b"]}, {"page": ["1", "2"]},
    {"outlet": ["CNN"] * 300}, {"year": ["2011"] * 300},
]


def _query_string(params) -> str:
    """Encode parameters (a value may be a list: repeated) as a query string."""
    pairs = [(name, item) for name, value in params.items()
             for item in (value if isinstance(value, list) else [value])]
    return "&".join(f"{quote(name)}={quote(item)}" for name, item in pairs)


CASES = [{"q": query} for query in QUERIES] + PARAMETERS


def test_the_suite_is_large_enough():
    assert len(CASES) * 2 >= 300


@pytest.mark.parametrize("params", CASES, ids=range(len(CASES)))
def test_malformed_input_never_gets_a_5xx_from_the_api(client, params):
    response = client.get("/api/search?" + _query_string(params))
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert ("error" in body) == (response.status_code == 400)


@pytest.mark.parametrize("params", CASES, ids=range(len(CASES)))
def test_malformed_input_never_gets_a_5xx_or_shows_unescaped_on_the_page(client, params):
    response = client.get("/search?" + _query_string(params))
    assert response.status_code in (200, 400)
    page = response.get_data(as_text=True)
    for value in params.values():
        for item in value if isinstance(value, list) else [value]:
            if "<" in item:          # markup: it may show only escaped
                assert item not in page


@pytest.mark.parametrize("host", ["a" * 64 + ".example", "a..b", ".", "x" * 300,
                                  "exa mple", "[::1", "ü.example", ""])
@pytest.mark.parametrize("url", ["/", "/search?q=x", "/articles/nope", "/api/search?q=x",
                                 "/nope"])
def test_any_host_header_gets_a_page_or_a_400(client, host, url):
    response = client.get(url, headers={"Host": host})
    assert response.status_code < 500


SYNTAX_TOKENS = st.sampled_from(['"', "(", ")", "[", "]", "{", "}", "*", "?", "~", "~2",
                                 "-", "+", "^", ":", "\\", "AND", "OR", "NOT", "TO",
                                 "title:", "date:", "year:", "outlet:", "author:", "2011",
                                 "2011-02-30", "x", "Myanmar", "the", " ", "  "])


@given(st.one_of(st.text(max_size=300),
                 st.lists(SYNTAX_TOKENS, max_size=40).map("".join),
                 st.lists(st.one_of(SYNTAX_TOKENS, st.text(max_size=5)),
                          max_size=30).map(" ".join)))
@example("TITLE:()")     # a bracket after a field name (was an AttributeError)
@example("title:(a OR b) x")
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_query_reader_reads_any_text_into_a_tree_or_nothing(text):
    reading = QueryReader(Synonyms([("myanmar", "burma")]), max_length=200).read(text)
    assert reading.tree is None or isinstance(reading.tree, t.Node)
    assert reading.mode in {"all words", "any word", "syntax", "plain words", "empty"}
    assert isinstance(reading.text, str) and len(reading.text) <= 200
    assert all(isinstance(note, str) for note in reading.notes)
    if not any(char.isalnum() for char in unicodedata.normalize("NFKC", text)):
        # Only letters and digits make words: without any, nothing is searched for.
        assert reading.tree is None
