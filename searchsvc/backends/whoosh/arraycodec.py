"""A Whoosh codec whose segments hold their long posting lists only as posting arrays.

The bulk writer saves each segment's long posting lists (more than one Whoosh block) as flat
arrays (postingarrays.py), and searches read those. Writing the same lists as Whoosh's W3
blocks too (a pickled, compressed tuple per 128 postings, a pickled position list per
posting) was a third of a build's CPU for blocks hardly ever read. A segment written with
ArrayCodec therefore marks such a term in its term table (the term info, with every
statistic, is written as usual; its postings offset is ARRAYS_ONLY) and writes no blocks for
it; when Whoosh asks for the term's postings (its own queries, highlighting, a merge of the
segment into another), the codec's terms reader serves them from the arrays, with each
posting's value encoded as the field's format encodes it, so Whoosh sees what its own
writer would have written.

Whoosh records a segment's codec in the index's table of contents (the pickled segment
holds it), so indexes written before this codec, or segments Whoosh's own writer adds to
an index, open with W3Codec as before; and every index written since names this module and
class: moving or renaming them would make those indexes fail to open.
"""
from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo, W3TermsReader
from whoosh.matching.mcore import ListMatcher
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from .postingarrays import SegmentArrays

ARRAYS_ONLY = -1    # a term info's postings offset: the postings are in the segment's arrays


class ArrayCodec(W3Codec):
    """W3Codec whose terms reader serves array-only terms from the segment's posting arrays."""

    def terms_reader(self, storage, segment):
        """Return the segment's terms reader, which knows where its arrays are."""
        tiname = segment.make_filename(self.TERMS_EXT)
        tilen = storage.file_length(tiname)
        tifile = storage.open_file(tiname)
        postfile = segment.open_file(storage, self.POSTS_EXT)
        return ArrayTermsReader(self, tifile, tilen, postfile,
                                getattr(storage, "folder", None), segment.segment_id())


class ArrayTermsReader(W3TermsReader):
    """A W3 terms reader that reads array-only terms' postings from the posting arrays."""

    def __init__(self, codec, dbfile, length, postfile, folder, segment_id: str) -> None:
        super().__init__(codec, dbfile, length, postfile)
        self._folder = folder
        self._segment_id = segment_id
        self._arrays: SegmentArrays | None = None

    def matcher(self, fieldname, tbytes, format_, scorer=None):
        """Return a matcher of the term's postings, from the arrays if it has no blocks."""
        terminfo = self.term_info(fieldname, tbytes)
        if terminfo.is_inlined() or terminfo.extent()[0] != ARRAYS_ONLY:
            return super().matcher(fieldname, tbytes, format_, scorer=scorer)
        if self._arrays is None and self._folder is not None:
            self._arrays = SegmentArrays.open(self._folder, self._segment_id)
        found = self._arrays.term_postings(fieldname, tbytes) if self._arrays else None
        if found is None:
            raise OSError(f"segment {self._segment_id}: the posting arrays of "
                          f"{fieldname}:{tbytes!r} are missing or damaged; rebuild the index")
        docs, freqs, positions = found
        return ArrayMatcher.from_arrays(docs, freqs, positions, format_, scorer=scorer,
                                        term=(fieldname, tbytes), terminfo=terminfo)


class ArrayMatcher(ListMatcher):
    """A ListMatcher over a term's posting arrays, reading a posting only when asked for it.

    Nothing is decoded up front: a caller that reads a few postings of a list of a million
    (did-you-mean reads the first documents of common words) pays for those few. Weights
    are frequency x the field's boost, the float32 value W3 stores (the writer checked it).
    The whole list is one block for Whoosh's quality checks (a bound no tighter than the W3
    blocks', so no fewer documents are scored); its largest weight is the term info's.
    """

    def __init__(self, docs: np.ndarray, freqs: np.ndarray, values, format_, scorer=None,
                 term=None, terminfo=None, position: int = 0) -> None:
        super().__init__(docs, None, values, format_, scorer=scorer, position=position,
                         term=term, terminfo=terminfo)
        self._freqs = freqs
        self._boost = format_.field_boost

    @classmethod
    def from_arrays(cls, docs: np.ndarray, freqs: np.ndarray, positions: np.ndarray,
                    format_, scorer=None, term=None, terminfo=None) -> "ArrayMatcher":
        """Return a matcher of the postings, their values encoded as format_ encodes them."""
        return cls(docs, freqs, EncodedPositions(freqs, positions, format_.encode), format_,
                   scorer=scorer, term=term, terminfo=terminfo)

    def copy(self):
        """Return a copy at the same place."""
        return self.__class__(self._ids, self._freqs, self._values, self._format,
                              self._scorer, self._term, self._terminfo, self._i)

    def id(self):
        """Return the current document number."""
        return int(self._ids[self._i])

    def all_ids(self):
        """Return an iterator of every document number, as ListMatcher does."""
        return iter(self._ids.tolist())

    def all_items(self):
        """Return (document number, value) pairs of every posting."""
        return zip(self._ids.tolist(), self._values)

    def weight(self):
        """Return the current posting's weight."""
        return float(self._freqs[self._i]) * self._boost

    def skip_to(self, id):
        """Move to the first posting at or after document `id` (a binary search)."""
        if not self.is_active():
            super().skip_to(id)     # raises ReadTooFar as Whoosh's matchers do
        elif id > self._ids[self._i]:
            self._i = int(np.searchsorted(self._ids, id))

    def block_max_weight(self):
        """Return the list's largest weight (the term info holds it: no scan per call)."""
        return self._terminfo.max_weight()

    def skip_to_quality(self, minquality):
        """Skip the rest of the list if its quality is not above minquality (one block)."""
        if self.is_active() and self.block_quality() <= minquality:
            self._i = len(self._ids)
            return 1
        return 0


class EncodedPositions:
    """Each posting's value as the field's format encodes its positions, made on demand."""

    def __init__(self, freqs: np.ndarray, positions: np.ndarray, encode) -> None:
        self._ends = np.cumsum(freqs, dtype=np.int64)
        self._freqs = freqs
        self._positions = positions
        self._encode = encode

    def __len__(self) -> int:
        return int(self._ends.size)

    def __getitem__(self, i: int) -> bytes:
        end = int(self._ends[i])
        return self._encode(self._positions[end - int(self._freqs[i]):end].tolist())


def write_array_only_term(fieldwriter, tbytes: bytes, docnums, weights, lengths,
                          blocklimit: int) -> None:
    """Add a term's row to the segment's term table with no posting blocks (ARRAYS_ONLY).

    Every statistic is the one W3PostingsWriter would record block by block: the total
    weight summed a block at a time in the same order, the lengths byte-quantised (the
    quantisation keeps order, so the extremes of the whole list are those of its blocks).
    """
    terminfo = W3TermInfo()
    count = len(docnums)
    for start in range(0, count, blocklimit):
        terminfo._weight += sum(weights[start:start + blocklimit])
    terminfo._df = count
    terminfo._maxweight = max(0, max(weights))
    terminfo._minid, terminfo._maxid = docnums[0], docnums[-1]
    if lengths is not None:
        doc_lengths = np.frombuffer(lengths, dtype=np.uint32)[
            np.frombuffer(docnums, dtype=np.uint32)]
        nonzero = doc_lengths[doc_lengths > 0]
        if nonzero.size:
            terminfo._minlength = byte_to_length(length_to_byte(int(nonzero.min())))
        terminfo._maxlength = byte_to_length(length_to_byte(int(doc_lengths.max())))
    terminfo.set_extent(ARRAYS_ONLY, 0)
    fieldwriter._tindex.add(pack_ushort(fieldwriter._fieldid) + tbytes, terminfo.to_bytes())
