"""Running the app under gunicorn, a production WSGI server, from `searchsvc serve`."""
from __future__ import annotations

import json

from gunicorn import util
from gunicorn.app.base import BaseApplication

from .extension import SECURITY_HEADERS


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


def run_server(host: str, port: int, workers: int) -> None:
    """Serve the app on host:port with the given number of worker processes (blocks)."""
    util.write_error = write_error
    SearchServer({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
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
    service: SearchService = worker.wsgi.extensions["searchsvc"]
    try:
        loaded = service.warm()
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
