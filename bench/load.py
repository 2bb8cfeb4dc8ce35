"""Load test: wrk against `searchsvc serve`, varying the query over real queries.

Usage:
    python bench/load.py --index-dir /path/to/index [--queries bench/queries.txt]
                         [--connections 16] [--duration 30] [--runs 3]

Starts the production server (gunicorn, `searchsvc serve`) on a free loopback port,
waits until /api/health answers, then runs wrk with a Lua script that walks
through the queries (one per request, round robin per connection), and prints
requests per second, p50/p99 latency and the error count for each run and
their medians. Only loopback traffic; every run is bounded in time.
"""
from __future__ import annotations

import argparse
import json
import os
import re
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
sys.path.insert(0, str(ROOT / "bench"))

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(base: str, timeout: float = 120.0) -> dict:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--queries", default=str(ROOT / "bench" / "queries.txt"),
                        help="One query per line (bench/latency.py --make-queries writes it).")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=20, help="Seconds of warm-up load.")
    args = parser.parse_args()

    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian package 'wrk')")
    queries = [line.strip() for line in Path(args.queries).read_text("utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    if len(queries) < 200:
        raise SystemExit(f"need at least 200 queries, {args.queries} has {len(queries)}")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="searchsvc-load-"))
    paths_file = workdir / "paths.txt"
    paths_file.write_text("".join(f"/api/search?q={quote(q)}\n" for q in queries), "utf-8")
    script = workdir / "queries.lua"
    script.write_text(LUA % {"paths": paths_file}, "utf-8")

    env = {**os.environ, "SEARCHSVC_INDEX_DIR": args.index_dir}
    server = subprocess.Popen([sys.executable, "-m", "searchsvc.cli", "serve", "--port",
                               str(port), "--workers", str(args.workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        health = wait_healthy(base)
        print(f"index: {health['documents']:,} documents ({health['generation']}); "
              f"{len(queries)} distinct queries; {args.workers} gunicorn workers; "
              f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s")
        # Warm-up: each query twice on each of two connections, so that both workers have
        # most queries' terms decoded, as a long-running server would.
        subprocess.run(["wrk", "-t2", "-c2", f"-d{args.warmup}s", "-s", str(script), base],
                       capture_output=True, check=True, timeout=args.warmup + 60)
        runs = []
        for number in range(1, args.runs + 1):
            completed = subprocess.run(
                ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
                 "--timeout", "10s", "--latency", "-s", str(script), base],
                capture_output=True, text=True, check=True, timeout=args.duration + 60)
            figures = parse_wrk(completed.stdout)
            runs.append(figures)
            print(f"run {number}: {figures['rps']:.1f} req/s, p50 {figures['p50_ms']:.1f} ms, "
                  f"p99 {figures['p99_ms']:.1f} ms, {figures['requests']:,} requests, "
                  f"{figures['errors']} errors")
        print(f"median of {len(runs)}: "
              f"{statistics.median(r['rps'] for r in runs):.1f} req/s, "
              f"p50 {statistics.median(r['p50_ms'] for r in runs):.1f} ms, "
              f"p99 {statistics.median(r['p99_ms'] for r in runs):.1f} ms, "
              f"errors {sum(r['errors'] for r in runs)}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
