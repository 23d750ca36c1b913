"""End-to-end benchmark: profile writes through to inbox entries, on each broker in one run.

Starts the system exactly as `make run` does (`supportmatch run`, SQLite), on the embedded Tansu
broker and on Apache Kafka (one KRaft node started for the run, as `make run KAFKA=apache` uses a
configured cluster), posts --count enterprises from --concurrency client threads (as fast as they
can, or paced at --rate a second), waits until every enterprise has an inbox entry, and reports
throughput, latency and the resident memory of every process, the broker's included.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.observe import (
    SERVICES,
    Backlogs,
    Sampler,
    add_flamegraphs_option,
    cpu,
    flamegraph,
    gauges,
    probe,
    rss,
)
from supportmatch_core.apache_kafka import ApacheKafka
from supportmatch_core.kafka_jars import KafkaStartError
from tests.brokers import single_node
from tests.e2e.system import RunningSystem
from tests.factories import enterprise_payload

MB = 1024 * 1024
BROKER_NAMES = {"tansu": "Tansu (embedded)", "apache": "Apache Kafka (one KRaft node)"}


def label_of(process: psutil.Process, supervisor_pid: int) -> str:
    """supervisor, broker, the service name (`python -m profiles` etc., the portal too) or the
    local mail catcher."""
    if process.pid == supervisor_pid:
        return "supervisor"
    cmdline: list[str] = process.cmdline()
    for index, part in enumerate(cmdline[:-1]):
        if part == "-m" and cmdline[index + 1] in (*SERVICES, "portal"):
            return str(cmdline[index + 1])
        if part == "-m" and cmdline[index + 1] == "notifications.mailcatcher":
            return "mailcatcher"
    return "broker" if "broker" in cmdline else f"other-{process.pid}"


def system_processes(
    system: RunningSystem, cluster: ApacheKafka | None = None
) -> dict[str, psutil.Process]:
    """The supervisor and its children by label, and Apache Kafka's node when it is the broker."""
    assert system.process is not None
    root = psutil.Process(system.process.pid)
    found = {label_of(p, root.pid): p for p in [root, *root.children(recursive=True)]}
    if cluster is not None:
        (pid,) = [node.pid() for node in cluster.nodes]
        assert pid is not None
        found["broker"] = psutil.Process(pid)
    return found


@contextlib.contextmanager
def started_system(
    broker: str, folder: Path, settings: dict[str, str] | None = None
) -> Iterator[tuple[RunningSystem, ApacheKafka | None]]:
    """`supportmatch run` on `broker`: its embedded Tansu, or an Apache Kafka node started here;
    `settings` are environment variables for the services."""
    cluster = single_node(folder / "apache-kafka") if broker == "apache" else None
    extra: dict[str, str] = dict(settings or {})
    if cluster is not None:
        cluster.start()
        extra |= {
            "SUPPORTMATCH_BROKER": "apache",
            "KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap_servers,
        }
    system = RunningSystem(folder / "var", extra_env=extra)
    try:
        system.start()
        yield system, cluster
    finally:
        if system.process is not None:  # the caller did not stop it to read its exit code
            system.stop(signal.SIGINT)
        if cluster is not None:
            cluster.stop()


def group_joins(system: RunningSystem) -> dict[str, float]:
    """Seconds each consumer of the services took to join its group at start."""
    return gauges(system, "consumer_group_join_seconds")


def post_all(
    url: str, token: str, bodies: list[dict[str, Any]], concurrency: int, rate: float = 0.0
) -> tuple[dict[str, float], list[float], int, float]:
    """Posts every body, as fast as `concurrency` clients can or, with `rate`, the i-th due i/rate
    seconds after the first. Returns per USCC created the moment its write was due (epoch s; when
    sent, without `rate`), so that a client falling behind shows in the latency; the HTTP
    latencies; the failures; and the most a write went out after it was due (s)."""
    headers = {"Authorization": f"Bearer {token}"}
    sent: dict[str, float] = {}
    latencies: list[float] = []
    failures, late = [0], [0.0]
    lock = threading.Lock()
    order = iter(range(len(bodies)))
    wall_start, start = time.time(), time.perf_counter()

    def worker() -> None:
        with httpx.Client(headers=headers, timeout=60) as client:
            while True:
                with lock:
                    index = next(order, None)
                if index is None:
                    return
                due = start + index / rate if rate else time.perf_counter()
                time.sleep(max(0.0, due - time.perf_counter()))
                body, began = bodies[index], time.perf_counter()
                try:
                    ok = client.post(url, json=body).status_code == 201
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - began
                with lock:
                    latencies.append(elapsed)
                    late[0] = max(late[0], began - due)
                    if ok:
                        sent[body["uscc"]] = wall_start + (due - start)
                    else:
                        failures[0] += 1

    with ThreadPoolExecutor(concurrency) as pool:
        for running in [pool.submit(worker) for _ in range(concurrency)]:
            running.result()
    return sent, latencies, failures[0], late[0]


def as_epoch(stored: str) -> float:
    moment = datetime.fromisoformat(stored)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def wait_for_inbox(database: Path, usccs: set[str], timeout: float) -> dict[str, float]:
    """First inbox entry's created_at (epoch s) per USCC, once every USCC has one (or timeout)."""
    first: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
                rows = connection.execute("SELECT uscc, created_at FROM inbox_entries").fetchall()
        except sqlite3.OperationalError:
            rows = []
        first = {}
        for uscc, created in rows:
            if uscc in usccs:
                first[uscc] = min(first.get(uscc, float("inf")), as_epoch(created))
        if len(first) >= len(usccs):
            break
        time.sleep(0.25)
    return first


def percentiles(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "max": ordered[-1]}


def measure(broker: str, options: argparse.Namespace) -> dict[str, Any]:
    """One broker's run with the command's options; with --flamegraphs, each service's py-spy
    flame graph of the run (its hop of the pipeline) is written there as
    pipeline-<broker>-<service>.svg."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp,
        started_system(broker, Path(tmp)) as (system, cluster),
    ):
        count, concurrency, flamegraphs = options.count, options.concurrency, options.flamegraphs
        try:
            time.sleep(2)  # let the services settle after /readyz before reading idle memory
            joins = group_joins(system)
            processes = system_processes(system, cluster)
            idle = probe(processes, rss)
            bodies = [enterprise_payload() for _ in range(count)]
            token = system.token("--role", "admin")
            url = f"{system.url('profiles')}/v1/enterprises"
            sampler, backlogs = Sampler(processes), Backlogs(system)
            sampler.start()
            backlogs.start()
            cpu_before = probe(processes, cpu)
            with contextlib.ExitStack() as spies:
                for service in SERVICES:
                    svg = flamegraphs / f"pipeline-{broker}-{service}.svg" if flamegraphs else None
                    spies.enter_context(flamegraph(processes[service].pid, svg))
                started = time.perf_counter()
                sent, http, failures, late = post_all(url, token, bodies, concurrency, options.rate)
                write_seconds = time.perf_counter() - started
                inboxes = system.var_dir / "notifications.sqlite3"
                first = wait_for_inbox(inboxes, set(sent), options.timeout)
                cpu_after = probe(processes, cpu)
            sampler.done.set()
            backlogs.done.set()
            sampler.join()
        finally:
            exit_code = system.stop(signal.SIGINT)
            time.sleep(0.5)
            leftovers = len(system.leftovers())
    end_to_end = [first[u] - sent[u] for u in first]
    span = (max(first.values()) - min(sent.values())) if first else float("nan")
    return {
        "broker": broker,
        "group_join_s": joins,
        "count": count,
        "concurrency": concurrency,
        "rate_per_s": options.rate,
        "most_late_s": late,
        "writes_ok": len(sent),
        "writes_failed": failures,
        "inbox_entries_seen": len(first),
        "write_seconds": write_seconds,
        "write_throughput_per_s": len(sent) / write_seconds,
        "end_to_end_seconds": span,
        "end_to_end_throughput_per_s": len(first) / span if first else 0.0,
        "end_to_end_latency_s": percentiles(end_to_end),
        "http_write_latency_s": percentiles(http),
        "idle_rss_mb": {k: v / MB for k, v in idle.items()},
        "peak_rss_mb": {k: v / MB for k, v in sampler.peak.items()},
        "cpu_seconds_under_load": {k: v - cpu_before.get(k, 0.0) for k, v in cpu_after.items()},
        "idle_total_rss_mb": sum(idle.values()) / MB,
        "peak_total_rss_mb": sampler.peak_total / MB,
        "peak_backlog": {k: v for k, v in sorted(backlogs.peak.items()) if v},
        "exit_code": exit_code,
        "leftover_processes": leftovers,
    }


def print_table(result: dict[str, Any]) -> None:
    def row(name: str, value: str) -> None:
        print(f"  {name:<38} {value}")

    pace = ""
    if result["rate_per_s"]:
        pace = f", paced at {result['rate_per_s']:g}/s (at most {result['most_late_s'] * 1000:.0f} ms late)"
    print(
        f"\nPipeline on {BROKER_NAMES[result['broker']]}: {result['count']} writes, "
        f"{result['concurrency']} client threads{pace}"
    )
    row("writes ok / failed", f"{result['writes_ok']} / {result['writes_failed']}")
    row("inbox entries seen", str(result["inbox_entries_seen"]))
    row("write throughput", f"{result['write_throughput_per_s']:.1f} writes/s")
    row("end-to-end throughput", f"{result['end_to_end_throughput_per_s']:.1f} entries/s")
    row("end-to-end span", f"{result['end_to_end_seconds']:.1f} s")
    for title, key in (
        ("end-to-end latency", "end_to_end_latency_s"),
        ("HTTP write latency", "http_write_latency_s"),
    ):
        figures = "  ".join(f"{q} {v * 1000:.0f} ms" for q, v in result[key].items())
        row(title, figures)
    joins = "  ".join(f"{c} {s:.2f} s" for c, s in sorted(result["group_join_s"].items()))
    row("consumer group joins at start", joins or "none reported")
    backlog = "  ".join(f"{name} {value:.0f}" for name, value in result["peak_backlog"].items())
    row("peak backlogs (every 2 s)", backlog or "none seen")
    print(f"\n  {'process':<16} {'idle RSS MB':>12} {'peak RSS MB':>12} {'CPU s (load)':>13}")
    for label in sorted(result["idle_rss_mb"]):
        idle, peak = result["idle_rss_mb"][label], result["peak_rss_mb"].get(label, 0.0)
        cpu = result["cpu_seconds_under_load"].get(label, 0.0)
        print(f"  {label:<16} {idle:>12.1f} {peak:>12.1f} {cpu:>13.1f}")
    total_idle, total_peak = result["idle_total_rss_mb"], result["peak_total_rss_mb"]
    print(f"  {'total':<16} {total_idle:>12.1f} {total_peak:>12.1f}")
    print()
    row("stop (SIGINT) exit code", str(result["exit_code"]))
    row("processes left behind", str(result["leftover_processes"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000, help="enterprises to post")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--timeout", type=float, default=300, help="s to wait for the inboxes")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="writes a second, paced (e.g. 100 with --count 6000: a steady minute; 1: each "
        "write on an idle system); 0 posts as fast as the clients can",
    )
    parser.add_argument(
        "--brokers", default="tansu,apache", help="comma-separated, each measured in turn"
    )
    parser.add_argument("--json", action="store_true", help="also print a JSON summary")
    add_flamegraphs_option(parser, "each service's py-spy flame graph of the run")
    args = parser.parse_args()
    if args.rate < 0:
        parser.error("--rate is a number of writes a second, 0 or more")
    brokers = [name.strip() for name in args.brokers.split(",") if name.strip()]
    if not brokers or set(brokers) - set(BROKER_NAMES):
        parser.error(f"--brokers names one or more of {', '.join(BROKER_NAMES)}")
    results = []
    for broker in brokers:  # each printed as soon as measured
        try:
            results.append(measure(broker, args))
        except KafkaStartError as error:
            print(f"{BROKER_NAMES[broker]} did not start: {error}", file=sys.stderr)
            return 1
        print_table(results[-1])
    if args.json:
        print(json.dumps(results, indent=2))
    complete = all(
        r["inbox_entries_seen"] == r["writes_ok"] == args.count and r["exit_code"] == 0
        for r in results
    )
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
