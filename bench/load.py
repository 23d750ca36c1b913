"""Request throughput and latency of the services' busiest reads and the public self-check.

Starts the system as `make run` does (`supportmatch run`: SQLite, the embedded Tansu broker),
registers --firms enterprises and waits until each has its inbox entries, then:

1. wrk (--threads, --connections, --seconds) against `GET /v1/enterprises/{uscc}` (profiles),
   `GET /v1/enterprises/{uscc}/inbox` (notifications), `POST /v1/checks` (eligibility), and a bare
   FastAPI endpoint under the same uvicorn on the same machine in the same run, for the ratio;
2. the two reads at a steady --rate requests a second for --paced-seconds, with each request's
   latency counted from the moment it was due (so a slow answer delays the count of the ones
   queued behind it, as a user would see them).

wrk is installed with apt-get when absent (deploy/local/debian-packages.sh). The load generators
share the machine with the system, as they do in every figure of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

# bench/ holds files named like the services' packages: the checkout, not bench/, goes on the path.
sys.path.remove(sys.path[0])
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.observe import add_flamegraphs_option, cpu, flamegraph
from bench.pipeline import (
    percentiles,
    post_all,
    started_system,
    system_processes,
    wait_for_inbox,
)
from tests.factories import enterprise_payload
from tests.unit._snapshots import COMPLIANT

ROOT = Path(__file__).resolve().parent.parent
BARE_PORT = 8099
# wrk prints this line at the end of a run: what the Python side reads back.
_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    'WRK {"requests":%d,"seconds":%.3f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,'
    .. '"max_ms":%.2f,"socket_errors":%d,"non_2xx":%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    errors, summary.errors.status))
end
"""

bare = FastAPI()


@bare.get("/")
def hello() -> dict[str, str]:
    """What a route costs with nothing behind it: the ceiling of the web stack."""
    return {"hello": "world"}


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        subprocess.run([str(ROOT / "deploy/local/debian-packages.sh"), "wrk"], check=False)
        found = shutil.which("wrk")
    if found is None:
        raise SystemExit("bench/load.py: wrk is not installed and apt-get could not install it")
    return found


def _lua_list(values: list[str]) -> str:
    return "{" + ",".join(json.dumps(v) for v in values) + "}"


def wrk_script(
    *, paths: list[str], token: str | None = None, body: dict[str, Any] | None = None
) -> str:
    """A wrk script that requests `paths` in turn, with the bearer token or the JSON body."""
    lines = [f"local paths = {_lua_list(paths)}", "local n = 0"]
    if token:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    if body is not None:
        lines += [
            'wrk.method = "POST"',
            f"wrk.body = {json.dumps(json.dumps(body, ensure_ascii=False))}",
            'wrk.headers["Content-Type"] = "application/json"',
        ]
    lines.append(
        "request = function()\n  n = n % #paths + 1\n  return wrk.format(nil, paths[n])\nend"
    )
    return "\n".join(lines) + _REPORT


def run_wrk(
    wrk: str, base: str, script: str, *, threads: int, connections: int, seconds: int
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", file.name, base]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(file.name)
    (line,) = [line for line in output.splitlines() if line.startswith("WRK ")]
    figures: dict[str, Any] = json.loads(line[4:])
    figures["requests_per_s"] = round(figures["requests"] / figures["seconds"], 1)
    return figures


@contextmanager
def bare_endpoint() -> Iterator[str]:
    """This module's bare FastAPI app under uvicorn, as the services are served (one process)."""
    command = [sys.executable, "-m", "uvicorn", "bench.load:bare", "--port", str(BARE_PORT)]
    command += ["--no-access-log", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT)
    url = f"http://127.0.0.1:{BARE_PORT}"
    try:
        for _ in range(100):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


async def _paced(
    base: str, paths: list[str], token: str, rate: float, seconds: float
) -> dict[str, Any]:
    """Requests `paths` in turn at `rate` a second; latencies from each request's due time."""
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits) as client:

        async def one(path: str, due: float) -> None:
            nonlocal failures
            try:
                answer = await client.get(path, timeout=10)
                if answer.status_code != 200:
                    failures += 1
            except httpx.HTTPError:
                failures += 1
            latencies.append(time.perf_counter() - due)

        tasks = []
        started = time.perf_counter()
        for n in range(int(rate * seconds)):
            due = started + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(paths[n % len(paths)], due)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    figures = {k: round(v * 1000, 1) for k, v in percentiles(latencies).items()}
    return {
        "sent": len(latencies),
        "achieved_per_s": round(len(latencies) / elapsed, 1),
        "failures": failures,
        **{f"{k}_ms": v for k, v in figures.items()},
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    wrk = wrk_binary()
    runs = {"threads": args.threads, "connections": args.connections, "seconds": args.seconds}
    results: dict[str, Any] = {"wrk": runs, "firms": args.firms}
    settings = {}
    if args.request_threads:
        services = ("PROFILES", "ELIGIBILITY", "NOTIFICATIONS", "PORTAL")
        settings = {f"{name}_REQUEST_THREADS": str(args.request_threads) for name in services}
        results["request_threads"] = args.request_threads
    with (
        tempfile.TemporaryDirectory(prefix="bench-load-") as tmp,
        started_system("tansu", Path(tmp), settings) as (system, _),
        bare_endpoint() as bare_url,
    ):
        admin = system.token("--role", "admin")
        bodies = [enterprise_payload() for _ in range(args.firms)]
        url = f"{system.url('profiles')}/v1/enterprises"
        sent, _, failures, _ = post_all(url, admin, bodies, concurrency=8)
        if failures:
            raise SystemExit(f"bench/load.py: {failures} registrations failed")
        seen = wait_for_inbox(system.var_dir / "notifications.sqlite3", set(sent), timeout=600)
        results["firms_in_inbox"] = len(seen)
        firms = [f"/v1/enterprises/{uscc}" for uscc in sent]
        check = {"industry": "C3921", "province": "44", "ownership": "private", "facts": COMPLIANT}
        inboxes = [f"{p}/inbox" for p in firms]
        # label, service (None: the bare endpoint), base URL, wrk script
        targets = [
            ("bare FastAPI endpoint", None, bare_url, wrk_script(paths=["/"])),
            ("GET enterprise", "profiles", None, wrk_script(paths=firms, token=admin)),
            ("GET inbox", "notifications", None, wrk_script(paths=inboxes, token=admin)),
            ("POST self-check", "eligibility", None, wrk_script(paths=["/v1/checks"], body=check)),
        ]
        processes = system_processes(system)
        throughput: dict[str, Any] = {}
        for what, service, base, script in targets:
            label = f"{what} ({service})" if service else what
            pid = processes[service].pid if service else None
            svg = None
            if args.flamegraphs and service:
                svg = args.flamegraphs / f"{service}-{what.lower().replace(' ', '-')}.svg"
            spent = cpu(processes[service]) if service else 0.0
            with flamegraph(pid, svg):
                figures = run_wrk(wrk, base or system.url(service or ""), script, **runs)
            if service:  # the service's own CPU for each request it answered
                spent = cpu(processes[service]) - spent
                figures["cpu_ms_per_request"] = round(spent / figures["requests"] * 1000, 2)
            throughput[label] = figures
            print(f"wrk {label}: {json.dumps(throughput[label])}", flush=True)
        results["throughput"] = throughput
        paced: dict[str, Any] = {}
        for label, base, paths in (
            ("GET enterprise (profiles)", system.url("profiles"), firms),
            ("GET inbox (notifications)", system.url("notifications"), inboxes),
        ):
            paced[label] = asyncio.run(_paced(base, paths, admin, args.rate, args.paced_seconds))
            print(f"at {args.rate:g}/s {label}: {json.dumps(paced[label])}", flush=True)
        results["paced"] = {"rate_per_s": args.rate, **paced}
    return results


def print_table(results: dict[str, Any]) -> None:
    throughput = results["throughput"]
    ceiling = throughput["bare FastAPI endpoint"]["requests_per_s"]
    print(f"\n{'wrk, ' + str(results['wrk']):<60}")
    print(
        f"{'target':<34}{'req/s':>9}{'of bare':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'CPU ms/req':>12}"
    )
    for label, f in throughput.items():
        errors = f["socket_errors"] + f["non_2xx"]
        share = f"{f['requests_per_s'] / ceiling:.0%}"
        print(
            f"{label:<34}{f['requests_per_s']:>9}{share:>9}{f['p50_ms']:>9}{f['p99_ms']:>9}"
            f"{errors:>8}{f.get('cpu_ms_per_request', ''):>12}"
        )
    paced = results["paced"]
    print(f"\nat a steady {paced['rate_per_s']:g} requests/s:")
    print(f"{'target':<34}{'got/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'failed':>8}")
    for label, f in paced.items():
        if label == "rate_per_s":
            continue
        print(
            f"{label:<34}{f['achieved_per_s']:>9}{f['p50_ms']:>9}{f['p95_ms']:>9}{f['p99_ms']:>9}"
            f"{f['failures']:>8}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--firms", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--paced-seconds", type=float, default=15.0)
    parser.add_argument(
        "--request-threads", type=int, default=None, help="<SERVICE>_REQUEST_THREADS of each"
    )
    add_flamegraphs_option(parser, "a py-spy flame graph of each service under wrk")
    args = parser.parse_args()
    results = measure(args)
    print_table(results)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
