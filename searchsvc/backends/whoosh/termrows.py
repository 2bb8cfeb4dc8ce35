"""Writing a segment's terms for the bulk writer: term-table rows, W3 posting blocks, arrays.

Most terms of a segment have a few postings: a list of fewer than INLINE_POSTINGS (with
values) goes into its term info, one of up to a block (128) into a single W3 block. For
those, going through W3's writer objects (a W3TermInfo, the postings writer's buffers and
statistics, a numpy slice and an array per list) cost more than the pickles themselves: the
flush was a quarter of a build's CPU. Here a field's statistics per term (largest weight,
shortest and longest document, as W3 quantises lengths) are computed for all its terms at
once with numpy, and each short list's row or block is packed directly, in the bytes W3's
writer gives them (the tests compare every term with Whoosh's own writer). Lists longer
than a block go through W3's writer a block at a time, or only into the posting arrays.
"""
from __future__ import annotations

from array import array
from pickle import dumps

import numpy as np
from isal import isal_zlib
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3PostingsWriter, W3TermInfo
from whoosh.filedb.filetables import OrderedHashWriter, _lengths
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from .arraycodec import write_array_only_term

# Blocks whose pickle is smaller than this are not worth a zlib call (see _write_block).
MIN_COMPRESSED_BYTES = 256
# Lists of fewer postings (with values: positions) are inlined in their term info, as W3
# can hold them, instead of a block of their own (a header, two pickles, a file write).
INLINE_POSTINGS = 16

# Rows TermRows holds before writing them: a field of a large segment has hundreds of
# thousands, which need not all wait in memory.
ROWS_PER_WRITE = 4096
_pack_terminfo = W3TermInfo._struct.pack     # flags, weight, df, min/max length bytes, ...
_pack_lengths = _lengths.pack                # a term table row's key and value lengths


class TermRows:
    """Rows added to W3's term table (an OrderedHashWriter) as its add() adds them, the
    bytes written at once: add() asked the file for its position and wrote three times a
    row. flush() before anything else writes to the table."""

    def __init__(self, table: OrderedHashWriter) -> None:
        assert type(table) is OrderedHashWriter
        self._table = table
        self._chunks: list[bytes] = []
        self._position = 0

    def add(self, key: bytes, value: bytes) -> None:
        """Add a row, as OrderedHashWriter.add does (keys must increase)."""
        table = self._table
        if key <= table.lastkey:
            raise ValueError(f"Keys must increase: {table.lastkey!r}..{key!r}")
        if not self._chunks:
            self._position = table.dbfile.tell()
        position = self._position
        table.index.append(position)
        chunk = _pack_lengths(len(key), len(value)) + key + value
        self._chunks.append(chunk)
        self._position = position + len(chunk)
        hashed = table.hashfn(key)
        table.buckets[hashed & 255].append((hashed, position))
        table.lastkey = key
        if len(self._chunks) >= ROWS_PER_WRITE:
            self.flush()

    def flush(self) -> None:
        """Write the rows added since the last flush."""
        if self._chunks:
            self._table.dbfile.write(b"".join(self._chunks))
            self._chunks = []


class FieldTerms:
    """What writing one field's terms needs: the field, its writers, its lengths."""

    def __init__(self, fieldwriter, fieldobj, arrays, arrays_only: bool,
                 lengths: array | None, compression: int, blocklimit: int) -> None:
        self.fieldwriter = fieldwriter
        self.fieldname = fieldwriter._fieldname
        self.fieldobj = fieldobj
        self.arrays = arrays
        self.arrays_only = arrays_only
        self.lengths = lengths
        self.compression = compression
        self.blocklimit = blocklimit
        self.prefix = pack_ushort(fieldwriter._fieldid)
        self.rows = TermRows(fieldwriter._tindex)
        self.fixed_size = fieldobj.format.fixed_value_size()
        self.encode = getattr(fieldobj, "encode_positions", None)
        # Each docnum's field length as W3 stores it in a block's statistics (a byte).
        self.length_bytes = (_length_bytes(lengths) if lengths is not None
                             else None)

    def hold(self, tbytes, docnums, weights, positions) -> bool:
        """Give a long list to the posting arrays; return whether it needs no W3 blocks."""
        self.rows.flush()       # W3's writers add their rows to the table themselves
        held = (self.arrays is not None and self.fieldobj.scorable
                and self.arrays.add(self.fieldname, tbytes, docnums, weights,
                                    self.fieldobj.format.field_boost, positions))
        if held and self.arrays_only:
            write_array_only_term(self.fieldwriter, tbytes, docnums, weights, self.lengths,
                                  self.blocklimit)
            return True
        return False


def _length_bytes(lengths: array) -> np.ndarray:
    """Return length_to_byte of each length, as a uint8 array (0 for length 0)."""
    held = np.frombuffer(lengths, dtype=np.uint32)
    distinct, where = np.unique(held, return_inverse=True)
    table = np.array([length_to_byte(int(length)) for length in distinct.tolist()],
                     dtype=np.uint8)
    return table[where]


def write_text_terms(out: FieldTerms, grouped) -> None:
    """Write a text field's terms (textpostings.Grouped), in term order."""
    if grouped is None:
        return
    docs, weights, counts, positions = (grouped.posting_docs, grouped.weights,
                                        grouped.counts, grouped.positions)
    starts = grouped.term_postings          # each term's first posting, then the end
    token_starts = grouped.term_tokens      # each term's first token, then the end
    firsts = starts[:-1]
    max_weights = np.maximum.reduceat(weights, firsts).tolist()
    if out.length_bytes is not None:
        posting_bytes = out.length_bytes[docs].astype(np.uint16)
        max_bytes = np.maximum.reduceat(posting_bytes, firsts).tolist()
        posting_bytes[posting_bytes == 0] = 256       # no length: not a minimum
        min_bytes = np.minimum.reduceat(posting_bytes, firsts).tolist()
        del posting_bytes
    else:
        max_bytes = min_bytes = [0] * len(firsts)
    blocklimit = out.blocklimit
    encode = out.encode
    single = _SINGLE_POSITION_VALUES.setdefault(encode, {})
    for i, tbytes in grouped.order:
        first, last = starts[i], starts[i + 1]
        count = last - first
        if count > blocklimit:
            term_docs = array("I", docs[first:last].tobytes())
            term_weights = array("f", weights[first:last].tobytes())
            term_positions = positions[token_starts[i]:token_starts[i + 1]]
            if out.hold(tbytes, term_docs, term_weights, term_positions):
                continue
            values = _encoded_values(counts[first:last], term_positions, encode)
            _write_blocks(out, tbytes, term_docs, term_weights, values)
            continue
        term_counts = counts[first:last].tolist()
        term_positions = positions[token_starts[i]:token_starts[i + 1]].tolist()
        if len(term_positions) == count:     # one position each: their values are shared
            values = [single.get(p) or single.setdefault(p, encode([p]))
                      for p in term_positions]
        else:
            values = _values_of(term_counts, term_positions, encode, single)
        minimum = min_bytes[i]
        _write_short_term(out, tbytes, docs[first:last].tolist(),
                          weights[first:last].tolist(), values, max_weights[i],
                          0 if minimum == 256 else minimum, max_bytes[i])
    out.rows.flush()


def write_dict_terms(out: FieldTerms, terms: dict) -> None:
    """Write the terms of a field kept as {term bytes: (docnums, weights, values, None)}."""
    blocklimit = out.blocklimit
    length_bytes = out.length_bytes
    for tbytes in sorted(terms):
        docnums, weights, values, _ = terms[tbytes]
        if len(docnums) > blocklimit:
            if not out.hold(tbytes, docnums, weights, None):
                _write_blocks(out, tbytes, docnums, weights, values)
            continue
        ids = docnums.tolist()
        if length_bytes is None:
            minimum = maximum = 0
        else:
            found = [int(length_bytes[docnum]) for docnum in ids]
            maximum = max(found)
            minimum = min((b for b in found if b), default=0)
        term_weights = weights.tolist()
        _write_short_term(out, tbytes, ids, term_weights, values, max(term_weights),
                          minimum, maximum)
    out.rows.flush()


def _write_short_term(out: FieldTerms, tbytes: bytes, ids: list, weights: list,
                      values: list, max_weight: float, min_byte: int, max_byte: int) -> None:
    """Write a list of at most one block: in its term info if short and with values, else
    as one W3 block; the term info's statistics are those W3's writer records."""
    fieldwriter = out.fieldwriter
    count = len(ids)
    total = sum(weights)
    max_weight = max(0, max_weight)
    if count < INLINE_POSTINGS and values:
        # W3TermInfo.to_bytes of an inlined list: its header, then the postings pickled.
        row = (_pack_terminfo(True, total, count, min_byte, max_byte, max_weight,
                              ids[0], ids[-1])
               + dumps((tuple(ids), tuple(weights), tuple(values)), 2))
        out.rows.add(out.prefix + tbytes, row)
        return
    postfile = fieldwriter._postfile
    offset = postfile.tell()
    postfile.write(WHOOSH3_HEADER_MAGIC)
    # W3PostingsWriter's minified block: ids as deltas; weights None when all 1.0, one
    # number when all equal; values by the format's fixed size.
    deltas = [b - a for a, b in zip([0, *ids], ids)]
    first = weights[0]
    mini_weights = (None if all(w == 1.0 for w in weights)
                    else first if all(w == first for w in weights) else tuple(weights))
    fixed = out.fixed_size
    mini_values = (tuple(values) if fixed is None or fixed < 0
                   else None if fixed == 0 else b"".join(values))
    databytes = dumps((tuple(deltas), mini_weights, mini_values), 2)
    compression = out.compression if len(databytes) >= MIN_COMPRESSED_BYTES else 0
    if compression:   # ISA-L: the zlib stream readers inflate, in a quarter of the CPU
        databytes = isal_zlib.compress(databytes, compression)
    infobytes = dumps((count, ids[-1], max(weights), compression, min_byte, max_byte), 2)
    postfile.write_int(-(len(infobytes) + len(databytes)))
    postfile.write(infobytes)
    postfile.write(databytes)
    row = (_pack_terminfo(False, total, count, min_byte, max_byte, max_weight,
                          ids[0], ids[-1])
           + pack_long(offset) + pack_int(postfile.tell() - offset))
    out.rows.add(out.prefix + tbytes, row)


def _write_blocks(out: FieldTerms, tbytes: bytes, docnums: array, weights: array,
                  values: list) -> None:
    """Write a list of more than one block through W3's postings writer."""
    out.rows.flush()
    fieldwriter = out.fieldwriter
    fieldwriter.start_term(tbytes)
    _fill_postings(fieldwriter._postwriter, docnums, weights, values, out.lengths)
    fieldwriter.finish_term()


def _values_of(counts: list, positions: list, encode, single: dict) -> list[bytes]:
    """Return each posting's value from its count of positions and all positions in turn."""
    values = []
    at = 0
    for count in counts:
        if count == 1:
            position = positions[at]
            value = single.get(position)
            if value is None:
                value = single[position] = encode([position])
        else:
            value = encode(positions[at:at + count])
        values.append(value)
        at += count
    return values


def _encoded_values(counts, positions, encode) -> list[bytes]:
    """Return each posting's value, its positions encoded as the field's format does.

    counts: each posting's number of positions; positions: all of them, posting after posting.
    """
    return _values_of(counts.tolist(), positions.tolist(), encode,
                      _SINGLE_POSITION_VALUES.setdefault(encode, {}))


# encode function -> {position: encode([position])}: most postings have one position,
# whose encodings repeat, made once and shared.
_SINGLE_POSITION_VALUES: dict = {}


def _fill_postings(writer: W3PostingsWriter, docnums: array, weights: array, values: list,
                   lengths: array | None) -> None:
    """Write one term's postings through a W3PostingsWriter a block at a time.

    The block statistics are the ones add_posting() computes: the lengths are the
    byte-quantised ones the per-document column stores, zero lengths are not counted.
    """
    limit = writer._blocklimit
    count = len(docnums)
    for start in range(0, count, limit):
        end = start + limit
        _fill_block(writer, docnums, weights, values, lengths, start, end)
        _write_block(writer, last=end >= count)


def _fill_block(writer: W3PostingsWriter, docnums: array, weights: array, values: list,
                lengths: array | None, start: int, end: int) -> None:
    """Put postings start to end in the writer's block buffer, with their statistics."""
    block_weights = weights[start:end]
    writer._ids = docnums[start:end]
    writer._weights = block_weights
    writer._values = values[start:end]   # [] for formats without values
    writer._maxweight = max(block_weights)
    if lengths is None:
        writer._minlength, writer._maxlength = None, 0
    else:
        block_lengths = [lengths[docnum] for docnum in writer._ids]
        nonzero = [length for length in block_lengths if length]
        writer._minlength = (byte_to_length(length_to_byte(min(nonzero)))
                             if nonzero else None)
        writer._maxlength = byte_to_length(length_to_byte(max(block_lengths)))


def _write_block(writer: W3PostingsWriter, last: bool) -> None:
    """Write the writer's buffered block as W3PostingsWriter._write_block does, except that
    a block smaller than MIN_COMPRESSED_BYTES is stored uncompressed.

    Most terms have a handful of postings, and zlib.compress costs ~25 us a call however
    small its input (it sets up a 256 KiB state), which was the largest single cost of
    writing postings. Readers honour the per-block compression flag, so nothing changes
    for them.
    """
    postfile = writer._postfile
    if not writer._blockcount:
        postfile.write(WHOOSH3_HEADER_MAGIC)
    writer._terminfo.add_block(writer)
    databytes = dumps((writer._mini_ids(), writer._mini_weights(), writer._mini_values()), 2)
    compression = writer._compression if len(databytes) >= MIN_COMPRESSED_BYTES else 0
    if compression:   # ISA-L: the zlib stream readers inflate, in a quarter of the CPU
        databytes = isal_zlib.compress(databytes, compression)
    ids = writer._ids
    infobytes = dumps((len(ids), ids[-1], writer._maxweight, compression,
                       length_to_byte(writer._minlength), length_to_byte(writer._maxlength)), 2)
    blocklength = len(infobytes) + len(databytes)
    postfile.write_int(-blocklength if last else blocklength)
    postfile.write(infobytes)
    postfile.write(databytes)
    writer._blockcount += 1
    writer._new_block()
