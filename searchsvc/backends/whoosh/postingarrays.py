"""Posting lists of a segment's frequent terms as flat arrays, memory-mapped by readers.

Whoosh's posting blocks are pickled and compressed 128 postings at a time; decoding them in
Python costs about a microsecond a posting, and at a million articles a common word has
hundreds of thousands. The bulk writer therefore also writes each segment's longer posting
lists (those of more than one block) as plain arrays: document numbers (uint32), term
frequencies (uint16) and the words' positions (uint32, each posting's in turn), back to
back in three files, and a sorted table of the terms with where each list starts, how long
it is and where its positions start. Readers map the files (the operating system shares the
pages among all serving processes and reads them on demand), find a term by binary search,
and get its postings and positions as array slices without decoding anything.

A list kept here with its positions is not written to Whoosh's own files at all: the
segment's codec (arraycodec.py) gives Whoosh's readers (wildcards, other weightings, merges)
its postings from these arrays. A segment without arrays (written by Whoosh's own writer, by
an older build, or with per-document boosts) is read the old way. A posting's weight is its frequency times
the field's boost; a term whose weights are not that (or not whole counts below 65,536) is
left out and read the old way too.
"""
from __future__ import annotations

import mmap
import os
from array import array
from pathlib import Path

import numpy as np

from ...residency import map_read_only, release_pages

KEYS = ".pa_keys.npy"       # sorted b"field\0term" keys, fixed width
SPANS = ".pa_spans.npy"     # int64 (start, count, positions start or -1) of each key
DOCS = ".pa_docs.u32"       # segment-local document numbers, each list ascending
FREQS = ".pa_freqs.u16"     # each posting's term frequency (its number of positions)
POSITIONS = ".pa_pos.u32"   # each posting's word positions, ascending, posting after posting
MAX_KEY_BYTES = 120         # longer terms (URLs, run-on tokens) are read the old way
MAX_FREQ = np.iinfo(np.uint16).max


def _map_raw(path: str, dtype: str, mappings: list) -> np.ndarray:
    """Return a file of fixed-width numbers as a read-only mapped array (kept in mappings)."""
    mapping = map_read_only(path)
    mappings.append(mapping)
    return np.empty(0, dtype) if mapping is None else np.frombuffer(mapping, dtype=dtype)


def _map_npy(path: str, mappings: list) -> np.ndarray:
    """Return a .npy file's array, mapped read-only (kept in mappings), like np.load(mmap_mode)."""
    with open(path, "rb") as handle:
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(
                           np.lib.format.read_magic(handle))
        if read_header is None:
            raise ValueError(f"{path}: a .npy version this reader does not know")
        shape, fortran_order, dtype = read_header(handle)
        offset = handle.tell()
    if fortran_order or dtype.hasobject:
        raise ValueError(f"{path}: not a plain C-ordered array")
    mapping = map_read_only(path)
    mappings.append(mapping)
    count = int(np.prod(shape, dtype=np.int64))
    return np.frombuffer(mapping, dtype=dtype, count=count, offset=offset).reshape(shape)


def _key(fieldname: str, tbytes: bytes) -> bytes:
    return fieldname.encode("utf-8") + b"\0" + tbytes


class SegmentArraysWriter:
    """Writes one segment's long posting lists as arrays, beside the segment's own files."""

    def __init__(self, folder: str | Path, segment_id: str, min_postings: int) -> None:
        self._prefix = os.path.join(folder, segment_id)
        self._min_postings = min_postings
        self._files = [open(self._prefix + suffix, "wb") for suffix in (DOCS, FREQS, POSITIONS)]
        self._keys: list[bytes] = []
        self._spans: list[tuple[int, int, int]] = []
        self._written = 0
        self._positions_written = 0

    def add(self, fieldname: str, tbytes: bytes, docnums: array, weights: array,
            field_boost: float, positions: array | None = None) -> bool:
        """Keep a term's postings if the list is long enough and its weights are its
        frequencies times the field's boost; its positions (all postings', in turn) if given.

        Return whether the postings and their positions were kept."""
        count = len(docnums)
        if count < self._min_postings or not tbytes or b"\0" in tbytes:
            return False
        key = _key(fieldname, tbytes)
        if len(key) > MAX_KEY_BYTES:
            return False
        weights = np.asarray(weights, dtype=np.float64)
        freqs = weights / field_boost
        if (freqs.max() > MAX_FREQ or not np.array_equal(freqs, np.floor(freqs))
                or not np.array_equal(np.floor(freqs) * field_boost, weights)):
            return False
        freqs = freqs.astype("<u2")
        docs_file, freqs_file, positions_file = self._files
        docs_file.write(np.asarray(docnums, dtype="<u4").tobytes())
        freqs_file.write(freqs.tobytes())
        positions_at = -1
        if positions is not None and len(positions) == int(freqs.sum(dtype=np.int64)):
            positions_at = self._positions_written
            positions_file.write(np.asarray(positions, dtype="<u4").tobytes())
            self._positions_written += len(positions)
        self._keys.append(key)
        self._spans.append((self._written, count, positions_at))
        self._written += count
        return positions_at >= 0

    def close(self) -> None:
        """Write the term table (last: readers take a segment's arrays only when it exists)."""
        for handle in self._files:
            handle.close()
        if not self._keys:      # nothing long enough: no arrays for this segment
            for suffix in (DOCS, FREQS, POSITIONS):
                os.unlink(self._prefix + suffix)
            return
        keys = np.array(self._keys, dtype=f"S{max(map(len, self._keys))}")
        order = np.argsort(keys, kind="stable")
        np.save(self._prefix + SPANS, np.array(self._spans, dtype="<i8")[order])
        np.save(self._prefix + KEYS, keys[order])


class SegmentArrays:
    """A segment's posting arrays, memory-mapped."""

    def __init__(self, keys: np.ndarray, spans: np.ndarray, docs: np.ndarray,
                 freqs: np.ndarray, positions: np.ndarray,
                 mappings: list[mmap.mmap | None] | None = None) -> None:
        self._keys = keys
        self._width = keys.dtype.itemsize
        self._spans = spans
        self._docs = docs
        self._freqs = freqs
        self._positions = positions
        self._mappings = mappings or []

    @classmethod
    def open(cls, folder: str | Path, segment_id: str) -> "SegmentArrays | None":
        """Map a segment's arrays; None if it has none or they do not fit together."""
        prefix = os.path.join(folder, segment_id)
        mappings: list[mmap.mmap | None] = []
        try:
            keys = _map_npy(prefix + KEYS, mappings)
            spans = _map_npy(prefix + SPANS, mappings)
            docs = _map_raw(prefix + DOCS, "<u4", mappings)
            freqs = _map_raw(prefix + FREQS, "<u2", mappings)
            positions = _map_raw(prefix + POSITIONS, "<u4", mappings)
        except (OSError, ValueError):
            return None
        if (keys.ndim != 1 or keys.dtype.kind != "S" or spans.shape != (keys.size, 3)
                or docs.size != freqs.size
                or (spans.size and int((spans[:, 0] + spans[:, 1]).max()) > docs.size)):
            return None
        return cls(keys, spans, docs, freqs, positions, mappings)

    def release(self) -> None:
        """Drop the pages read so far from this process's memory (not from the page cache)."""
        for mapping in self._mappings:
            release_pages(mapping)

    def longest_lists(self, fieldname: str, limit: int) -> list[tuple[int, bytes]]:
        """Return the field's `limit` longest posting lists here, as (postings, term bytes)."""
        prefix = fieldname.encode("utf-8") + b"\0"
        low = int(np.searchsorted(self._keys, prefix))
        high = int(np.searchsorted(self._keys, fieldname.encode("utf-8") + b"\1"))
        counts = np.asarray(self._spans[low:high, 1])
        chosen = np.argsort(-counts, kind="stable")[:limit]
        return [(int(counts[at]), bytes(self._keys[low + at])[len(prefix):]) for at in chosen]

    def _span(self, fieldname: str, tbytes: bytes) -> tuple[int, int, int] | None:
        key = _key(fieldname, tbytes)
        if len(key) > self._width:
            return None
        at = int(np.searchsorted(self._keys, key))
        if at >= self._keys.size or self._keys[at] != key:
            return None
        start, count, positions_at = (int(value) for value in self._spans[at])
        return start, count, positions_at

    def postings(self, fieldname: str, tbytes: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """Return a term's document numbers and frequencies (read-only views), or None."""
        span = self._span(fieldname, tbytes)
        if span is None:
            return None
        start, count, _ = span
        return self._docs[start:start + count], self._freqs[start:start + count]

    def term_postings(self, fieldname: str, tbytes: bytes
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Return a term's document numbers, frequencies and all its postings' positions
        (in turn), or None if the arrays do not hold them."""
        span = self._span(fieldname, tbytes)
        if span is None or span[2] < 0:
            return None
        start, count, positions_at = span
        freqs = self._freqs[start:start + count]
        end = positions_at + int(freqs.sum(dtype=np.int64))
        if end > self._positions.size:
            return None
        return self._docs[start:start + count], freqs, self._positions[positions_at:end]

    def positions(self, fieldname: str, tbytes: bytes, wanted: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray] | None:
        """Return the term's positions in the wanted documents (sorted segment docnums) as
        (docnum, position) pairs in two aligned arrays, in order; None if not held here."""
        span = self._span(fieldname, tbytes)
        if span is None or span[2] < 0:
            return None
        start, count, positions_at = span
        docs = self._docs[start:start + count]
        freqs = self._freqs[start:start + count].astype(np.int64)
        # The wanted documents are usually few: look them up in the long list, not it in them
        # (as uint32, the list's own type: searchsorted would copy the list to another).
        wanted = wanted.astype(np.uint32)
        chosen = np.searchsorted(docs, wanted)
        chosen = chosen[chosen < docs.size]
        chosen = chosen[contains(wanted, docs[chosen])]
        ends = positions_at + np.cumsum(freqs)
        if count and int(ends[-1]) > self._positions.size:
            return None         # a torn or foreign file: read the old way
        counts = freqs[chosen]
        firsts = ends[chosen] - counts
        total = int(counts.sum())
        # The positions of each chosen posting: firsts[i] .. firsts[i] + counts[i] - 1.
        steps = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        at = np.repeat(firsts, counts) + steps
        return np.repeat(docs[chosen].astype(np.int64), counts), self._positions[at].astype(np.int64)


# contains() marks values in a bitmap instead of binary searches when both arrays are long
# and the values are dense (document numbers, not position keys): linear, and about ten times
# faster than searching hundreds of thousands of values in as many.
BITMAP_MIN_WANTED = 4096
BITMAP_MAX_SPREAD = 16          # the largest value at most this many times the values held


def contains(sorted_values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Return, for each wanted value, whether it is in sorted_values (a sorted array)."""
    if not sorted_values.size:
        return np.zeros(wanted.size, dtype=bool)
    largest = int(sorted_values[-1])
    if (wanted.size >= BITMAP_MIN_WANTED and sorted_values[0] >= 0
            and largest <= BITMAP_MAX_SPREAD * (sorted_values.size + wanted.size)):
        marked = np.zeros(largest + 1, dtype=bool)
        marked[sorted_values] = True
        found = np.zeros(wanted.size, dtype=bool)
        inside = (wanted >= 0) & (wanted <= largest)
        found[inside] = marked[wanted[inside]]
        return found
    found = np.searchsorted(sorted_values, wanted)
    found[found == sorted_values.size] = 0
    return sorted_values[found] == wanted


# places_in() looks many documents up through an array indexed by document number (one fill,
# one scatter, one gather: linear) rather than a binary search each (log n cache misses
# apiece) once the wanted are at least 1/DENSE_PLACES_FRACTION of the numbers spanned.
DENSE_PLACES_FRACTION = 32


def places_in(sorted_docs: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return, for each wanted document number, whether sorted_docs (sorted, distinct,
    non-negative) holds it, and its index there (meaningless where it does not)."""
    if not sorted_docs.size or not wanted.size:
        return np.zeros(wanted.size, dtype=bool), np.zeros(wanted.size, dtype=np.int64)
    span = int(sorted_docs[-1]) + 1
    if wanted.size * DENSE_PLACES_FRACTION >= span:
        slots = np.full(span, -1, dtype=np.int64)
        slots[sorted_docs] = np.arange(sorted_docs.size)
        places = np.full(wanted.size, -1, dtype=np.int64)
        inside = (wanted >= 0) & (wanted < span)
        places[inside] = slots[wanted[inside]]
        found = places >= 0
        places[~found] = 0
        return found, places
    places = np.searchsorted(sorted_docs, wanted)
    places[places == sorted_docs.size] = 0
    return sorted_docs[places] == wanted, places
