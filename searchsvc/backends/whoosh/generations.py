"""Index generations on disk: which one is served, switching to a new one, the build lock.

Layout of an index directory::

    index/
      CURRENT            name of the generation being served (replaced atomically)
      gen-<stamp>/       one complete Whoosh index + build.json (report, file fingerprints)
        .readers         held (shared flock) by each process serving this generation
      .build.lock        held (flock) while a build runs

A build writes a new ``.building-*`` directory and only then points CURRENT at it, so a
failed or killed build leaves the served index as it was, and a searcher open on the old
generation keeps working. After a switch the directory holds at most two generations: the
served one, and the one it replaced while a reader still holds it (see prune).
"""
from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping

from whoosh import index as whoosh_index

from .analysis import ANALYSIS_VERSION

CURRENT_FILE = "CURRENT"
LOCK_FILE = ".build.lock"
BUILD_INFO = "build.json"
READERS_FILE = ".readers"


class BuildError(RuntimeError):
    """A build could not run; the message says why. The served index is unchanged."""


class BuildLocked(BuildError):
    """Another build holds the index directory's lock."""


def current_generation(index_dir: str | os.PathLike) -> str | None:
    """Return the name of the generation being served, or None if there is none."""
    try:
        name = (Path(index_dir) / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return name if name and (Path(index_dir) / name).is_dir() else None


def open_current(index_dir: str | os.PathLike) -> tuple[whoosh_index.Index, str]:
    """Open the generation being served; raise FileNotFoundError if none was built."""
    generation = current_generation(index_dir)
    if generation is None:
        raise FileNotFoundError(f"no index has been built in {index_dir}")
    return whoosh_index.open_dir(str(Path(index_dir) / generation)), generation


def build_info(index_dir: str | os.PathLike, generation: str | None = None) -> dict:
    """Return the build.json of a generation (default: the current one), or {}."""
    generation = generation or current_generation(index_dir)
    if not generation:
        return {}
    try:
        return json.loads((Path(index_dir) / generation / BUILD_INFO).read_text("utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def analysis_current(info: Mapping) -> bool:
    """Tell whether a generation's build.json says it was built with today's text analysis."""
    return info.get("analysis", 1) == ANALYSIS_VERSION


def switch_to(index_dir: Path, generation: str) -> None:
    """Point CURRENT at a generation atomically (write a temp file, fsync, rename)."""
    temp = index_dir / f".{CURRENT_FILE}.{os.getpid()}"
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write(generation + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, index_dir / CURRENT_FILE)
    directory = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class ReaderMark:
    """A shared lock on a generation's reader file, released by close() or when collected."""

    def __init__(self, fd: int) -> None:
        self.fd: int | None = fd

    def close(self) -> None:
        """Release the mark."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    __del__ = close   # a handle dropped without closing must not keep its generation


def hold_generation(index_dir: str | os.PathLike, generation: str) -> ReaderMark | None:
    """Mark a generation as read by this process until the mark is closed.

    Returns None where the mark cannot be made (a read-only index directory): the
    generation is then only kept for as long as it is the newest old one.
    """
    try:
        fd = os.open(Path(index_dir) / generation / READERS_FILE, os.O_RDWR | os.O_CREAT)
    except OSError:
        return None
    fcntl.flock(fd, fcntl.LOCK_SH)
    return ReaderMark(fd)


def _in_use(generation: Path) -> bool:
    """Tell whether some process holds a generation's reader mark."""
    try:
        handle = open(generation / READERS_FILE, "rb")
    except FileNotFoundError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


def prune(index_dir: Path) -> None:
    """Remove unfinished builds and old generations; call it holding the build lock.

    An old generation no reader holds goes at once. Of those still held, only the newest
    stays (usually the one the served generation replaced, for searches still running on
    it), so the directory holds at most two generations; an older one still held goes too:
    its readers keep the files they opened, and their next search moves to CURRENT.
    """
    current = current_generation(index_dir)
    for stale in index_dir.glob(".building-*"):
        shutil.rmtree(stale, ignore_errors=True)
    old = sorted((p for p in index_dir.glob("gen-*") if p.name != current), reverse=True)
    held = [path for path in old if _in_use(path)]
    for path in old:
        if path not in held[:1]:
            shutil.rmtree(path, ignore_errors=True)


@contextmanager
def build_lock(index_dir: Path, wait: bool = False) -> Iterator[None]:
    """Hold the index directory's build lock; raise BuildLocked if another build has it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    handle = open(index_dir / LOCK_FILE, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BuildLocked(f"another build is already running on {index_dir} ({holder}); "
                              "wait for it to finish, or pass --wait") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {dt.datetime.now():%Y-%m-%d %H:%M:%S}")
        handle.flush()
        yield
    finally:
        handle.close()   # closing releases the lock; the kernel does so too if we are killed
