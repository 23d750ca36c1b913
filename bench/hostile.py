"""Hostile input against the system as `make run` starts it (`supportmatch run`, free ports).

For each bad request and hostile spreadsheet: the status, the time to answer and each service's
resident memory growth (peak during the request minus before); acceptance: 4xx within 2 s, no
process growing by more than 50 MB. Then --requests requests with random methods and paths, and
each service's resident memory and /metrics size before and after; acceptance: within 10 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.observe import SERVICES, Sampler, probe, rss
from bench.pipeline import system_processes
from tests.e2e.system import RunningSystem
from tests.factories import enterprise_payload, new_uscc
from tests.security import hostile

MB = 1 << 20
SECONDS, GROWTH_MB, RANDOM_GROWTH_MB = 2.0, 50.0, 10.0
Request = tuple[str, str, str, dict[str, Any]]  # service, method, path, httpx arguments


def _stream(size: int) -> Iterator[bytes]:
    """`size` bytes of JSON-ish text, sent chunked (no Content-Length)."""
    sent = 0
    while sent < size:
        chunk = b" " * min(MB, size - sent)
        sent += len(chunk)
        yield chunk


def _padded(document: dict[str, Any], size: int) -> bytes:
    text = json.dumps(document).encode()
    return text + b" " * (size - len(text))


def bad_requests(
    admin: dict[str, str], caseworker: dict[str, str], firm: str
) -> dict[str, Request]:
    check = {"industry": "C3921", "province": "44", "ownership": "private"}
    as_json = {"content-type": "application/json"}
    return {
        "self-check, 20 MB body": (
            "eligibility", "POST", "/v1/checks",
            {"content": _padded(check, 20 * MB), "headers": as_json},
        ),
        "self-check, 20 MB chunked": (
            "eligibility", "POST", "/v1/checks",
            {"content": _stream(20 * MB), "headers": as_json},
        ),
        "size self-test, 20 MB body": (
            "profiles", "POST", "/v1/size-classification",
            {"content": _padded({"industry": "C3921"}, 20 * MB), "headers": as_json},
        ),
        "register, 2 MB body": (
            "profiles", "POST", "/v1/enterprises",
            {"content": _padded(enterprise_payload(), 2 * MB), "headers": {**admin, **as_json}},
        ),
        "preferences, 2 MB chunked": (
            "notifications", "PATCH", f"/v1/enterprises/{firm}/preferences",
            {"content": _stream(2 * MB), "headers": {**admin, **as_json}},
        ),
        "import, 80 MB upload": (
            "profiles", "POST", "/v1/imports",
            {"files": {"file": ("big.csv", b"x" * (80 * MB))}, "headers": admin},
        ),
        "self-check, employees -5": (
            "eligibility", "POST", "/v1/checks", {"json": {**check, "facts": {"employees": -5}}},
        ),
        "self-check, revenue 2^70": (
            "eligibility", "POST", "/v1/checks", {"json": {**check, "facts": {"revenue": 2**70}}},
        ),
        "register, revenue 2^70": (
            "profiles", "POST", "/v1/enterprises",
            {"json": enterprise_payload(revenue=2**70), "headers": admin},
        ),
        "certification valid from 9999-12-31": (
            "profiles", "POST", f"/v1/enterprises/{firm}/certifications",
            {
                "json": {"kind": "little_giant", "issuer": "工信部", "valid_from": "9999-12-31"},
                "headers": admin,
            },
        ),
        "name with a right-to-left override": (
            "profiles", "POST", "/v1/enterprises",
            {"json": {**enterprise_payload(), "name": "示例\u202e司公限有"}, "headers": admin},
        ),
        "caseworker asks for a firm not theirs": (
            "eligibility", "GET", f"/v1/enterprises/{firm}/determinations",
            {"headers": caseworker},
        ),
    }  # fmt: skip


def spreadsheets(admin: dict[str, str]) -> dict[str, Request]:
    return {
        name: (
            "profiles",
            "POST",
            "/v1/imports",
            {"files": {"file": (file, build())}, "headers": admin},
        )
        for name, (file, build) in hostile.HOSTILE.items()
    }


def measure(
    system: RunningSystem, services: dict[str, psutil.Process], request: Request
) -> dict[str, Any]:
    """Send one request; its status, seconds and each service's peak growth (MB)."""
    service, method, path, arguments = request
    before = probe(services, rss)
    sampler = Sampler(services, interval=0.02)
    sampler.start()
    started = time.perf_counter()
    try:
        status = httpx.request(
            method, system.url(service) + path, timeout=60, **arguments
        ).status_code
    except httpx.HTTPError as error:
        status = f"error: {type(error).__name__}"  # type: ignore[assignment]
    seconds = time.perf_counter() - started
    time.sleep(0.1)  # one more sample after the answer
    sampler.done.set()
    sampler.join()
    growth = {name: (sampler.peak.get(name, 0) - before[name]) / MB for name in services}
    ok = isinstance(status, int) and 400 <= status < 500
    ok = ok and seconds < SECONDS and max(growth.values()) < GROWTH_MB
    return {"status": status, "seconds": seconds, "growth_mb": growth, "ok": ok}


def random_requests(system: RunningSystem, count: int, rng: random.Random) -> None:
    """`count` requests, spread over the services, each with an invented method and path."""
    plans = []
    for _ in range(count):
        method = "".join(rng.choices(string.ascii_uppercase, k=rng.randint(3, 12)))
        words = ["".join(rng.choices(string.ascii_lowercase + "-_%.", k=8)) for _ in range(3)]
        path = rng.choice(
            [f"/v1/enterprises/{new_uscc(rng=rng)}/{words[0]}", "/" + "/".join(words)]
        )
        plans.append((rng.choice(SERVICES), method, path))

    def send(chunk: list[tuple[str, str, str]]) -> None:
        with httpx.Client(timeout=30) as client:
            for service, method, path in chunk:
                client.request(method, system.url(service) + path)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(send, [plans[i::4] for i in range(4)]))


def metrics_bytes(system: RunningSystem) -> dict[str, int]:
    return {s: len(httpx.get(system.url(s) + "/metrics", timeout=10).content) for s in SERVICES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=10_000, help="random-method requests")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args()
    report: dict[str, Any] = {"cases": {}}
    with tempfile.TemporaryDirectory(prefix="supportmatch-hostile-") as folder:
        system = RunningSystem(Path(folder) / "var")
        try:
            system.start(timeout=240)  # a machine shared with other work can start slowly
            processes = system_processes(system)
            services = {name: processes[name] for name in SERVICES}
            admin = {"Authorization": f"Bearer {system.token('--role', 'admin')}"}
            caseworker = system.token("--role", "caseworker", "--region", "11")
            firm = enterprise_payload()
            created = httpx.post(
                system.url("profiles") + "/v1/enterprises", json=firm, headers=admin
            )
            assert created.status_code == 201, created.text
            cases = {
                **bad_requests(admin, {"Authorization": f"Bearer {caseworker}"}, firm["uscc"]),
                **spreadsheets(admin),
            }
            print(
                f"{'case':40} {'status':>6} {'seconds':>8}   growth MB (profiles/eligibility/notifications)"
            )
            for name, request in cases.items():
                result = measure(system, services, request)
                report["cases"][name] = result
                growth = " / ".join(f"{result['growth_mb'][s]:5.1f}" for s in SERVICES)
                verdict = "ok" if result["ok"] else "MISSED"
                print(
                    f"{name:40} {result['status']!s:>6} {result['seconds']:8.3f}   {growth}   {verdict}"
                )
            before, size_before = probe(services, rss), metrics_bytes(system)
            started = time.perf_counter()
            random_requests(system, args.requests, random.Random(20261206))
            seconds = time.perf_counter() - started
            time.sleep(1)
            after, size_after = probe(services, rss), metrics_bytes(system)
            print(f"\n{args.requests:,} requests with random methods and paths in {seconds:.1f} s")
            for name in SERVICES:
                grew = (after[name] - before[name]) / MB
                verdict = "ok" if grew < RANDOM_GROWTH_MB else "MISSED"
                print(
                    f"{name:14} RSS {before[name] / MB:6.1f} -> {after[name] / MB:6.1f} MB "
                    f"({grew:+.1f})   /metrics {size_before[name]:,} -> {size_after[name]:,} bytes"
                    f"   {verdict}"
                )
            report["random"] = {
                "requests": args.requests,
                "seconds": seconds,
                "rss_mb": {s: (before[s] / MB, after[s] / MB) for s in SERVICES},
                "metrics_bytes": {s: (size_before[s], size_after[s]) for s in SERVICES},
            }
        finally:
            system.stop()
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    missed = [n for n, r in report["cases"].items() if not r["ok"]]
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
