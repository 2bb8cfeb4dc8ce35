"""Near-duplicate articles (the same wire copy at several outlets): MinHash, LSH, clusters.

Backend-neutral: a builder computes one signature per article from its body, keeps it
with the article (the Whoosh backend in a column), and at the end of a build groups the
generation's articles into story clusters with :func:`cluster_signatures`.

- **Shingles**: the body's words, case-folded, in overlapping runs of SHINGLE_WORDS; each run
  hashed to 64 bits (CRC-32 of the words, mixed by position, so a signature is the same in
  every process and Python version: ``hash()`` of a string is salted per process).
- **MinHash**: PERMUTATIONS values by one permutation hashing (see :func:`signature`); the
  share of equal positions of two signatures estimates the Jaccard similarity of their
  shingle sets (standard error about sqrt(J(1-J)/128): 0.04 at J = 0.8).
- **LSH banding**: BANDS bands of ROWS values; two articles agreeing on a whole band are a
  candidate pair. The chance that a pair of similarity s is a candidate is
  1 - (1 - s**ROWS)**BANDS: 0.9998 at s = 0.7, 0.87 at 0.5, 0.23 at 0.3, so that
  copies at the threshold are candidates however their noise falls.
- **Verification**: a candidate pair is a copy only if its estimated Jaccard is at least
  THRESHOLD; a band collision alone never links two articles.
- **Clusters**: articles are taken oldest first; an article joins the cluster of the
  earliest *cluster leader* it is a copy of, or leads a new one. Every member is then a
  copy of its leader (so any two members have Jaccard >= 2 * THRESHOLD - 1, by the triangle
  inequality of the Jaccard distance): similar articles cannot chain into a giant cluster
  the way connected components of the copy graph do.

THRESHOLD = 0.7: wire copy republished with small edits (a changed headline, an outlet's
dateline, a dropped closing paragraph) keeps most 5-word runs. One changed word changes five
shingles, so 10 scattered edits in a 500-word story leave J ~ 0.9, and dropping the last 20%
of a story leaves J = 0.8: copies are at J >= 0.8. The estimate has a standard error of about
0.04 there, so a threshold at 0.8 would lose about half the copies whose true J is 0.8; 0.7
is 2.5 standard errors below, keeping ~99% of them. Two different reports of the same event
share phrases (quotes, names) but rarely 70% of their 5-word runs; the sample checked by
reading in BENCHMARKS.md measures it.

Bodies of fewer than MIN_WORDS words (headline-only records, one-line briefs, boilerplate
such as "subscribe to read") get no signature and never cluster: they are too short for
"the same text" to mean "the same story".
"""
from __future__ import annotations

import hashlib
import re
import zlib
from typing import Callable, Sequence

import numpy as np

from ..utf8 import utf8_replacing

SHINGLE_WORDS = 5
PERMUTATIONS = 128
BANDS = 32
ROWS = PERMUTATIONS // BANDS          # 4
THRESHOLD = 0.7
MIN_WORDS = 40
# Signature bytes: a version byte, then PERMUTATIONS little-endian uint32. A changed scheme
# changes the version, and signatures of another version are ignored (never compared).
VERSION = 1
SIGNATURE_BYTES = 1 + 4 * PERMUTATIONS
# A band shared by more articles than this is treated as boilerplate, not as copies: only
# the first LARGEST_BUCKET of them (oldest first) are candidates of each other. Keeps the
# pair count linear even when thousands of articles share one passage.
LARGEST_BUCKET = 200
WORD_RE = re.compile(rb"\w+")
# Byte -> itself for the bytes WORD_RE's \w matches (ASCII letters, digits, "_"), else a
# space: translating a text by it and splitting at spaces gives WORD_RE's words, in a
# quarter less time than the regex.
_WORD_BYTES = bytes(byte if chr(byte).isascii() and (chr(byte).isalnum() or byte == 95)
                    else 32 for byte in range(256))


def _constants(label: str, count: int) -> np.ndarray:
    """Return `count` fixed odd 64-bit constants derived from a label (the same everywhere)."""
    values = [int.from_bytes(hashlib.blake2b(f"{label}-{i}".encode(), digest_size=8).digest(),
                             "little") | 1 for i in range(count)]
    return np.array(values, dtype=np.uint64)


_POSITION = _constants("shingle-position", SHINGLE_WORDS)
_BAND_MIX = _constants("band-row", ROWS)
_ROTATION = np.uint64(0x9E3779B9)     # added per bin skipped when an empty bin borrows
_LOW32 = np.uint64(0xFFFFFFFF)
_BIN_BITS = np.uint64(PERMUTATIONS.bit_length() - 1)


def _mix(values: np.ndarray) -> np.ndarray:
    """Return the splitmix64 finaliser of 64-bit values (every input bit moves every output bit)."""
    values = values ^ (values >> np.uint64(30))
    values *= np.uint64(0xBF58476D1CE4E5B9)
    values ^= values >> np.uint64(27)
    values *= np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


# Byte -> its lower case for ASCII letters, itself for ASCII digits and "_", else a space:
# what casefold() and then _WORD_BYTES give an ASCII character (see shingle_words).
_FOLDED_WORD_BYTES = bytes(ord(chr(byte).lower()) if _WORD_BYTES[byte] != 32 else 32
                           for byte in range(256))
# non-ASCII character -> the UTF-8 bytes of its case folding if that holds an ASCII
# character (ß -> ss, the Kelvin sign -> k), else None
_ASCII_FOLDINGS: dict[str, bytes | None] = {}


def _folding_if_ascii(char: str) -> bytes | None:
    """Return the UTF-8 bytes of a character's case folding if it holds ASCII, else None."""
    folded = char.casefold()
    return folded.encode("utf-8", "surrogatepass") if any(map(str.isascii, folded)) else None


def shingle_words(text: str) -> list[bytes]:
    """Return WORD_RE's words of the case-folded text's UTF-8 bytes, the words of shingles.

    The same as text.casefold().encode().translate(_WORD_BYTES).split(), without case
    folding the whole text (about 15% less time on the news bodies): a non-ASCII
    character's bytes are all separators unless its folding holds an ASCII character, so
    only those few characters are replaced by their foldings (casefold() folds character
    by character), and a table lowers the ASCII letters.
    """
    data = utf8_replacing(text, _folding_if_ascii, _ASCII_FOLDINGS)
    return data.translate(_FOLDED_WORD_BYTES).split()


def shingles(text: str) -> np.ndarray:
    """Return the 64-bit hashes of a text's SHINGLE_WORDS-word runs (empty if too short).

    Words are runs of ASCII letters and digits of the case-folded UTF-8 text (other
    letters separate words, the same way in every copy): matching them as bytes is a third
    faster than as str, and the same article gives the same words either way.
    """
    words = shingle_words(text)
    if len(words) < MIN_WORDS:
        return np.empty(0, dtype=np.uint64)
    crcs = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    runs = len(words) - SHINGLE_WORDS + 1
    mixed = np.zeros(runs, dtype=np.uint64)
    for position in range(SHINGLE_WORDS):       # wraps modulo 2**64, as intended
        mixed += crcs[position:position + runs] * _POSITION[position]
    return _mix(mixed)


def signature(text: str) -> np.ndarray | None:
    """Return the MinHash signature (PERMUTATIONS uint32) of a body, None if it is too short.

    One permutation hashing (Li, Owen and Zhang 2012): each shingle's hash picks a bin
    (low bits) and competes for that bin's minimum (high 32 bits), so each shingle is
    hashed once instead of PERMUTATIONS times (4x faster on the news bodies, the same
    estimator). An empty bin takes the next non-empty bin's value, shifted by a constant
    per bin skipped (densification by rotation, Shrivastava and Li 2014), so that two
    texts agree on a bin with probability about their Jaccard similarity.
    """
    hashes = shingles(text)
    if hashes.size == 0:
        return None
    keys = ((hashes & np.uint64(PERMUTATIONS - 1)) << np.uint64(32)) | (hashes >> np.uint64(32))
    keys.sort()
    bins = (keys >> np.uint64(32)).astype(np.int64)
    first = np.r_[True, bins[1:] != bins[:-1]]
    filled = bins[first]
    values = np.zeros(PERMUTATIONS, dtype=np.uint64)
    values[filled] = keys[first] & _LOW32
    if filled.size < PERMUTATIONS:
        # For each bin, the first filled bin at or after it (circularly) and the distance.
        positions = np.arange(PERMUTATIONS)
        after = np.searchsorted(filled, positions) % filled.size
        donor = filled[after]
        distance = ((donor - positions) % PERMUTATIONS).astype(np.uint64)
        values = (values[donor] + distance * _ROTATION) & _LOW32
    return values.astype(np.uint32)


def signature_bytes(text: str) -> bytes:
    """Return a body's signature as stored (b"" when it has none): version byte + uint32s."""
    values = signature(text)
    if values is None:
        return b""
    return bytes([VERSION]) + values.astype("<u4").tobytes()


def from_bytes(data: bytes | None) -> np.ndarray | None:
    """Return a stored signature's values, None if absent or of another version."""
    if not data or len(data) != SIGNATURE_BYTES or data[0] != VERSION:
        return None
    return np.frombuffer(data, dtype="<u4", offset=1).astype(np.uint32)


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """Return the (articles, BANDS) uint32 keys of the bands of (articles, PERMUTATIONS).

    32 bits a key keep a million articles' keys in 128 MB; two different bands collide by
    chance in about n**2 / 2**33 pairs a band (3,700 for a million articles over all
    bands), which verification then drops.
    """
    bands = signatures.astype(np.uint64).reshape(len(signatures), BANDS, ROWS)
    mixed = _mix((bands * _BAND_MIX[None, None, :]).sum(axis=2, dtype=np.uint64))
    return (mixed >> np.uint64(32)).astype(np.uint32)


def estimated_jaccard(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Return the estimated Jaccard similarity of paired signatures (rows of two arrays)."""
    return (first == second).mean(axis=-1)


def candidate_pairs(keys: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Return the (earlier, later) pairs of rows sharing a band key, each pair once.

    keys: (articles, BANDS) band keys; rank: each row's place, oldest first (distinct).
    Within a bucket every member pairs with every earlier member, for the LARGEST_BUCKET
    earliest members of a bucket.
    """
    found = []
    for band in range(keys.shape[1]):
        column = keys[:, band]
        rows = np.lexsort((rank, column))
        sorted_keys = column[rows]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, sorted_keys.size])
        for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
            members = rows[start:start + min(size, LARGEST_BUCKET)]
            later, earlier = np.tril_indices(members.size, -1)
            found.append(np.stack([members[earlier], members[later]], axis=1))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(found).astype(np.int64), axis=0)


def assign_leaders(rank: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Return each row's cluster leader (a row), given verified (earlier, later) copy pairs.

    Rows are taken in rank order; a row joins the earliest-ranked leader it is a copy of,
    or is a leader itself.
    """
    leader = np.arange(rank.size, dtype=np.int64)
    if pairs.size == 0:
        return leader
    # By the later row's rank, then the earlier row's rank: each row meets its earliest
    # partners first, and every earlier row is placed before a later one looks at it.
    pairs = pairs[np.lexsort((rank[pairs[:, 0]], rank[pairs[:, 1]]))]
    placed = -1
    for earlier, later in pairs.tolist():
        if later == placed:
            continue                    # already joined an earlier-ranked leader
        if leader[earlier] == earlier:  # a leader: join it
            leader[later] = earlier
            placed = later
    return leader


def find_clusters(rank: np.ndarray, read: Callable[[np.ndarray], np.ndarray],
                  chunk: int = 20_000) -> np.ndarray:
    """Return the cluster leader (a row) of each of len(rank) articles that have signatures.

    rank: each row's place, oldest first (distinct); read(rows): their signatures as an
    (len(rows), PERMUTATIONS) array. Signatures are read twice, a chunk at a time: all of
    them for the band keys, then those of rows in candidate pairs to verify the pairs, so
    that memory holds BANDS keys an article, not PERMUTATIONS values.
    """
    count = rank.size
    keys = np.empty((count, BANDS), dtype=np.uint32)
    for start in range(0, count, chunk):
        rows = np.arange(start, min(start + chunk, count))
        keys[rows] = band_keys(read(rows))
    pairs = candidate_pairs(keys, rank)
    del keys
    if pairs.size:
        involved = np.unique(pairs)
        signatures = np.concatenate([read(involved[start:start + chunk])
                                     for start in range(0, involved.size, chunk)])
        first = signatures[np.searchsorted(involved, pairs[:, 0])]
        second = signatures[np.searchsorted(involved, pairs[:, 1])]
        pairs = pairs[estimated_jaccard(first, second) >= THRESHOLD]
    return assign_leaders(rank, pairs)


def cluster_signatures(signatures: Sequence[np.ndarray | None],
                       dates: Sequence[object]) -> np.ndarray:
    """Return the cluster leader (an index) of each article, itself when it has no copy.

    signatures: each article's signature or None; dates: sortable keys, oldest first (ties
    by position). For builders holding every signature in memory (small corpora, tests).
    """
    count = len(signatures)
    present = np.array([s is not None for s in signatures], dtype=bool)
    rows = np.flatnonzero(present)
    place = sorted(range(count), key=lambda i: (dates[i], i))
    rank = np.empty(count, dtype=np.int64)
    rank[place] = np.arange(count)
    matrix = np.array([signatures[row] for row in rows], dtype=np.uint32).reshape(
        rows.size, PERMUTATIONS)
    leaders = np.arange(count, dtype=np.int64)
    if rows.size:
        leaders[rows] = rows[find_clusters(rank[rows], lambda wanted: matrix[wanted])]
    return leaders
