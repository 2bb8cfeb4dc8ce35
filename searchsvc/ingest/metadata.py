"""Titles and one-line metadata values of articles as the readers find them."""
from __future__ import annotations

import re

def derive_title(body: str, max_chars: int = 90) -> str:
    """Return a readable title made from the opening words of the body."""
    text = re.sub(r"\s+", " ", body or "").strip()
    if not text:
        return "(untitled article)"
    sentence_end = re.search(r"(?<=[a-z0-9”\"')])[.!?](?=\s|$)", text)
    first = text[:sentence_end.end()] if sentence_end else text
    if len(first) <= max_chars:
        return first.rstrip(".")
    cut = text[:max_chars].rsplit(" ", 1)[0].rstrip(",;:—–-")
    return cut + "…"


# Between two people's names in a byline: a comma, a semicolon, "and", "&", "with".
_NAME_SEPARATOR_RE = re.compile(r"\s*(?:[,;/|]|\band\b|&|\bwith\b)\s*", re.IGNORECASE)


def split_names(value: str | None) -> list[str]:
    """Return the names of a byline or list string ("Ann Lee, Bo Chen and Cy Dunn"), in order,
    each once."""
    if not value:
        return []
    # Quotes around a name are the dataset's, not the name's ('"Cortney OBrien"').
    names = (re.sub(r"\s+", " ", part).strip(" .\"'“”‘’")
             for part in _NAME_SEPARATOR_RE.split(value))
    return list(dict.fromkeys(name[:120] for name in names if name))


def clean_text_value(value: object, max_chars: int = 500) -> str | None:
    """Return a one-line, whitespace-folded string, or None when empty."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(item) for item in value if item)
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text[:max_chars] if text else None
