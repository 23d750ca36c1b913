"""Background work of the portal: pruning old sessions and failures, and the demo firm of `make run`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from portal.adapters.services import ServiceRefused, Services, ServiceUnavailable
from portal.domain.sessions import SessionRules
from portal.use_cases import signing_in
from portal.use_cases.accounts import register_caseworkers, register_demo_firm
from supportmatch_core.db import UnitOfWork
from supportmatch_core.workers import Health, Worker, WorkerGroup

__all__ = [
    "CaseworkerRecipients",
    "ClientsClosed",
    "DemoFirm",
    "Housekeeping",
    "Worker",
    "WorkerGroup",
]

log = logging.getLogger(__name__)


@dataclass
class Housekeeping:
    """Every few minutes: forget failed sign-ins out of every window and sessions past their end."""

    uow: UnitOfWork
    limits: signing_in.SignInLimits
    rules: SessionRules
    clock: Callable[[], datetime]
    every_seconds: float = 300.0
    name: str = "housekeeping"
    health: Health = field(default_factory=Health)

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.every_seconds):
            signing_in.prune(uow=self.uow, limits=self.limits, rules=self.rules, now=self.clock())
            self.health.ok()


@dataclass
class DemoFirm:
    """Registers the demo enterprise's firm once the profiles service answers."""

    services: Services
    name: str = "demo-firm"
    health: Health = field(default_factory=Health)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                register_demo_firm(self.services)
                break
            except (ServiceUnavailable, ServiceRefused) as error:
                log.info("demo firm not registered yet", extra={"error": str(error)})
                stop.wait(1.0)
        stop.wait()


@dataclass
class CaseworkerRecipients:
    """Every minute: each new caseworker account, or one whose provinces changed, made a recipient
    of the notifications service (retried while that service is away)."""

    uow: UnitOfWork
    services: Services
    every_seconds: float = 60.0
    name: str = "caseworker-recipients"
    health: Health = field(default_factory=Health)
    known: dict[str, frozenset[str]] = field(default_factory=dict)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                register_caseworkers(uow=self.uow, services=self.services, known=self.known)
                self.health.ok()
            except (ServiceUnavailable, ServiceRefused) as error:
                log.info("caseworkers not registered yet", extra={"error": str(error)})
            stop.wait(self.every_seconds)


@dataclass
class ClientsClosed:
    """Closes the portal's HTTP clients when the process stops."""

    close: Callable[[], None]
    name: str = "clients"
    health: Health = field(default_factory=Health)

    def run(self, stop: threading.Event) -> None:
        stop.wait()
        self.close()
