"""The running services' parts a benchmark needs beside it: a service started as it is
deployed, a process of its own on loopback, to measure over HTTP; the outbox emptied as the
relay and its pruner would while a benchmark writes events it does not measure."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import psutil
import psycopg

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


@contextmanager
def shipped_as_written(url: str, every: float = 20.0) -> Iterator[None]:
    """The outbox emptied every `every` seconds while the Explainer runs, as the relay sends and
    prunes it in a running service: explaining a million firms writes 8.5 million events of
    about 4 KB, which no disk here holds at once (they are not what this benchmark measures)."""
    stop = threading.Event()

    def empty() -> None:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("SET lock_timeout = '5s'")
            while not stop.wait(every):
                with suppress(psycopg.errors.LockNotAvailable):
                    connection.execute("TRUNCATE outbox")

    emptier = threading.Thread(target=empty, daemon=True)
    emptier.start()
    try:
        yield
    finally:
        stop.set()
        emptier.join()
