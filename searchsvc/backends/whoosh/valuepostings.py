"""A segment's postings of one field indexed through Whoosh's field.index(): ids, numbers,
dates, names; grouped by the field's value as documents arrive, by term when written.

The values of most such fields repeat from document to document (years, months and dates,
each 8 shift-step terms; outlets, languages, source files, authors), and what index()
yields depends on the field and the value alone. Putting each document's postings into
per-term lists (an append of its docnum, weight and value per term, about 30 a document)
was most of what adding a document cost outside the text fields. Here a document adds its
docnum to its value's list; when the segment is written, each value's terms take that list
whole, and a term made by several values (a year's coarser shift steps) gets their
documents merged in docnum order.
"""
from __future__ import annotations

from array import array

import numpy as np

# A term's lists as the bulk writer writes them: docnums, weights (float32), encoded
# values ([] for formats without values), None (no positions kept).
TermLists = tuple[array, array, list, None]


class ValuePostings:
    """Postings of one field, by value (or by term for a unique field's values)."""

    def __init__(self, field) -> None:
        self._field = field
        # Formats with no values (ID, NUMERIC) keep no list of them.
        self._keep_values = field.format.fixed_value_size() != 0
        # (type, value, boost) -> (what index(value) yields, the field's length, docnums)
        self._groups: dict[tuple, tuple[list, int, array]] = {}
        self._terms: dict[bytes, TermLists] = {}    # postings added one by one

    def add(self, docnum: int, value, boost: float) -> tuple[int, int]:
        """Add a document's value; return (the field's length, the postings it made)."""
        field = self._field
        if not field.unique:
            # 1 and 1.0 and True are one dict key, not one value
            key = (type(value), value, boost)
            try:
                group = self._groups.get(key)
            except TypeError:       # an unhashable value (a list of words)
                group = ()
            if group is None:
                postings = list(field.index(value))
                group = self._groups[key] = (postings, sum(p[1] for p in postings),
                                             array("I"))
            if group:
                group[2].append(docnum)
                return group[1], len(group[0])
        length = count = 0
        terms = self._terms
        for tbytes, freq, weight, vbytes in field.index(value):
            length += freq
            count += 1
            lists = terms.get(tbytes)
            if lists is None:
                lists = terms[tbytes] = (array("I"), array("f"), [], None)
            lists[0].append(docnum)
            lists[1].append(weight * boost)
            if self._keep_values:
                lists[2].append(vbytes)
        return length, count

    def terms(self) -> dict[bytes, TermLists]:
        """Return {term bytes: its lists}, each in docnum order, and release the postings."""
        terms, groups = self._terms, self._groups
        self._terms, self._groups = {}, {}
        pieces: dict[bytes, list] = {}
        for (_, _, boost), (postings, _, docnums) in groups.items():
            for tbytes, _, weight, vbytes in postings:
                found = pieces.get(tbytes)
                if found is None:
                    found = pieces[tbytes] = []
                found.append((docnums, weight * boost, vbytes))
        keep_values = self._keep_values
        for tbytes, parts in pieces.items():
            alone = terms.get(tbytes)
            if alone is None and len(parts) == 1:
                docnums, weight, vbytes = parts[0]
                count = len(docnums)
                terms[tbytes] = (docnums, array("f", [weight]) * count,
                                 [vbytes] * count if keep_values else [], None)
                continue
            if alone is not None:
                parts.append(alone)
            terms[tbytes] = _merged(parts, keep_values)
        return terms


def _merged(parts: list, keep_values: bool) -> TermLists:
    """Return one term's lists from several values' (docnums, weight, value) and at most
    one list of postings added one by one, in docnum order."""
    docnums, weights, values = array("I"), array("f"), []
    for part in parts:
        if len(part) == 4:      # (docnums, weights, values, None)
            docnums.extend(part[0])
            weights.extend(part[1])
            values.extend(part[2])
            continue
        held, weight, vbytes = part
        docnums.extend(held)
        weights.extend(array("f", [weight]) * len(held))
        if keep_values:
            values.extend([vbytes] * len(held))
    order = np.argsort(np.frombuffer(docnums, dtype=np.uint32), kind="stable")
    return (array("I", np.frombuffer(docnums, dtype=np.uint32)[order].tobytes()),
            array("f", np.frombuffer(weights, dtype=np.float32)[order].tobytes()),
            [values[i] for i in order.tolist()] if values else [], None)
