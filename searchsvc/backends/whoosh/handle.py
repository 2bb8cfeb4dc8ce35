"""The served Whoosh index: the current generation opened once per change, its columns."""
from __future__ import annotations

import datetime as dt
import math
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import scoring
from whoosh.searching import Searcher

from ..contract import UNKNOWN
from . import generations
from .arraycache import cached_arrays
from .clusters import StoryClusters
from .manyvalued import ManyValued
from .ranking import Ranking
from .schema import UNKNOWN_YEAR

class BM25(scoring.BM25F):
    """Whoosh's BM25F with the idf of Lucene's BM25, log(1 + (N - n + 0.5) / (n + 0.5)).

    Whoosh's own idf, log(N / (n + 1)) + 1, is a tf-idf idf: its added 1 flattens the
    difference between rare and common words, so common words weigh too much.
    """

    def idf(self, searcher, fieldname: str, text) -> float:
        """Return the inverse document frequency of a term in a field."""
        parent = searcher.get_parent()
        return self.idf_of(parent.doc_frequency(fieldname, text), parent.doc_count_all())

    @staticmethod
    def idf_of(doc_frequency: int, doc_count: int) -> float:
        """Return the idf of a term in doc_frequency of doc_count documents."""
        return math.log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


def ranking_model(ranking: Ranking = Ranking()) -> scoring.WeightingModel:
    """Return the weighting every relevance-sorted search uses."""
    return BM25(B=ranking.b, K1=ranking.k1)


@dataclass
class FacetColumns:
    """Per-document facet and sort values of one index generation, as arrays."""

    outlet_codes: np.ndarray     # int32 code per docnum into outlet_labels
    outlet_labels: list[str]
    years: np.ndarray            # int32 per docnum; UNKNOWN_YEAR when unknown
    days: np.ndarray             # int64 day number per docnum; -1 when unknown
    live: np.ndarray             # bool per docnum: not deleted
    outlet_rank: np.ndarray      # per code: its place in name order, "unknown" last
    authors: ManyValued
    topics: ManyValued
    months: np.ndarray           # int32 per docnum: year * 100 + month, 0 when not known
    clusters: StoryClusters | None = None    # set by IndexHandle: the generation's stories
    # Each year and month as a code into its column's sorted distinct values (set below).
    year_values: np.ndarray = field(init=False, repr=False)
    year_codes: np.ndarray = field(init=False, repr=False)
    month_values: np.ndarray = field(init=False, repr=False)
    month_codes: np.ndarray = field(init=False, repr=False)
    month_names: list[str] = field(init=False, repr=False)     # "YYYY-MM"; "" for 0

    def __post_init__(self) -> None:
        # Per-document arrays in the narrowest type that holds their values: a serving
        # worker keeps them all (at a million articles, 8 bytes a document is 8 MB).
        self.days = self.days.astype(np.int32, copy=False)     # day numbers below 3.7 M
        # A search counts its matches' years and months with one bincount of these codes,
        # instead of sorting their values (np.unique) every time.
        self.year_values, year_codes = np.unique(self.years, return_inverse=True)
        self.month_values, month_codes = np.unique(self.months, return_inverse=True)
        self.year_codes = year_codes.astype(np.min_scalar_type(self.year_values.size))
        self.month_codes = month_codes.astype(np.min_scalar_type(self.month_values.size))
        self.month_names = [f"{month // 100:04d}-{month % 100:02d}" if month else ""
                            for month in self.month_values.tolist()]

    def year_counts(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the distinct years of docs in order and their counts (np.unique's)."""
        counts = np.bincount(self.year_codes[docs], minlength=self.year_values.size)
        present = np.flatnonzero(counts)
        return self.year_values[present], counts[present]

    def month_counts(self, docs: np.ndarray) -> list[tuple[str, int]]:
        """Return ("YYYY-MM", count) of the known months of docs, in month order."""
        counts = np.bincount(self.month_codes[docs], minlength=self.month_values.size)
        present = np.flatnonzero(counts)
        names = self.month_names
        return [(names[code], count) for code, count
                in zip(present.tolist(), counts[present].tolist()) if names[code]]

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
        months = np.zeros(count, dtype=np.int32)
        if "month" in reader.schema:      # (an index built before the column has none)
            column = reader.column_reader("month")
            months = np.fromiter((column[n] for n in range(count)), dtype=np.int32, count=count)
        return cls(outlet_codes, names, year_values, day_values, live, outlet_rank,
                   ManyValued.load(reader, "authors"), ManyValued.load(reader, "topics"),
                   months)

    @classmethod
    def load_cached(cls, reader, directory: Path | None) -> "FacetColumns":
        """Return the columns from the generation's array cache, read and saved if absent."""
        def compute() -> dict[str, np.ndarray]:
            columns = cls.load(reader)
            arrays = {"outlet_codes": columns.outlet_codes,
                      "outlet_labels": np.array(columns.outlet_labels, dtype=str),
                      "years": columns.years, "days": columns.days, "live": columns.live,
                      "outlet_rank": columns.outlet_rank, "months": columns.months}
            for name in ("authors", "topics"):
                values: ManyValued = getattr(columns, name)
                arrays.update({f"{name}_labels": np.array(values.labels, dtype=str),
                               f"{name}_codes": values.codes, f"{name}_docs": values.docs,
                               f"{name}_rank": values.rank})
            return arrays

        arrays = cached_arrays(directory, "facets", compute)
        count = int(arrays["live"].size)
        many = {name: ManyValued([str(label) for label in arrays[f"{name}_labels"]],
                                 arrays[f"{name}_codes"], arrays[f"{name}_docs"],
                                 arrays[f"{name}_rank"], count)
                for name in ("authors", "topics")}
        return cls(arrays["outlet_codes"], [str(label) for label in arrays["outlet_labels"]],
                   arrays["years"], arrays["days"], arrays["live"], arrays["outlet_rank"],
                   many["authors"], many["topics"], arrays["months"])


class IndexHandle:
    """The served index: opened once, reopened when a new generation is switched in."""

    def __init__(self, index_dir: str | os.PathLike, ranking: Ranking = Ranking()) -> None:
        self.index_dir = Path(index_dir)
        self.ranking = ranking
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._current_stat: tuple[int, int, int] | None = None
        self._index = None
        self._columns: FacetColumns | None = None
        self._local = threading.local()
        self._built_at: tuple[str, str | None] | None = None   # (generation, built_at)
        self._held = None   # the reader mark of the open generation (generations.prune)

    def _refresh(self) -> None:
        """Open the current generation if it changed since the last call.

        The CURRENT file is replaced (a new inode) at every switch, so one stat() tells
        whether it can have changed; it is read only then.
        """
        try:
            stat = os.stat(self.index_dir / generations.CURRENT_FILE)
            signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        except (FileNotFoundError, NotADirectoryError):
            signature = None
        if signature is not None and signature == self._current_stat:
            return
        generation = generations.current_generation(self.index_dir)
        if generation is None:
            raise FileNotFoundError(f"no index has been built in {self.index_dir}")
        if generation == self._generation:
            self._current_stat = signature
            return
        with self._lock:
            if generation != self._generation:
                index, generation = generations.open_current(self.index_dir)
                held = generations.hold_generation(self.index_dir, generation)
                with index.searcher() as searcher:
                    columns = FacetColumns.load_cached(searcher.reader(),
                                                       self.index_dir / generation)
                columns.clusters = StoryClusters.load(self.index_dir / generation,
                                                      int(columns.live.size))
                self._index, self._columns, self._generation = index, columns, generation
                if self._held is not None:
                    self._held.close()
                self._held = held
            self._current_stat = signature

    def searcher(self) -> tuple[Searcher, FacetColumns, str]:
        """Return this thread's searcher on the current generation, its columns and its name."""
        self._refresh()
        generation, index, columns = self._generation, self._index, self._columns
        cached = getattr(self._local, "entry", None)
        if cached is None or cached[0] != generation:
            if cached is not None:
                cached[1].close()
            cached = (generation, index.searcher(weighting=ranking_model(self.ranking)))
            self._local.entry = cached
        return cached[1], columns, generation

    def article_count(self) -> int:
        """Return the number of documents (deleted ones included) of the open generation, 0
        before one is open."""
        columns = self._columns
        return 0 if columns is None else int(columns.live.size)

    def info(self) -> dict:
        """Return the served generation, its document count and when it was built."""
        searcher, _, generation = self.searcher()
        # build.json lists every skipped record (large for a big corpus): read it once.
        if self._built_at is None or self._built_at[0] != generation:
            report = generations.build_info(self.index_dir, generation).get("report", {})
            self._built_at = (generation, report.get("built_at"))
        return {"generation": generation, "documents": searcher.doc_count(),
                "built_at": self._built_at[1]}
