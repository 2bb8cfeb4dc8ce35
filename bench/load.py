"""Load test: wrk against `searchsvc serve`, varying the query over real queries.

Usage:
    python bench/load.py --index-dir /path/to/index [--queries bench/queries.txt]
                         [--connections 16] [--duration 30] [--runs 3]
                         [--reference /path/to/other/checkout] [--rebuild CORPUS]

Starts the production server (gunicorn, `searchsvc serve`) on a free loopback port,
waits until /api/health answers, then runs wrk with a Lua script that walks
through a list of request paths (one per request, round robin per connection), and prints
requests per second, p50/p99 latency and the error count for each run and
their medians. Only loopback traffic; every run is bounded in time.

The paths are a mix (--mix, default api=60,html=25,filtered=15, in percent): the JSON
search (`/api/search?q=...`), the HTML results page (`/search?q=...`), and filtered
searches, half JSON and half HTML, each with one filter in turn: an outlet, a year, or a
month as a day range (`from`/`to`), the values taken from the served index's own facets.
Every query of the file appears in every kind, spread so that neighbouring requests differ.
--mix api=100 is the JSON-only load of earlier runs.

With --reference (another checkout of this repository, e.g. `git worktree add` of an
older commit), a second server runs that code on the same index, and the runs
alternate between the two, so that both meet the same machine: this machine's speed
drifts from minute to minute, and only figures measured side by side compare.

With --rebuild CORPUS, after the runs it rebuilds the served index from CORPUS (`searchsvc
index`, a new generation switched in atomically) while wrk keeps the same load on the
server, and prints the requests, errors and latency of that stretch and the generations
the server answered from before and after: the service must answer throughout, with no
restart.

After the runs it measures the machine itself: one process per core repeating a fixed
60 ms of pure-Python work for 20 s, and prints the p50 and p99 of those repeats. Identical
work has no tail of its own, so their p99/p50 is how much the machine alone stretches
the slowest 1% of 60 ms intervals (the time a request spends queued and served here).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from searchsvc.web.server import connections_by_worker  # noqa: E402  (after the path is set)

LUA = r"""
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local counter = 0
local non2xx = 0

setup = function(thread)
  thread:set("offset", counter * 37)
  counter = counter + 1
end

init = function(args)
  index = offset or 0
end

request = function()
  index = index + 1
  return wrk.format("GET", paths[(index %% #paths) + 1])
end

response = function(status, headers, body)
  if status ~= 200 then non2xx = non2xx + 1 end
end
"""


MIX_KINDS = ("api", "html", "filtered")


def parse_mix(text: str) -> dict[str, int]:
    """Read --mix ("api=60,html=25,filtered=15") into whole percentages summing to 100."""
    mix = {kind: 0 for kind in MIX_KINDS}
    for part in text.split(","):
        kind, _, share = part.partition("=")
        if kind.strip() not in mix or not share.strip().isdigit() or int(share) % 5:
            raise SystemExit(f"--mix: expected kind=percent (a multiple of 5) with kinds "
                             f"{MIX_KINDS}, got {part!r}")
        mix[kind.strip()] = int(share)
    if sum(mix.values()) != 100:
        raise SystemExit(f"--mix: the shares add up to {sum(mix.values())}, not 100")
    return mix


def filter_values(base: str, queries: list[str]) -> list[list[tuple[str, str]]]:
    """Return filters drawn from the served index's facets: outlets, years, months."""
    def facets_of(query: str) -> dict:
        with urllib.request.urlopen(f"{base}/api/search?q={quote(query)}", timeout=60) as answer:
            return json.load(answer)["facets"]
    return filters_from(facets_of, queries)


def filters_from(facets_of, queries: list[str]) -> list[list[tuple[str, str]]]:
    """Return filters drawn from the facets of the first 20 queries (facets_of(query)):
    the 20 outlets and 8 years with the most articles, and four months of each year."""
    outlets, years = {}, {}
    for query in queries[:20]:
        facets = facets_of(query)
        for row in facets["outlet"]:
            outlets[row["value"]] = outlets.get(row["value"], 0) + row["count"]
        for row in facets["year"]:
            if re.fullmatch(r"\d{4}", row["value"]):
                years[row["value"]] = years.get(row["value"], 0) + row["count"]
    top_outlets = sorted(outlets, key=lambda v: -outlets[v])[:20]
    top_years = sorted(years, key=lambda v: -years[v])[:8]
    months = [f"{year}-{month:02d}" for year in top_years for month in (1, 4, 7, 10)]
    return [[("outlet", v) for v in top_outlets], [("year", v) for v in top_years],
            [("month", v) for v in months]]


def mixed_paths(queries: list[str], mix: dict[str, int],
                filters: list[list[tuple[str, str]]]) -> list[str]:
    """Return the request paths: each query once in each of 20 slots, kinds by the mix."""
    slots = [kind for kind in MIX_KINDS for _ in range(mix[kind] // 5)]
    paths = []
    for round_ in range(20):
        for number, query in enumerate(queries):
            kind = slots[(number + round_ * 7) % 20]
            q = f"q={quote(query)}"
            if kind == "api":
                paths.append(f"/api/search?{q}")
            elif kind == "html":
                paths.append(f"/search?{q}")
            else:
                which = (number + round_) % 3
                name, value = filters[which][(number // 3 + round_) % len(filters[which])]
                extra = (f"from={value}&to={value}" if name == "month"
                         else f"{name}={quote(value)}")
                route = "/api/search" if (number + round_) % 2 else "/search"
                paths.append(f"{route}?{q}&{extra}")
    return paths


def load_average() -> str:
    """Return the machine's 1-minute load average, as text."""
    return f"{os.getloadavg()[0]:.1f}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(base: str, timeout: float = 900.0) -> dict:
    """Wait for /api/health (a worker warms its caches first: minutes on a 1M index)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/api/health", timeout=2) as response:
                return json.load(response)
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not become healthy")


def parse_wrk(output: str) -> dict:
    """Pull requests/s, latency percentiles and errors out of wrk --latency output."""
    def millis(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percentile in ("50", "75", "90", "99"):
        match = re.search(rf"\s{percentile}(?:\.000)?%\s+([\d.]+(?:us|ms|s))", output)
        result[f"p{percentile}_ms"] = millis(match.group(1)) if match else None
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["errors"] = (sum(int(n) for n in errors.groups()) if errors else 0) + \
        (int(non2xx.group(1)) if non2xx else 0)
    return result


JITTER_CODE = r"""
import json, sys, time
def work(n):
    total = 0
    for i in range(n):
        total += i
    return total
n = 200_000
started = time.perf_counter(); work(n); n = int(n * 0.060 / (time.perf_counter() - started))
times, end = [], time.time() + float(sys.argv[1])
while time.time() < end:
    started = time.perf_counter(); work(n); times.append((time.perf_counter() - started) * 1000)
print(json.dumps(times))
"""


def machine_jitter(seconds: int, processes: int) -> tuple[float, float]:
    """Return the p50 and p99 (ms) of a fixed ~60 ms of work repeated on every core at once."""
    running = [subprocess.Popen([sys.executable, "-c", JITTER_CODE, str(seconds)],
                                stdout=subprocess.PIPE, text=True) for _ in range(processes)]
    times = sorted(t for process in running
                   for t in json.loads(process.communicate(timeout=seconds + 60)[0]))
    return times[len(times) // 2], times[int(len(times) * 0.99)]


class Server:
    """A `searchsvc serve` process on a free loopback port, running the code in `source`."""

    def __init__(self, name: str, source: Path, index_dir: str, workers: int,
                 threads: int | None = None, settings: dict[str, str] | None = None) -> None:
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "SEARCHSVC_INDEX_DIR": index_dir,
               **({"SEARCHSVC_THREADS": str(threads)} if threads else {}),
               **(settings or {}),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(source),
                                                           os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "searchsvc.cli", "serve", "--port", str(self.port),
             *(["--workers", str(workers)] if workers else [])], cwd=source, env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def worker_memory(server: Server) -> str:
    """Describe the resident memory of the server's worker processes (Linux /proc)."""
    try:
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children"
                        ).read_text().split()
    except OSError:
        return "workers' memory: unknown here"
    described = []
    for pid in children:
        try:
            status = dict(line.split(":", 1) for line in
                          Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
        except OSError:
            continue
        mib = {key: int(status[key].split()[0]) / 1024
               for key in ("VmRSS", "RssAnon", "RssFile", "VmHWM") if key in status}
        described.append(f"{mib.get('VmRSS', 0):,.0f} MiB ({mib.get('RssAnon', 0):,.0f} own, "
                         f"{mib.get('RssFile', 0):,.0f} mapped files; peak "
                         f"{mib.get('VmHWM', 0):,.0f})")
    return "workers' resident memory: " + "; ".join(described)


def process_tree_cpu(pid: int) -> float:
    """Return the CPU seconds (user + system) of a process and its descendants (Linux /proc)."""
    total = 0.0
    pending = [str(pid)]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            pending += Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def run_wrk(script: Path, server: Server, args) -> dict:
    """One timed wrk run against a server; returns parse_wrk's figures, as "spread" the
    connections each server worker held a few seconds in (e.g. "8/8"), and the CPU
    milliseconds per request of the server's processes and of wrk."""
    server_cpu = process_tree_cpu(server.process.pid)
    children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = subprocess.Popen(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
         "--timeout", "10s", "--latency", "-s", str(script), server.base],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(min(3.0, args.duration / 2))
    held = connections_by_worker(server.process.pid, server.port)
    stdout, stderr = load.communicate(timeout=args.duration + 60)
    if load.returncode:
        raise SystemExit(f"wrk failed: {stderr}")
    server_cpu = process_tree_cpu(server.process.pid) - server_cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (after.ru_utime + after.ru_stime) - (children_cpu.ru_utime + children_cpu.ru_stime)
    figures = parse_wrk(stdout)
    requests = max(1, figures["requests"])
    return {**figures, "spread": "/".join(map(str, sorted(held.values(), reverse=True))),
            "server_cpu_ms": server_cpu * 1000 / requests, "wrk_cpu_ms": wrk_cpu * 1000 / requests}


def rebuild_under_load(server: Server, script: Path, args) -> None:
    """Rebuild the served index while wrk loads the server; print what the clients saw."""
    before = wait_healthy(server.base)["generation"]
    load = subprocess.Popen(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", "-d600s", "--timeout", "10s",
         "--latency", "-s", str(script), server.base],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.perf_counter()
    time.sleep(3)
    subprocess.run([sys.executable, "-m", "searchsvc.cli", "index", "--corpus", args.rebuild,
                    "--index-dir", args.index_dir], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, timeout=1800)
    built = time.perf_counter() - started - 3
    time.sleep(3)
    load.send_signal(signal.SIGINT)        # wrk prints its figures when interrupted
    figures = parse_wrk(load.communicate(timeout=60)[0])
    after = wait_healthy(server.base)["generation"]
    print(f"rebuild under load: built in {built:.0f} s; {figures['requests']:,} requests, "
          f"{figures['rps']:.1f} req/s, p50 {figures['p50_ms']:.1f} ms, "
          f"p99 {figures['p99_ms']:.1f} ms, {figures['errors']} errors; "
          f"generation {before} -> {after}")


def median_line(runs: list[dict]) -> str:
    p50 = statistics.median(r["p50_ms"] for r in runs)
    p99 = statistics.median(r["p99_ms"] for r in runs)
    return (f"{statistics.median(r['rps'] for r in runs):.1f} req/s, p50 {p50:.1f} ms, "
            f"p99 {p99:.1f} ms (p99/p50 {p99 / p50:.2f}), "
            f"errors {sum(r['errors'] for r in runs)}, CPU per request: server "
            f"{statistics.median(r['server_cpu_ms'] for r in runs):.2f} ms, wrk "
            f"{statistics.median(r['wrk_cpu_ms'] for r in runs):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--queries", default=str(ROOT / "bench" / "queries.txt"),
                        help="One query per line (bench/latency.py --make-queries writes it).")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None,
                        help="Server worker processes (default: the server's own default).")
    parser.add_argument("--server-threads", type=int, default=None,
                        help="Threads per server worker (SEARCHSVC_THREADS; default: the "
                             "server's own default).")
    parser.add_argument("--mix", default="api=60,html=25,filtered=15",
                        help="Shares of JSON searches, HTML pages and filtered searches, in "
                             "percent (multiples of 5).")
    parser.add_argument("--warmup", type=int, default=20, help="Seconds of warm-up load.")
    parser.add_argument("--reference", type=Path,
                        help="Another checkout to measure alternately with this one.")
    parser.add_argument("--reference-setting", action="append", default=[],
                        metavar="NAME=VALUE",
                        help="A SEARCHSVC_ setting for the reference server only (repeatable), "
                             "e.g. SEARCHSVC_CONCURRENCY=0 with --reference . to compare "
                             "server models in one run.")
    parser.add_argument("--rebuild", metavar="CORPUS",
                        help="After the runs, rebuild the index from CORPUS under load.")
    args = parser.parse_args()

    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian package 'wrk')")
    queries = [line.strip() for line in Path(args.queries).read_text("utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    if len(queries) < 200:
        raise SystemExit(f"need at least 200 queries, {args.queries} has {len(queries)}")
    if args.reference and not (args.reference / "searchsvc").is_dir():
        raise SystemExit(f"--reference {args.reference} is not a checkout of searchsvc")

    mix = parse_mix(args.mix)
    reference_settings = dict(setting.split("=", 1) for setting in args.reference_setting
                              if "=" in setting)
    if len(reference_settings) != len(args.reference_setting) or not all(
            name.startswith("SEARCHSVC_") for name in reference_settings):
        raise SystemExit("--reference-setting takes SEARCHSVC_NAME=VALUE")

    workdir = Path(tempfile.mkdtemp(prefix="searchsvc-load-"))
    paths_file = workdir / "paths.txt"
    script = workdir / "queries.lua"
    script.write_text(LUA % {"paths": paths_file}, "utf-8")

    servers = [Server("this", ROOT, args.index_dir, args.workers, args.server_threads)]
    if args.reference:
        servers.append(Server("reference", args.reference.resolve(), args.index_dir,
                              args.workers, args.server_threads, reference_settings))
    try:
        wait_healthy(servers[0].base)
        filters = filter_values(servers[0].base, queries) if mix["filtered"] else []
        paths_file.write_text("".join(p + "\n" for p in mixed_paths(queries, mix, filters)),
                              "utf-8")
        print(f"mix: {args.mix} over {len(queries)} distinct queries "
              f"({len(queries) * 20:,} paths); load average {load_average()}")
        for server in servers:
            health = wait_healthy(server.base)
            settings = "".join(f"; {name}={value}" for name, value in
                               (reference_settings if server.name == "reference" else {}).items())
            print(f"{server.name}: index {health['documents']:,} documents "
                  f"({health['generation']}); workers {args.workers or 'default'}, threads "
                  f"{args.server_threads or 'default'}{settings}; wrk -t{args.threads} "
                  f"-c{args.connections} -d{args.duration}s")
            # Warm-up: each query twice on each of two connections, so that both workers
            # have most queries' terms decoded, as a long-running server would.
            subprocess.run(["wrk", "-t2", "-c2", f"-d{args.warmup}s", "-s", str(script),
                            server.base], capture_output=True, check=True,
                           timeout=args.warmup + 60)
        runs: dict[str, list[dict]] = {server.name: [] for server in servers}
        for number in range(1, args.runs + 1):
            for server in servers:
                figures = run_wrk(script, server, args)
                runs[server.name].append(figures)
                print(f"run {number} {server.name}: {figures['rps']:.1f} req/s, "
                      f"p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms, "
                      f"{figures['requests']:,} requests, {figures['errors']} errors; "
                      f"connections per worker {figures['spread']}; CPU per request: "
                      f"server {figures['server_cpu_ms']:.2f} ms, wrk {figures['wrk_cpu_ms']:.2f}; "
                      f"load average {load_average()}")
        for server in servers:
            print(f"median of {args.runs} ({server.name}): {median_line(runs[server.name])}")
            print(f"  {server.name}: {worker_memory(server)}")
        if args.reference:
            ratio = (statistics.median(r["rps"] for r in runs["this"])
                     / statistics.median(r["rps"] for r in runs["reference"]))
            print(f"this / reference: {ratio:.2f}x the requests per second")
        if args.rebuild:
            rebuild_under_load(servers[0], script, args)
        for server in servers:
            server.stop()
        p50, p99 = machine_jitter(20, os.cpu_count() or 2)
        print(f"machine: fixed 60 ms of work on every core, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
              f"p99/p50 {p99 / p50:.2f}")
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
