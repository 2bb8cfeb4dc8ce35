"""Posting lists of a segment's frequent terms as flat arrays, memory-mapped by readers.

Whoosh's posting blocks are pickled and compressed 128 postings at a time; decoding them in
Python costs about a microsecond a posting, and at a million articles a common word has
hundreds of thousands. The bulk writer therefore also writes each segment's longer posting
lists (those of more than one block) as plain arrays: document numbers (uint32) and term
frequencies (uint16), back to back in two files, and a sorted table of the terms with where
each list starts and how long it is. Readers map the files (the operating system shares the
pages among all serving processes and reads them on demand), find a term by binary search,
and get its postings as array slices without decoding anything.

The arrays hold the same postings Whoosh's files hold; they are an addition, not a
replacement: Whoosh still reads its own files for everything else (positions, wildcards,
other weightings), and a segment without arrays (written by Whoosh's own writer, or by an
older build) is read the old way. A term whose weights are not whole numbers below 65,536
(a boosted field, say) is left out and read the old way too.
"""
from __future__ import annotations

import os
from array import array
from pathlib import Path

import numpy as np

KEYS = ".pa_keys.npy"       # sorted b"field\0term" keys, fixed width
SPANS = ".pa_spans.npy"     # int64 (start, count) of each key's postings
DOCS = ".pa_docs.u32"       # segment-local document numbers, each list ascending
FREQS = ".pa_freqs.u16"     # the weight of each posting (a term frequency)
MAX_KEY_BYTES = 120         # longer terms (URLs, run-on tokens) are read the old way
MAX_FREQ = np.iinfo(np.uint16).max


def _key(fieldname: str, tbytes: bytes) -> bytes:
    return fieldname.encode("utf-8") + b"\0" + tbytes


class SegmentArraysWriter:
    """Writes one segment's long posting lists as arrays, beside the segment's own files."""

    def __init__(self, folder: str | Path, segment_id: str, min_postings: int) -> None:
        self._prefix = os.path.join(folder, segment_id)
        self._min_postings = min_postings
        self._docs = open(self._prefix + DOCS, "wb")
        self._freqs = open(self._prefix + FREQS, "wb")
        self._keys: list[bytes] = []
        self._spans: list[tuple[int, int]] = []
        self._written = 0

    def add(self, fieldname: str, tbytes: bytes, docnums: array, weights: array) -> None:
        """Keep a term's postings if the list is long enough and its weights are frequencies."""
        count = len(docnums)
        if count < self._min_postings or not tbytes or b"\0" in tbytes:
            return
        key = _key(fieldname, tbytes)
        if len(key) > MAX_KEY_BYTES:
            return
        freqs = np.asarray(weights, dtype=np.float64)
        if freqs.max() > MAX_FREQ or not np.array_equal(freqs, np.floor(freqs)):
            return
        self._docs.write(np.asarray(docnums, dtype="<u4").tobytes())
        self._freqs.write(freqs.astype("<u2").tobytes())
        self._keys.append(key)
        self._spans.append((self._written, count))
        self._written += count

    def close(self) -> None:
        """Write the term table (last: readers take a segment's arrays only when it exists)."""
        self._docs.close()
        self._freqs.close()
        if not self._keys:      # nothing long enough: no arrays for this segment
            for path in (self._prefix + DOCS, self._prefix + FREQS):
                os.unlink(path)
            return
        keys = np.array(self._keys, dtype=f"S{max(map(len, self._keys))}")
        order = np.argsort(keys, kind="stable")
        np.save(self._prefix + SPANS, np.array(self._spans, dtype="<i8")[order])
        np.save(self._prefix + KEYS, keys[order])

    def cancel(self) -> None:
        """Remove what was written."""
        self._docs.close()
        self._freqs.close()
        for suffix in (DOCS, FREQS, SPANS, KEYS):
            try:
                os.unlink(self._prefix + suffix)
            except OSError:
                pass


class SegmentArrays:
    """A segment's posting arrays, memory-mapped."""

    def __init__(self, keys: np.ndarray, spans: np.ndarray, docs: np.ndarray,
                 freqs: np.ndarray) -> None:
        self._keys = keys
        self._width = keys.dtype.itemsize
        self._spans = spans
        self._docs = docs
        self._freqs = freqs

    @classmethod
    def open(cls, folder: str | Path, segment_id: str) -> "SegmentArrays | None":
        """Map a segment's arrays; None if it has none or they do not fit together."""
        prefix = os.path.join(folder, segment_id)
        try:
            keys = np.load(prefix + KEYS, mmap_mode="r", allow_pickle=False)
            spans = np.load(prefix + SPANS, mmap_mode="r", allow_pickle=False)
            docs = np.memmap(prefix + DOCS, dtype="<u4", mode="r")
            freqs = np.memmap(prefix + FREQS, dtype="<u2", mode="r")
        except (OSError, ValueError):
            return None
        if (keys.ndim != 1 or keys.dtype.kind != "S" or spans.shape != (keys.size, 2)
                or docs.size != freqs.size
                or (spans.size and int((spans[:, 0] + spans[:, 1]).max()) > docs.size)):
            return None
        return cls(keys, spans, docs, freqs)

    def postings(self, fieldname: str, tbytes: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """Return a term's document numbers and frequencies (read-only views), or None."""
        key = _key(fieldname, tbytes)
        if len(key) > self._width:
            return None
        at = int(np.searchsorted(self._keys, key))
        if at >= self._keys.size or self._keys[at] != key:
            return None
        start, count = (int(value) for value in self._spans[at])
        return self._docs[start:start + count], self._freqs[start:start + count]
