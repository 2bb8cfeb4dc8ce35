"""Reading a term's postings (posting arrays or Whoosh 3 blocks), and word positions for
phrases in chosen documents only.

A phrase can only match in documents holding all its words, usually a small part of each
word's postings. Decoding every posting's positions (a pickled list each) of a common word
costs about a second per million postings and, kept, 8 bytes a position; so a phrase reads
each word's positions for the documents holding every word, skipping the blocks that hold
none of them without reading their data.
"""
from __future__ import annotations

import pickle
from itertools import chain
from typing import Callable, Iterator, NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from .postingarrays import SegmentArrays, contains

POSITION_BITS = 32             # a position key is docnum << POSITION_BITS | position


class Postings(NamedTuple):
    """A term's postings in every segment, as read_postings returns them."""

    docs: np.ndarray            # int64 global docnums, deleted ones possibly included
    weights: np.ndarray         # float64, aligned with docs
    values: list[bytes]         # Whoosh's encoded values, when asked for
    doc_frequency: int          # postings written, deleted ones too, as Whoosh counts them


def read_postings(searcher: Searcher, fieldname: str, text: str, with_values: bool = False,
                  arrays: Callable[[object], SegmentArrays | None] | None = None) -> Postings:
    """Return a term's postings in every segment: global docnums, weights and (optionally) values.

    Deleted documents may be included (not those leading a segment, which Whoosh's
    deletion filter skips when it is made); the caller filters them. Without values, a
    segment's posting arrays are used where `arrays` (leaf reader -> its SegmentArrays) has
    the term; else Whoosh's own block format is read a block at a time (one unpickle per
    128 postings) where the segment uses it. The term's document frequency comes with them,
    so that scoring them needs no second look-up of the term in every segment.
    """
    doc_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    values: list[bytes] = []
    frequency = 0
    if with_values:
        arrays = None           # the arrays hold no Whoosh values
    if arrays is not None:
        field = searcher.schema[fieldname]
        tbytes = field.to_bytes(text)
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        segment_arrays = arrays(reader) if arrays is not None else None
        if segment_arrays is not None:
            found = segment_arrays.postings(fieldname, tbytes)
            if found is not None:
                frequency += found[0].size      # the whole list of the segment is there
                doc_parts.append(found[0].astype(np.int64) + offset)
                weights = found[1].astype(np.float64)
                boost = field.format.field_boost
                weight_parts.append(weights if boost == 1.0 else weights * boost)
                continue
        try:
            frequency += reader.term_info(fieldname, text).doc_frequency()
        except TermNotFound:
            continue
        matcher = reader.postings(fieldname, text)
        if isinstance(matcher, FilterMatcher):    # deletions: filtered by the caller
            matcher = matcher.child
        if isinstance(matcher, W3LeafMatcher):
            docs, weights = _read_blocks(matcher, values if with_values else None)
        else:
            docs, weights = read_one_by_one(matcher, values if with_values else None)
        doc_parts.append(docs + offset)
        weight_parts.append(weights)
    if not doc_parts:
        return Postings(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64), values, 0)
    return Postings(np.concatenate(doc_parts), np.concatenate(weight_parts), values, frequency)


def _read_blocks(matcher: W3LeafMatcher, values: list[bytes] | None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Decode every block of a Whoosh 3 posting list: docnums and weights (and values)."""
    doc_parts, weight_parts = [], []
    for ids, weights, block_values in iter_blocks(matcher):
        doc_parts.append(ids)
        if weights is None:
            weight_parts.append(np.ones(ids.size))
        elif isinstance(weights, float):
            weight_parts.append(np.full(ids.size, weights))
        else:
            weight_parts.append(np.asarray(weights, dtype=np.float64))
        if values is not None:
            values.extend(block_values)
    return np.concatenate(doc_parts), np.concatenate(weight_parts)


def iter_blocks(matcher: W3LeafMatcher, wanted: np.ndarray | None = None
                ) -> Iterator[tuple[np.ndarray, object, list | None]]:
    """Yield each block of a Whoosh 3 posting list: (docnums, weights, values) as stored.

    With `wanted` (sorted docnums of the segment), a block whose docnum range holds none of
    them is skipped on its header alone (uses the matcher's block internals).
    """
    low = 0
    while True:
        high = matcher._maxid
        if wanted is None or _any_within(wanted, low, high):
            matcher._read_data()
            ids, weights, values = matcher._data
            yield np.cumsum(np.asarray(ids, dtype=np.int64)), weights, values  # block deltas
        if matcher._lastblock:
            return
        low = high + 1
        matcher._goto(matcher._nextoffset)


def _any_within(sorted_values: np.ndarray, low: int, high: int) -> bool:
    at = int(np.searchsorted(sorted_values, low))
    return at < sorted_values.size and sorted_values[at] <= high


def read_one_by_one(matcher, values: list[bytes] | None) -> tuple[np.ndarray, np.ndarray]:
    """Read any other matcher (e.g. postings inlined in the term info) through its interface."""
    docs, weights = [], []
    while matcher.is_active():
        docs.append(matcher.id())
        weights.append(matcher.weight())
        if values is not None:
            values.append(matcher.value())
        matcher.next()
    return np.asarray(docs, dtype=np.int64), np.asarray(weights, dtype=np.float64)


def read_positions(searcher: Searcher, fieldname: str, text: str, docs: np.ndarray,
                   arrays: Callable[[object], SegmentArrays | None] | None = None
                   ) -> np.ndarray:
    """Return a term's sorted position keys in the given documents (sorted global docnums).

    A segment's posting arrays (`arrays`: leaf reader -> its SegmentArrays) are read where
    they hold the term's positions; else Whoosh's blocks holding any of the documents.
    """
    doc_parts: list[np.ndarray] = []
    values: list[bytes] = []
    keys: list[np.ndarray] = []
    tbytes = searcher.schema[fieldname].to_bytes(text) if arrays is not None else None
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        first, last = np.searchsorted(docs, [offset, offset + reader.doc_count_all()])
        local = docs[first:last] - offset
        if not local.size:
            continue
        segment_arrays = arrays(reader) if arrays is not None else None
        if segment_arrays is not None:
            found = segment_arrays.positions(fieldname, tbytes, local)
            if found is not None:
                keys.append(((found[0] + offset) << POSITION_BITS) | found[1])
                continue
        if (fieldname, text) not in reader:
            continue
        matcher = reader.postings(fieldname, text)
        if isinstance(matcher, FilterMatcher):    # deletions: the wanted docs are live
            matcher = matcher.child
        if isinstance(matcher, W3LeafMatcher):
            blocks = ((ids, block_values) for ids, _, block_values in iter_blocks(matcher, local))
        else:
            block_values = []
            blocks = iter([(read_one_by_one(matcher, block_values)[0], block_values)])
        for ids, block_values in blocks:
            keep = np.flatnonzero(contains(local, ids))
            if keep.size:
                doc_parts.append(ids[keep] + offset)
                values.extend(block_values[i] for i in keep.tolist())
    if not doc_parts:
        # Segments come in docnum order and each segment's arrays in key order: sorted.
        return np.concatenate(keys) if keys else np.empty(0, dtype=np.int64)
    keys.append(decode_positions(values, np.concatenate(doc_parts)))
    merged = np.concatenate(keys)
    merged.sort()
    return merged


def decode_positions(values: list[bytes], docs: np.ndarray) -> np.ndarray:
    """Return sorted position keys (docnum << 32 | position) from Positions-format values."""
    # Positions.encode: a 4-byte count, then the pickled list of position deltas (its final
    # STOP opcode may have been dropped, as Positions.decode_positions allows).
    if all(value.endswith(b".") for value in values):
        pickles = [value[4:] for value in values]
    else:
        pickles = [value[4:] if value.endswith(b".") else value[4:] + b"." for value in values]
    lists = list(map(pickle.loads, pickles))
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    if not counts.sum():
        return np.empty(0, dtype=np.int64)
    steps = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum()))
    # A running sum of the deltas, restarted at each posting.
    totals = np.cumsum(steps)
    before = np.concatenate(([0], totals))[np.cumsum(counts) - counts]
    positions = totals - np.repeat(before, counts)
    keys = (np.repeat(docs, counts) << POSITION_BITS) | positions
    keys.sort()
    return keys


def sloppy_starts(starts: np.ndarray, following: list[np.ndarray], slop: int) -> np.ndarray:
    """Return the start positions (keys) of the spans holding the words in order, near.

    Whoosh's Phrase with a slop is SpanNear2(ordered=True, mindist=1): each next word
    lies 1 to slop positions after the previous one, and every such chain counts. Spans
    are kept as (start, end) pairs of position keys, and for each next word every one of
    its positions within reach of a span's end extends that span.
    """
    ends = starts
    for positions in following:
        low = np.searchsorted(positions, ends + 1, side="left")
        high = np.searchsorted(positions, ends + slop, side="right")
        counts = high - low
        if not counts.any():
            return starts[:0]
        # Every (span, reachable position) pair: positions low[i] .. high[i] - 1 of span i.
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        starts = np.repeat(starts, counts)
        ends = positions[np.repeat(low, counts) + offsets]
        # Spans reached by several routes are one span, as in Whoosh's set of spans.
        pairs = np.unique(np.stack([starts, ends], axis=1), axis=0)
        starts, ends = pairs[:, 0], pairs[:, 1]
    return starts
