"""The Solr client against small local HTTP servers that answer as a Solr node in trouble does.

No cluster needed: each server is a real HTTP server on 127.0.0.1 that plays back a list of
answers (status, JSON body), so the client's failover and back-off run over real sockets.
"""
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from searchsvc.backends.solr.client import SolrClient, SolrError

OK = (200, {"responseHeader": {"status": 0}, "response": {"numFound": 7, "docs": []}})
UNAVAILABLE = (503, {"error": {"msg": "Service Unavailable", "code": 503}})
NO_SHARD = (500, {"error": {"msg": "no servers hosting shard: shard2", "code": 500}})
BAD_REQUEST = (400, {"error": {"msg": "undefined field nosuch", "code": 400}})


class Node:
    """A loopback HTTP server answering each request with the next of its answers."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.paths = []
        node = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                node.paths.append(self.path)
                status, body = node.answers.pop(0) if len(node.answers) > 1 else node.answers[0]
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/solr"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def nodes():
    made = []

    def make(*answers):
        made.append(Node(answers))
        return made[-1]
    yield make
    for node in made:
        node.close()


def closed_port_url():
    """Return a loopback URL where nothing listens (a stopped node)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/solr"


def test_a_503_once_is_retried_and_answered(nodes):
    node = nodes(UNAVAILABLE, OK)
    client = SolrClient([node.url], backoff=(0.05,))
    assert client.get("/c/select", q="*:*")["response"]["numFound"] == 7
    assert len(node.paths) == 2


@pytest.mark.parametrize("trouble", [(502, {}), (504, {}), NO_SHARD],
                         ids=["502", "504", "no servers hosting shard"])
def test_a_passing_error_goes_to_the_next_node_at_once(nodes, trouble):
    sick, well = nodes(trouble), nodes(OK)
    client = SolrClient([sick.url, well.url], backoff=(5.0,))
    started = time.monotonic()
    assert client.get("/c/select", q="*:*")["response"]["numFound"] == 7
    assert time.monotonic() - started < 2.0          # no pause: another node answered
    assert len(sick.paths) == 1 and len(well.paths) == 1
    client.get("/c/select", q="*:*")                 # the node that answered is asked first
    assert len(sick.paths) == 1 and len(well.paths) == 2


def test_a_bad_request_is_never_sent_again(nodes):
    first, second = nodes(BAD_REQUEST), nodes(OK)
    client = SolrClient([first.url, second.url], backoff=(0.05, 0.05))
    with pytest.raises(SolrError, match="undefined field nosuch"):
        client.get("/c/select", q="nosuch:1")
    assert len(first.paths) == 1 and second.paths == []


def test_other_server_errors_are_not_retried(nodes):
    node = nodes((500, {"error": {"msg": "java.lang.NullPointerException", "code": 500}}), OK)
    client = SolrClient([node.url], backoff=(0.05,))
    with pytest.raises(SolrError, match="NullPointerException"):
        client.get("/c/select", q="*:*")
    assert len(node.paths) == 1


def test_the_back_off_is_bounded(nodes):
    node = nodes(UNAVAILABLE)
    client = SolrClient([node.url, closed_port_url()], backoff=(0.05, 0.1, 0.2))
    started = time.monotonic()
    with pytest.raises(SolrError, match="after 4 rounds.*") as raised:
        client.get("/c/select", q="*:*")
    assert len(node.paths) == 4                      # one try a round, each node
    assert 0.35 <= time.monotonic() - started < 5
    assert "/c/select" in str(raised.value)


def test_a_collections_api_call_is_not_repeated_after_a_server_error(nodes):
    node = nodes(UNAVAILABLE, OK)
    client = SolrClient([node.url], backoff=(0.05,))
    with pytest.raises(SolrError, match="Service Unavailable"):
        client.collections("CREATE", name="c")
    assert len(node.paths) == 1
