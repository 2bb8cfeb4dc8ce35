"""The text snippets are drawn from: an article's body without page furniture lines
("Advertisement", "Sign up for our newsletter", rules) and without the headline repeated
at its start.

The index build stores each article's passage_runs, so that a search reads the passage text
as slices of the body instead of scanning every hit's body for furniture again (about
half of the snippets' CPU); an index without them has them computed at search time.
"""
from __future__ import annotations

import re
from bisect import bisect_right

WORD_RE = re.compile(r"\w+(?:\.?\w+)*")
# Characters that IGNORECASE matches to an ASCII letter but str.lower() does not turn into
# it (or turns into two characters): long s, Kelvin sign, dotless i, dotted capital I.
CASE_SPECIALS = ("\u017f", "\u212a", "\u0131", "\u0130")


# Lines that are the page around the article, not the article: a whole line of "Advertisement",
# a wire's "Reuter", rules and ornaments; or a short line signing the reader up, asking to
# follow or click, or stating copyright.
_NOISE_LINE_RE = re.compile(
    r"(?:advertisement:?|ad|reuters?|photo|close|story continued below|more on this\W*"
    r"|read more:?|more:|\[pullquote\]|[\W_]+)", re.IGNORECASE)
_NOISE_PHRASE_RE = re.compile(
    r"\b(?:sign(?:ing)? up\b|signup\b|newsletters?\b|subscribe (?:to|now|here)\b"
    r"|click here\b|copyright\s*(?:©|\(c\)|\d{4})|©\s*\d{4}|all rights reserved"
    r"|follow (?:us|@)|delivered to your inbox|continue reading\b|get the [\w ]{1,30} app\b"
    r"|image copyright|opinions expressed|views expressed|contributed to this report"
    r"|support [\w’' ]{1,30}journalism)", re.IGNORECASE)
NOISE_LINE_WORDS = 30          # a longer line is text, whatever it says


# What every match of _NOISE_PHRASE_RE holds, in lowercase: a line holding none of these
# cannot match it. Found with str.find in the lowercased body, many times faster than
# _NOISE_PHRASE_RE run on every line (or an alternation of the cues run once).
_NOISE_CUES = ("sign", "newsletter", "subscribe ", "click here", "copyright", "©",
               "all rights reserved", "follow ", "delivered to your inbox",
               "continue reading", "get the ", "expressed", "contributed to this report",
               "journalism")
# A line _NOISE_LINE_RE matches that is longer than this either opens with a character
# that is not a letter or digit, or with "more on this" (then only non-word characters).
_NOISE_LINE_CHARS = len("story continued below")
_MORE_ON_THIS_RE = re.compile(r"more on this", re.IGNORECASE)


def _is_noise(line: str, cue: bool = True) -> bool:
    """Tell whether a line is page furniture (see _NOISE_LINE_RE and _NOISE_PHRASE_RE);
    cue=False: the line holds none of _NOISE_CUES, so the phrases need no search."""
    line = line.strip()
    if not line:
        return False
    # Only these lines can match _NOISE_LINE_RE (str.isalnum is re's \w but "_").
    if (len(line) <= _NOISE_LINE_CHARS or not line[0].isalnum()
            or (line[0] in "mM" and _MORE_ON_THIS_RE.match(line))):
        if _NOISE_LINE_RE.fullmatch(line):
            return True
    return cue and (len(line.split()) <= NOISE_LINE_WORDS
                    and bool(_NOISE_PHRASE_RE.search(line)))


def _noise_cues(body: str, lowered: str) -> list[int] | None:
    """Return where _NOISE_CUES start in the body (lowered: body.lower()), sorted, or None
    when lowercasing could hide one (a character that IGNORECASE matches to a cue's letter
    but lower() does not turn into it, or one lower() turns into two, moving the offsets)."""
    if len(lowered) != len(body) or any(special in body for special in CASE_SPECIALS):
        return None
    cues = []
    for cue in _NOISE_CUES:
        index = lowered.find(cue)
        while index >= 0:
            cues.append(index)
            index = lowered.find(cue, index + 1)
    return sorted(cues)


def passage_text(body: str, title: str | None = None) -> str:
    """Return the text snippets are drawn from: the body without the headline repeated at
    its start (the whole first line, or its opening words) and without page furniture lines.
    """
    return passage_text_lowered(body, title)[0]


# How much of a passage text passage_text_lowered folds: what make_snippets reads first.
FOLDED_CHARS = 8_000


def fold(text: str) -> bytes:
    """Return text's ASCII letters lowercased and every non-ASCII character as "?", one
    byte a character (offsets stay), for finding lowercase ASCII words in bytes.

    Several times cheaper than str.lower() on a text holding any non-ASCII character.
    """
    return text.encode("ascii", "replace").lower()


def passage_text_lowered(body: str, title: str | None = None,
                         runs: tuple[int, ...] | None = None) -> tuple[str, bytes]:
    """Return passage_text and the fold() of its first FOLDED_CHARS characters (for
    make_snippets: lowering a long text costs tens of µs, folding it a few). runs:
    passage_runs(body, title), when the index stored them."""
    if runs is None:
        runs = passage_runs(body, title)
    stripped = "\n".join(map(body.__getitem__, map(slice, runs[::2], runs[1::2]))).strip()
    return stripped, fold(stripped[:FOLDED_CHARS])


def passage_runs(body: str, title: str | None = None) -> tuple[int, ...]:
    """Return the body's ranges passage_text keeps, as (start, end, start, end, ...): its
    lines but furniture, the headline cut off the first, neighbouring lines merged (joined
    by line breaks they give the text), a tuple of ints because the index stores it."""
    return tuple(offset for run in _kept_runs(body, title, body.lower()) for offset in run)


def kept_ranges(body: str, title: str | None = None,
                lowered: str | None = None) -> list[tuple[int, int]]:
    """Return the (start, end) ranges of the body that snippets may show, in order: its
    lines but page furniture, the first one without the headline repeated at its start
    (lowered: body.lower(), when the caller has it)."""
    lines, starts, noise, cut = _furniture(body, title, lowered)
    ranges = [(start, start + len(line)) for number, (line, start)
              in enumerate(zip(lines, starts)) if number not in noise]
    if cut is not None:
        number, end = cut
        ranges = [(start + end, stop) if start == starts[number] else (start, stop)
                  for start, stop in ranges]
    return ranges


def _kept_runs(body: str, title: str | None, lowered: str) -> list[tuple[int, int]]:
    """Return kept_ranges with neighbouring lines merged: joined by line breaks, both give
    the same text, and a body has far fewer runs than lines."""
    lines, starts, noise, cut = _furniture(body, title, lowered)
    runs = []
    run_start = 0
    for number in sorted(noise):
        if starts[number] > run_start:
            runs.append((run_start, starts[number] - 1))
        run_start = starts[number] + len(lines[number]) + 1
    if run_start <= len(body):
        runs.append((run_start, len(body)))
    if cut is not None:
        number, end = cut
        line_start = starts[number]
        index = next(i for i, (start, stop) in enumerate(runs) if start <= line_start <= stop)
        start, stop = runs[index]
        runs[index:index + 1] = ([(start, line_start - 1)] if start < line_start else []) + [
            (line_start + end, stop)]
    return runs


def _furniture(body: str, title: str | None, lowered: str | None
               ) -> tuple[list[str], list[int], set[int], tuple[int, int] | None]:
    """Return the body's lines, where each starts, the numbers of the furniture lines, and
    (line number, characters) of the headline repeated at the start of the first kept
    line (None if it is not)."""
    lines = body.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    cues = _noise_cues(body, body.lower() if lowered is None else lowered)
    if cues is None:               # lowercasing could hide a cue: every line is searched
        noise = {number for number, line in enumerate(lines) if _is_noise(line)}
    else:
        # A line where a cue starts may match a noise phrase (no cue holds a line break).
        cued = {bisect_right(starts, cue) - 1 for cue in cues}
        noise = {number for number in cued if _is_noise(lines[number])}
        # Otherwise only a line that is short, or opens with a character that is not a
        # letter or digit (or with "more on this") can be furniture: the rest are passed
        # over with a few cheap tests (no leading or trailing space, so none to strip).
        noise.update(number for number, line in enumerate(lines)
                     if line and number not in cued
                     and not (len(line) > _NOISE_LINE_CHARS and line[0].isalnum()
                              and line[0] not in "mM" and not line[-1].isspace())
                     and _is_noise(line, False))
    words = WORD_RE.findall(title or "")
    first = next((number for number, line in enumerate(lines)
                  if number not in noise and line.strip()), None)
    cut = None
    if words and first is not None:
        # The headline's words at the start of the first line, whatever lies between them.
        end = _heading_end(lines[first], words)
        if end:
            cut = (first, end)
    return lines, starts, noise, cut


_NON_WORD_RE = re.compile(r"\W*")
_WORD_CHAR_RE = re.compile(r"\w")


def _heading_end(line: str, words: list[str]) -> int | None:
    """Return where the headline's words, at the start of line, end (with the non-word
    characters after them), whatever lies between them; None if the line does not open so.

    The same as matching ``\\W*w1\\W+w2...wn(?!\\w)\\W*`` ignoring case, without compiling a
    pattern per headline (that cost about a millisecond a hit, every title being new).
    Each word starts and ends with a word character, so the separators cannot overlap them.
    """
    position = _NON_WORD_RE.match(line).end()
    for number, word in enumerate(words):
        if number:
            separator = _NON_WORD_RE.match(line, position).end()
            if separator == position:
                return None
            position = separator
        if line[position:position + len(word)].lower() != word.lower():
            return None
        position += len(word)
    if _WORD_CHAR_RE.match(line, position):
        return None
    return _NON_WORD_RE.match(line, position).end()
