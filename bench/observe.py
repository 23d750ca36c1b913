"""Watching a started system: each process's memory and CPU, the backlogs between the services,
and py-spy flame graphs of a service while a benchmark runs."""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil

from tests.e2e.system import RunningSystem

SERVICES = ("profiles", "eligibility", "notifications")


@contextlib.contextmanager
def flamegraph(pid: int | None, svg: Path | None) -> Iterator[None]:
    """py-spy samples process `pid` into the flame graph `svg` while the block runs (if both are
    given). It pauses the process for each sample: without that, a busy process's stacks are
    read while they change, and py-spy gave up on eligibility under load."""
    if pid is None or svg is None:
        yield
        return
    svg.parent.mkdir(parents=True, exist_ok=True)
    py_spy = str(Path(sys.executable).parent / "py-spy")  # a development dependency
    command = [py_spy, "record", "--pid", str(pid), "--rate", "100"]
    command += ["--format", "flamegraph", "--output", str(svg)]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes the graph when interrupted
        _, said = spy.communicate(timeout=60)
        if not svg.exists():
            print(f"py-spy wrote no {svg.name}: {said.strip()[-500:]}", file=sys.stderr)


def add_flamegraphs_option(parser: argparse.ArgumentParser, what: str) -> None:
    help_text = f"a folder for {what} (e.g. docs/perf)"
    parser.add_argument("--flamegraphs", type=Path, default=None, help=help_text)


def probe(processes: dict[str, psutil.Process], read: Callable[[Any], float]) -> dict[str, float]:
    """`read` of every process still alive, by label."""
    values: dict[str, float] = {}
    for label, process in processes.items():
        with contextlib.suppress(psutil.Error):
            values[label] = read(process)
    return values


def rss(process: Any) -> float:
    return float(process.memory_info().rss)


def cpu(process: Any) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


class Sampler(threading.Thread):
    """Samples every process's RSS every `interval` s; keeps the peak per process and in total."""

    def __init__(self, processes: dict[str, psutil.Process], interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.processes, self.interval = processes, interval
        self.peak: dict[str, float] = {}
        self.peak_total = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            sizes = probe(self.processes, rss)
            for label, size in sizes.items():
                self.peak[label] = max(self.peak.get(label, 0), size)
            self.peak_total = max(self.peak_total, sum(sizes.values()))
            self.done.wait(self.interval)


def gauges(system: RunningSystem, metric: str) -> dict[str, float]:
    """`metric` of every service, by consumer where it has one (else by service)."""
    values: dict[str, float] = {}
    for service in SERVICES:
        for line in httpx.get(f"{system.url(service)}/metrics", timeout=10).text.splitlines():
            if line.startswith((f"{metric}{{", f"{metric} ")):
                labelled = 'consumer="' in line
                name = line.split('consumer="', 1)[1].split('"', 1)[0] if labelled else service
                values[name] = float(line.rsplit(" ", 1)[1])
    return values


class Backlogs(threading.Thread):
    """Every `interval` s, each service's unsent outbox events and each consumer's lag: where
    the pipeline queues up. Keeps the peak of each."""

    def __init__(self, system: RunningSystem, interval: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.system, self.interval = system, interval
        self.peak: dict[str, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            with contextlib.suppress(httpx.HTTPError):
                seen = {
                    f"outbox of {k}": v for k, v in gauges(self.system, "outbox_pending").items()
                }
                seen |= {f"lag of {k}": v for k, v in gauges(self.system, "consumer_lag").items()}
                for name, value in seen.items():
                    self.peak[name] = max(self.peak.get(name, 0.0), value)
            self.done.wait(self.interval)
