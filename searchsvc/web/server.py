"""Running the app under gunicorn, a production WSGI server, from `searchsvc serve`."""
from __future__ import annotations

import json
import mmap
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import _DEFER, ThreadWorker

from .extension import SECURITY_HEADERS

# A connection that has sent nothing waits in the worker's poller, not in a thread, after
# this long: gunicorn's own wait is 5 s of a thread per silent connection.
FIRST_BYTES_WAIT = 0.05
# The longest a request's line, headers and body may take to arrive. A client that stalls
# mid-request holds a thread this long at most; then the connection is closed.
REQUEST_READ_TIMEOUT = 10.0
# A worker holding more connections than another running worker leaves new connections to
# it, for this long at most (a peer that stopped accepting must not stall them).
BALANCE_PATIENCE = 0.2
# How often a worker leaving new connections to the others looks at their counts again.
BALANCE_POLL = 0.01
# Workers whose connections are balanced (`searchsvc serve` allows at most 64).
BALANCE_SLOTS = 64


class SearchServer(BaseApplication):
    """A gunicorn application that serves create_app() with the given options."""

    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app
        return create_app()


class DeadlineSocket(socket.socket):
    """A client socket whose blocking reads end at a deadline, as if the client had closed."""

    read_deadline: float | None = None

    @classmethod
    def adopt(cls, sock: socket.socket) -> "DeadlineSocket":
        """Return a DeadlineSocket on the same connection (the old object is detached)."""
        timeout = sock.gettimeout()
        adopted = cls(sock.family, sock.type, sock.proto, fileno=sock.detach())
        adopted.settimeout(timeout)
        return adopted

    def recv(self, size: int, flags: int = 0) -> bytes:
        """Read as socket.recv does, but return b"" (end of input) once the deadline passed."""
        previous = self.gettimeout()
        if self.read_deadline is None or previous == 0.0:   # non-blocking: the poller's read
            return super().recv(size, flags)
        left = self.read_deadline - time.monotonic()
        if left <= 0:
            return b""
        self.settimeout(left if previous is None else min(left, previous))
        try:
            return super().recv(size, flags)
        except TimeoutError:
            if time.monotonic() < self.read_deadline:
                raise   # the caller's own, shorter timeout
            return b""
        finally:
            self.settimeout(previous)


class ConnectionCounts:
    """Each worker's open connections, in memory the arbiter shares with the workers it forks.

    Slot i holds the count of the worker given slot i, or -1 when no running worker has it.
    Each slot has one writer (its worker, or the arbiter around the worker's life).
    """

    def __init__(self, slots: int = BALANCE_SLOTS) -> None:
        # An anonymous mapping is shared (MAP_SHARED) with the processes forked after it.
        self._counts = memoryview(mmap.mmap(-1, 4 * slots)).cast("i")
        for slot in range(slots):
            self._counts[slot] = -1

    def free_slot(self, used: set) -> int | None:
        """Return the first slot not in used, or None when every slot is."""
        return next((slot for slot in range(len(self._counts)) if slot not in used), None)

    def set(self, slot: int, count: int) -> None:
        """Publish the count of slot's worker (-1: no running worker there)."""
        self._counts[slot] = count

    def fewest_elsewhere(self, slot: int) -> int | None:
        """Return the fewest connections any other running worker holds (None: no other)."""
        return min((count for index, count in enumerate(self._counts.tolist())
                    if count >= 0 and index != slot), default=None)


class SearchWorker(ThreadWorker):
    """gunicorn's threaded worker, where no silent or slow client holds a thread for long.

    A connection that has sent nothing goes back to the poller (which closes it after the
    keep-alive time) instead of holding a thread for 5 s; a request must arrive whole within
    REQUEST_READ_TIMEOUT, so a client that stops mid-header frees its thread then. It builds
    on gunicorn 27's gthread worker (handle(), TConn.wait_for_data and the _DEFER result),
    hence gunicorn's cap below 28 in pyproject.toml.
    """

    # Requests of one process computed at once (set by run_server; None: no limit).
    app_slots: int | None = None
    # The workers' connection counts (set by run_server) and this worker's slot in them
    # (set by the arbiter before forking it; None: not balanced).
    connection_counts: ConnectionCounts | None = None
    balance_slot: int | None = None
    _declined_since: float | None = None
    # The threads that run the app (None: the connection threads run it themselves).
    compute: ThreadPoolExecutor | None = None

    def load_wsgi(self) -> None:
        """Load the app, to be run by app_slots threads of its own.

        Searches are CPU work under one GIL: many at once in a process take turns every few
        milliseconds and all finish late. A thread still reading a slow client's request
        holds no slot, so the limit never lets such clients stall the work; a slot is held
        only while the app builds its response, not while it is sent. The app runs in its
        own threads, not in whichever connection thread read the request, because glibc's
        malloc gives each thread that allocates an arena of its own (up to 8 per core) that
        keeps what was freed in it: searches spread over 64 threads held 570-680 MiB of
        heap per worker at 1M articles.
        """
        super().load_wsgi()
        self.flask_app = self.wsgi
        if self.app_slots:
            app = self.wsgi
            self.compute = ThreadPoolExecutor(self.app_slots, thread_name_prefix="search")

            def limited(environ, start_response):
                return self.compute.submit(app, environ, start_response).result()
            self.wsgi = limited

    def run_computation(self, work):
        """Return work() as computed by the threads that run the app (here if none)."""
        if self.compute is None:
            return work()
        return self.compute.submit(work).result()

    def handle(self, conn):
        """Handle one request on a connection, with the waits bounded as above."""
        if not conn.initialized and not conn.data_ready:
            if not conn.wait_for_data(FIRST_BYTES_WAIT):
                return _DEFER
        if not isinstance(conn.sock, DeadlineSocket):
            conn.sock = DeadlineSocket.adopt(conn.sock)
        conn.sock.read_deadline = time.monotonic() + REQUEST_READ_TIMEOUT
        return super().handle(conn)

    # Connections are spread evenly over the workers. Every worker's poller wakes when one
    # arrives and the first to run accepts it: on a busy machine one worker often took all
    # of a client's keep-alive connections (16 of 16 seen), leaving the other process idle
    # and the first one's queue twice as long. A worker holding more connections than
    # another now stops accepting until that one catches up (or BALANCE_PATIENCE passes).

    def _fair_to_accept(self) -> bool:
        """Return whether this worker holds no more connections than any other running one."""
        if self.connection_counts is None or self.balance_slot is None:
            return True
        fewest = self.connection_counts.fewest_elsewhere(self.balance_slot)
        if fewest is None or self.nr_conns <= fewest:
            self._declined_since = None
            return True
        now = time.monotonic()
        if self._declined_since is None:
            self._declined_since = now
        return now - self._declined_since >= BALANCE_PATIENCE

    def set_accept_enabled(self, enabled: bool) -> None:
        """Accept new connections when gunicorn would and this worker's share allows."""
        super().set_accept_enabled(enabled and self._fair_to_accept())

    def accept(self, listener) -> None:
        """Accept one connection, then stop accepting if this worker now holds too many."""
        super().accept(listener)
        self._declined_since = None
        self._publish_count()
        if not self._fair_to_accept():
            super().set_accept_enabled(False)

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        """Publish this worker's count, then wait (briefly while leaving connections to others)."""
        self._publish_count()
        if self.alive and not self._accepting and self.balance_slot is not None:
            timeout = min(timeout, BALANCE_POLL)
        super().wait_for_and_dispatch_events(timeout)

    def _publish_count(self) -> None:
        """Write this worker's open connections where the others read them (-1 once stopping)."""
        if self.connection_counts is not None and self.balance_slot is not None:
            self.connection_counts.set(self.balance_slot, self.nr_conns if self.alive else -1)


def _give_balance_slot(arbiter, worker) -> None:
    """Give a worker about to be forked the first slot no running worker has (arbiter)."""
    counts = SearchWorker.connection_counts
    if counts is not None:
        used = {other.balance_slot for other in arbiter.WORKERS.values()}
        worker.balance_slot = counts.free_slot(used)
        if worker.balance_slot is not None:
            counts.set(worker.balance_slot, -1)   # counted once it accepts


def _clear_balance_slot(arbiter, worker) -> None:
    """Mark a stopped worker's slot as having no running worker (arbiter or the worker)."""
    counts = SearchWorker.connection_counts
    if counts is not None and getattr(worker, "balance_slot", None) is not None:
        counts.set(worker.balance_slot, -1)


def connections_by_worker(server_pid: int, port: int) -> dict[int, int]:
    """Return how many established connections to port each worker of a server holds (Linux)."""
    established = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(f":{port:04X}") and fields[3] == "01":
            established.add(f"socket:[{fields[9]}]")
    held = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:   # the parent's pid is the second field after the parenthesised command name
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != server_pid:
                continue
            fds = list((stat.parent / "fd").iterdir())
            held[int(stat.parent.name)] = sum(os.readlink(fd) in established for fd in fds)
        except (OSError, ValueError):   # a process that ended meanwhile
            continue
    return held


def run_server(host: str, port: int, workers: int, threads: int,
               app_slots: int | None = None) -> None:
    """Serve the app on host:port with worker processes of `threads` threads each, at most
    `app_slots` of them running the app at once (blocks)."""
    util.write_error = write_error
    SearchWorker.app_slots = app_slots
    SearchWorker.connection_counts = ConnectionCounts() if workers > 1 else None
    SearchServer({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": SearchWorker,
        "threads": threads,
        "timeout": 120,   # also bounds the per-worker warm-up
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        # Requests are short and CPU-bound: a small backlog of keep-alive sockets is enough.
        "backlog": 256,
        # The longest request line gunicorn allows: a query the app cuts at MAX_QUERY_LENGTH
        # can be several times longer once percent-encoded.
        "limit_request_line": 8190,
        "post_worker_init": _warm_worker,
        "pre_fork": _give_balance_slot,
        "child_exit": _clear_balance_slot,
        "worker_exit": _clear_balance_slot,
    }).run()


def write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """Answer a request gunicorn refuses itself in the app's JSON error shape and headers.

    That is a request line too long, a malformed request, or a failure outside the app;
    gunicorn.util.write_error, which this replaces, writes an HTML page.
    """
    message = f"{reason}: {mesg}" if mesg else reason
    body = json.dumps({"error": {"status": status_int, "message": message}}).encode()
    head = [f"HTTP/1.1 {status_int} {reason}", "Connection: close",
            "Content-Type: application/json", f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in SECURITY_HEADERS.items())]
    util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


def _warm_worker(worker) -> None:
    """Warm each worker's caches before it takes requests (each worker has its own)."""
    import logging

    from ..service import SearchService
    service: SearchService = worker.flask_app.extensions["searchsvc"]
    try:
        # Warmed in the threads that will search, so the caches live in their arena.
        loaded = worker.run_computation(service.warm)
    except FileNotFoundError as error:   # no index yet: requests will say so clearly
        logging.getLogger(__name__).warning("not warmed: %s", error)
        return
    logging.getLogger(__name__).info("worker %s warmed: %s", worker.pid, loaded)
    _tune_garbage_collector()


# A young generation this large is collected about once per 30 searches instead of 2-3
# times per search; the older ones rarely.
GC_THRESHOLDS = (20_000, 20, 20)


def _tune_garbage_collector() -> None:
    """Keep the collector off the long-lived index objects, and run it less often.

    The open index, its columns and decoded postings are hundreds of thousands of objects
    that live as long as the worker; every full collection walked them all (tens of ms,
    about 0.5 ms per search on average, in bursts that lengthen the latency tail).
    gc.freeze() moves what exists after warming out of the collector's sight.
    """
    import gc
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
