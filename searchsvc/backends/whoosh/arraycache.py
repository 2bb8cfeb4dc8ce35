"""Per-generation arrays (facet columns, field lengths) kept on disk beside the index.

Reading a column of every document through Whoosh takes seconds on a large index; a process
that searches once (the command line) would pay that before every first result. The arrays
are saved once, by the first process that reads them, into the generation's directory, and
loaded in milliseconds after that. The file name holds a digest of the index files' names,
sizes and modification times, so an index that changes is never read through a stale cache.
An index directory that cannot be written is read the slow way each time.
"""
from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np

PREFIX = ".arrays-"


def index_digest(directory: Path) -> str:
    """Return a digest of the Whoosh files of a generation directory (names, sizes, times)."""
    entries = sorted((entry.name, entry.stat().st_size, entry.stat().st_mtime_ns)
                     for entry in os.scandir(directory)
                     if entry.is_file() and not entry.name.startswith("."))
    return hashlib.blake2b(repr(entries).encode("utf-8"), digest_size=8).hexdigest()


def cached_arrays(directory: Path | None, name: str,
                  compute: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Return the named arrays of a generation, from its cache file or computed (and saved)."""
    if directory is None:
        return compute()
    try:
        path = directory / f"{PREFIX}{name}-{index_digest(directory)}.npz"
    except OSError:
        return compute()
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        pass        # not saved yet (or a torn file from a killed process): compute it
    arrays = compute()
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(temp, path)          # readers see a whole file or none
        # An update copies the previous generation's folder, caches included: those were
        # for other index files and are never read again.
        for stale in directory.glob(f"{PREFIX}{name}-*.npz"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:
        try:
            temp.unlink()
        except OSError:
            pass
    return arrays
