"""A Whoosh segment writer for full builds that keeps postings in memory, grouped by term.

Whoosh's SegmentWriter puts every posting through a size-estimating pool, sorts them all as
tuples (spilling runs to temp files), reads each document's field length back from disk per
posting and hands postings to the codec one call at a time. For a fresh segment written in
one go none of that is needed: postings arrive in docnum order, so grouping them by term in
memory leaves each posting list already sorted, and the codec's blocks can be filled a
block (not a posting) at a time. Readers see the index SegmentWriter would write (the tests
compare every term, statistic, posting and stored field); the bytes differ in that small
posting blocks are stored uncompressed and the others (and stored fields) deflated by ISA-L, and that
in an index folder long posting lists are written only as posting arrays (ArrayCodec,
arraycodec.py, gives Whoosh their postings from those).
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import traceback
from array import array

from isal import isal_zlib
from whoosh.columns import CompressedBytesColumn
from whoosh.formats import Positions
from whoosh.writing import SegmentWriter

from .arraycodec import ArrayCodec
from .postingarrays import SegmentArraysWriter
from .termrows import FieldTerms, write_dict_terms, write_text_terms
from .textpostings import TextPostings
from .valuepostings import ValuePostings

# Postings a build worker holds in memory before it writes its segment out and begins
# another; the text fields count their tokens (kept after stop words), at least their
# postings. Measured on 200,000 generated articles: the largest worker peaked at 977 MiB,
# writing 3 segments (the count of postings alone gave 2, peak 1,123 MiB). The 63k dataset
# stays one segment a worker (measured).
SEGMENT_POSTINGS = 25_000_000
PR_SET_PDEATHSIG = 1   # prctl option (Linux): a signal this process gets when its parent dies
# Deflate level of posting blocks (zlib's 3, Whoosh's default, took ~1.5x as long as 1 for
# ~3% smaller blocks); now ISA-L's level 1. Also each block's compression flag: never 0.
COMPRESSION_LEVEL = 1
# The ISA-L level of stored fields: the size of zlib's level 3 (Whoosh's), in a quarter of
# the CPU (measured on the news articles' stored fields, 6,000 of them).
STORED_LEVEL = 2


class BulkSegmentWriter(SegmentWriter):
    """A SegmentWriter for adding many documents to a new segment.

    Postings of an added document go to per-term arrays instead of the pool. Stored fields,
    lengths and columns are written as SegmentWriter writes them. Anything that would put
    postings in the pool (merging other segments in, spelling words, term vectors) is refused
    rather than silently dropped: commit with merge=False, as a rebuild of a new index can.
    """

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("codec", ArrayCodec(compression=COMPRESSION_LEVEL))
        super().__init__(ix, **kwargs)
        # fieldname -> TextPostings (EnglishText) or ValuePostings (other indexed fields)
        self._terms: dict[str, TextPostings | ValuePostings] = {}
        # fieldname -> field length of each docnum (0 where absent), for scorable fields
        self._lengths: dict[str, array] = {}
        # fieldname -> what adding its values needs (_plan)
        self._plans: dict[str, tuple] = {}
        # Postings held in memory, which is what a worker's memory grows with.
        self.postings = 0
        # Whether every document came without boosts (weights are then frequencies times
        # the field's boost, which the posting arrays rely on).
        self._unboosted = True
        # The stored fields' column (W3's STORED_COLUMN, pickles deflated) deflates with
        # ISA-L: zlib streams like zlib's (other bytes, the same size) in a quarter of the
        # CPU, which was about a tenth of a worker's; every reader inflates them as before.
        stored = self.perdocwriter._get_column("_stored")._child
        assert isinstance(stored, CompressedBytesColumn.Writer)
        stored._compress, stored._level = isal_zlib.compress, STORED_LEVEL

    def add_document(self, **fields):
        """Add a document like SegmentWriter.add_document, keeping its postings by term."""
        self._check_state()
        docnum = self.docnum
        perdocwriter = self.perdocwriter
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(self.schema, fieldnames)
        docboost = self._doc_boost(fields)

        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                plan = self._plans.get(fieldname) or self._plan(fieldname)
                field, terms, lengths, column = plan
                length = 0
                if terms is not None:
                    boost = fields.get(f"_{fieldname}_boost")
                    boost = docboost if boost is None else float(boost)
                    if boost != 1.0:
                        self._unboosted = False
                    if type(terms) is TextPostings:
                        # EnglishText numbers its tokens' terms directly; they are grouped
                        # by term when the segment is written (index() yields the same).
                        length = terms.add(docnum, field.term_numbers(value), boost)
                        self.postings += length     # tokens: at least its postings
                    else:
                        length, count = terms.add(docnum, value, boost)
                        self.postings += count
                    if lengths is not None:
                        lengths.extend([0] * (docnum + 1 - len(lengths)))
                        lengths[docnum] = length
                    else:
                        length = 0
                stored = fields.get("_stored_" + fieldname, value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None,
                                       length)
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column,
                                                  field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _plan(self, fieldname: str) -> tuple:
        """Return (field, its postings or None, its lengths or None, its column type) of a
        field, made once per writer: what add_document looked up for every field of every
        document."""
        field = self.schema[fieldname]
        if field.separate_spelling() or field.vector:
            raise NotImplementedError(f"{fieldname}: BulkSegmentWriter does not write "
                                      "spelling words or term vectors")
        terms = lengths = None
        if field.indexed:
            terms = self._terms[fieldname] = (
                TextPostings() if getattr(field, "term_numbers", None) is not None
                else ValuePostings(field))
            if field.scorable:
                lengths = self._lengths[fieldname] = array("I")
        plan = self._plans[fieldname] = (field, terms, lengths, field.column_type)
        return plan

    def _flush_segment(self):
        """Write the in-memory postings (and anything in the pool) through the codec."""
        if self.pool.fieldnames:
            raise NotImplementedError("BulkSegmentWriter cannot mix pooled postings "
                                      "(merged segments) with its own")
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        arrays = self._arrays_writer()
        for fieldname in sorted(self._terms):
            fieldobj = self.schema[fieldname]
            lengths = self._lengths.get(fieldname) if fieldobj.scorable else None
            if lengths is not None:
                lengths.extend([0] * (self.docnum - len(lengths)))
            terms = self._terms.pop(fieldname)   # free each field's postings once written
            fieldwriter.start_field(fieldname, fieldobj)
            # Lists the arrays hold with their positions need no W3 blocks (arraycodec.py)
            # where the codec can give Whoosh their values back from the arrays.
            arrays_only = (arrays is not None and fieldobj.scorable
                           and isinstance(self.codec, ArrayCodec)
                           and type(fieldobj.format) is Positions)
            out = FieldTerms(fieldwriter, fieldobj, arrays, arrays_only, lengths,
                             self.codec._compression, self.codec._blocklimit)
            if isinstance(terms, TextPostings):
                write_text_terms(out, terms.grouped(fieldobj.format.field_boost))
            else:
                write_dict_terms(out, terms.terms())
            fieldwriter.finish_field()
        fieldwriter.close()
        if arrays is not None:
            arrays.close()

    def _arrays_writer(self) -> SegmentArraysWriter | None:
        """Return a writer of the segment's posting arrays, if the index is in a folder."""
        folder = getattr(self.storage, "folder", None)
        if folder is None or not self._unboosted:
            return None
        # Lists of one block cost one decode already; the arrays are for the long ones.
        return SegmentArraysWriter(folder, self.newsegment.segment_id(),
                                   min_postings=getattr(self.codec, "_blocklimit", 128) + 1)


# --------------------------------------------------------------------------- parallel build

class ParallelWriter:
    """Add documents to a new index through worker processes, one segment each.

    The caller adds documents in this process (reading and deduplicating stay sequential);
    `prepare` (a module-level function, so that it can be sent to a worker), if given, is
    applied to each document's fields in the worker, for work on a document that should run
    in parallel too (the near-duplicate signature);
    batches of them go through a queue to `procs` workers, each analysing and writing its
    own segment with a BulkSegmentWriter, so the two costly parts, analysis and posting
    writing, run in parallel. commit() writes a TOC listing the workers' segments. The
    index is searched as several segments; for a rebuild there is nothing to merge.
    """

    def __init__(self, ix, procs: int = 2, batch_size: int = 64,
                 segment_postings: int = SEGMENT_POSTINGS, prepare=None, **writer_args):
        # "spawn": a forked worker would inherit the build lock's descriptor and, if the
        # build were killed, keep holding the lock (and running) as an orphan.
        context = multiprocessing.get_context("spawn")
        self._writer = SegmentWriter(ix, **writer_args)   # holds the index lock, writes the TOC
        self._jobs = context.Queue(maxsize=4 * procs)     # bounds documents in flight
        self._results = context.Queue()
        self._batch: list[dict] = []
        self._batch_size = batch_size
        self._workers = [context.Process(target=_segment_worker, daemon=True,
                                         args=(ix.storage, ix.indexname, writer_args,
                                               self._jobs, self._results, os.getpid(),
                                               segment_postings, prepare))
                         for _ in range(procs)]
        for worker in self._workers:
            worker.start()

    def add_document(self, **fields) -> None:
        """Queue a document for a worker to add."""
        self._batch.append(fields)
        if len(self._batch) >= self._batch_size:
            self._put(self._batch)
            self._batch = []

    def commit(self, **kwargs) -> None:
        """Wait for every worker's segment and write the TOC that lists them.

        Keyword arguments (optimize, merge) are accepted for the writer interface and
        ignored: a fresh index has no other segments to merge with.
        """
        if self._batch:
            self._put(self._batch)
            self._batch = []
        for _ in self._workers:
            self._put(None)
        segments = []
        for _ in self._workers:
            status, value = self._results.get()
            if status == "error":
                self.cancel()
                raise RuntimeError(f"index worker failed:\n{value}")
            segments.extend(value)
        for worker in self._workers:
            worker.join()
        writer = self._writer
        writer._close_segment()
        writer._commit_toc(segments)
        writer._finish()

    def cancel(self) -> None:
        """Stop the workers and release the index; their partial segments are left unlisted."""
        # Batches still queued will never be read: without this, exiting waits for the
        # queue's feeder thread to push them into a pipe nobody drains (a Ctrl-C'd build hung).
        self._jobs.cancel_join_thread()
        for worker in self._workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
        if not self._writer.is_closed:
            self._writer.cancel()

    def _put(self, item) -> None:
        """Put a job on the queue, failing fast if a worker has died."""
        while True:
            try:
                self._jobs.put(item, timeout=1.0)
                return
            except queue.Full:
                if not self._results.empty() or not all(w.is_alive() for w in self._workers):
                    status, value = self._results.get(timeout=5)
                    raise RuntimeError(f"index worker failed:\n{value}")


def _next_batch(jobs, parent: int):
    """Return the next batch from the queue; exit quietly if the building process is gone."""
    while True:
        try:
            return jobs.get(timeout=2.0)
        except queue.Empty:
            if os.getppid() != parent:     # the build was killed: nothing will read our work
                os._exit(1)


def _die_with(parent: int) -> None:
    """Have the kernel kill this worker when the building process dies (kill -9 included).

    Without it a worker of a killed build went on with the batches already queued; the
    parent check in _next_batch stays as the fallback where prctl is not available.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):   # not Linux
        pass
    if os.getppid() != parent:   # it died before the request was made
        os._exit(1)


def _segment_worker(storage, indexname: str, writer_args: dict, jobs, results,
                    parent: int, segment_postings: int, prepare=None) -> None:
    """Add batches of documents from `jobs` to new segments; put the list on `results`.

    A segment is written out once it holds `segment_postings` postings, and a new one
    begun, so that a worker's memory stays bounded however large the corpus.
    """
    _die_with(parent)
    try:
        ix = storage.open_index(indexname)
        segments = []
        writer = BulkSegmentWriter(ix, _lk=False, **writer_args)
        while (batch := _next_batch(jobs, parent)) is not None:
            for fields in batch:
                writer.add_document(**(prepare(fields) if prepare else fields))
            if writer.postings >= segment_postings:
                segments.append(writer._finalize_segment())
                writer = BulkSegmentWriter(ix, _lk=False, **writer_args)
        if writer._added:
            segments.append(writer._finalize_segment())
        else:
            writer._close_segment()
        # Not writer._finish(): it would remove the temp folder all the writers share.
        results.put(("ok", segments))
    except BaseException:   # reported to the parent, which raises it there
        results.put(("error", traceback.format_exc()))
