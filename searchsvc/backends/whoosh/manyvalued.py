"""Facets of many values a document (authors, topics): counting and filtering on arrays.

Each value a document has is one position: ``codes[i]`` is the value's code and ``docs[i]``
the document's number. Counting the values of a set of documents marks those documents and
counts the codes at the marked positions, one pass over the positions whatever the number of
values; a filter keeps the documents having any of the wanted values (disjunctive, like the
outlet facet).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .schema import VALUE_SEPARATOR

# Below 1/SPARSE_FRACTION of the index, a set of documents' values are read from their own
# positions; above it, in one pass over every position.
SPARSE_FRACTION = 8


@dataclass
class ManyValued:
    """The values of one many-valued facet column, as position arrays."""

    labels: list[str]
    codes: np.ndarray        # int32 code per position into labels
    docs: np.ndarray         # int32 document number per position (in order)
    rank: np.ndarray         # per code: its place in name order
    doc_count: int
    _code_of: dict[str, int] | None = field(default=None, repr=False, compare=False)
    _starts: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Half the bytes of int64, kept by every serving worker; as fast to index with.
        self.docs = self.docs.astype(np.int32, copy=False)
        # Each document's first position (docs is sorted, as load() writes it): counted,
        # in one pass (a binary search per document took 43 ms at a million articles, paid
        # by the first search that needed it).
        starts = np.zeros(self.doc_count + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.docs, minlength=self.doc_count)[:self.doc_count],
                  out=starts[1:])
        self._starts = starts.astype(np.int32)

    @classmethod
    def load(cls, reader, fieldname: str) -> "ManyValued":
        """Read a column of joined values (an index without the column has no values)."""
        count = reader.doc_count_all()
        labels: dict[str, int] = {}
        codes: list[int] = []
        docs: list[int] = []
        # An index built before the column existed has no values for it (and no such field).
        if fieldname in reader.schema and reader.has_column(fieldname):
            column = reader.column_reader(fieldname)
            for docnum in range(count):
                raw = column[docnum]
                if not raw:
                    continue
                for value in raw.decode("utf-8").split(VALUE_SEPARATOR):
                    codes.append(labels.setdefault(value, len(labels)))
                    docs.append(docnum)
        names = list(labels)
        rank = np.empty(len(names), dtype=np.int64)
        rank[sorted(range(len(names)), key=lambda code: names[code].casefold())] = \
            np.arange(len(names))
        return cls(names, np.asarray(codes, dtype=np.int32), np.asarray(docs, dtype=np.int32),
                   rank, count)

    def _codes(self, labels: tuple[str, ...]) -> list[int]:
        """Return the codes of the given labels that the column has."""
        if self._code_of is None:     # built once: a column has tens of thousands of labels
            self._code_of = {label: code for code, label in enumerate(self.labels)}
        return [self._code_of[label] for label in dict.fromkeys(labels)
                if label in self._code_of]

    def _codes_of(self, docs: np.ndarray) -> np.ndarray:
        """Return the codes at the positions of the given documents (sorted, unique)."""
        if docs.size * SPARSE_FRACTION >= self.doc_count:
            marked = np.zeros(self.doc_count, dtype=bool)
            marked[docs] = True
            return self.codes[marked[self.docs]]
        # Few documents: their positions from each document's first one, not a pass over
        # every position of the index.
        first, counts = self._starts[docs], self._starts[docs + 1] - self._starts[docs]
        steps = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        return self.codes[np.repeat(first, counts) + steps]

    def having(self, matched: np.ndarray, wanted: tuple[str, ...]) -> np.ndarray:
        """Return, per matched document, whether it has any of the wanted values."""
        wanted_codes = self._codes(wanted)
        has = np.zeros(self.doc_count, dtype=bool)
        has[self.docs[np.isin(self.codes, wanted_codes)]] = True
        return has[matched]

    def counts(self, docs: np.ndarray, limit: int | None = None,
               always: tuple[str, ...] = ()) -> list[tuple[str, int]]:
        """Return the values of the documents with their counts, most first then by name:
        the first ``limit`` and those named in ``always`` (the selected ones)."""
        counts = np.bincount(self._codes_of(docs), minlength=len(self.labels))
        codes = np.flatnonzero(counts)
        # One key orders as (most first, then name): rank is a code's place in name order,
        # below len(labels), and no two codes share a key. Only the first `limit` (found
        # by partition) and the selected values are sorted, not thousands of authors.
        key = self.rank[codes] - counts[codes] * len(self.labels)
        if limit is not None and codes.size > limit:
            kept = np.zeros(codes.size, dtype=bool)
            kept[np.argpartition(key, limit)[:limit]] = True
            kept |= np.isin(codes, self._codes(always))
            codes, key = codes[kept], key[kept]
        codes = codes[np.argsort(key)]
        return [(self.labels[code], count)
                for code, count in zip(codes.tolist(), counts[codes].tolist())]
