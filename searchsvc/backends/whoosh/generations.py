"""Index generations on disk: which one is served, switching to a new one, the build lock.

Layout of an index directory::

    index/
      CURRENT            name of the generation being served (replaced atomically)
      gen-<stamp>/       one complete Whoosh index + build.json (report, file fingerprints)
      .build.lock        held (flock) while a build runs

A build writes a new ``.building-*`` directory and only then points CURRENT at it, so a
failed or killed build leaves the served index as it was, and a searcher open on the old
generation keeps working (old generations are kept for a while, see KEEP_GENERATIONS).
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


def prune(index_dir: Path, keep: int) -> None:
    """Remove unfinished builds and all but the newest `keep` old generations."""
    current = current_generation(index_dir)
    for stale in index_dir.glob(".building-*"):
        shutil.rmtree(stale, ignore_errors=True)
    old = sorted((p for p in index_dir.glob("gen-*") if p.name != current), reverse=True)
    for path in old[keep:]:
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
