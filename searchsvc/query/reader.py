"""Reading a user's query, once, into a query tree.

Plain words are all required in a short query; a long one is a description, ranked by how
many of its words an article has. Query syntax (operators, phrases, fields, ranges,
wildcards, fuzzy words) is read where it is well formed; a query that cannot be read as
written is searched as plain words, with a note. Reading never raises on user input.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace

from ..outlets import OutletRegistry
from . import tree as t
from .bounds import parse_bound
from .synonyms import Synonyms
from .syntax import Clause, ReadError, has_syntax, syntax_problems, tokenize
from .words import is_function_word

LONG_QUERY_WORDS = 5          # from this many plain words on, rank by how many match
# A word: letters and digits, joined by inner hyphens, dots and apostrophes (long-term,
# U.S., O'Neill); a backend reads a joined word's parts as adjacent words. Underscores
# alone ("_", "__") are no word; the possessive _*+ keeps a long run of them linear.
PLAIN_WORD_RE = re.compile(r"(?<!\w)_*+[^\W_]\w*(?:[-‐.'’]\w+)*")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_FIELD_CLAUSE_RE = re.compile(
    r"""(?<![\w"])[A-Za-z_]\w*:(?:\[[^\]]*\]|\{[^}]*\}|"[^"]*"|[^\s()]+)""")


@dataclass
class QueryReading:
    """How a query was read: its tree, the text searched, and notes for the user."""

    tree: t.Node | None
    text: str
    mode: str                          # "all words", "any word", "syntax", "plain words", "empty"
    notes: list[str] = field(default_factory=list)
    fallback: t.Node | None = None     # any-word version, if requiring all words finds few
    # The query had words, but none that can be searched ("the", "*"): it matches nothing,
    # where an empty query lists the whole archive.
    unsearchable: bool = False
    # A long query of plain words: a description, which relevance feedback may re-rank.
    description: bool = False


class QueryReader:
    """Turns query text into a query tree, forgiving malformed input."""

    def __init__(self, synonyms: Synonyms | None = None,
                 registry: OutletRegistry | None = None, max_length: int = 10_000) -> None:
        self.synonyms = synonyms or Synonyms()
        self.registry = registry or OutletRegistry()
        self.max_length = max_length

    def read(self, text: str) -> QueryReading:
        """Read query text: syntax where it is well formed, plain words otherwise."""
        notes: list[str] = []
        # NFKC: ligatures and full-width forms become the letters the index holds (ﬁ -> fi).
        text = unicodedata.normalize("NFKC", text or "")
        if _CONTROL_RE.search(text):
            text = _CONTROL_RE.sub(" ", text)
            notes.append("control characters were removed")
        if len(text) > self.max_length:
            text = text[:self.max_length].rsplit(" ", 1)[0]
            notes.append(f"the query was cut to its first {self.max_length} characters")
        written = bool(text.strip())
        # "?" ends questions far more often than it means a one-letter wildcard.
        text = re.sub(r"\s+", " ", text.replace("?", " ")).strip()
        if not text and written:   # only question marks: like "!!!", it finds nothing
            return QueryReading(None, "", "empty", notes + ["the query has no words to search "
                                                            "for"], unsearchable=True)
        if not text:
            return QueryReading(None, "", "empty", notes)
        long = len(self._written_words(text)) >= LONG_QUERY_WORDS
        # A sentence stays a sentence: in a long query, operator words are operators only
        # with brackets around them, and brackets group only where an operator is.
        operators = not long or "(" in text
        grouping = not long or has_syntax(re.sub(r"[()]", " ", text), brackets=False)
        if not has_syntax(text, operators=operators, brackets=grouping):
            return self._plain(text, notes, mode=None)
        problems = syntax_problems(text)
        if not problems:
            try:
                clauses = tokenize(text, operators=operators)
                node = _Parser(clauses, self, long).parse()
            except ReadError as error:
                problems = [str(error)]
            else:
                if node is None:
                    problems = ["nothing that can be searched"]
                else:
                    node = self._with_synonyms(node, notes)
                    return QueryReading(node, text, "syntax", notes)
        words = " ".join(PLAIN_WORD_RE.findall(text))
        notes.append(f"the query has {', '.join(dict.fromkeys(problems))}, "
                     f"so it was searched as plain words: {words or '(none)'}")
        if not words:
            return QueryReading(None, "", "empty", notes, unsearchable=True)
        return self._plain(words, notes, mode="plain words")

    @staticmethod
    def _written_words(text: str) -> list[str]:
        """Return the words of a query; a field clause or a quoted phrase counts as one (one
        thing sought: `"state of the union" strong` is two), operators as none."""
        text = re.sub(r'"[^"]*"', " phrase ", _FIELD_CLAUSE_RE.sub(" field ", text))
        return [word for word in PLAIN_WORD_RE.findall(text)
                if word not in {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}]

    def _plain(self, words: str, notes: list[str], mode: str | None) -> QueryReading:
        """Read plain words: all required for a short query, ranked by matches for a long one."""
        tokens = PLAIN_WORD_RE.findall(words)
        words = " ".join(tokens)
        if not tokens:
            return QueryReading(None, "", "empty", notes + ["the query has no words to search "
                                                            "for"], unsearchable=True)
        long = len(tokens) >= LONG_QUERY_WORDS
        if long:
            # A description is a bag of words ranked by how many an article has: each part
            # of a joined word (boundary-layer) counts as a word of its own.
            tokens = [part for token in tokens for part in re.split(r"[-‐]", token)]
        clauses = self.word_clauses(tokens, notes, long)
        if not clauses:
            return QueryReading(None, words, "empty", notes + ["every word is too common to "
                                                               "search on its own"],
                                unsearchable=True)
        if long:
            return QueryReading(t.Any(clauses), words, mode or "any word", notes,
                                description=True)
        reading = QueryReading(_all(clauses), words, mode or "all words", notes)
        if len(clauses) > 1:
            reading.fallback = t.Any(clauses)
        return reading

    def word_clauses(self, tokens: list[str], notes: list[str], long: bool
                     ) -> tuple[t.Node, ...]:
        """Return plain words as clauses: synonyms grouped, repeats counted.

        A long query leaves out its function words (unless that leaves nothing).
        """
        groups, applied = self.synonyms.group_words(tokens)
        notes.extend(f"also searched: {entry}" for entry in applied)
        if long:   # a description: its function words say nothing of its subject
            groups = [alternatives for alternatives in groups
                      if len(alternatives) > 1 or not is_function_word(alternatives[0])] or groups
        # A word written twice counts twice, as query term frequency does in Lucene's BM25.
        counted = Counter(_alternatives_node(alternatives) for alternatives in groups)
        return tuple(_weighted(node, count) for node, count in counted.items())

    def _with_synonyms(self, node: t.Node, notes: list[str]) -> t.Node:
        """Return the tree with each sought, unfielded word that has synonyms as a group.

        An excluded word means that word only: NOT Burma keeps articles saying Myanmar.
        """
        if not self.synonyms.groups:
            return node
        applied: list[str] = []

        def visit(node: t.Node) -> t.Node:
            if isinstance(node, t.Word) and node.field is None:
                groups, found = self.synonyms.group_words([node.text])
                if found:
                    applied.extend(found)
                    return _weighted(_alternatives_node(groups[0]), node.weight)
                return node
            if isinstance(node, t.All):
                return t.All(tuple(visit(part) for part in node.parts))
            if isinstance(node, t.Any):
                return t.Any(tuple(visit(part) for part in node.parts))
            if isinstance(node, t.AndMaybe):
                return t.AndMaybe(visit(node.required), visit(node.optional))
            return node

        node = visit(node)
        notes.extend(f"also searched: {entry}" for entry in dict.fromkeys(applied))
        return node

    def outlet_name(self, value: str) -> str:
        """Return the registry's name for an outlet as written (RFA: Radio Free Asia)."""
        return self.registry.find_in(value) or value


def any_word_note(with_all: int, by_relevance: bool) -> str:
    """Return the note saying that articles with only some of the words are shown."""
    if with_all:
        note = (f"only {with_all} {'article has' if with_all == 1 else 'articles have'} "
                f"all the words, so articles with some of them are shown too")
        if by_relevance:
            note += (f"; {'it comes' if with_all == 1 else 'they come'} first, then "
                     f"those matching most")
        return note
    note = "no article has all the words, so articles with any of them are shown"
    return note + ", those matching most first" if by_relevance else note


def _all(parts) -> t.Node:
    parts = tuple(parts)
    return parts[0] if len(parts) == 1 else t.All(parts)


def _weighted(node: t.Node, weight: float) -> t.Node:
    """Return a node counted `weight` times (words, phrases and synonym groups carry it)."""
    if weight == 1 or not hasattr(node, "weight"):
        return node
    return replace(node, weight=node.weight * weight)


def _alternatives_node(alternatives) -> t.Node:
    """Return one clause of Synonyms.group_words as a node.

    An alternative is a word, a phrase (words with spaces), or a list of clauses, all
    required: the words of a multi-word synonym as typed.
    """
    options: list[t.Node] = []
    for alternative in alternatives:
        if isinstance(alternative, list):
            options.append(_all(_alternatives_node(clause) for clause in alternative))
        else:
            words = tuple(PLAIN_WORD_RE.findall(alternative))
            if len(words) == 1:
                options.append(t.Word(words[0]))
            elif words:
                options.append(t.Phrase(words))
    options = list(dict.fromkeys(options))
    return options[0] if len(options) == 1 else t.Synonyms(tuple(options))


class _Parser:
    """Recursive descent over the clauses of a query written in the query language.

    Precedence, loosest first: juxtaposition (all required in a short query, any in a long
    one), OR, AND / ANDNOT / ANDMAYBE, then NOT and a leading - or +.
    """

    def __init__(self, clauses: list[Clause], reader: QueryReader, long: bool) -> None:
        self.clauses = clauses
        self.position = 0
        self.reader = reader
        self.long = long

    def parse(self) -> t.Node | None:
        node = self._sequence()
        if self.position < len(self.clauses):
            raise ReadError("an unbalanced bracket")
        return node

    def _peek(self) -> Clause | None:
        return self.clauses[self.position] if self.position < len(self.clauses) else None

    def _sequence(self) -> t.Node | None:
        required: list[t.Node] = []
        optional: list[t.Node] = []
        excluded: list[t.Node] = []
        while (clause := self._peek()) is not None and clause.kind != ")":
            sign = clause.sign
            node = self._or()
            if node is None:
                continue
            if sign == "-":
                excluded.append(node)
            elif sign == "+" or not self.long:
                required.append(node)
            else:
                optional.append(node)
        if self.long:
            # A description's free function words say nothing of its subject; a word joined
            # by an operator, signed, fielded or quoted is not free.
            kept = [node for node in optional if not (
                isinstance(node, t.Word) and node.field is None and is_function_word(node.text))]
            if kept or required:
                optional = kept
        # A word written twice counts twice, in a sentence with syntax as in plain words.
        optional = [_weighted(node, count) for node, count in Counter(optional).items()]
        positive: t.Node | None
        if required and optional:
            positive = t.AndMaybe(_all(required), _any(optional))
        elif required:
            positive = _all(required)
        elif optional:
            positive = _any(optional)
        else:
            positive = None
        if not excluded:
            return positive
        nots = tuple(t.Not(node) for node in excluded)
        return t.All(((positive,) if positive else ()) + nots)

    def _or(self) -> t.Node | None:
        parts = [self._and()]
        while (clause := self._peek()) is not None and clause.kind == "OR":
            self.position += 1
            parts.append(self._and())
        parts = [part for part in parts if part is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else t.Any(tuple(parts))

    def _and(self) -> t.Node | None:
        node = self._unary()
        while (clause := self._peek()) is not None and clause.kind in {"AND", "ANDNOT",
                                                                        "ANDMAYBE"}:
            self.position += 1
            other = self._unary()
            if node is None or other is None:
                node = node or (other if clause.kind == "AND" else None)
                continue
            if clause.kind == "AND":
                node = t.All((node, other))
            elif clause.kind == "ANDNOT":
                node = t.All((node, t.Not(other)))
            else:
                node = t.AndMaybe(node, other)
        return node

    def _unary(self) -> t.Node | None:
        clause = self._peek()
        if clause is None:
            raise ReadError("an operator with nothing to join")
        if clause.kind == "NOT":
            self.position += 1
            inner = self._unary()
            return t.Not(inner) if inner is not None else None
        self.position += 1
        if clause.kind == "(":
            inner = self._sequence()
            closing = self._peek()
            if closing is None or closing.kind != ")":
                raise ReadError("an unbalanced bracket")
            self.position += 1
            return inner
        if clause.kind in {")", "OR", "AND", "ANDNOT", "ANDMAYBE"}:
            raise ReadError("an operator with nothing to join")
        return self._leaf(clause)

    def _leaf(self, clause: Clause) -> t.Node | None:
        """Return the node of one term, phrase or field clause."""
        field = clause.field
        if field in ("year", "date"):
            return _range(field, clause)
        if field == "outlet":
            words = tuple(PLAIN_WORD_RE.findall(self.reader.outlet_name(clause.text)))
            if not words:
                return None
            return t.Word(words[0], "outlet") if len(words) == 1 else t.Phrase(words, "outlet")
        if clause.kind == "phrase":
            words = tuple(PLAIN_WORD_RE.findall(clause.text))
            if not words:
                return None
            if len(words) == 1 and not clause.slop:
                return t.Word(words[0], field)
            phrase = t.Phrase(words, field, clause.slop or 0)
            if self.long and field is None:
                # Quotes in a description mark a term or a title in running text: its
                # words count as words of the description, the phrase as a bonus.
                return t.Any((phrase,) + tuple(t.Word(word) for word in words
                                               if not is_function_word(word)))
            return phrase
        text = clause.text
        if clause.fuzzy is not None:
            return t.Fuzzy(text.lower(), field, clause.fuzzy or None)
        if "*" in text:
            if not any(char.isalnum() for char in text):    # "|*" names no word
                return None
            if text.endswith("*") and "*" not in text[:-1]:
                return t.Prefix(text[:-1].lower(), field)
            return t.Wildcard(text.lower(), field)
        words = tuple(PLAIN_WORD_RE.findall(text))
        if self.long and field is None:     # a description: joined words count as parts
            words = tuple(part for word in words for part in re.split(r"[-‐]", word))
            return _any([t.Word(word) for word in words]) if words else None
        if not words:
            return None
        return t.Word(words[0], field) if len(words) == 1 else t.Phrase(words, field)


def _any(parts: list[t.Node]) -> t.Node:
    return parts[0] if len(parts) == 1 else t.Any(tuple(parts))


def _range(field: str, clause: Clause) -> t.Node:
    """Return a year or date clause (year:2011, date:>2011-07, date:[a TO b]) as a range."""
    low_text, high_text = clause.low, clause.high
    if clause.comparison:
        value = clause.text
        low_text, high_text = {">": (value, None), ">=": (value, None),
                               "<": (None, value), "<=": (None, value)}[clause.comparison]
    elif clause.kind != "range":
        low_text = high_text = clause.text
    low_exclusive = clause.comparison == ">" or (clause.kind == "range" and clause.low_open)
    high_exclusive = clause.comparison == "<" or (clause.kind == "range" and clause.high_open)
    if field == "year":
        def year(text: str | None) -> int | None:
            if text in (None, "*"):
                return None
            if not re.fullmatch(r"[0-9]{4}", text):
                raise ReadError(f"a year that is not a year: {text}")
            return int(text)
        low, high = year(low_text), year(high_text)
        if low is not None and low_exclusive:
            low += 1
        if high is not None and high_exclusive:
            high -= 1
        return t.YearRange(low, high)
    low = high = None
    if low_text not in (None, "*"):
        low = parse_bound(low_text, end=low_exclusive)
        if low is None:
            raise ReadError(f"a date that is not a date: {low_text}")
        if low_exclusive:
            low = _next_day(low)
    if high_text not in (None, "*"):
        high = parse_bound(high_text, end=not high_exclusive)
        if high is None:
            raise ReadError(f"a date that is not a date: {high_text}")
        if high_exclusive:
            high = _previous_day(high)
    return t.DateRange(low, high)


def _next_day(day: dt.date) -> dt.date:
    try:
        return day + dt.timedelta(days=1)
    except OverflowError:
        raise ReadError("a date out of range") from None


def _previous_day(day: dt.date) -> dt.date:
    try:
        return day - dt.timedelta(days=1)
    except OverflowError:
        raise ReadError("a date out of range") from None
