"""`searchsvc serve`: the production server (gunicorn) answering real HTTP on a loopback port."""
import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from searchsvc.cli import _instance_path
from searchsvc.web.server import REQUEST_READ_TIMEOUT, DeadlineSocket, connections_by_worker
from searchsvc import create_app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _serving(index, workers: int):
    """Run `searchsvc serve` with the given workers on index; yield (port, process)."""
    port = _free_port()
    env = {**os.environ, "SEARCHSVC_INDEX_DIR": str(index)}
    process = subprocess.Popen([sys.executable, "-m", "searchsvc.cli", "serve", "--port",
                                str(port), "--workers", str(workers)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                if _get(port, "/api/health")[0] == 200:
                    break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    raise RuntimeError("searchsvc serve did not start: "
                                       + process.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield port, process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        process.stderr.close()


@pytest.fixture(scope="module")
def served(seeds_index):
    """A `searchsvc serve` process (one worker) on the seeds index; yields its port."""
    with _serving(seeds_index, workers=1) as (port, _):
        yield port


def _get(port: int, path: str) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_serve_answers_searches(served):
    status, headers, body = _get(served, "/api/search?q=Myanmar")
    assert status == 200
    assert json.loads(body)["total"] == 5
    assert "Content-Security-Policy" in headers


def test_a_request_line_too_long_gets_the_json_error_shape(served):
    status, headers, body = _get(served, "/api/search?q=" + "x" * 9000)
    assert status == 414
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    error = json.loads(body)["error"]
    assert error["status"] == 414 and "too large" in error["message"]


def test_a_long_query_within_the_request_limit_is_read_whole(served):
    status, _, body = _get(served, "/api/search?q=" + "asylum%20" * 800)   # 7,200 characters
    assert status == 200
    assert not any("cut" in note for note in json.loads(body)["query"]["notes"])


def test_command_line_reads_the_same_instance_folder_as_the_app():
    assert _instance_path() == create_app().instance_path


def test_clients_holding_idle_or_half_sent_requests_do_not_stop_the_service(served):
    # Under sync workers three such connections made /api/health wait 40 s; here each
    # waits in the poller or holds one of the worker's threads.
    held = []
    try:
        for n in range(40):
            sock = socket.create_connection(("127.0.0.1", served), timeout=10)
            if n % 4:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")   # never the blank line
            held.append(sock)
        time.sleep(0.5)   # the worker has taken them all
        status, _, body = _get(served, "/api/search?q=asylum")
        assert status == 200 and json.loads(body)["total"] > 0
    finally:
        for sock in held:
            sock.close()


def test_a_request_that_stops_arriving_ends_at_its_read_deadline():
    client, server_end = socket.socketpair()
    with client, DeadlineSocket.adopt(server_end) as sock:
        sock.settimeout(None)
        client.sendall(b"GET / HTTP/1.1\r\n")
        sock.read_deadline = time.monotonic() + 0.3
        assert sock.recv(100) == b"GET / HTTP/1.1\r\n"
        assert sock.recv(100) == b""          # nothing more came: read as the end of input
        assert sock.gettimeout() is None      # the socket is left as it was


def test_a_host_header_werkzeug_cannot_read_gets_a_400(served):
    for path in ("/", "/search?q=asylum", "/articles/nope", "/api/search?q=x"):
        connection = http.client.HTTPConnection("127.0.0.1", served, timeout=30)
        try:
            connection.request("GET", path, headers={"Host": "a" * 64 + ".example"})
            response = connection.getresponse()
            assert response.status == 400, path
            assert json.loads(response.read())["error"]["status"] == 400
        finally:
            connection.close()


def test_the_server_closes_a_request_that_stops_arriving(served):
    # gunicorn's own threaded worker would keep this thread blocked for as long as the
    # client keeps the connection open.
    with socket.create_connection(("127.0.0.1", served), timeout=REQUEST_READ_TIMEOUT + 30) \
            as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        assert sock.recv(100) == b""


@pytest.mark.parametrize("headers", [{"X-Big": "x" * 9000},
                                     {f"X-Many-{n}": "x" for n in range(120)}])
def test_oversized_headers_get_a_431_in_the_json_error_shape(served, headers):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=30)
    try:
        connection.request("GET", "/api/health", headers=headers)
        response = connection.getresponse()
        assert response.status == 431
        assert json.loads(response.read())["error"]["status"] == 431
    finally:
        connection.close()


def test_a_large_body_gets_a_413_from_the_server(served):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=30)
    try:
        connection.request("POST", "/api/search", body=b"x" * (2 * 1024 * 1024))
        response = connection.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["error"]["status"] == 413
    finally:
        connection.close()


def _kept_alive(port: int, path: str = "/api/health") -> http.client.HTTPConnection:
    """Return an open keep-alive connection that has had one answer to path."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    assert response.status == 200
    response.read()
    return connection


def test_the_workers_share_a_clients_connections_evenly(seeds_index):
    # Each worker's poller wakes for a new connection and the first to run takes it: a
    # client's 16 keep-alive connections could all land on one worker, the other idle.
    with _serving(seeds_index, workers=2) as (port, process):
        deadline = time.time() + 60
        seen: set[int] = set()
        while len(seen) < 2:     # both workers are accepting (the second may be warming)
            assert time.time() < deadline, "the second worker never accepted"
            connection = _kept_alive(port)
            seen.update(pid for pid, count in
                        connections_by_worker(process.pid, port).items() if count)
            connection.close()
            time.sleep(0.05)
        time.sleep(0.5)          # the closed connections are gone from the counts
        connections = [_kept_alive(port, "/api/search?q=asylum") for _ in range(16)]
        try:
            held = connections_by_worker(process.pid, port)
            assert sorted(held.values()) == [8, 8], held
        finally:
            for connection in connections:
                connection.close()
