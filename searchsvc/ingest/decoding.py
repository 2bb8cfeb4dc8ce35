"""Page and file bytes to text: byte-order marks, UTF-8, a declared charset, detection."""
from __future__ import annotations

from charset_normalizer import from_bytes


class NotText(ValueError):
    """Raised when bytes are not text (binary, empty)."""


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
