"""Suite-time breakdown: the worker time of each test file from a pytest --junitxml report.

A test case's time there is its setup, call and teardown; their sum is what `make test`'s
workers share. The Apache Kafka and browser groups (tests/scheduling.py) run on one worker each,
so their sums bound the run from below.

    PYTEST_ADDOPTS=--junitxml=/tmp/suite.xml make test
    .venv/bin/python bench/suite_times.py /tmp/suite.xml --top 20
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path
from xml.etree import ElementTree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.scheduling import shared_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--top", type=int, default=20)
    options = parser.parse_args()
    by_file: defaultdict[str, float] = defaultdict(float)
    tests: Counter[str] = Counter()
    groups: defaultdict[str, float] = defaultdict(float)
    report = ElementTree.parse(options.report)  # noqa: S314 - pytest's own report of this run
    for case in report.iter("testcase"):
        path = str(case.get("classname", "")).replace(".", "/") + ".py"
        seconds = float(case.get("time") or 0)
        by_file[path] += seconds
        tests[path] += 1
        groups[shared_server(f"{path}::{case.get('name')}") or "any worker"] += seconds
    print(f"worker time {sum(by_file.values()):.0f} s")
    for group, seconds in sorted(groups.items(), key=lambda item: -item[1]):
        print(f"  {group:<16} {seconds:7.0f} s")
    for path, seconds in sorted(by_file.items(), key=lambda item: -item[1])[: options.top]:
        print(f"{seconds:7.1f} s {tests[path]:5d} tests  {path}")


if __name__ == "__main__":
    main()
