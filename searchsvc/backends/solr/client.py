"""Talking to a SolrCloud cluster over HTTP/JSON: requests, failover between nodes, aliases."""
from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import requests

TIMEOUT = 60.0
# Pauses between rounds over every node when each answered with a passing server error
# (502/503/504, or a shard with no live replica while a node stops): about 3 s in all, the
# time SolrCloud takes to notice a stopped node and send requests to a live replica.
BACKOFF = (0.1, 0.2, 0.4, 0.8, 1.6)
RETRIED_STATUS = frozenset({502, 503, 504})
# A 500 with this message is the same passing state (a shard's replicas all seen down).
PASSING_ERRORS = ("no servers hosting shard", "no active replicas", "no live solrservers")


class SolrError(RuntimeError):
    """Solr answered with an error, or no node of the cluster answered."""


class SolrClient:
    """One cluster, reached through any of its nodes' base URLs (``http://host:port/solr``).

    A request goes to the node that answered last; when it cannot be reached, or answers
    with a passing server error (see ``passing``), the next node is tried, so a stopped node
    loses no request (every node can serve any collection of SolrCloud, forwarding what it
    does not hold). When every node failed so, the round is tried again after each pause of
    ``backoff``; an error of the request itself (4xx, other 500s) is raised at once.
    Collections API calls are not sent again after a server error (a CREATE may have been
    half done); they still move to the next node when one is unreachable.
    """

    def __init__(self, urls: str | list[str], timeout: float = TIMEOUT,
                 backoff: tuple[float, ...] = BACKOFF) -> None:
        if isinstance(urls, str):
            urls = [url for url in urls.split(",") if url.strip()]
        if not urls:
            raise SolrError("no Solr URL given (set SEARCHSVC_SOLR_URL)")
        self.urls = [url.strip().rstrip("/") for url in urls]
        self.timeout = timeout
        self.backoff = backoff
        self._session = requests.Session()
        self._first = 0

    def request(self, method: str, path: str, **kwargs) -> dict:
        """Send a request to the cluster and return its JSON answer; raise SolrError."""
        kwargs.setdefault("timeout", self.timeout)
        retry_errors = not path.startswith("/admin/collections")
        pauses = iter(self.backoff)
        while True:
            failures = []
            for step in range(len(self.urls)):
                index = (self._first + step) % len(self.urls)
                try:
                    response = self._session.request(method, self.urls[index] + path,
                                                     **kwargs)
                except requests.ConnectionError as error:   # a node down: try the next one
                    failures.append(f"{self.urls[index]}: {error}")
                    continue
                if retry_errors and passing(response):
                    failures.append(f"{self.urls[index]}: HTTP {response.status_code} "
                                    f"{_message(response)}")
                    continue
                self._first = index
                return _answer(method, path, response)
            pause = next(pauses, None)
            if pause is None:
                raise SolrError(f"no Solr node answered {method} {path} after "
                                f"{len(self.backoff) + 1} rounds: {failures[-1]}")
            time.sleep(pause)

    def get(self, path: str, **params: Any) -> dict:
        """GET a path with parameters (lists repeat a parameter)."""
        return self.request("GET", path, params={"wt": "json", **params})

    def post_json(self, path: str, body: Any, **params: Any) -> dict:
        """POST a JSON body."""
        return self.request("POST", path, json=body, params={"wt": "json", **params})

    def collections(self, action: str, **params: Any) -> dict:
        """Call the Collections API."""
        return self.get("/admin/collections", action=action, **params)

    def aliases(self) -> dict[str, tuple[str, dict]]:
        """Return {alias: (collection, properties)} as the cluster has them now."""
        answer = self.collections("LISTALIASES")
        properties = answer.get("properties", {})
        return {name: (target, properties.get(name, {}))
                for name, target in answer.get("aliases", {}).items()}

    def collection_names(self) -> list[str]:
        """Return the names of the cluster's collections."""
        return self.collections("LIST").get("collections", [])

    def upload_configset(self, name: str, folder: Path) -> None:
        """Upload a configset folder (its conf/ files) under a name, replacing one there."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted((folder / "conf").iterdir()):
                archive.write(path, path.name)
        self.request("POST", "/admin/configs", data=buffer.getvalue(),
                     params={"action": "UPLOAD", "name": name, "overwrite": "true",
                             "cleanup": "true", "wt": "json"},
                     headers={"Content-Type": "application/octet-stream"})


def passing(response: requests.Response) -> bool:
    """Tell whether an answer is a server error that another node or a moment may not give."""
    if response.status_code in RETRIED_STATUS:
        return True
    if response.status_code == 500:
        message = _message(response).lower()
        return any(text in message for text in PASSING_ERRORS)
    return False


def _message(response: requests.Response) -> str:
    """Return Solr's error message of an answer (its text when it is not Solr's JSON)."""
    try:
        answer = response.json()
    except ValueError:
        return response.text[:300]
    error = answer.get("error") if isinstance(answer, dict) else None
    return (error.get("msg") if isinstance(error, dict) else None) or response.text[:300]


def _answer(method: str, path: str, response: requests.Response) -> dict:
    """Return the JSON of an answer, or raise SolrError with Solr's message."""
    try:
        answer = response.json()
    except ValueError:
        raise SolrError(f"{method} {path}: HTTP {response.status_code}, not JSON: "
                        f"{response.text[:200]}") from None
    if response.status_code >= 400 or "error" in answer:
        raise SolrError(f"{method} {path}: {_message(response)}")
    return answer
