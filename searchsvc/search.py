"""Searching the index: query reading, ranking, facets, snippets and paging, as plain data.

One call, :func:`search`, serves the web page, the JSON endpoint and the
command line. It never raises on user input: a query it cannot read as
written is searched as plain words, and the result says so.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import os
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from whoosh import qparser, query as wq, scoring
from whoosh.qparser import syntax
from whoosh.searching import Searcher

from .backends.whoosh import indexer
from .backends.whoosh.analysis import FUNCTION_WORDS, analyze_word
from .backends.whoosh.feedback import FEEDBACK_DOCS, expanded_query, feedback_terms
from .dates import PartialDate
from .outlets import UNKNOWN, OutletRegistry
from .backends.whoosh.multiterm import expand_multiterms
from .backends.whoosh.postings import Matches, PostingCache, QueryEvaluator, Unsupported, _contains
from .backends.whoosh.schema import UNKNOWN_YEAR
from .snippets import QueryTerms, highlight_all, make_snippets
from .backends.whoosh.spelling import Lexicon
from .backends.whoosh.storedfields import stored_fields
from .backends.whoosh.whoosh_fixes import apply as apply_whoosh_fixes

apply_whoosh_fixes()

SORTS = ("relevance", "newest", "oldest")
TEXT_FIELDS = ("title", "body")
# What users may write before a colon, and the index field it searches.
QUERY_FIELDS = {"title": "title", "body": "body", "text": "body", "author": "author",
                "outlet": "outlet_name", "year": "year", "date": "date"}
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
LONG_QUERY_WORDS = 5          # from this many plain words on, rank by how many match
FEW_HITS = 3                  # below this many hits, offer a "did you mean"
# Fewer articles than this having all the words of a query (a page): articles having some
# of them follow, those having all first.
PARTIAL_MATCHES_BELOW = 10
MAX_PAGE = 10_000             # deepest page served
YEAR_RE = re.compile(r"[0-9]{4}")                            # ASCII digits only, as int() reads
DATE_BOUND_RE = re.compile(
    r"([1-9][0-9]{3})(?:-(0?[1-9]|1[0-2])(?:-(0?[1-9]|[12][0-9]|3[01]))?)?")

# Relevance ranking: BM25 in the title and in the body, the two scores added, a title
# match weighted by TITLE_WEIGHT. Measured on five IR test collections (bench/ir_eval.py):
# BM25 k1/b matter little alone (k1 0.9-1.5, b 0.4-0.75 within 0.01 MAP); 0.9 / 0.4, the
# published baselines' parameters, are best with relevance feedback (feedback.py). A title
# weight of 1 costs 0.02-0.05 MAP against 0.2, because a body holds its title too (and an
# article without one gets its opening words as title), so a full-weight title counts it twice.
BM25_K1 = 0.9
BM25_B = 0.4
TITLE_WEIGHT = 0.2


class BM25(scoring.BM25F):
    """Whoosh's BM25F with the idf of Lucene's BM25, log(1 + (N - n + 0.5) / (n + 0.5)).

    Whoosh's own idf, log(N / (n + 1)) + 1, is a tf-idf idf: its added 1 flattens the
    difference between rare and common words, so common words weigh too much.
    """

    def idf(self, searcher, fieldname: str, text) -> float:
        """Return the inverse document frequency of a term in a field."""
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        return math.log(1 + (parent.doc_count_all() - n + 0.5) / (n + 0.5))


def ranking_model() -> scoring.WeightingModel:
    """Return the weighting every relevance-sorted search uses."""
    return BM25(B=BM25_B, K1=BM25_K1)


class SearchError(ValueError):
    """A search parameter is invalid (not the query text, which never fails)."""


# --------------------------------------------------------------------------- synonyms

@dataclass
class Synonyms:
    """Groups of equivalent terms (words or phrases), applied to queries."""

    groups: list[tuple[str, ...]] = field(default_factory=list)

    @classmethod
    def load(cls, path: str | os.PathLike | None) -> "Synonyms":
        """Read a synonyms file: one comma-separated group per line, '#' comments."""
        groups: list[tuple[str, ...]] = []
        if path and Path(path).is_file():
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                terms = tuple(dict.fromkeys(
                    re.sub(r"\s+", " ", term).strip().lower()
                    for term in line.split(",") if term.strip()))
                if len(terms) > 1:
                    groups.append(terms)
        return cls(groups)

    def _alternatives(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """Return each synonym (as a tuple of lowercase words) mapped to its group."""
        return _synonym_tables(tuple(self.groups))[0]

    def group_words(self, words: Sequence[str]) -> tuple[list[list[str]], list[str]]:
        """Split plain words into clauses; a word or phrase with synonyms becomes alternatives.

        Returns the clauses (each a list of alternative words or phrases) and notes.
        """
        table = self._alternatives()
        longest = max((len(key) for key in table), default=0)
        lowered = [re.sub(r"'s$", "", word.lower().replace("’", "'")) for word in words]
        clauses: list[list[str]] = []
        applied: list[str] = []
        index = 0
        while index < len(words):
            for size in range(min(longest, len(words) - index), 0, -1):
                key = tuple(lowered[index:index + size])
                if key in table:
                    group = table[key]
                    written = " ".join(key)
                    applied.append(f"{written} → {' | '.join(t for t in group if t != written)}")
                    if size == 1:
                        clauses.append(list(group))
                    else:
                        # The words as typed stay words (all required, each with its own
                        # synonyms), beside the phrases they are synonyms of: "Myanmar
                        # military" is myanmar|burma AND military, or "tatmadaw", ...
                        typed = [list(table.get((word,), (word,))) for word in key]
                        clauses.append([typed if term == written else term for term in group])
                    index += size
                    break
            else:
                clauses.append([words[index]])
                index += 1
        return clauses, applied

    def expand(self, text: str) -> tuple[str, list[str]]:
        """Rewrite unquoted words and phrases of a query into OR-groups of their synonyms."""
        if not self.groups:
            return text, []
        _, alternatives, pattern = _synonym_tables(tuple(self.groups))
        applied: list[str] = []

        def replace(match: re.Match) -> str:
            # An excluded word means that word: NOT Burma keeps articles saying Myanmar.
            if re.search(r"\b(?:AND)?NOT\s+$", match.string[:match.start()]):
                return match.group(0)
            written = re.sub(r"\s+", " ", match.group(1)).lower()
            group = alternatives[written]
            applied.append(f"{written} → {' | '.join(t for t in group if t != written)}")
            return "(" + " OR ".join(f'"{t}"' if " " in t else t for t in group) + ")"

        # Only outside quoted phrases: a phrase means exactly those words.
        parts = re.split(r'("[^"]*"(?:~\d+)?)', text)
        out = [part if part.startswith('"') else pattern.sub(replace, part) for part in parts]
        return "".join(out), applied


@functools.lru_cache(maxsize=8)
def _synonym_tables(groups: tuple[tuple[str, ...], ...]
                    ) -> tuple[dict[tuple[str, ...], tuple[str, ...]],
                               dict[str, tuple[str, ...]], re.Pattern]:
    """Return the lookup tables and the rewriting regex of a synonym list (built once)."""
    by_words: dict[tuple[str, ...], tuple[str, ...]] = {}
    by_text: dict[str, tuple[str, ...]] = {}
    for group in groups:
        for term in group:
            by_words.setdefault(tuple(term.split()), group)
            by_text.setdefault(term, group)
    keys = sorted(by_text, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w:*~\"'’-])(" + "|".join(
        r"\s+".join(re.escape(word) for word in key.split()) for key in keys)
        + r")(?![\w*~:'’])", re.IGNORECASE)
    return by_words, by_text, pattern


# --------------------------------------------------------------------------- the index handle

@dataclass
class FacetColumns:
    """Per-document facet and sort values of one index generation, as arrays."""

    outlet_codes: np.ndarray     # int32 code per docnum into outlet_labels
    outlet_labels: list[str]
    years: np.ndarray            # int32 per docnum; UNKNOWN_YEAR when unknown
    days: np.ndarray             # int64 day number per docnum; -1 when unknown
    live: np.ndarray             # bool per docnum: not deleted
    outlet_rank: np.ndarray      # per code: its place in name order, "unknown" last

    @classmethod
    def load(cls, reader) -> "FacetColumns":
        """Read the sortable columns of every document into arrays."""
        count = reader.doc_count_all()
        outlets = reader.column_reader("outlet")
        years = reader.column_reader("year")
        dates = reader.column_reader("date")
        labels: dict[str, int] = {}
        outlet_codes = np.fromiter((labels.setdefault(outlets[n], len(labels))
                                    for n in range(count)), dtype=np.int32, count=count)
        year_values = np.fromiter((years[n] for n in range(count)), dtype=np.int32, count=count)
        epoch = dt.datetime(1, 1, 1)
        day_values = np.fromiter(
            ((dates[n] - epoch).days if year_values[n] != UNKNOWN_YEAR and dates[n] else -1
             for n in range(count)), dtype=np.int64, count=count)
        live = np.ones(count, dtype=bool)
        if reader.has_deletions():
            for docnum in range(count):
                live[docnum] = not reader.is_deleted(docnum)
        names = list(labels)
        by_name = sorted(range(len(names)), key=lambda code: (names[code] == UNKNOWN,
                                                            names[code].casefold()))
        outlet_rank = np.empty(len(names), dtype=np.int64)
        outlet_rank[by_name] = np.arange(len(names))
        return cls(outlet_codes, names, year_values, day_values, live, outlet_rank)


class IndexHandle:
    """The served index: opened once, reopened when a new generation is switched in."""

    def __init__(self, index_dir: str | os.PathLike, registry: OutletRegistry | None = None,
                 synonyms: Synonyms | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.registry = registry or OutletRegistry()
        self.synonyms = synonyms or Synonyms()
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._current_stat: tuple[int, int, int] | None = None
        self._index = None
        self._columns: FacetColumns | None = None
        self._local = threading.local()
        self._built_at: tuple[str, str | None] | None = None   # (generation, built_at)

    def _refresh(self) -> None:
        """Open the current generation if it changed since the last call.

        The CURRENT file is replaced (a new inode) at every switch, so one stat() tells
        whether it can have changed; it is read only then.
        """
        try:
            stat = os.stat(self.index_dir / indexer.CURRENT_FILE)
            signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        except (FileNotFoundError, NotADirectoryError):
            signature = None
        if signature is not None and signature == self._current_stat:
            return
        generation = indexer.current_generation(self.index_dir)
        if generation is None:
            raise FileNotFoundError(f"no index has been built in {self.index_dir}")
        if generation == self._generation:
            self._current_stat = signature
            return
        with self._lock:
            if generation != self._generation:
                index, generation = indexer.open_current(self.index_dir)
                with index.searcher() as searcher:
                    columns = FacetColumns.load(searcher.reader())
                self._index, self._columns, self._generation = index, columns, generation
            self._current_stat = signature

    def searcher(self) -> tuple[Searcher, FacetColumns, str]:
        """Return this thread's searcher on the current generation, its columns and its name."""
        self._refresh()
        generation, index, columns = self._generation, self._index, self._columns
        cached = getattr(self._local, "entry", None)
        if cached is None or cached[0] != generation:
            if cached is not None:
                cached[1].close()
            cached = (generation, index.searcher(weighting=ranking_model()))
            self._local.entry = cached
        return cached[1], columns, generation

    def info(self) -> dict:
        """Return the served generation, its document count and when it was built."""
        searcher, _, generation = self.searcher()
        # build.json lists every skipped record (large for a big corpus): read it once.
        if self._built_at is None or self._built_at[0] != generation:
            report = indexer.build_info(self.index_dir, generation).get("report", {})
            self._built_at = (generation, report.get("built_at"))
        return {"generation": generation, "documents": searcher.doc_count(),
                "built_at": self._built_at[1]}


# --------------------------------------------------------------------------- reading a query

@dataclass
class QueryReading:
    """How a query was read: the Whoosh query, the text searched, and notes for the user."""

    query: wq.Query | None
    text: str
    mode: str                          # "all words", "any word", "syntax", "plain words", "empty"
    notes: list[str] = field(default_factory=list)
    fallback: wq.Query | None = None   # any-word version, if requiring all words finds nothing
    # The query had words, but none that can be searched ("the", "*"): it matches nothing,
    # where an empty query lists the whole archive.
    unsearchable: bool = False
    # A long query of plain words: a description, re-ranked by relevance feedback.
    description: bool = False


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_FIELD_RE = re.compile(r"(?<![\w\"])([A-Za-z_]\w*):(?=\S)")
_PLAIN_WORD_RE = re.compile(r"\w+(?:[.'’]\w+)*")
_FIELD_CLAUSE_RE = re.compile(
    r"""(?<![\w"])[A-Za-z_]\w*:(?:\[[^\]]*\]|\{[^}]*\}|"[^"]*"|[^\s()]+)""")


def _syntax_problems(text: str) -> list[str]:
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
    # A phrase stands in as one word, so that an operator beside it has something to join.
    unquoted = re.sub(r'"[^"]*"(?:~\d+)?', "_phrase_", text)
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


_MINUS_RE = re.compile(r"(?:^|(?<=[\s(]))-(?=[\w\"(])")
_KNOWN_FIELD_RE = re.compile(r"(?<![\w\"])([A-Za-z_]\w*):", re.ASCII)
_DATE = r"[0-9]{4}(?:-[0-9]{1,2}){0,2}"
_DATE_CLAUSE_RE = re.compile(
    rf"\bdate:(?:(>=|<=|>|<)?({_DATE})(?![\w-])"
    rf"|([\[{{])\s*({_DATE}|\*)?\s+TO\s+({_DATE}|\*)?\s*([\]}}]))")


def _canonical_fields(text: str) -> str:
    """Lowercase known field names and write every date clause as a range of whole days.

    Whoosh reads date:2011-07-04 as the year 2011 without the words 07 and 04, date:>2011
    as including 2011, and date:{a TO b} as [a TO b]; as [first day TO last day] each means
    what it says (a day past its month's end is the month's last day, as for date_from).
    """
    text = _KNOWN_FIELD_RE.sub(lambda m: m.group(1).lower() + ":"
                               if m.group(1).lower() in QUERY_FIELDS else m.group(0), text)
    return _DATE_CLAUSE_RE.sub(_date_range, text)


def _date_range(match: re.Match) -> str:
    """Return one date clause as date:[YYYY-MM-DD TO YYYY-MM-DD] (an end may be open)."""
    comparison, single, opening, low, high, closing = match.groups()
    day = dt.timedelta(days=1)
    try:
        if single:
            first, last = parse_bound(single, end=False), parse_bound(single, end=True)
            if first is None:
                return match.group(0)
            start, end = {">": (last + day, None), ">=": (first, None), "<": (None, first - day),
                          "<=": (None, last), None: (first, last)}[comparison]
        else:
            start = end = None
            if low and low != "*":
                start = parse_bound(low, end=opening == "{")
                if start is None:
                    return match.group(0)
                start += day if opening == "{" else dt.timedelta(0)
            if high and high != "*":
                end = parse_bound(high, end=closing == "]")
                if end is None:
                    return match.group(0)
                end -= day if closing == "}" else dt.timedelta(0)
    except OverflowError:       # a day before 0001-01-01 or after 9999-12-31
        return match.group(0)
    low_text = start.isoformat() + " " if start else ""
    high_text = " " + end.isoformat() if end else ""
    return f"date:[{low_text}TO{high_text}]"


def _has_syntax(text: str) -> bool:
    """Return True if the query uses any query-language feature."""
    unquoted = re.sub(r'"[^"]*"', " ", text)
    return ('"' in text or any(word in OPERATORS for word in text.split())
            or bool(re.search(r"[()\[\]{}*~^:<>=]|(?:^|\s)[-+](?:\w|\s|$)", unquoted)))


class QueryReader:
    """Turns query text into a Whoosh query, forgiving malformed input."""

    def __init__(self, schema, synonyms: Synonyms, registry: OutletRegistry,
                 max_length: int = 500) -> None:
        self.schema = schema
        self.synonyms = synonyms
        self.registry = registry
        self.max_length = max_length
        self._parsers: dict[str, qparser.QueryParser] = {}

    def _parser(self, group: str) -> qparser.QueryParser:
        """Return the (cached) multi-field parser, joining words with AND or OR."""
        if group not in self._parsers:
            grouping = qparser.AndGroup if group == "and" else qparser.OrGroup
            parser = qparser.MultifieldParser(list(TEXT_FIELDS), self.schema, group=grouping,
                                              fieldboosts={"title": TITLE_WEIGHT})
            parser.remove_plugin_class(qparser.SingleQuotePlugin)
            parser.remove_plugin_class(qparser.BoostPlugin)
            parser.add_plugin(qparser.PlusMinusPlugin())
            parser.add_plugin(qparser.FuzzyTermPlugin())
            parser.add_plugin(qparser.GtLtPlugin())
            parser.add_plugin(qparser.FieldAliasPlugin(
                {field: [alias for alias, target in QUERY_FIELDS.items()
                         if target == field and alias != field]
                 for field in set(QUERY_FIELDS.values())}))
            if group == "or":
                parser.add_plugin(FunctionWordsPlugin())
            self._parsers[group] = parser
        return self._parsers[group]

    def read(self, text: str) -> QueryReading:
        """Read query text: syntax where it is well-formed, plain words otherwise."""
        notes: list[str] = []
        original = text or ""
        # NFKC: ligatures and full-width forms become the letters the index holds (ﬁ -> fi).
        text = unicodedata.normalize("NFKC", original)
        if _CONTROL_RE.search(text):
            text = _CONTROL_RE.sub(" ", text)
            notes.append("control characters were removed")
        if len(text) > self.max_length:
            text = text[:self.max_length].rsplit(" ", 1)[0]
            notes.append(f"the query was cut to its first {self.max_length} characters")
        # "?" ends questions far more often than it means a one-letter wildcard.
        text = re.sub(r"\s+", " ", text.replace("?", " ")).strip()
        if not text:
            return QueryReading(None, "", "empty", notes)

        typed, text = text, _canonical_fields(text)
        problems = _syntax_problems(text) if _has_syntax(text) else []
        if problems:
            words = " ".join(_PLAIN_WORD_RE.findall(typed))
            notes.append(f"the query has {', '.join(dict.fromkeys(problems))}, "
                         f"so it was searched as plain words: {words or '(none)'}")
            if not words:
                return QueryReading(None, "", "empty", notes, unsearchable=True)
            return self._plain(words, notes, mode="plain words")
        if _has_syntax(text):
            expanded, applied = self.synonyms.expand(self._canonical_outlets(text))
            notes.extend(f"also searched: {entry}" for entry in applied)
            # A long query joins its words with OR, as plain words do: a sentence with a
            # bracket or a quotation in it is still a description, not a list of musts.
            # A field clause (year:[2011 TO 2013], date:2011-07-04, outlet:"BBC News") counts
            # as one word, however many words its value has.
            written = [w for w in _PLAIN_WORD_RE.findall(_FIELD_CLAUSE_RE.sub(" field ", text))
                       if w not in OPERATORS]
            group = "or" if len(written) >= LONG_QUERY_WORDS else "and"
            parsed = self._parse(expanded, group)
            if isinstance(parsed, wq.qcore._NullQuery) and _MINUS_RE.search(expanded):
                # Only excluded words (-asylum): Whoosh reads nothing; NOT reads "all but".
                parsed = self._parse(_MINUS_RE.sub("NOT ", expanded), "and")
            if parsed is None or _has_errors(parsed):
                words = " ".join(_PLAIN_WORD_RE.findall(typed))
                notes.append(f"part of the query could not be read, so it was searched as "
                             f"plain words: {words}")
                return self._plain(words, notes, mode="plain words")
            return QueryReading(parsed, text, "syntax", notes)
        return self._plain(text, notes, mode=None)

    def _plain(self, words: str, notes: list[str], mode: str | None) -> QueryReading:
        """Read plain words: all required for a short query, ranked by matches for a long one."""
        tokens = _PLAIN_WORD_RE.findall(words)
        words = " ".join(tokens)
        if not tokens:
            return QueryReading(None, "", "empty", notes + ["the query has no words to search "
                                                            "for"], unsearchable=True)
        groups, applied = self.synonyms.group_words(tokens)
        notes.extend(f"also searched: {entry}" for entry in applied)
        long = len(tokens) >= LONG_QUERY_WORDS
        if long:   # a description: its function words say nothing of its subject
            groups = [alternatives for alternatives in groups
                      if len(alternatives) > 1 or not is_function_word(alternatives[0])] or groups
        # A word written twice counts twice, as query term frequency does in Lucene's BM25.
        counted: dict[wq.Query, int] = {}
        for alternatives in groups:
            clause = _words_query(alternatives)
            if clause is not None:
                counted[clause] = counted.get(clause, 0) + 1
        if not counted:
            return QueryReading(None, words, "empty", notes + ["every word is too common to "
                                                               "search on its own"],
                                unsearchable=True)
        clauses = [clause if count == 1 else clause.with_boost(clause.boost * count)
                   for clause, count in counted.items()]
        if long:
            return QueryReading(wq.Or(clauses), words, mode or "any word", notes,
                                description=True)
        reading = QueryReading(wq.And(clauses), words, mode or "all words", notes)
        if len(clauses) > 1:
            reading.fallback = wq.Or(clauses)
        return reading

    def any_word(self, reading: QueryReading, with_all: int = 0,
                 by_relevance: bool = True) -> QueryReading:
        """Return the reading that ranks by how many of the words match (none required).

        with_all is how many articles have all the words; the note says it, and how the
        others are ordered.
        """
        if with_all:
            note = (f"only {with_all} {'article has' if with_all == 1 else 'articles have'} "
                    f"all the words, so articles with some of them are shown too")
            if by_relevance:
                note += (f"; {'it comes' if with_all == 1 else 'they come'} first, then "
                         f"those matching most")
        else:
            note = "no article has all the words, so articles with any of them are shown"
            if by_relevance:
                note += ", those matching most first"
        return QueryReading(reading.fallback, reading.text, "any word", reading.notes + [note])

    def _parse(self, text: str, group: str) -> wq.Query | None:
        """Parse query syntax; None if the parser fails on it."""
        try:
            return self._parser(group).parse(text)
        except Exception:   # noqa: BLE001 - Whoosh's parser has no error contract; we fall back
            return None

    def _canonical_outlets(self, text: str) -> str:
        """Rewrite outlet:NAME to the registry's name for that outlet (RFA -> Radio Free Asia)."""
        def replace(match: re.Match) -> str:
            value = match.group(2).strip('"')
            canonical = self.registry.find_in(value)
            return f'{match.group(1)}"{canonical}"' if canonical else match.group(0)
        return re.sub(r'(\boutlet:)("[^"]*"|[^\s()]+)', replace, text, flags=re.IGNORECASE)


def is_function_word(word: str) -> bool:
    """Tell whether a word as typed is a function word ("which", "have", "what's")."""
    return re.sub(r"'s$", "", word.lower().replace("’", "'")) in FUNCTION_WORDS


class FunctionWordsPlugin(qparser.Plugin):
    """Leave the function words out of a long query read as syntax, as plain words do.

    Only free words go: not a word in a phrase, after a field name, after + or -, or
    joined by an operator; and never every word of a group.
    """

    def filters(self, parser):
        # After field names are attached (100), before words spread over the fields (110).
        return [(self.drop, 105)]

    def drop(self, parser, group: syntax.GroupNode) -> syntax.GroupNode:
        """Return the group without its free function words (recursing into subgroups)."""
        nodes = group.nodes
        kept = []
        for index, node in enumerate(nodes):
            if isinstance(node, syntax.GroupNode):
                node = self.drop(parser, node)
            elif self._free_function_word(nodes, index):
                continue
            kept.append(node)
        if len(kept) < len(nodes) and self._finds_something(kept):
            group.nodes = kept
        return group

    @staticmethod
    def _finds_something(nodes: list) -> bool:
        """Tell whether some node of a group is searched for, not only excluded."""
        before = None
        for node in nodes:
            if isinstance(node, syntax.Whitespace):
                continue
            excluded = isinstance(before, (qparser.PlusMinusPlugin.Minus, syntax.PrefixOperator))
            if not isinstance(node, (syntax.MarkerNode, syntax.Operator)) and not excluded:
                return True
            before = node
        return False

    @staticmethod
    def _free_function_word(nodes: list, index: int) -> bool:
        node = nodes[index]
        if not (isinstance(node, syntax.WordNode) and node.fieldname is None
                and is_function_word(node.text)):
            return False
        before = next((n for n in reversed(nodes[:index])
                       if not isinstance(n, syntax.Whitespace)), None)
        after = next((n for n in nodes[index + 1:] if not isinstance(n, syntax.Whitespace)), None)
        return not (isinstance(before, (syntax.Operator, syntax.MarkerNode))
                    or isinstance(after, (syntax.InfixOperator, syntax.PostfixOperator)))


def _words_query(alternatives: Sequence) -> wq.Query | None:
    """Return a query matching any alternative (word or phrase) in the title or body.

    An alternative may also be a list of clauses (each a list of alternatives), all
    required: the words of a multi-word synonym as typed.
    """
    options: list[wq.Query] = []
    for alternative in alternatives:
        if isinstance(alternative, list):
            required = [_words_query(clause) for clause in alternative]
            if all(required):
                options.append(wq.And(required))
            continue
        terms = [term for word in _PLAIN_WORD_RE.findall(alternative)
                 for term in analyze_word(word).split()]
        for fieldname in TEXT_FIELDS:
            boost = TITLE_WEIGHT if fieldname == "title" else 1.0
            if len(terms) == 1:
                options.append(wq.Term(fieldname, terms[0], boost=boost))
            elif terms:
                options.append(wq.Phrase(fieldname, terms, boost=boost))
    if not options:
        return None
    return options[0] if len(options) == 1 else wq.Or(options)


def _has_errors(parsed: wq.Query) -> bool:
    """Return True if the parser gave up on any part of the query."""
    for node in _walk(parsed):
        if isinstance(node, wq.qcore._NullQuery) or getattr(node, "error", None):
            return True
    return False


def _walk(node: wq.Query) -> Iterable[wq.Query]:
    """Yield every node of a query tree."""
    yield node
    for child in node.children():
        yield from _walk(child)


def query_terms(parsed: wq.Query | None, reader) -> QueryTerms:
    """Return the analysed terms and phrases a query looks for (not those it excludes)."""
    terms: set[str] = set()
    phrases: list[tuple[str, ...]] = []

    def visit(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            visit(node.a)
            return
        if isinstance(node, wq.Phrase):
            if node.fieldname in TEXT_FIELDS:
                phrases.append(tuple(node.words))
            return
        if isinstance(node, wq.Term):
            if node.fieldname in TEXT_FIELDS and isinstance(node.text, str):
                terms.add(node.text)
            return
        if isinstance(node, wq.MultiTerm):
            if node.fieldname in TEXT_FIELDS:
                for fieldname, text in node.existing_terms(reader, expand=True):
                    terms.add(text.decode("utf-8") if isinstance(text, bytes) else text)
            return
        for child in node.children():
            visit(child)

    if parsed is not None:
        visit(parsed)
    return QueryTerms(frozenset(terms), tuple(dict.fromkeys(phrases)))


# --------------------------------------------------------------------------- the search call

@dataclass
class SearchRequest:
    """Everything a search may ask for; validated by :meth:`validate`."""

    q: str = ""
    outlets: Sequence[str] = ()
    years: Sequence[str] = ()
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10

    def validate(self, max_per_page: int = 100) -> None:
        """Raise SearchError naming the first invalid parameter."""
        if self.sort not in SORTS:
            raise SearchError(f"sort must be one of {', '.join(SORTS)}, not {self.sort!r}")
        if not isinstance(self.page, int) or self.page < 1:
            raise SearchError("page must be a whole number of 1 or more")
        if self.page > MAX_PAGE:
            raise SearchError(f"page must be {MAX_PAGE} or less")
        if not isinstance(self.per_page, int) or not 1 <= self.per_page <= max_per_page:
            raise SearchError(f"per_page must be between 1 and {max_per_page}")
        for year in self.years:
            if year != UNKNOWN and not YEAR_RE.fullmatch(str(year)):
                raise SearchError(f"year must be a four-digit year or 'unknown', not {year!r}")
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and parse_bound(value, end=name == "date_to") is None:
                raise SearchError(f"{name} must be a date like 2011-07-04, 2011-07 or 2011")


def top_ranked(docs: np.ndarray, scores: np.ndarray, count: int) -> np.ndarray:
    """Return the indexes of the `count` best scores, best first, ties by lower docnum.

    This is Whoosh's collector order; only the candidates at or above the count-th best
    score are sorted.
    """
    if count < scores.size:
        threshold = np.partition(scores, scores.size - count)[scores.size - count]
        candidates = np.flatnonzero(scores >= threshold)
    else:
        candidates = np.arange(scores.size)
    order = np.lexsort((docs[candidates], -scores[candidates]))
    return candidates[order[:count]]


def parse_bound(text: str, end: bool) -> dt.date | None:
    """Parse a date-range bound (YYYY, YYYY-MM or YYYY-MM-DD) to its first or last day.

    A day past the end of its month is read as the month's last day (2011-02-30 is
    2011-02-28), so that every bound DATE_BOUND_RE (and the OpenAPI document) accepts is read.
    """
    match = DATE_BOUND_RE.fullmatch(text)
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    if month is None:
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    last_day = calendar.monthrange(year, month)[1]
    if day is None:
        day = last_day if end else 1
    return dt.date(year, month, min(day, last_day))


class SearchService:
    """The search function over an index handle, with its query reader."""

    def __init__(self, handle: IndexHandle, max_query_length: int = 500,
                 max_per_page: int = 100) -> None:
        self.handle = handle
        self.max_per_page = max_per_page
        self.max_query_length = max_query_length
        self._readers: dict[str, QueryReader] = {}
        self._postings: dict[str, PostingCache] = {}
        self._lexicons: dict[str, Lexicon] = {}

    def _reader(self, searcher: Searcher, generation: str) -> QueryReader:
        if generation not in self._readers:
            self._readers = {generation: QueryReader(searcher.schema, self.handle.synonyms,
                                                     self.handle.registry,
                                                     self.max_query_length)}
        return self._readers[generation]

    def outlet_names(self, outlets: Sequence[str]) -> tuple[str, ...]:
        """Return outlet filter values as the registry names them (RFA: Radio Free Asia)."""
        return tuple(dict.fromkeys(self.handle.registry.find_in(outlet) or outlet
                                   for outlet in outlets))

    def _read(self, searcher: Searcher, generation: str, text: str) -> QueryReading:
        """Read query text, with prefix, wildcard and fuzzy words as bounded sets of terms."""
        reading = self._reader(searcher, generation).read(text)
        expansion = expand_multiterms(reading.query, searcher.reader(),
                                      self._lexicon(searcher, generation), TEXT_FIELDS)
        if expansion.query is reading.query:
            return reading
        return replace(reading, query=expansion.query, notes=reading.notes + expansion.notes)

    def _posting_cache(self, columns: FacetColumns, generation: str) -> PostingCache:
        """Return the decoded postings of a generation (a new, empty cache for a new one)."""
        cache = self._postings.get(generation)
        if cache is None:
            cache = PostingCache(columns.live)
            self._postings = {generation: cache}
        return cache

    def _lexicon(self, searcher: Searcher, generation: str) -> Lexicon:
        """Return the body terms of a generation for spelling suggestions (built once)."""
        lexicon = self._lexicons.get(generation)
        if lexicon is None:
            lexicon = Lexicon(searcher.reader(), "body")
            self._lexicons = {generation: lexicon}
        return lexicon

    def warm(self, frequent_terms: int = 200) -> dict:
        """Load what the first searches would otherwise pay for, and return what was loaded.

        Opens the current generation, reads its facet columns, field lengths and spelling
        lexicon, and decodes the postings of the most frequent title and body terms (the
        slowest to read cold). A server calls this once per worker before taking requests.
        """
        started = time.perf_counter()
        searcher, columns, generation = self.handle.searcher()
        cache = self._posting_cache(columns, generation)
        self._lexicon(searcher, generation)
        terms = 0
        for fieldname in TEXT_FIELDS:
            cache.field_lengths(searcher, fieldname)
            for _, text in searcher.reader().most_frequent_terms(fieldname, frequent_terms):
                cache.term(searcher, fieldname, text.decode("utf-8")
                           if isinstance(text, bytes) else text)
                terms += 1
        return {"generation": generation, "terms": terms,
                "seconds": round(time.perf_counter() - started, 2)}

    def search(self, request: SearchRequest) -> dict:
        """Run one search: hits for the page, disjunctive facets, snippets, suggestion."""
        started = time.perf_counter()
        request.validate(self.max_per_page)
        request = replace(request, outlets=self.outlet_names(request.outlets))
        searcher, columns, generation = self.handle.searcher()
        reading = self._read(searcher, generation, request.q)
        if reading.unsearchable:
            matched = Matches.empty()
        else:
            matched = self._matching(searcher, columns, generation, reading.query, request)
        with_all = None     # the articles having every word, when others follow them
        if reading.fallback is not None and matched.docs.size < PARTIAL_MATCHES_BELOW:
            any_word = self._reader(searcher, generation).any_word(
                reading, matched.docs.size, by_relevance=request.sort == "relevance")
            found = self._matching(searcher, columns, generation, any_word.query, request)
            if found.docs.size > matched.docs.size:
                with_all = matched.docs
                reading, matched = any_word, found

        marked = reading.query          # snippets mark the words searched for as typed
        if (reading.description and request.sort == "relevance" and matched.docs.size
                and matched.scores is not None):
            reading, matched = self._with_feedback(searcher, columns, generation, reading,
                                                   matched, request)

        outlet_ok, year_ok = self._facet_masks(columns, matched.docs, request)
        selected = matched.select(outlet_ok & year_ok)
        facets = {
            "outlet": self._outlet_facet(columns, matched.docs[year_ok], request.outlets),
            "year": self._year_facet(columns, matched.docs[outlet_ok], request.years),
        }
        total = int(selected.docs.size)
        ahead = None if with_all is None else _contains(with_all, selected.docs)
        all_words = total if ahead is None else int(ahead.sum())
        first = (request.page - 1) * request.per_page
        page_docs, scores = self._page(searcher, columns, reading.query, selected, request,
                                       first, total, ahead)
        terms = query_terms(marked, searcher.reader())
        hits = [self._hit(searcher, docnum, score, terms)
                for docnum, score in zip(page_docs, scores)]
        suggestion = None
        if all_words < FEW_HITS and reading.query is not None:
            suggestion = self._suggest(searcher, columns, generation, reading, request,
                                       all_words)
        return {
            "query": {"text": request.q, "read_as": reading.text, "mode": reading.mode,
                      "notes": reading.notes},
            "total": total,
            "all_words": None if ahead is None else all_words,
            "page": request.page,
            "per_page": request.per_page,
            "pages": max(1, -(-total // request.per_page)),
            "sort": request.sort,
            "hits": hits,
            "facets": facets,
            "filters": {"outlet": list(request.outlets), "year": list(request.years),
                        "date_from": request.date_from, "date_to": request.date_to},
            "suggestion": suggestion,
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
            "generation": generation,
        }

    def _with_feedback(self, searcher: Searcher, columns: FacetColumns, generation: str,
                       reading: QueryReading, matched: Matches,
                       request: SearchRequest) -> tuple[QueryReading, Matches]:
        """Re-rank a description's matches with the words its best matches share (RM3).

        The same articles match; only their order changes (see searchsvc.feedback).
        """
        best = top_ranked(matched.docs, matched.scores, FEEDBACK_DOCS)
        terms = feedback_terms(searcher, [int(matched.docs[i]) for i in best],
                               [float(matched.scores[i]) for i in best])
        if not terms:
            return reading, matched
        query = expanded_query(reading.query, terms)
        expanded = self._matching(searcher, columns, generation, query, request)
        if expanded.scores is None:
            return reading, matched
        reranked = expanded.select(_contains(matched.docs, expanded.docs))
        note = "articles are also ranked by the words the best matches share"
        return replace(reading, query=query, notes=reading.notes + [note]), reranked

    # ---- matching and facets

    def _matching(self, searcher: Searcher, columns: FacetColumns, generation: str,
                  parsed: wq.Query | None, request: SearchRequest) -> Matches:
        """Return the docs matching the query and the date range (not the facets), sorted.

        Queries of terms, exact phrases and Boolean operators are matched and scored on
        cached posting arrays; anything else by Whoosh, without scores.
        """
        if parsed is None:
            matches = Matches(np.flatnonzero(columns.live).astype(np.int64), None)
        else:
            matches = None
            if QueryEvaluator.usable(searcher):
                evaluator = QueryEvaluator(self._posting_cache(columns, generation), searcher)
                try:
                    matches = evaluator.evaluate(parsed)
                except Unsupported:
                    matches = None
            if matches is None:
                docs = np.fromiter(searcher.docs_for_query(parsed), dtype=np.int64)
                docs.sort()
                matches = Matches(docs, None)
        if request.date_from or request.date_to:
            epoch = dt.date(1, 1, 1)
            low = (parse_bound(request.date_from, end=False) - epoch).days \
                if request.date_from else 0
            high = (parse_bound(request.date_to, end=True) - epoch).days \
                if request.date_to else np.iinfo(np.int64).max
            days = columns.days[matches.docs]
            matches = matches.select((days >= low) & (days <= high))
        return matches

    def _facet_masks(self, columns: FacetColumns, matched: np.ndarray,
                     request: SearchRequest) -> tuple[np.ndarray, np.ndarray]:
        """Return, per matched doc, whether it passes the outlet filter and the year filter."""
        outlet_ok = np.ones(matched.size, dtype=bool)
        if request.outlets:
            wanted = [code for code, label in enumerate(columns.outlet_labels)
                      if label in set(request.outlets)]
            outlet_ok = np.isin(columns.outlet_codes[matched], wanted)
        year_ok = np.ones(matched.size, dtype=bool)
        if request.years:
            wanted_years = [UNKNOWN_YEAR if y == UNKNOWN else int(y) for y in request.years]
            year_ok = np.isin(columns.years[matched], wanted_years)
        return outlet_ok, year_ok

    def _outlet_facet(self, columns: FacetColumns, docs: np.ndarray,
                      selected: Sequence[str]) -> list[dict]:
        """Return outlet counts, largest first then by name; selected values always listed."""
        counts = np.bincount(columns.outlet_codes[docs], minlength=len(columns.outlet_labels))
        codes = np.flatnonzero(counts)
        codes = codes[np.lexsort((columns.outlet_rank[codes], -counts[codes]))]
        labels = columns.outlet_labels
        facet = [{"value": labels[code], "count": count, "selected": labels[code] in selected}
                 for code, count in zip(codes.tolist(), counts[codes].tolist())]
        listed = {entry["value"] for entry in facet}
        unlisted = sorted({value for value in selected if value not in listed},
                          key=lambda value: (value == UNKNOWN, value.casefold()))
        return facet + [{"value": value, "count": 0, "selected": True} for value in unlisted]

    def _year_facet(self, columns: FacetColumns, docs: np.ndarray,
                    selected: Sequence[str]) -> list[dict]:
        """Return year counts in year order, 'unknown' last; selected values always listed."""
        years, counts = np.unique(columns.years[docs], return_counts=True)
        values = {(UNKNOWN if year == UNKNOWN_YEAR else str(int(year))): int(count)
                  for year, count in zip(years, counts)}
        for value in selected:
            values.setdefault(str(value), 0)
        ordered = sorted(values, key=lambda value: (value == UNKNOWN, value))
        return [{"value": value, "count": values[value], "selected": value in selected}
                for value in ordered]

    # ---- ranking and paging

    def _page(self, searcher: Searcher, columns: FacetColumns, parsed: wq.Query | None,
              matches: Matches, request: SearchRequest, first: int, total: int,
              ahead: np.ndarray | None = None) -> tuple[list[int], list[float | None]]:
        """Return the docnums and scores of the requested page, in order.

        By relevance, the matches where ahead (aligned with them) is true come first.
        """
        if first >= total:
            return [], []
        last = min(first + request.per_page, total)
        docs = matches.docs
        if request.sort == "relevance" and parsed is not None and matches.scores is not None:
            keys = matches.scores
            if ahead is not None and ahead.any():
                keys = np.where(ahead, keys + keys.max() + 1.0, keys)
            ranked = top_ranked(docs, keys, last)[first:last]
            return ([int(docs[i]) for i in ranked],
                    [round(float(matches.scores[i]), 4) for i in ranked])
        if request.sort == "relevance" and parsed is not None:
            allowed = None if docs.size == searcher.doc_count() else set(docs.tolist())
            results = searcher.search(parsed, limit=last, filter=allowed)
            ranked = [(hit.docnum, hit.score) for hit in results][first:last]
            return [d for d, _ in ranked], [round(float(s), 4) for _, s in ranked]
        days = columns.days[docs]
        if request.sort == "oldest":
            key = np.where(days < 0, np.iinfo(np.int64).max, days)
        else:   # newest, and relevance without a query: newest first
            key = np.where(days < 0, np.iinfo(np.int64).max, -days)
        order = np.lexsort((docs, key))[first:last]
        return [int(d) for d in docs[order]], [None] * len(order)

    def _hit(self, searcher: Searcher, docnum: int, score: float | None,
             terms: QueryTerms) -> dict:
        """Return one hit as plain data, with snippets."""
        stored = stored_fields(searcher, docnum)
        snippets = make_snippets(stored.get("body", ""), terms)
        title_spans = highlight_all(stored.get("title", ""), terms)
        return {**article_metadata(stored), "score": score,
                "title_html": str(title_spans),
                "snippets": [{"html": s.html, "text": s.text} for s in snippets]}

    # ---- suggestions

    def _suggest(self, searcher: Searcher, columns: FacetColumns, generation: str,
                 reading: QueryReading, request: SearchRequest, total: int) -> dict | None:
        """Return a corrected query that finds more, if a small spelling change gives one."""
        words = _PLAIN_WORD_RE.findall(reading.text)
        if not words or len(words) > 6:
            return None
        lexicon = self._lexicon(searcher, generation)
        changed = False
        corrected = []
        for word in words:
            term = analyze_word(word)
            if not term or searcher.doc_frequency("body", term) > 0 or len(word) < 3:
                corrected.append(word)
                continue
            option = lexicon.suggest(word.lower(), maxdist=1 if len(word) < 6 else 2)
            if option:
                corrected.append(option)
                changed = True
            else:
                corrected.append(word)
        if not changed:
            return None
        text = " ".join(corrected)
        better = self._read(searcher, generation, text)
        found = self._matching(searcher, columns, generation, better.query, request).docs.size
        if found <= total:
            return None
        return {"text": text, "total": int(found)}

    # ---- articles

    def article(self, article_id: str, q: str = "") -> dict | None:
        """Return one article with its full text (highlighted for q) and related coverage."""
        searcher, _, generation = self.handle.searcher()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            return None
        stored = stored_fields(searcher, docnum)
        reading = self._read(searcher, generation, q) if q else None
        terms = query_terms(reading.query if reading else None, searcher.reader())
        paragraphs = [p for p in re.split(r"\n\s*\n|\n", stored.get("body", "")) if p.strip()]
        if paragraphs and paragraphs[0].strip() == (stored.get("title") or "").strip():
            paragraphs = paragraphs[1:]    # the page shows the headline already
        return {**article_metadata(stored),
                "body": stored.get("body", ""),
                "paragraphs_html": [str(highlight_all(p, terms)) for p in paragraphs],
                "source": stored.get("source"),
                "provenance": stored.get("provenance", {}),
                "related": self.more_like_this(article_id),
                "generation": generation}

    def more_like_this(self, article_id: str, limit: int = 5) -> list[dict]:
        """Return the articles most similar to one article (other coverage of the story).

        Whoosh's more_like(): the article's 25 key words (Bo1) as an OR, the article itself
        left out; matched and scored on the posting arrays (Whoosh's own matchers took
        about 0.3-1 s a call on the news index).
        """
        searcher, columns, generation = self.handle.searcher()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            return []
        key_terms = searcher.key_terms([docnum], "body", numterms=25)
        if not key_terms:
            return []
        query = wq.Or([wq.Term("body", word, boost=weight) for word, weight in key_terms])
        matches = self._matching(searcher, columns, generation, query, SearchRequest())
        others = matches.select(matches.docs != docnum)
        if others.scores is None:       # not matched on the posting arrays: Whoosh's own way
            return [{**article_metadata(hit.fields()), "score": round(float(hit.score), 4)}
                    for hit in searcher.search(query, limit=limit, mask={docnum})]
        best = top_ranked(others.docs, others.scores, limit)
        return [{**article_metadata(stored_fields(searcher, int(others.docs[i]))),
                 "score": round(float(others.scores[i]), 4)} for i in best]


def article_metadata(stored: dict) -> dict:
    """Return the display metadata of a stored article (unknown values as None)."""
    date_iso = stored.get("date_iso")
    date = None
    if date_iso:
        parts = [int(part) for part in date_iso.split("-")]
        date = PartialDate(*parts)
    year = stored.get("year")
    outlet = stored.get("outlet")
    return {
        "id": stored.get("id"),
        "title": stored.get("title"),
        "outlet": None if outlet == UNKNOWN else outlet,
        "date": date_iso,
        "date_display": date.display() if date else None,
        "year": None if year in (None, UNKNOWN_YEAR) else int(year),
        "author": stored.get("author") or None,
        "url": stored.get("url"),
    }
