"""What a long-running search process keeps resident: its heap, and the index files it maps.

Two things made a serving worker's resident memory (RSS) grow with the index without it
holding more data:

- glibc's malloc raises its mmap threshold each time a large block is freed (up to 32 MiB),
  so after the first large temporary array, later ones (a common word's postings, facet
  masks) come from the heap, which fragments and is never given back. A fixed threshold keeps
  blocks of 128 KiB and more in their own mappings, returned to the system when freed.
- pages of the memory-mapped posting arrays stay in the process's page tables once touched,
  and count in its RSS, although they are the operating system's page cache, shared by every
  process and reclaimable. Releasing them (madvise MADV_DONTNEED on a read-only file mapping)
  leaves them in the page cache and costs a minor page fault when next read.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import os

M_MMAP_THRESHOLD = -3               # mallopt's parameter number in glibc's malloc.h
MMAP_THRESHOLD_BYTES = 128 * 1024   # glibc's own starting value, kept fixed
STATM = "/proc/self/statm"


def keep_large_allocations_apart() -> bool:
    """Fix glibc's mmap threshold so freed large arrays go back to the system; True if set."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):     # not glibc (musl, macOS): nothing to set
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))


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
