"""The query language's surface: which queries use it, what is wrong with one, its clauses.

``tokenize`` cuts a query into clauses (words, phrases, field clauses, brackets, operators);
the reader builds the tree from them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# What users may write before a colon, and the field it searches.
QUERY_FIELDS = {"title": "title", "body": "body", "text": "body", "author": "author",
                "outlet": "outlet", "year": "year", "date": "date"}
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_FIELD_RE = re.compile(r"(?<![\w\"])([A-Za-z_]\w*):(?=\S)")
_FIELD_AT_RE = re.compile(r"([A-Za-z_]\w*):(?=\S)")
_RANGE_RE = re.compile(r"([\[{])\s*([^\s\]}]*)\s+TO\s+([^\s\]}]*)\s*([\]}])")
_PHRASE_RE = re.compile(r'"([^"]*)"(?:~(\d+))?')
_COMPARISON_RE = re.compile(r"(>=|<=|>|<)([^\s()]+)")
_VALUE_RE = re.compile(r"[^\s()]+")
_BARE_RE = re.compile(r'[^\s()"]+')
_FUZZY_RE = re.compile(r"^(.*?\w)~(\d?)$")


class ReadError(ValueError):
    """Part of a query cannot be read as query syntax (the reader falls back to words)."""


@dataclass(frozen=True)
class Clause:
    """One clause of a query: a bracket, an operator, a word, a phrase or a range."""

    kind: str                        # "(", ")", an operator, "word", "phrase" or "range"
    text: str = ""
    field: str | None = None
    sign: str | None = None          # "+" required, "-" excluded
    slop: int | None = None          # "..."~N
    fuzzy: int | None = None         # word~N (0: as many edits as the word allows)
    comparison: str | None = None    # date:>2011
    low: str | None = None           # [low TO high]
    high: str | None = None
    low_open: bool = False           # {low ...
    high_open: bool = False          # ... high}


def has_syntax(text: str, operators: bool = True, brackets: bool = True) -> bool:
    """Return True if the query uses any query-language feature.

    With operators=False, AND, OR and NOT are words; with brackets=False, brackets are
    punctuation.
    """
    unquoted = re.sub(r'"[^"]*"', " ", text)
    marks = r"[()\[\]{}*~^:<>=]" if brackets else r"[\[\]{}*~^:<>=]"
    return ('"' in text or (operators and any(word in OPERATORS for word in text.split()))
            or bool(re.search(marks + r"|(?:^|\s)[-+](?:\w|\s|$)", unquoted)))



def syntax_problems(text: str) -> list[str]:
    """Return why the query cannot be read as query syntax (empty list if it can)."""
    problems = []
    if text.count('"') % 2:
        problems.append("an unbalanced quote")
    depth = 0
    for char in re.sub(r'"[^"]*"', "", text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth != 0:
        problems.append("an unbalanced bracket")
    if text.count("[") != text.count("]") or text.count("{") != text.count("}"):
        problems.append("an unbalanced range bracket")
    # A phrase stands in as one word, so that an operator beside it has something to join;
    # so does a field's range, whose open end (*) is no wildcard.
    unquoted = re.sub(r'"[^"]*"(?:~\d+)?', "_phrase_", text)
    unquoted = re.sub(r"(?<=:)" + _RANGE_RE.pattern, "_range_", unquoted)
    for name in _FIELD_RE.findall(unquoted):
        if name.lower() not in QUERY_FIELDS:
            problems.append(f"an unknown field '{name}:'")
    if re.search(r"(?<![\w\"])[A-Za-z_]\w*:(?=\s|$|\))", unquoted):
        problems.append("a field name with nothing after it")
    words = unquoted.split()
    if words and (words[0] in OPERATORS - {"NOT"} or words[-1] in OPERATORS):
        problems.append("an operator with nothing to join")
    for first, second in zip(words, words[1:]):
        if first in OPERATORS and second in OPERATORS - {"NOT"}:
            problems.append("two operators in a row")
            break
    if re.search(r"(?:^|[\s(:])\*", unquoted):
        problems.append("a leading wildcard")
    elif re.search(r"(?:^|[\s(:])\w\*", unquoted):
        problems.append("a wildcard with too short a prefix")
    if re.search(r"(?:^|\s)[-+](?:\s|$)", unquoted):
        problems.append("a lone + or -")
    if re.search(r"(?:^|[\s(])[\[{][^\]}]*\bTO\b", unquoted):
        problems.append("a range without a field name")
    return problems


def tokenize(text: str, operators: bool = True) -> list[Clause]:
    """Cut a query into clauses; with operators=False, AND, OR and NOT are words."""
    clauses: list[Clause] = []
    position, size = 0, len(text)
    while position < size:
        char = text[position]
        if char.isspace():
            position += 1
            continue
        sign = None
        if char in "+-" and (position == 0 or text[position - 1].isspace()
                             or text[position - 1] == "("):
            sign, position = char, position + 1
            if position >= size or text[position].isspace():
                raise ReadError("a lone + or -")
            char = text[position]
        if char in "()":
            clauses.append(Clause(char, sign=sign))
            position += 1
            continue
        field = None
        match = _FIELD_AT_RE.match(text, position)
        if match and (position == 0 or not (text[position - 1].isalnum()
                                            or text[position - 1] in "_\"")):
            name = match.group(1).lower()
            if name not in QUERY_FIELDS:
                raise ReadError(f"an unknown field '{match.group(1)}:'")
            field, position = QUERY_FIELDS[name], match.end()
            clause, position = _field_value(text, position, field, sign)
            clauses.append(clause)
            continue
        if char == '"':
            match = _PHRASE_RE.match(text, position)
            if not match:
                raise ReadError("an unbalanced quote")
            slop = int(match.group(2)) if match.group(2) else None
            clauses.append(Clause("phrase", match.group(1), sign=sign, slop=slop))
            position = match.end()
            continue
        match = _BARE_RE.match(text, position)
        word = match.group(0)
        position = match.end()
        if operators and word in OPERATORS and sign is None:
            clauses.append(Clause(word))
            continue
        clauses.append(_word(word, None, sign))
    return clauses


def _field_value(text: str, position: int, field: str, sign: str | None
                 ) -> tuple[Clause, int]:
    """Read the value after 'field:' and return its clause and the position after it."""
    match = _RANGE_RE.match(text, position)
    if match:
        opening, low, high, closing = match.groups()
        return Clause("range", field=field, sign=sign, low=low or None, high=high or None,
                      low_open=opening == "{", high_open=closing == "}"), match.end()
    if text[position] in "[{":
        raise ReadError("a range that is not [low TO high]")
    match = _PHRASE_RE.match(text, position)
    if match:
        slop = int(match.group(2)) if match.group(2) else None
        return Clause("phrase", match.group(1), field=field, sign=sign, slop=slop), match.end()
    match = _COMPARISON_RE.match(text, position)
    if match:
        return Clause("word", match.group(2), field=field, sign=sign,
                      comparison=match.group(1)), match.end()
    match = _VALUE_RE.match(text, position)
    if not match:       # a bracket right after 'field:' ("title:(a b)")
        raise ReadError(f"a bracket after '{field}:'")
    return _word(match.group(0), field, sign), match.end()


def _word(word: str, field: str | None, sign: str | None) -> Clause:
    """Return a word clause; a trailing ~ or ~N makes it fuzzy."""
    fuzzy = _FUZZY_RE.match(word)
    if fuzzy:
        return Clause("word", fuzzy.group(1), field=field, sign=sign,
                      fuzzy=int(fuzzy.group(2) or 0))
    return Clause("word", word, field=field, sign=sign)
