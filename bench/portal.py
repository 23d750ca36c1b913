"""Portal benchmark: page renders with --enterprises firms loaded, and the portal's idle memory.

Starts the system as `make run` does (SQLite files, embedded broker, demo accounts), imports
--enterprises demo firms with `supportmatch demo-data` and waits until eligibility and
notifications have consumed every profile event. Then, as a browser would, times the measures
page of firms among them (each signed in with an enterprise account made by `supportmatch account
create`) and the self-check's result page, and reads the portal process's resident memory.
With --var the loaded system is kept in that folder, and a later run with the same folder
measures it again without loading, once no consumer lags. On the embedded broker (memory only)
the relays publish every stored event again at start (ADR 0002) and that wait is long; with
--broker apache the events stay in the folder's Apache Kafka and a run measures at once.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline import percentiles
from tests.e2e.system import BIN, RunningSystem

MB = 1024 * 1024
PASSWORD = "bench-portal-password"  # noqa: S105 - of accounts living as long as the run
METRIC = re.compile(
    r'^(events_consumed_total|consumer_lag)\{consumer="([^"]+)"(?:,outcome="([^"]+)")?\} (\S+)$'
)
# The self-check of a visitor who answered every step, as the result page's form sends it.
ANSWERS = [
    {"industry": "C3921", "province": "44", "ownership": "private", "employees": "120",
     "revenue": "5000", "total_assets": "3000", "tax_credit_grade": "A"},
    {"industry": "C2614", "province": "32", "ownership": "local_soe", "employees": "900",
     "revenue": "60000", "total_assets": "90000"},
    {"industry": "I6513", "province": "11", "ownership": "foreign", "employees": "35",
     "revenue": "800", "total_assets": "400", "rd_expense": "90"},
]  # fmt: skip


def supportmatch(system: RunningSystem, *args: str, stdin: str | None = None) -> float:
    """Run `supportmatch ARGS` as its user would against this system; the seconds it took."""
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "supportmatch"), *args],
        env=system.env,
        input=stdin,
        text=True,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def consumed(system: RunningSystem, service: str) -> tuple[dict[str, float], dict[str, float]]:
    """Per consumer of `service`: events handled, and messages still waiting (lag, and under
    "outbox" the events the service has yet to publish)."""
    handled: dict[str, float] = {}
    lag: dict[str, float] = {}
    for line in httpx.get(f"{system.url(service)}/metrics", timeout=10).text.splitlines():
        if line.startswith("outbox_pending "):
            lag["outbox"] = float(line.split()[1])
        elif found := METRIC.match(line):
            name, consumer, outcome, value = found.groups()
            if name == "consumer_lag":
                lag[consumer] = float(value)
            elif outcome == "handled":
                handled[consumer] = float(value)
    return handled, lag


def wait_until_processed(system: RunningSystem, count: int, timeout: float) -> float:
    """Seconds until eligibility has handled `count` profile events and no consumer lags."""
    started = time.perf_counter()
    deadline, last_report = time.monotonic() + timeout, 0.0
    while time.monotonic() < deadline:
        handled, lag = consumed(system, "eligibility")
        profiles = handled.get("eligibility.enterprise.profile.v1", 0)
        waiting = sum(lag.values()) + sum(consumed(system, "notifications")[1].values())
        waiting += consumed(system, "profiles")[1].get("outbox", 0)
        if profiles >= count and waiting == 0:
            return time.perf_counter() - started
        if time.monotonic() - last_report > 30:
            last_report = time.monotonic()
            print(f"  … eligibility handled {profiles:.0f} profile events; lag {waiting:.0f}")
        time.sleep(2)
    raise SystemExit(f"the pipeline did not catch up within {timeout:.0f} s")


def portal_process(system: RunningSystem) -> psutil.Process:
    assert system.process is not None
    for child in psutil.Process(system.process.pid).children(recursive=True):
        if child.cmdline()[-2:] == ["-m", "portal"]:
            return child
    raise SystemExit("no portal process found")


def csrf_token(client: httpx.Client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    form = {"csrf_token": csrf_token(client, "/sign-in"), "username": username}
    answer = client.post("/sign-in", data={**form, "password": PASSWORD})
    assert answer.status_code == 303, (username, answer.status_code)
    return client


def timed(repetitions: int, request: Callable[[int], httpx.Response]) -> dict[str, Any]:
    """Seconds per request, after five unmeasured ones; every answer must be a 200 page."""
    for i in range(5):
        request(i)
    seconds, failures = [], 0
    for i in range(repetitions):
        started = time.perf_counter()
        answer = request(i)
        seconds.append(time.perf_counter() - started)
        failures += answer.status_code != 200 or "</html>" not in answer.text
    return {"requests": repetitions, "failures": failures, **percentiles(seconds)}


def firms_in(path: Path, count: int, rng: random.Random) -> list[str]:
    with path.open(encoding="utf-8-sig") as handle:  # the CSV opens with a BOM for Excel
        usccs = [row["uscc"] for row in csv.DictReader(handle)]
    return rng.sample(usccs, count)


def load(system: RunningSystem, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Import the demo firms, wait for the pipeline, give a sample of them accounts."""
    csv_path = folder / "enterprises.csv"
    count = args.enterprises
    loaded: dict[str, Any] = {"enterprises": count}
    loaded["generate_s"] = supportmatch(
        system, "demo-data", "--count", str(count), "--out", str(csv_path)
    )
    loaded["import_s"] = supportmatch(system, "import", "enterprises", str(csv_path))
    print(f"  imported {count} enterprises in {loaded['import_s']:.0f} s")
    loaded["pipeline_s"] = wait_until_processed(system, count + 1, args.timeout)
    loaded["firms"] = firms_in(csv_path, args.firms, random.Random(7))
    for uscc in loaded["firms"]:
        supportmatch(
            system, "account", "create", "--role", "enterprise", "--uscc", uscc,
            "--password-file", "-", stdin=f"{PASSWORD}\n",
        )  # fmt: skip
    return loaded


def render(system: RunningSystem, sample: list[str], repetitions: int) -> dict[str, Any]:
    """p50 to max of the measures page (of the sample's firms, signed in) and the self-check."""
    base = system.url("portal")
    clients = [signed_in(base, uscc) for uscc in sample]
    figures = {
        "measures_page": timed(
            repetitions,
            lambda i: clients[i % len(sample)].get(f"/firms/{sample[i % len(sample)]}/measures"),
        )
    }
    visitor = httpx.Client(base_url=base, timeout=30)
    done = {"size_done": "1", "facts_done": "1", "csrf_token": csrf_token(visitor, "/self-check")}
    figures["self_check_result"] = timed(
        repetitions, lambda i: visitor.post("/self-check", data={**ANSWERS[i % 3], **done})
    )
    for client in [*clients, visitor]:
        client.close()
    return figures


def measure(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"load_average": psutil.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="bench-portal-") as tmp:
        folder = args.var or Path(tmp) / "var"
        marker = folder / "bench-portal.json"  # written once the firms are loaded
        env = {
            "PORTAL_DEMO_ACCOUNTS": "true",
            "PORTAL_COOKIE_SECURE": "false",
            "SUPPORTMATCH_BROKER": args.broker,
        }
        system = RunningSystem(folder, env)
        system.start()
        try:
            time.sleep(5)  # the services settle after /readyz
            portal = portal_process(system)
            result["portal_rss_mb_idle_at_start"] = portal.memory_info().rss / MB
            if marker.exists():
                loaded = json.loads(marker.read_text())
                if loaded.get("broker", "tansu") != args.broker:
                    raise SystemExit(f"{folder} was loaded on {loaded['broker']}; say --broker")
                result.update(loaded, reused=str(folder))
                result["caught_up_s"] = wait_until_processed(system, 0, args.timeout)
            else:
                result.update(load(system, folder, args))
                loaded = {k: result[k] for k in ("enterprises", "firms")}
                marker.write_text(json.dumps({**loaded, "broker": args.broker}))
            time.sleep(5)
            result["portal_rss_mb_idle_loaded"] = portal.memory_info().rss / MB
            result["load_average_before_renders"] = psutil.getloadavg()
            result.update(render(system, [u.upper() for u in result["firms"]], args.repetitions))
            time.sleep(5)
            result["portal_rss_mb_idle_after_renders"] = portal.memory_info().rss / MB
        finally:
            result["exit_code"] = system.stop(signal.SIGINT)
    return result


def print_figures(result: dict[str, Any]) -> None:
    print(f"\nPortal with {result['enterprises']:,} enterprises loaded")
    if "reused" in result:
        print(
            f"  loaded before, in {result['reused']}; no consumer lagged after {result['caught_up_s']:.1f} s"
        )
    else:
        print(f"  demo-data CSV written in {result['generate_s']:.1f} s")
        print(f"  import (supportmatch import enterprises): {result['import_s']:.1f} s")
        print(f"  until eligibility and notifications caught up: {result['pipeline_s']:.1f} s")
    for title, key in (
        ("measures page", "measures_page"),
        ("self-check result", "self_check_result"),
    ):
        f = result[key]
        times = "  ".join(f"{q} {f[q] * 1000:.0f} ms" for q in ("p50", "p95", "p99", "max"))
        print(f"  {title:<18} {times}  ({f['requests']} requests, {f['failures']} failed)")
    print(
        f"  portal RSS: {result['portal_rss_mb_idle_at_start']:.1f} MB idle after start, "
        f"{result['portal_rss_mb_idle_loaded']:.1f} MB idle once loaded, "
        f"{result['portal_rss_mb_idle_after_renders']:.1f} MB idle after the renders"
    )
    loads = [
        ", ".join(f"{x:.2f}" for x in result[key])
        for key in ("load_average", "load_average_before_renders")
    ]
    print(f"  load average (1, 5, 15 min): {loads[0]} at start, {loads[1]} before the renders")
    print(f"  stop (SIGINT) exit code {result['exit_code']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=100_000, help="demo firms to load")
    parser.add_argument("--repetitions", type=int, default=300, help="timed renders per page")
    parser.add_argument("--firms", type=int, default=10, help="firms whose measures are shown")
    parser.add_argument("--timeout", type=float, default=7200, help="s to wait for the pipeline")
    parser.add_argument(
        "--var", type=Path, help="keep the loaded system in this folder; measure it again later"
    )
    parser.add_argument(
        "--broker",
        choices=("tansu", "apache"),
        default="tansu",
        help="the broker `make run` starts (KAFKA=); apache keeps the events in --var",
    )
    parser.add_argument("--json", action="store_true", help="also print a JSON summary")
    args = parser.parse_args()
    result = measure(args)
    print_figures(result)
    if args.json:
        print(json.dumps(result, indent=2))
    failed = result["measures_page"]["failures"] + result["self_check_result"]["failures"]
    return 0 if not failed and result["exit_code"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
