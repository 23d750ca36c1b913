"""Idle benchmark: what each process of `make run` holds and spends while nobody uses it.

Starts the system as `make run` does (`supportmatch run`, SQLite files, the embedded Tansu broker
or an Apache Kafka node started for the run), lets it settle for --settle seconds after every
service answers /readyz, then reads each process's resident memory and the CPU it used over
--seconds: a service at rest should neither grow nor spin.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.observe import cpu, probe, rss
from bench.pipeline import BROKER_NAMES, MB, started_system, system_processes


def measure(broker: str, settle: float, seconds: float) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-idle-") as tmp,
        started_system(broker, Path(tmp)) as (system, cluster),
    ):
        try:
            time.sleep(settle)
            processes = system_processes(system, cluster)
            rss_before, cpu_before = probe(processes, rss), probe(processes, cpu)
            time.sleep(seconds)
            rss_after, cpu_after = probe(processes, rss), probe(processes, cpu)
        finally:
            exit_code = system.stop(signal.SIGINT)
    return {
        "broker": broker,
        "seconds": seconds,
        "exit_code": exit_code,
        "processes": {
            label: {
                "rss_mb": round(rss_after[label] / MB, 1),
                "rss_growth_mb": round((rss_after[label] - rss_before[label]) / MB, 1),
                "cpu_percent_of_a_core": round(
                    100 * (cpu_after[label] - cpu_before[label]) / seconds, 2
                ),
            }
            for label in sorted(rss_after.keys() & rss_before.keys())
        },
    }


def print_table(result: dict[str, Any]) -> None:
    print(f"\nIdle on {BROKER_NAMES[result['broker']]}, over {result['seconds']:.0f} s")
    print(f"  {'process':<14}{'resident':>10}{'growth':>10}{'CPU':>12}")
    for label, figures in result["processes"].items():
        print(
            f"  {label:<14}{figures['rss_mb']:>7.1f} MB{figures['rss_growth_mb']:>+7.1f} MB"
            f"{figures['cpu_percent_of_a_core']:>8.2f} % of a core"
        )
    print(f"  stop (SIGINT) exit code {result['exit_code']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--broker", choices=sorted(BROKER_NAMES), default="tansu")
    parser.add_argument("--settle", type=float, default=30, help="s after /readyz before reading")
    parser.add_argument("--seconds", type=float, default=60, help="s over which CPU is counted")
    parser.add_argument("--json", action="store_true", help="also print a JSON summary")
    args = parser.parse_args()
    result = measure(args.broker, args.settle, args.seconds)
    print_table(result)
    if args.json:
        print(json.dumps(result, indent=2))
    return 0 if result["exit_code"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
