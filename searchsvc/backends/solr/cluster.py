"""A local SolrCloud cluster for development and tests, run by the Java launcher in the repo.

``solr-launcher/`` (built by Maven) starts N Solr nodes and an embedded ZooKeeper in one JVM
on 127.0.0.1 and writes ``DIR/cluster.json``: the nodes' ``solr_urls``, the ``zk_host`` and
the ``control_url`` of a loopback endpoint that stops or restarts a node and shuts down.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

from ...config import PROJECT_ROOT

LAUNCHER = PROJECT_ROOT / "solr-launcher"
START_TIMEOUT = 300.0       # seconds; a 3-node start takes about half a minute on 2 cores
HEAP = "1g"


class ClusterError(RuntimeError):
    """The local cluster could not be built, started, reached or stopped."""


def read_cluster(folder: str | os.PathLike) -> dict:
    """Return the cluster.json of a started cluster."""
    path = Path(folder) / "cluster.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClusterError(f"no cluster is running in {folder} (no cluster.json)") from None


def cluster_urls(folder: str | os.PathLike) -> list[str]:
    """Return the Solr base URLs of a started cluster's nodes."""
    return read_cluster(folder)["solr_urls"]


def build_launcher(quiet: bool = True) -> None:
    """Build the launcher with Maven unless its classes and libraries are newer than its sources."""
    target = LAUNCHER / "target"
    built = target / "classes" / "searchsvc" / "launcher" / "Main.class"
    sources = [LAUNCHER / "pom.xml", *LAUNCHER.joinpath("src").rglob("*")]
    if built.exists() and (target / "lib").is_dir() and all(
            p.stat().st_mtime <= built.stat().st_mtime for p in sources if p.is_file()):
        return
    maven = shutil.which("mvn")
    if maven is None:
        raise ClusterError("Maven (mvn) is not installed; it builds the Solr launcher")
    command = [maven, "-B", "-ntp", "package", "-DskipTests"] + (["-q"] if quiet else [])
    result = subprocess.run(command, cwd=LAUNCHER, capture_output=quiet, text=True)
    if result.returncode:
        raise ClusterError("building the launcher failed:\n" + (result.stdout or "")[-3000:])


def start(folder: str | os.PathLike, nodes: int = 3, timeout: float = START_TIMEOUT) -> dict:
    """Start a cluster in the background; return its cluster.json once every node answers."""
    folder = Path(folder).resolve()
    if (folder / "cluster.json").exists() and _answers(read_cluster(folder)):
        raise ClusterError(f"a cluster is already running in {folder}")
    build_launcher()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cluster.json").unlink(missing_ok=True)
    classpath = os.pathsep.join([str(LAUNCHER / "target" / "classes"),
                                 str(LAUNCHER / "target" / "lib" / "*")])
    with open(folder / "launcher.log", "ab") as log:
        process = subprocess.Popen(
            ["java", f"-Xmx{HEAP}", "-cp", classpath, "searchsvc.launcher.Main",
             "--nodes", str(nodes), "--dir", str(folder)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ClusterError(f"the launcher exited with status {process.returncode}; "
                               f"see {folder / 'launcher.log'}")
        if (folder / "cluster.json").exists():
            cluster = read_cluster(folder)
            if _answers(cluster):
                return cluster
        time.sleep(0.5)
    process.terminate()
    raise ClusterError(f"the cluster did not answer within {timeout:.0f} s; "
                       f"see {folder / 'launcher.log'}")


def _answers(cluster: dict) -> bool:
    """Return whether every running node of a cluster answers and sees all live nodes."""
    running = [url for url, up in zip(cluster["solr_urls"], cluster["running"]) if up]
    try:
        for url in running:
            answer = requests.get(f"{url}/admin/collections",
                                  params={"action": "CLUSTERSTATUS", "wt": "json"}, timeout=10)
            if answer.status_code != 200:
                return False
            if len(answer.json()["cluster"].get("live_nodes", [])) < len(running):
                return False
    except (requests.ConnectionError, requests.Timeout, ValueError, KeyError):
        return False
    return True


def _control(folder: str | os.PathLike, command: str, timeout: float = 120.0) -> dict:
    cluster = read_cluster(folder)
    try:
        answer = requests.get(cluster["control_url"] + command, timeout=timeout)
    except requests.ConnectionError:
        raise ClusterError(f"the launcher of {folder} does not answer") from None
    if answer.status_code != 200:
        raise ClusterError(f"{command}: {answer.text}")
    return answer.json()


def stop_node(folder: str | os.PathLike, node: int) -> dict:
    """Stop one node (0-based) of a running cluster; return the cluster's state."""
    return _control(folder, f"/stop-node?node={int(node)}")


def start_node(folder: str | os.PathLike, node: int) -> dict:
    """Start a stopped node again (same port, same index); return the cluster's state."""
    return _control(folder, f"/start-node?node={int(node)}")


def stop(folder: str | os.PathLike, timeout: float = 120.0) -> None:
    """Shut a cluster down and wait until its JVM has exited."""
    cluster = read_cluster(folder)
    _control(folder, "/shutdown")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(cluster["pid"]):
            (Path(folder) / "cluster.json").unlink(missing_ok=True)
            return
        time.sleep(0.5)
    raise ClusterError(f"the launcher (pid {cluster['pid']}) did not exit in {timeout:.0f} s")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if sys.platform.startswith("linux"):
        try:      # a zombie (exited, not yet reaped by its parent) is not running
            return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
        except OSError:
            return False
    return True
