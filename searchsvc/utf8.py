"""Text to UTF-8 bytes with its few distinct non-ASCII characters replaced, for the byte-level
word passes of indexing: index tokens, the duplicate hash, shingle words. Shared by ingest and
the Whoosh backend; the query analyzer's module uses it too, so it imports nothing heavy.
"""
from __future__ import annotations

from typing import Callable

_ASCII_BYTES = bytes(range(0x80))


def utf8_replacing(text: str, replacement_of: Callable[[str], bytes | None],
                   replacements: dict[str, bytes | None]) -> bytes:
    """Return text's UTF-8 bytes (lone surrogates kept) with each distinct non-ASCII
    character replaced by the bytes replacement_of(character) gives (None: kept as it is),
    remembered in `replacements`.

    Cheap because a text holds few distinct non-ASCII characters (two an article in the
    news dataset), exact because UTF-8 is self-synchronising: a character's bytes are found
    only where that character is.
    """
    data = text.encode("utf-8", "surrogatepass")
    if text.isascii():
        return data
    for char in set(data.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")):
        if char not in replacements:
            replacements[char] = replacement_of(char)
        replacement = replacements[char]
        if replacement is not None:
            data = data.replace(char.encode("utf-8", "surrogatepass"), replacement)
    return data
