"""What a long-running search process keeps resident of the index files it maps.

Pages of the memory-mapped posting arrays stay in the process's page tables once touched and
count in its RSS, although they are the operating system's page cache, shared by every
process and reclaimable: a worker of a million articles' index showed 1.3 GiB of them.
Releasing them (madvise MADV_DONTNEED on a read-only file mapping) leaves them in the page
cache; a later read costs a minor fault. (Keeping large temporary arrays out of the heap
with a fixed glibc mmap threshold saved another 50 MiB there, but every such array then
came from fresh pages: about 30% more CPU for numpy expressions on long posting lists.)
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import mmap
import os

STATM = "/proc/self/statm"


def resident_bytes() -> tuple[int, int] | None:
    """Return this process's resident bytes and, of them, those of mapped files; None where
    unknown."""
    try:
        with open(STATM, "rb") as handle:
            fields = handle.read().split()
    except OSError:                       # not Linux
        return None
    # statm: size resident shared ...; "shared" counts resident file-backed pages.
    return int(fields[1]) * mmap.PAGESIZE, int(fields[2]) * mmap.PAGESIZE


def map_read_only(path: str | os.PathLike) -> mmap.mmap | None:
    """Map a whole file read-only; None for an empty file (which cannot be mapped)."""
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return None
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def release_pages(mapping: mmap.mmap | None) -> None:
    """Drop a read-only file mapping's pages from this process (they stay in the page cache)."""
    if mapping is not None and hasattr(mmap, "MADV_DONTNEED"):
        mapping.madvise(mmap.MADV_DONTNEED)


def release_heap() -> bool:
    """Give the heap's free pages back to the system (glibc's malloc_trim); return whether
    this C library could."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):      # not glibc
        return None
