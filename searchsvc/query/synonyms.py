"""Query-time synonyms: groups of equivalent words and phrases, read from a file."""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence


@dataclass
class Synonyms:
    """Groups of equivalent terms (words or phrases), applied to queries."""

    groups: list[tuple[str, ...]] = field(default_factory=list)

    @classmethod
    def load(cls, path: str | os.PathLike | None) -> "Synonyms":
        """Read a synonyms file: one comma-separated group per line, '#' comments."""
        groups: list[tuple[str, ...]] = []
        if path and Path(path).is_file():
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                terms = tuple(dict.fromkeys(
                    re.sub(r"\s+", " ", term).strip().lower()
                    for term in line.split(",") if term.strip()))
                if len(terms) > 1:
                    groups.append(terms)
        return cls(groups)

    def _alternatives(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """Return each synonym (as a tuple of lowercase words) mapped to its group."""
        return _synonym_table(tuple(self.groups))

    def group_words(self, words: Sequence[str]) -> tuple[list[list[str]], list[str]]:
        """Split plain words into clauses; a word or phrase with synonyms becomes alternatives.

        Returns the clauses (each a list of alternative words or phrases) and notes.
        """
        table = self._alternatives()
        longest = max((len(key) for key in table), default=0)
        lowered = [re.sub(r"'s$", "", word.lower().replace("’", "'")) for word in words]
        clauses: list[list[str]] = []
        applied: list[str] = []
        index = 0
        while index < len(words):
            for size in range(min(longest, len(words) - index), 0, -1):
                key = tuple(lowered[index:index + size])
                if key in table:
                    group = table[key]
                    written = " ".join(key)
                    applied.append(f"{written} → {' | '.join(t for t in group if t != written)}")
                    if size == 1:
                        clauses.append(list(group))
                    else:
                        # The words as typed stay words (all required, each with its own
                        # synonyms), beside the phrases they are synonyms of: "Myanmar
                        # military" is myanmar|burma AND military, or "tatmadaw", ...
                        typed = [list(table.get((word,), (word,))) for word in key]
                        clauses.append([typed if term == written else term for term in group])
                    index += size
                    break
            else:
                clauses.append([words[index]])
                index += 1
        return clauses, applied


@functools.lru_cache(maxsize=8)
def _synonym_table(groups: tuple[tuple[str, ...], ...]
                   ) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Return each synonym (a tuple of lowercase words) mapped to its group (built once)."""
    by_words: dict[tuple[str, ...], tuple[str, ...]] = {}
    for group in groups:
        for term in group:
            by_words.setdefault(tuple(term.split()), group)
    return by_words
