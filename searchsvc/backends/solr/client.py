"""Talking to a SolrCloud cluster over HTTP/JSON: requests, failover between nodes, aliases."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import requests

TIMEOUT = 60.0


class SolrError(RuntimeError):
    """Solr answered with an error, or no node of the cluster answered."""


class SolrClient:
    """One cluster, reached through any of its nodes' base URLs (``http://host:port/solr``).

    A request goes to the node that answered last; when it cannot be reached, the next
    node is tried, so a stopped node loses no request (every node can serve any collection
    of SolrCloud, forwarding what it does not hold).
    """

    def __init__(self, urls: str | list[str], timeout: float = TIMEOUT) -> None:
        if isinstance(urls, str):
            urls = [url for url in urls.split(",") if url.strip()]
        if not urls:
            raise SolrError("no Solr URL given (set SEARCHSVC_SOLR_URL)")
        self.urls = [url.strip().rstrip("/") for url in urls]
        self.timeout = timeout
        self._session = requests.Session()
        self._first = 0

    def request(self, method: str, path: str, **kwargs) -> dict:
        """Send a request to the cluster and return its JSON answer; raise SolrError."""
        kwargs.setdefault("timeout", self.timeout)
        last_error: Exception | None = None
        for step in range(len(self.urls)):
            index = (self._first + step) % len(self.urls)
            try:
                response = self._session.request(method, self.urls[index] + path, **kwargs)
            except requests.ConnectionError as error:      # a node down: try the next one
                last_error = error
                continue
            self._first = index
            try:
                answer = response.json()
            except ValueError:
                raise SolrError(f"{method} {path}: HTTP {response.status_code}, not JSON: "
                                f"{response.text[:200]}") from None
            if response.status_code >= 400 or "error" in answer:
                message = answer.get("error", {}).get("msg") or response.text[:300]
                raise SolrError(f"{method} {path}: {message}")
            return answer
        raise SolrError(f"no Solr node answered ({', '.join(self.urls)}): {last_error}")

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
