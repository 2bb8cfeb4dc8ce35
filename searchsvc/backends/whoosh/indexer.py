"""The only writer of the index: full rebuilds into a fresh generation, atomic switch, updates.

Layout of an index directory::

    index/
      CURRENT            name of the generation being served (replaced atomically)
      gen-<stamp>/       one complete Whoosh index + build.json (report, file fingerprints)
      .build.lock        held (flock) while a build runs

A build writes a new ``.building-*`` directory and only then points CURRENT at
it, so a failed or killed build leaves the served index as it was, and a
searcher open on the old generation keeps working (generations.prune says how
long old generations are kept).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

import numpy as np
from whoosh import index as whoosh_index

from .analysis import ANALYSIS_VERSION
from .generations import (BUILD_INFO, BuildError, analysis_current, build_info, build_lock,
                          current_generation, prune, switch_to)
from .bulkwrite import BulkSegmentWriter, ParallelWriter
from .clusterbuild import with_signature, write_clusters
from .clusters import CLUSTERS_FILE
from ...ingest.corpus import DEFAULT_FIELD_MAP, Article, CorpusReader, Skipped
from ...utf8 import utf8_replacing
from ...outlets import UNKNOWN, OutletRegistry
from ...passages import passage_runs
from ...ingest.metadata import split_names
from .schema import UNKNOWN_YEAR, VALUE_SEPARATOR, build_schema

WRITER_MEMORY_MB = 512
# A file of one segment: the index name, the segment's 16-character id, an extension.
SEGMENT_FILE_RE = re.compile(r"MAIN_[a-z0-9]{16}\.")
REPORT_FILE = "build-report.tsv"    # in each generation: the full list the summary abridges
# Processes a rebuild analyses and writes in, each writing one segment (reading stays here).
BUILD_PROCESSES = min(2, os.cpu_count() or 1)


@dataclass
class BuildReport:
    """What a build did: counts, skipped inputs with reasons, unknowns, time taken."""

    generation: str = ""
    corpus: str = ""
    mode: str = "rebuild"
    indexed: int = 0
    without_text: int = 0      # of `indexed`: headline and metadata only
    removed: int = 0
    unchanged_files: int = 0
    unchanged_articles: int = 0   # an update by content (Solr): articles found already indexed
    total_documents: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    headline_only: list[str] = field(default_factory=list)   # sources of those articles
    unknown: dict[str, int] = field(default_factory=lambda: {"outlet": 0, "date": 0})
    seconds: float = 0.0
    built_at: str = ""
    report_file: str = ""      # every skipped input and every article without text, one a line
    # Story clusters of the generation (clusterbuild.compute_clusters): signatures, clusters
    # of two or more, articles in them, the largest, seconds taken
    clusters: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """Return the report as plain JSON-able data."""
        return asdict(self)


# --------------------------------------------------------------------------- documents

# Byte -> its lower case for ASCII word characters (letters, digits, "_"), a space for
# the other ASCII characters, itself for every byte of a non-ASCII character: see content_hash.
_FOLD_ASCII = bytes(
    byte if byte >= 0x80 else ord(chr(byte).lower()) if chr(byte).isalnum() or byte == 95
    else 32 for byte in range(256))
# non-ASCII character -> the UTF-8 bytes it becomes (None: itself), see content_hash
_FOLDED_CHARACTERS: dict[str, bytes | None] = {}


def content_hash(article: Article) -> str:
    """Return a hash of the article's normalised text, to find the same article read twice."""
    # The hash is of the case-folded text's words (\w+ runs) joined by single spaces, what
    # re.sub(r"\W+", " ", text.casefold()).strip() gave, computed on the UTF-8 bytes in
    # about a quarter of the time: each distinct non-ASCII character of the text is
    # replaced by its case folding, with spaces for what is not a word character (quotes,
    # dashes, odd spaces), then the ASCII bytes are folded by a table, and runs of spaces
    # are collapsed. str.casefold folds character by character, without context, so
    # folding each character alone gives what folding the text gives.
    data = utf8_replacing(article.title + " " + article.body, _folded_character,
                          _FOLDED_CHARACTERS)
    # Runs of spaces collapsed by numpy: a third of the time of split() and join().
    folded = np.frombuffer(data.translate(_FOLD_ASCII), dtype=np.uint8)
    keep = folded != 32
    keep[1:] |= keep[:-1].copy()     # a space right after a word character stays
    text = folded[keep].tobytes().strip(b" ")
    if not article.has_text:    # a headline alone is one article per address, not per wording
        text += b" " + (article.url or article.id).encode("utf-8", "surrogatepass")
    return hashlib.sha1(text).hexdigest()[:20]


def _folded_character(char: str) -> bytes | None:
    """Return the UTF-8 bytes of a non-ASCII character's case folding, each character of it
    that is not a word character a space; None if that is the character itself."""
    folded = "".join(part if part.isalnum() or part == "_" else " "
                     for part in char.casefold())
    return None if folded == char else folded.encode("utf-8", "surrogatepass")


def article_document(article: Article, digest: str) -> dict:
    """Return the Whoosh document (field -> value) of an article."""
    date = article.date
    return {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "author": article.author or "",
        # `outlet:` finds an article by its outlet's name and by the label it was given
        "outlet_name": " ".join(dict.fromkeys(filter(None, (article.outlet,
                                                            article.outlet_label)))),
        "outlet": article.outlet or UNKNOWN,
        "outlet_label": article.outlet_label,
        "authors": joined_values(split_names(article.author)),
        "topics": joined_values(split_topics(article.topic)),
        "year": date.year if date else UNKNOWN_YEAR,
        "month": date.year * 100 + date.month if date and date.month else 0,
        **({"date": dt.datetime.combine(date.first_day(), dt.time())} if date else {}),
        "date_iso": date.iso() if date else None,
        "url": article.url,
        "has_text": article.has_text,
        "language": article.language or "",
        "source": article.source,
        "source_file": article.source_file,
        "content_hash": digest,
        "provenance": article.provenance,
    }


def with_passage_runs(fields: dict) -> dict:
    """Return a document's fields with its passage runs (what of the body snippets show).

    Module-level, like with_derived_fields, so that build workers compute it: it costs
    about 75 µs an article, too much for the one process that reads the corpus.
    """
    fields["passage_runs"] = passage_runs(fields.get("body") or "", fields.get("title"))
    return fields


def with_derived_fields(fields: dict) -> dict:
    """Return a document's fields with its passage runs and near-duplicate signature."""
    return with_signature(with_passage_runs(fields))


def split_topics(topic: str | None) -> list[str]:
    """Return the topics of a topic string ("grain,wheat"), each once."""
    parts = (part.strip() for part in re.split(r"[,;|]", topic or ""))
    return list(dict.fromkeys(part[:120] for part in parts if part))


def joined_values(values: list[str]) -> bytes:
    """Return a many-valued facet column's value: the values joined by VALUE_SEPARATOR."""
    return VALUE_SEPARATOR.join(value.replace(VALUE_SEPARATOR, " ")
                                for value in values).encode("utf-8")


# --------------------------------------------------------------------------- build

# (bytes read, bytes in all, current file, articles indexed so far)
ProgressCallback = Callable[[int, int, str, int], None]


def build_index(corpus: str | os.PathLike, index_dir: str | os.PathLike, *,
                registry: OutletRegistry, update: bool = False, wait: bool = False,
                processes: int = BUILD_PROCESSES,
                field_map: Mapping[str, tuple[str, ...]] | None = None,
                progress: ProgressCallback | None = None,
                stories: bool = True) -> BuildReport:
    """Build (or with update=True, refresh) the index of a corpus and switch to it atomically.

    A rebuild analyses and writes documents in `processes` worker processes (0: in this one).
    stories=False leaves out near-duplicate signatures and story clusters (every article
    its own story), to measure what they cost.
    """
    started = time.perf_counter()
    corpus_path = Path(corpus).resolve()
    index_path = Path(index_dir).resolve()
    if not corpus_path.exists():
        raise BuildError(f"corpus not found: {corpus_path}")
    reader = CorpusReader(corpus_path, registry, field_map or DEFAULT_FIELD_MAP)

    with build_lock(index_path, wait=wait):
        prune(index_path)   # a killed build's partial generation goes now
        previous = current_generation(index_path)
        old_info = build_info(index_path, previous) if previous else {}
        if update and previous and old_info.get("corpus") != str(corpus_path):
            raise BuildError(f"--update needs the corpus the index was built from "
                             f"({old_info.get('corpus')}); run a full build for {corpus_path}")
        if update and previous and not analysis_current(old_info):
            raise BuildError("the index was built with an older text analysis; run a full "
                             "build (without --update)")
        incremental = bool(update and previous)

        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        generation = f"gen-{stamp}"
        building = index_path / f".building-{stamp}"
        report = BuildReport(generation=generation, corpus=str(corpus_path),
                             mode="update" if incremental else "rebuild")
        files = reader.files()
        fingerprints = {reader.relative(path): reader.file_fingerprint(path) for path in files}
        if incremental:
            copy_generation(index_path / previous, building)
            ix = open_for_update(building)
            old_prints: dict[str, str] = old_info.get("files", {})
            changed = [path for path in files
                       if old_prints.get(reader.relative(path)) != fingerprints[reader.relative(path)]]
            gone = [name for name in old_prints if name not in fingerprints]
            report.unchanged_files = len(files) - len(changed)
        else:
            building.mkdir(parents=True)
            ix = whoosh_index.create_in(str(building), build_schema())
            changed, gone = files, []

        # New articles go into fresh segments, which BulkSegmentWriter writes far faster
        # than Whoosh's writer; an update marks the articles it replaces as deleted in the
        # old segments and adds one segment, merging nothing (Whoosh's MERGE_SMALL would
        # leave segments of this size alone anyway). Segments stay separate files
        # (compound=False): assembling them into one .seg file copies the whole index
        # once more, and reading it back through mmap made the building process's RSS
        # grow by the index size.
        if incremental:
            writer = BulkSegmentWriter(ix, compound=False)
        elif processes:
            # Workers compute the near-duplicate signatures too: they cost about as much
            # as reading an article, too much for the one reading process.
            writer = ParallelWriter(ix, procs=processes, compound=False,
                                    prepare=with_derived_fields if stories else with_passage_runs)
        else:
            writer = BulkSegmentWriter(ix, compound=False)
        try:
            with ix.searcher() as existing:
                seen_hashes: dict[str, str] = {}
                seen_ids: set[str] = set()
                for name in gone:
                    report.removed += writer.delete_by_term("source_file", name)
                if incremental:
                    for path in changed:   # replaced by their new versions below
                        writer.delete_by_term("source_file", reader.relative(path))
                # Progress counts bytes of input read, so one large dataset file moves too.
                total = sum(_size(path) for path in changed)
                finished = 0
                for path in changed:
                    name = reader.relative(path)
                    for count, item in enumerate(reader.read([path])):
                        if progress and count % 500 == 0:
                            progress(finished + reader.bytes_read, total, name,
                                     report.indexed)
                        if isinstance(item, Skipped):
                            report.skipped.append((item.source, item.reason))
                            continue
                        _add_article(writer, existing if incremental else None, item,
                                     seen_ids, seen_hashes, report,
                                     prepare=None if isinstance(writer, ParallelWriter) else
                                     with_derived_fields if stories else with_passage_runs)
                    finished += _size(path)
                    if progress:
                        progress(finished, total, name, report.indexed)
            writer.commit(merge=False)
        except BaseException:
            writer.cancel()
            shutil.rmtree(building, ignore_errors=True)
            raise

        _finish_generation(ix, building, index_path, report, started,
                           {"corpus": str(corpus_path), "files": fingerprints}, stories)
    return report


def open_for_update(building: Path):
    """Open a copied generation to change it; raise BuildError (and drop the copy) when it
    lacks fields the schema now has: its documents could not take them."""
    ix = whoosh_index.open_dir(str(building))
    missing = sorted(set(build_schema().names()) - set(ix.schema.names()))
    if missing:
        ix.close()
        shutil.rmtree(building, ignore_errors=True)
        raise BuildError(f"the index was built without the fields {', '.join(missing)}; "
                         "run a full build (without --update)")
    return ix


def update_articles(index_dir: str | os.PathLike, articles: Iterable[Article] = (),
                    delete_ids: Iterable[str] = (), *, wait: bool = False) -> BuildReport:
    """Add or replace articles by id and delete others, in a new generation switched to.

    The served generation is copied, changed with Whoosh's writer (``update_document`` on
    the unique id) and switched to atomically, like any build.
    """
    started = time.perf_counter()
    index_path = Path(index_dir)
    with build_lock(index_path, wait=wait):
        previous = current_generation(index_path)
        if previous is None:
            raise BuildError(f"no index has been built in {index_path}; build one first")
        old_info = build_info(index_path, previous)
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        generation = f"gen-{stamp}"
        building = index_path / f".building-{stamp}"
        report = BuildReport(generation=generation, corpus=old_info.get("corpus", ""),
                             mode="update by id")
        copy_generation(index_path / previous, building)
        ix = open_for_update(building)
        writer = ix.writer(limitmb=WRITER_MEMORY_MB)
        try:
            for article_id in delete_ids:
                report.removed += writer.delete_by_term("id", article_id)
            for article in articles:
                writer.update_document(**with_derived_fields(
                    article_document(article, content_hash(article))))
                report.indexed += 1
                report.without_text += not article.has_text
            writer.commit()
        except BaseException:
            writer.cancel()
            shutil.rmtree(building, ignore_errors=True)
            raise
        _finish_generation(ix, building, index_path, report, started, old_info)
    return report


def copy_generation(source: Path, target: Path) -> None:
    """Copy an index generation, its segments' files as hard links.

    Whoosh never changes a segment's files once written (deletions are recorded in the
    table of contents, which a commit writes anew), so a new generation can share them
    with the old one: an update of a million-article index copies little. Every other
    file (the table of contents, build.json, the lock) is copied, since writing it in the
    new generation must not change the one being served.
    """
    def link_or_copy(src: str, dst: str) -> None:
        if SEGMENT_FILE_RE.match(os.path.basename(src)):
            try:
                os.link(src, dst)
                return
            except OSError:       # a file system without hard links
                pass
        shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link_or_copy)


def _finish_generation(ix, building: Path, index_path: Path, report: BuildReport,
                       started: float, info: Mapping, stories: bool = True) -> None:
    """Count the written generation, find its story clusters, record its build.json, and
    switch to it atomically."""
    if stories:
        report.clusters = write_clusters(ix, building)
    else:       # an update's copy of the previous generation's clusters would be wrong
        (building / CLUSTERS_FILE).unlink(missing_ok=True)
    with ix.searcher() as searcher:
        report.total_documents = searcher.doc_count()
        report.unknown = count_unknowns(searcher.reader())
    ix.close()
    report.seconds = round(time.perf_counter() - started, 3)
    report.built_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    report.report_file = str(index_path / report.generation / REPORT_FILE)
    write_report_file(building / REPORT_FILE, report)
    info = {**info, "analysis": ANALYSIS_VERSION, "report": report.as_dict()}
    (building / BUILD_INFO).write_text(json.dumps(info), encoding="utf-8")
    os.rename(building, index_path / report.generation)
    switch_to(index_path, report.generation)
    prune(index_path)


def _size(path: Path) -> int:
    """Return a file's size for progress, 0 if it cannot be looked at (the reader says why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def write_report_file(path: Path, report: BuildReport) -> None:
    """Write every skipped input with its reason and every article indexed without text."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("source\toutcome\treason\n")
        for source, reason in report.skipped:
            handle.write(f"{source}\tskipped\t{_one_line(reason)}\n")
        for source in report.headline_only:
            handle.write(f"{source}\tindexed without text\theadline and metadata only\n")


def _one_line(text: str) -> str:
    return re.sub(r"[\t\r\n]+", " ", text)


def count_unknowns(reader) -> dict[str, int]:
    """Return how many live documents have an unknown outlet and an unknown date."""
    outlets = reader.column_reader("outlet")
    years = reader.column_reader("year")
    unknown = {"outlet": 0, "date": 0}
    for docnum in reader.all_doc_ids():
        unknown["outlet"] += outlets[docnum] == UNKNOWN
        unknown["date"] += years[docnum] == UNKNOWN_YEAR
    return unknown


def _add_article(writer, existing, article: Article, seen_ids: set[str],
                 seen_hashes: dict[str, str], report: BuildReport, prepare=None) -> None:
    """Add one article unless it repeats one already indexed; record notes and skips.

    prepare: adds the fields derived from the text here (a parallel writer's workers do).
    """
    digest = content_hash(article)
    if article.id in seen_ids:
        report.skipped.append((article.source, f"duplicate id {article.id!r} (kept the first)"))
        return
    if digest in seen_hashes:
        report.skipped.append((article.source, f"same article as {seen_hashes[digest]}"))
        return
    if existing is not None:
        earlier = existing.document(content_hash=digest)
        if earlier and earlier.get("source_file") != article.source_file:
            report.skipped.append((article.source, f"same article as {earlier['source']}"))
            return
    seen_ids.add(article.id)
    seen_hashes[digest] = article.source
    for note in article.notes:
        report.notes.append((article.source, note))
    document = article_document(article, digest)
    writer.add_document(**(prepare(document) if prepare else document))
    report.indexed += 1
    report.without_text += not article.has_text
    if not article.has_text:
        report.headline_only.append(article.source)
