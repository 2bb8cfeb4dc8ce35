"""Reading articles: formats, encodings and metadata extraction into Article records.

A corpus is a folder of article files (``.txt``, ``.html``/``.htm``, ``.jsonl``,
``.jsonl.gz``) or a single such file. Reading never raises on bad input: every
problem becomes a :class:`Skipped` record with a reason, and everything good is
still yielded.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from .decoding import INFLATE_ERRORS, NotText, decode_bytes, open_lines, repair_mojibake
from .extract import ExtractedArticle, article_from_text
from .pagetree import declared_charset
from ..dates import PartialDate, parse_date
from ..outlets import OutletRegistry
from .metadata import clean_text_value, derive_title
from .outletnames import name_outlet, survey_jsonl

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
SIDECAR_NAME = "metadata.toml"
MAX_FILE_BYTES = 20 * 1024 * 1024

# Where each Article field may be found in a JSON record, first match wins.
DEFAULT_FIELD_MAP: dict[str, tuple[str, ...]] = {
    "id": ("id", "_id", "uuid", "article_id", "doc_id"),
    "title": ("title", "headline", "heading"),
    "body": ("body", "text", "content", "article", "maintext", "fulltext"),
    "outlet": ("outlet", "source", "publisher", "site_name", "sitename", "source_name"),
    "outlet_domain": ("outlet_domain", "domain", "source_domain"),
    "date": ("date", "published", "published_at", "date_publish", "publish_date", "pubdate"),
    "author": ("authors", "author", "byline", "creator"),
    "url": ("url", "link", "canonical_url"),
    "language": ("language", "lang"),
    "topic": ("topic", "topics", "category", "categories", "section", "subject"),
    "html": ("html", "raw_html", "page_html"),   # the page itself, read when no body is given
}


def field_map_with(overrides: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Return the JSON field mapping with the given Article fields read from the given keys.

    A mapped key is tried first, then the usual names; raises ValueError for an unknown field.
    """
    mapping = dict(DEFAULT_FIELD_MAP)
    for name, key in overrides.items():
        if name not in mapping:
            raise ValueError(f"unknown article field {name!r}; "
                             f"known: {', '.join(sorted(mapping))}")
        mapping[name] = (key, *(k for k in mapping[name] if k != key))
    return mapping


@dataclass
class Article:
    """One article ready to index, with where each metadata value came from."""

    id: str
    title: str
    body: str
    source: str                     # file (and line) it was read from, relative to the corpus
    source_file: str                # the file, the unit of --update
    outlet: str | None = None
    outlet_label: str | None = None  # the outlet as the source labelled it, when it did
    date: PartialDate | None = None
    author: str | None = None
    url: str | None = None
    language: str | None = None
    topic: str | None = None        # one or more topics, comma-separated, as the source gives them
    has_text: bool = True           # False: a headline and metadata only (the record had no text)
    provenance: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)   # repairs made while reading

    @property
    def year(self) -> int | None:
        """Return the publication year, or None when the date is unknown."""
        return self.date.year if self.date else None


@dataclass
class Skipped:
    """A file or record that could not be indexed, and why."""

    source: str
    reason: str


# --------------------------------------------------------------------------- identifiers

def make_id(text: str) -> str:
    """Return a URL-safe article id derived from a path or record id."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")
    if safe and len(safe) <= 80:
        return safe
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return (safe[:60].strip("-.") + "-" + digest) if safe else digest


# --------------------------------------------------------------------------- text inference

_BYLINE_RE = re.compile(r"^\s*(?:by|reported by|written by|story by)\s+(.{2,120}?)\s*\.?\s*$",
                        re.IGNORECASE)
_NAME_RE = re.compile(r"^[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|bin|al|and|&))*$")


def infer_from_text(lines: list[str], registry: OutletRegistry) -> dict[str, tuple[str, str]]:
    """Find metadata the text states plainly: a byline, a dated byline, a dateline.

    Returns {field: (value, provenance)}. Only the opening and closing lines are
    read, and only whole-line statements count, so a date or name mentioned in
    passing is never taken for the article's own.
    """
    found: dict[str, tuple[str, str]] = {}
    stripped = [line.strip() for line in lines]
    opening = [line for line in stripped[:40] if line][:12]
    closing = [line for line in stripped[-40:] if line][-6:]
    for where, candidates in (("opening", opening), ("closing", closing)):
        for line in candidates:
            if len(line) > 160:
                continue
            byline = _BYLINE_RE.match(line)
            if byline:
                rest = byline.group(1)
                date = parse_date(rest)
                name = rest
                if date:
                    name = re.split(r"\s*[,|–—-]?\s*\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\.?,?\s+\d{4}"
                                    r"|\s*[,|–—-]?\s*[A-Za-z]+\.?\s+\d{1,2},?\s+\d{4}", rest)[0]
                    found.setdefault("date", (date.iso(), f"text: dated byline ({where} lines)"))
                name = name.strip(" ,.|–—-")
                outlet = registry.find_in(name)
                if outlet:
                    found.setdefault("outlet", (outlet, f"text: byline ({where} lines)"))
                elif name and len(name.split()) <= 8 and _NAME_RE.match(name):
                    found.setdefault("author", (name, f"text: byline ({where} lines)"))
                continue
            if where == "opening" and len(line) <= 40 and "date" not in found:
                date = parse_date(line)
                # A whole line that is nothing but a full date is the article's dateline.
                if date and date.precision == "day" and not re.search(r"[a-z]{3,}\s+[a-z]{3,}",
                                                                     line.lower().replace(",", "")):
                    found["date"] = (date.iso(), "text: dateline")
    return found


def _looks_like_headline(lines: list[str]) -> str | None:
    """Return the first line if it reads as a headline (short, unpunctuated, set apart)."""
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if not nonblank:
        return None
    first = nonblank[0]
    candidate = lines[first].strip()
    followed_by_blank = first + 1 < len(lines) and not lines[first + 1].strip()
    if (len(candidate) <= 200 and len(candidate.split()) <= 25
            and not candidate.endswith((".", ",", ";", ":"))
            and followed_by_blank):
        return candidate
    return None


# --------------------------------------------------------------------------- readers

def _split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split '---' delimited 'key: value' front matter from the text."""
    if not text.startswith("---"):
        return {}, text
    match = re.match(r"^---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", text, re.DOTALL)
    if not match:
        return {}, text
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[match.end():]


def _apply_metadata(article: Article, given: Mapping[str, object], provenance: str,
                    registry: OutletRegistry, overwrite: bool,
                    outlet_names: Mapping[str, str] | None = None) -> None:
    """Set article fields from a mapping of metadata values, recording their source.

    The outlet's domain decides its name (see ``outletnames``); the label given is kept.
    """
    for key in ("title", "author", "url", "language", "topic"):
        value = clean_text_value(given.get(key))
        if value and (overwrite or not getattr(article, key)):
            setattr(article, key, value)
            article.provenance[key] = provenance
    if given.get("outlet") or given.get("outlet_domain"):
        label = clean_text_value(given.get("outlet"))
        outlet = name_outlet(registry, outlet_names, label,
                             clean_text_value(given.get("outlet_domain")),
                             clean_text_value(given.get("url")),
                             clean_text_value(given.get("author")))
        if outlet and (overwrite or not article.outlet):
            article.outlet = outlet
            article.outlet_label = label
            article.provenance["outlet"] = provenance
    if given.get("date"):
        date = parse_date(given.get("date"))
        if date is None:
            article.notes.append(f"implausible or unreadable date {str(given['date'])[:40]!r}"
                                 " treated as unknown")
        elif overwrite or not article.date:
            article.date = date
            article.provenance["date"] = provenance


def _folded_words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _opens_with(body: str, title: str) -> bool:
    """Tell whether the title's words appear among the body's opening words."""
    return _folded_words(title) in _folded_words(body[:len(title) + 400])


def _finish(article: Article, registry: OutletRegistry) -> Article:
    """Fill what is still missing honestly: a derived title, outlet from the URL."""
    if not article.outlet and article.url:
        outlet = registry.canonical(None, article.url)
        if outlet and outlet in registry.by_domain.values():
            article.outlet = outlet
            article.provenance["outlet"] = "url domain"
    if not article.title:
        article.title = derive_title(article.body)
        article.provenance["title"] = "derived from opening words"
    elif article.body and not _opens_with(article.body, article.title):
        # The body holds the whole text, headline included, as news datasets and most pages
        # do; relevance then weighs a headline word as a body word plus the title's weight.
        article.body = article.title + "\n\n" + article.body
    for key in ("outlet", "date", "author", "url"):
        article.provenance.setdefault(key, "unknown")
    return article


def read_text_article(text: str, source: str, article_id: str,
                      sidecar: Mapping[str, object], registry: OutletRegistry) -> Article:
    """Build an Article from a plain-text file, its front matter and sidecar metadata."""
    front, text = _split_front_matter(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    article = Article(id=article_id, title="", body="", source=source, source_file=source)
    _apply_metadata(article, front, "front matter", registry, overwrite=True)
    _apply_metadata(article, sidecar, f"{SIDECAR_NAME}", registry, overwrite=False)

    headline = None if article.title else _looks_like_headline(lines)
    body = text.strip()
    if headline:
        article.title = headline
        article.provenance["title"] = "text: first line"
    article.body = body
    for key, (value, where) in infer_from_text(lines, registry).items():
        if key == "date" and article.date is None:
            article.date = parse_date(value)
            article.provenance["date"] = where
        elif key in ("outlet", "author") and not getattr(article, key):
            setattr(article, key, value)
            article.provenance[key] = where
    return _finish(article, registry)


def _apply_extracted(article: Article, page: ExtractedArticle, registry: OutletRegistry) -> None:
    """Fill the fields still unknown from what extract_article found on the page."""
    given = {"title": page.title, "date": page.date, "author": ", ".join(page.authors),
             "url": page.url, "language": page.language,
             # a domain the registry does not list is not an outlet name for the facets
             "outlet": page.outlet if page.provenance.get("outlet") != "url domain" else None}
    for key, value in given.items():
        if value and not article.provenance.get(key):
            _apply_metadata(article, {key: value}, "html: " + page.provenance.get(
                "authors" if key == "author" else key, "page metadata"), registry,
                overwrite=False)


def read_html_article(text: str, source: str, article_id: str,
                      sidecar: Mapping[str, object], registry: OutletRegistry) -> Article:
    """Build an Article from an HTML page's own metadata and main text.

    The URL a sidecar gives is passed to the extractor: its domain and path are evidence too.
    """
    page = article_from_text(text, clean_text_value(sidecar.get("url")), registry)
    article = Article(id=article_id, title="", body=page.body, source=source, source_file=source)
    _apply_metadata(article, sidecar, SIDECAR_NAME, registry, overwrite=True)
    _apply_extracted(article, page, registry)
    if not article.body.strip():
        raise NotText("no article text found in the page")
    if not article.outlet and not article.author:
        for key, (value, where) in infer_from_text(article.body.split("\n"), registry).items():
            if key in ("outlet", "author") and not getattr(article, key):
                setattr(article, key, value)
                article.provenance[key] = where
    return _finish(article, registry)


def article_from_record(record: Mapping[str, object], source: str, fallback_id: str,
                        registry: OutletRegistry,
                        field_map: Mapping[str, tuple[str, ...]] = DEFAULT_FIELD_MAP,
                        outlet_names: Mapping[str, str] | None = None) -> Article:
    """Build an Article from one JSON record, through the field mapping.

    ``outlet_names`` names outlets by domain (``outletnames.survey_jsonl(...).names()``).
    """
    def pick(name: str) -> object:
        for key in field_map.get(name, ()):
            value = record.get(key)
            if value not in (None, "", []):
                return value
        return None

    body = pick("body")
    page = None
    if (not isinstance(body, str) or not body.strip()) and isinstance(pick("html"), str):
        # a record holding the raw page: extract it, with the URL the record gives
        url = pick("url")
        page = article_from_text(pick("html"), url if isinstance(url, str) else None, registry)
        body = page.body
    has_text = isinstance(body, str) and bool(body.strip())
    title = pick("title")
    if not has_text and not (isinstance(title, str) and title.strip()):
        raise NotText("record has no article text and no title")
    raw_id = pick("id")
    # A record with a headline and no text is still found by its headline and metadata.
    article = Article(id=make_id(str(raw_id)) if raw_id not in (None, "") else fallback_id,
                      title="", body=repair_mojibake(body.strip()) if has_text else "",
                      source=source, source_file=source.rsplit("#", 1)[0], has_text=has_text)
    given = {key: pick(key) for key in ("title", "outlet", "outlet_domain", "date", "author",
                                        "url", "language", "topic")}
    for key in ("title", "outlet", "author"):
        if isinstance(given[key], str):
            given[key] = repair_mojibake(given[key])
    _apply_metadata(article, given, "record fields", registry, overwrite=True,
                    outlet_names=outlet_names)
    if page is not None:
        _apply_extracted(article, page, registry)
    return _finish(article, registry)


@dataclass
class CorpusReader:
    """Reads every article of a corpus path, yielding Article or Skipped records."""

    root: Path
    registry: OutletRegistry
    field_map: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_FIELD_MAP)

    def files(self) -> list[Path]:
        """Return every candidate file of the corpus, in a stable order."""
        if self.root.is_file():
            return [self.root]
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith(".") or name == SIDECAR_NAME:
                    continue
                found.append(Path(dirpath) / name)
        return found

    def relative(self, path: Path) -> str:
        """Return a file's name relative to the corpus root, as used in ids and reports."""
        if self.root.is_file():
            return path.name
        return path.relative_to(self.root).as_posix()

    def file_fingerprint(self, path: Path) -> str:
        """Return a cheap fingerprint of a file's content state (size and mtime).

        A file that cannot be looked at (a dangling link, a link loop, gone since it was
        listed) has an empty one; reading it says why it is skipped.
        """
        try:
            info = path.stat()
        except OSError:
            return ""
        return f"{info.st_size}:{info.st_mtime_ns}"

    bytes_read: int = 0   # of the file being read: for progress reports
    outlet_names: dict[str, str] = field(default_factory=dict)   # {domain: outlet}, by read()

    def read(self, paths: Iterable[Path] | None = None) -> Iterator[Article | Skipped]:
        """Yield the articles of the given files (default: all), skipping bad input with a reason."""
        sidecars: dict[Path, dict] = {}
        paths = self.files() if paths is None else list(paths)
        # Outlets are named by domain from every label the dataset files give each domain.
        self.outlet_names = survey_jsonl(
            [p for p in paths if p.name.lower().endswith(JSONL_SUFFIXES)], self.registry,
            self.field_map).names()
        for path in paths:
            self.bytes_read = 0
            relative = self.relative(path)
            name = path.name.lower()
            try:
                if name.endswith(JSONL_SUFFIXES):
                    yield from self._read_jsonl(path, relative)
                    continue
                if not name.endswith(TEXT_SUFFIXES + HTML_SUFFIXES):
                    yield Skipped(relative, "unsupported file type "
                                  f"({path.suffix or 'no extension'})")
                    continue
                info = path.stat()
                if not stat.S_ISREG(info.st_mode):   # a FIFO would block the build for good
                    yield Skipped(relative, "not a regular file")
                    continue
                if info.st_size > MAX_FILE_BYTES:
                    yield Skipped(relative, f"file larger than {MAX_FILE_BYTES // 2**20} MiB")
                    continue
                data = path.read_bytes()
            except OSError as error:
                yield Skipped(relative, f"cannot read file: {error.strerror or error}")
                continue
            sidecar = self._sidecar(path.parent, sidecars, relative).get(path.name, {})
            article_id = make_id(relative.rsplit(".", 1)[0])
            try:
                if name.endswith(HTML_SUFFIXES):
                    declared = declared_charset(data)
                    text, notes = decode_bytes(data, declared)
                    article = read_html_article(text, relative, article_id, sidecar,
                                                self.registry)
                else:
                    text, notes = decode_bytes(data)
                    if not text.strip():
                        raise NotText("empty file")
                    article = read_text_article(text, relative, article_id, sidecar,
                                                self.registry)
            except NotText as error:
                yield Skipped(relative, str(error))
                continue
            article.notes[:0] = notes
            yield article

    def _sidecar(self, folder: Path, cache: dict[Path, dict], relative: str) -> dict:
        """Return the folder's metadata.toml tables keyed by file name (cached)."""
        if folder not in cache:
            path = folder / SIDECAR_NAME
            cache[folder] = {}
            if path.is_file():
                try:
                    with open(path, "rb") as handle:
                        cache[folder] = tomllib.load(handle)
                except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
                    cache[folder] = {}
        return cache[folder]

    def _read_jsonl(self, path: Path, relative: str) -> Iterator[Article | Skipped]:
        """Yield the articles of a JSON-lines file (optionally gzipped), one per line."""
        stem = make_id(path.name.split(".")[0])
        try:
            with open_lines(path) as handle:
                # For gzip, the position in the compressed file: what progress is measured in.
                position = getattr(handle, "fileobj", handle)
                for number, raw in enumerate(handle, start=1):
                    if number % 256 == 0:
                        self.bytes_read = position.tell()
                    source = f"{relative}#{number}"
                    if not raw.strip():
                        continue
                    try:
                        record = json.loads(raw)
                    except (json.JSONDecodeError, UnicodeDecodeError) as error:
                        yield Skipped(source, f"malformed JSON line: {error}")
                        continue
                    if not isinstance(record, dict):
                        yield Skipped(source, "JSON line is not an object")
                        continue
                    try:
                        yield article_from_record(record, source, f"{stem}-{number}",
                                                  self.registry, self.field_map,
                                                  self.outlet_names)
                    except NotText as error:
                        yield Skipped(source, str(error))
        except OSError as error:
            if not getattr(error, "errno", None):   # gzip's own errors (a bad header)
                yield Skipped(relative, f"cannot read compressed data: {error}")
            else:
                yield Skipped(relative, f"cannot read file: {error.strerror or error}")
        except INFLATE_ERRORS as error:
            yield Skipped(relative, f"cannot read compressed data: {error}")
