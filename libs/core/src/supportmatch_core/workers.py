"""Background workers (outbox relay, event consumers) run as threads beside a service's API,
each reporting its health for `/readyz`."""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

log = logging.getLogger(__name__)

# A worker failing for this long makes the service unready; a single failed round does not.
UNREADY_AFTER_SECONDS = 3.0


class Health:
    """What a worker last found: healthy, or failing since a moment, and why.

    Written by one worker thread, read by `/readyz`; plain attribute writes need no lock.
    """

    def __init__(self) -> None:
        self._failing_since: float | None = None
        self.reason = ""

    def ok(self) -> None:
        self._failing_since, self.reason = None, ""

    def failing(self, reason: str) -> None:
        if self._failing_since is None:
            self._failing_since = time.monotonic()
        self.reason = reason

    def failing_for(self) -> float:
        """Seconds since the worker started failing; 0 while healthy."""
        since = self._failing_since
        return 0.0 if since is None else time.monotonic() - since


class Worker(Protocol):
    name: str
    health: Health

    def run(self, stop: threading.Event) -> None: ...


class WorkerGroup:
    """Starts workers in threads and stops them together. A crashed worker is restarted with
    backoff and reported failing until it completes a round again."""

    def __init__(self, workers: list[Worker], *, max_backoff: float = 30.0) -> None:
        self.workers = workers
        self._max_backoff = max_backoff
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for worker in self.workers:
            thread = threading.Thread(
                target=self._supervise, args=(worker,), name=worker.name, daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _supervise(self, worker: Worker) -> None:
        crashes = 0
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                worker.run(self._stop)
            except Exception as error:
                # A worker that ran a good while before crashing starts its backoff afresh.
                crashes = 1 if time.monotonic() - started > 60 else crashes + 1
                delay = min(self._max_backoff, 2 ** (crashes - 1))
                worker.health.failing(f"crashed {crashes} time(s): {type(error).__name__}: {error}")
                log.exception(
                    "worker crashed; restarting",
                    extra={"worker": worker.name, "crashes": crashes, "restart_in_s": delay},
                )
                self._stop.wait(delay)

    def alive(self) -> bool:
        """Whether every worker's thread was started and still runs."""
        return len(self._threads) == len(self.workers) and all(t.is_alive() for t in self._threads)

    def health(self) -> dict[str, str]:
        """Each worker's state for `/readyz`: "ok", or why it has been failing and for how long."""
        states = {}
        for worker in self.workers:
            failing_for = worker.health.failing_for()
            states[worker.name] = (
                f"failing for {failing_for:.0f} s: {worker.health.reason}" if failing_for else "ok"
            )
        return states

    def ready(self) -> bool:
        return self.alive() and all(
            w.health.failing_for() < UNREADY_AFTER_SECONDS for w in self.workers
        )

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
