"""A service started as it is deployed, a process of its own on loopback, for a benchmark that
measures it over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psutil

from tests.ports import answers_ready, free_port


@contextmanager
def served(service: str, env: dict[str, str]) -> Iterator[tuple[str, psutil.Process]]:
    """`python -m <service>` with `env` besides this process's, its address and its process
    once it answers ready; stopped (killed if it will not stop) when the block ends."""
    port = free_port()
    environment = {**os.environ, f"{service.upper()}_PORT": str(port), **env}
    process = subprocess.Popen(
        [sys.executable, "-m", service], env=environment, stdin=subprocess.DEVNULL
    )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while not answers_ready(address):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the {service} service did not become ready")
            time.sleep(0.5)
        yield address, psutil.Process(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
