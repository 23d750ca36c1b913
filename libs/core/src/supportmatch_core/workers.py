"""Background workers (outbox relay, event consumers) run as threads beside a service's API."""

from __future__ import annotations

import logging
import threading
from typing import Protocol

log = logging.getLogger(__name__)


class Worker(Protocol):
    name: str

    def run(self, stop: threading.Event) -> None: ...


class WorkerGroup:
    """Starts workers in threads and stops them together; a crashed worker is restarted."""

    def __init__(self, workers: list[Worker]) -> None:
        self.workers = workers
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
        while not self._stop.is_set():
            try:
                worker.run(self._stop)
            except Exception:
                log.exception("worker crashed; restarting", extra={"worker": worker.name})
                self._stop.wait(1.0)

    def alive(self) -> bool:
        return all(t.is_alive() for t in self._threads)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
