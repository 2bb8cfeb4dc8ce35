"""Page and file bytes to text: byte-order marks, UTF-8, a declared charset, detection."""
from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

from charset_normalizer import from_bytes
from isal import igzip, isal_zlib

# What inflating a damaged .gz file raises, besides OSError (gzip.BadGzipFile, a bad check)
# and EOFError (a truncated file).
INFLATE_ERRORS = (EOFError, isal_zlib.error)
_GZIP_MAGIC = b"\x1f\x8b"

WESTERN = "cp1252"    # Windows Western European; a superset of Latin-1's printable characters
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")
# What Western European text holds beyond ASCII: accented letters and typographic marks.
_WESTERN_CHARS = frozenset("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿŒœŸ"
                           "“”‘’‚„–—…•€™«»°£¥©®§¡¿·\xa0")
# Czech ř, ě, ů, ň in cp1250 are ø, ì, ù, ò in cp1252: inside a word, rare in Western
# languages (Italian and French put ì, ù, ò at a word's end), so a sign of cp1250.
_CP1250_SIGN_RE = re.compile(r"(?<=[^\W\d_])[øìùòØÌÙÒ](?=[^\W\d_])")


class NotText(ValueError):
    """Raised when bytes are not text (binary, empty)."""


class NotGzip(OSError):
    """Raised when a file named .gz does not start with gzip's header."""


def open_lines(path: Path) -> BinaryIO:
    """Open a file to read its lines as bytes, inflating it if its name ends in .gz.

    ISA-L's igzip gives the bytes gzip gives, in about a third of the CPU (0.47 against
    1.35 s for the 63k dataset, which a build reads twice). Raises NotGzip for a .gz file
    that is not gzip data (igzip would call it truncated); reading a damaged one raises
    OSError or one of INFLATE_ERRORS.
    """
    if not path.name.lower().endswith(".gz"):
        return open(path, "rb")
    with open(path, "rb") as handle:
        if handle.read(2) not in (_GZIP_MAGIC, b""):
            raise NotGzip("not a gzip file (its first bytes are not gzip's header)")
    return igzip.open(path, "rb")


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """Decode bytes by detection: BOM, then UTF-8, a declared charset, then charset detection.

    Returns the text and notes about any repair made. Raises NotText for binary data.
    """
    notes: list[str] = []
    if not data.strip():
        raise NotText("empty file")
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"),
                       (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), notes
    if b"\x00" in data[:8192]:
        raise NotText("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            return data.decode(declared), notes
        except (LookupError, UnicodeDecodeError):
            pass
    # UTF-8 with a few bad bytes: more characters it decodes than bytes it cannot. A
    # single-byte page read as UTF-8 decodes next to none (é then a letter is no sequence).
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if len(_NON_ASCII_RE.findall(text)) - bad > bad:
        notes.append(f"{bad} undecodable byte{'s' * (bad > 1)} replaced (read as UTF-8)")
        return text, notes
    if _reads_as_western(data):
        notes.append(f"decoded as {WESTERN} (not UTF-8)")
        return data.decode(WESTERN), notes
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        control = sum(1 for byte in data[:4096] if byte < 9 or 13 < byte < 32)
        if control > len(data[:4096]) * 0.05:
            raise NotText("binary file (not text in any known encoding)")
        notes.append("undecodable bytes replaced (encoding unknown, read as UTF-8)")
        return data.decode("utf-8", errors="replace"), notes
    text = data.decode(best.encoding, errors="replace")
    notes.append(f"decoded as {best.encoding} (not UTF-8)")
    return text, notes


def _reads_as_western(data: bytes) -> bool:
    """Tell whether bytes read as Western European text in cp1252.

    Charset detection scores cp1250 as high as cp1252 on French or German ("très" becomes
    "trčs"), and names languages unreliably: cp1252 is taken when it decodes every byte
    into accented letters and typographic marks only, those are a small part of the
    letters (Cyrillic read as cp1252 is all accented letters), and no word shows a sign
    of Czech or Slovak in cp1250.
    """
    try:
        text = data.decode(WESTERN)
    except UnicodeDecodeError:
        return False
    extra = _NON_ASCII_RE.findall(text)
    if not extra or not set(extra) <= _WESTERN_CHARS or _CP1250_SIGN_RE.search(text):
        return False
    letters = sum(1 for char in text if char.isalpha())
    return sum(1 for char in extra if char.isalpha()) <= 0.3 * letters


_MOJIBAKE_RE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac|\u00ef\u00bb\u00bf")
_MOJIBAKE_FIRST = "\u00c2\u00c3\u00e2\u00ef"      # the characters a match of it opens with


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Latin-1/cp1252 ('Ã©', 'â€™') where it is plainly present."""
    # Every match opens with one of four characters, which most texts lack: looking for
    # them (str's own search) is far cheaper than running the pattern over a whole body.
    if not text or not any(map(text.__contains__, _MOJIBAKE_FIRST)) \
            or not _MOJIBAKE_RE.search(text):
        return text
    import ftfy   # imported lazily: only dirty records pay for it
    return ftfy.fix_text(text)
