"""Slow clients and slow queries against `searchsvc serve`: does a plain search still answer?

Usage:
    python bench/slow_clients.py --index-dir /path/to/index [--half-open 50] [--silent 0]
                                 [--expensive 8] [--duration 20] [--checkout PATH]

Starts the production server (`searchsvc serve`, the code of --checkout, default this one)
on a free loopback port, then at once:

- holds --half-open connections that sent part of a request (`GET / HTTP/1.1`, a Host
  header, and never the blank line that ends the headers), opening a new one whenever the
  server closes one, and --silent connections that sent nothing;
- runs --expensive client threads, each sending expensive queries one after another
  (all dates, a leading wildcard, hundreds of OR'ed words, a long phrase);
- sends a plain search every 0.5 s and times it.

Prints each kind's count, median and slowest answer, and how many plain searches took over
1 s. Only loopback traffic; the run ends after --duration seconds, every request has a
timeout, and the server is stopped at the end.
"""
from __future__ import annotations

import argparse
import http.client
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PLAIN = "/api/search?q=diplomat"
EXPENSIVE = [
    "date:[* TO *]",
    "year:[1800 TO 2100]",
    "*tion",
    "*a*",
    " OR ".join(f"w{n}" for n in range(300)) + " OR news",
    '"' + " ".join(["the government said that it would"] * 20) + '"',
]
PARTIAL_REQUEST = b"GET / HTTP/1.1\r\nHost: x\r\n"


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(checkout: Path, index_dir: str, port: int) -> subprocess.Popen:
    """Start `searchsvc serve` from a checkout and wait until /api/health answers."""
    env = {**os.environ, "SEARCHSVC_INDEX_DIR": index_dir, "PYTHONPATH": str(checkout)}
    process = subprocess.Popen([sys.executable, "-m", "searchsvc.cli", "serve", "--port",
                                str(port)], cwd=checkout, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if timed_get(port, "/api/health", 5)[0] == 200:
                return process
        except OSError:
            time.sleep(0.5)
    stop_server(process)
    raise SystemExit("the server did not start")


def stop_server(process: subprocess.Popen) -> None:
    """Stop the server's process group."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def timed_get(port: int, path: str, timeout: float) -> tuple[int, float]:
    """GET a path; return its status and seconds taken (status 0: no answer in time)."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    except (TimeoutError, ConnectionError, http.client.HTTPException):
        return 0, time.monotonic() - started
    finally:
        connection.close()


def hold_connections(port: int, half_open: int, silent: int, stop: threading.Event,
                     reopened: list[int]) -> None:
    """Keep `half_open` half-sent and `silent` silent connections open until stop is set."""
    def open_one(partial: bool) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if partial:
            sock.sendall(PARTIAL_REQUEST)
        return sock

    held = {open_one(True): True for _ in range(half_open)}
    held.update({open_one(False): False for _ in range(silent)})
    while not stop.wait(0.2):
        readable, _, _ = select.select(list(held), [], [], 0)
        for sock in readable:   # closed by the server (or answered): open another
            partial = held.pop(sock)
            sock.close()
            held[open_one(partial)] = partial
            reopened[0] += 1
    for sock in held:
        sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--half-open", type=int, default=50)
    parser.add_argument("--silent", type=int, default=0)
    parser.add_argument("--expensive", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--checkout", type=Path, default=ROOT)
    args = parser.parse_args()

    port = free_port()
    server = start_server(args.checkout.resolve(), args.index_dir, port)
    stop = threading.Event()
    reopened = [0]
    expensive_times: list[tuple[int, float]] = []
    plain_times: list[tuple[int, float]] = []

    def expensive_client(offset: int) -> None:
        n = offset
        while not stop.is_set():
            query = EXPENSIVE[n % len(EXPENSIVE)]
            expensive_times.append(timed_get(port, "/api/search?q=" + quote(query), 60))
            n += 1

    try:
        threads = [threading.Thread(target=hold_connections, daemon=True,
                                    args=(port, args.half_open, args.silent, stop, reopened))]
        threads += [threading.Thread(target=expensive_client, args=(n,), daemon=True)
                    for n in range(args.expensive)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)   # let the slow clients and queries take their places
        ends = time.monotonic() + args.duration
        while time.monotonic() < ends:
            plain_times.append(timed_get(port, PLAIN, 30))
            time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=70)
    finally:
        stop.set()
        stop_server(server)

    print(f"checkout {args.checkout.resolve().name}: {args.half_open} half-open, "
          f"{args.silent} silent connections ({reopened[0]} reopened after the server "
          f"closed them), {args.expensive} expensive clients, {args.duration:.0f} s")
    for label, times in (("plain search", plain_times), ("expensive", expensive_times)):
        answered = [seconds for status, seconds in times if status]
        statuses = sorted({status for status, _ in times})
        median = statistics.median(answered) if answered else float("nan")
        print(f"  {label:13} {len(times):4} requests, statuses {statuses}, "
              f"median {median:.3f} s, slowest {max(s for _, s in times):.3f} s, "
              f"over 1 s: {sum(1 for status, s in times if s > 1 or not status)}")


if __name__ == "__main__":
    main()
