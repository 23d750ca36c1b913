"""Real peers for the notifications tests: an SMTP server (aiosmtpd) and an HTTP receiver on
loopback, and the notifications service's parts on a real database with a settable clock."""

from __future__ import annotations

import email
import email.policy
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from notifications.adapters.tables import backbone
from notifications.adapters.unit_of_work import SqlUnitOfWork
from notifications.domain.retry import RetryPolicy
from notifications.settings import NotificationsSettings
from notifications.worker import DeliveryWorker, delivery_worker, webhook_sender
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.events import Event
from supportmatch_core.outbox import Outbox
from supportmatch_core.topics import DETERMINATION
from tests.conftest import free_port
from tests.databases import Databases
from tests.notifications_steps import (
    determinations_handler,
    measure_handler,
    one_by_one,
    profile_handler,
)


class Mailbox:
    """An SMTP server on loopback that keeps every message; can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self._controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def start(self) -> Mailbox:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP server on loopback that records each POST and answers `status`; over TLS with
    `tls`, recording the server name each client asked for."""

    status: int = 200
    requests: list[Received] = field(default_factory=list)
    tls: ssl.SSLContext | None = None
    server_names: list[str | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        if self.tls is not None:
            self.tls.sni_callback = lambda _socket, name, _context: self.server_names.append(name)
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        # Looks for `close` every 50 ms, not every 0.5 s (the default), which each test paid.
        serve = {"poll_interval": 0.05}
        threading.Thread(target=self._server.serve_forever, kwargs=serve, daemon=True).start()

    def url(self, path: str = "/hook", *, host: str = "127.0.0.1") -> str:
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}{path}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Notifications:
    """The service's handlers and delivery worker on a migrated database."""

    def __init__(
        self,
        url: str,
        *,
        smtp_port: int,
        clock: Clock,
        allow_loopback: bool = True,
        **overrides: Any,
    ) -> None:
        self.engine = create_database_engine(url)
        self.uow = UnitOfWork(self.engine)
        self.clock = clock
        self.settings = NotificationsSettings(
            database_url=url,
            smtp_port=smtp_port,
            webhook_allowed_networks="127.0.0.0/8" if allow_loopback else "",
            delivery_backoff_seconds=10,
            webhook_timeout_seconds=2,
            **overrides,
        )
        self.sender = webhook_sender(self.settings)
        self.worker: DeliveryWorker = delivery_worker(
            self.settings, SqlUnitOfWork(self.engine), clock=clock, sender=self.sender
        )
        self.on_determinations = determinations_handler(clock)
        self.on_determination = one_by_one(self.on_determinations)
        self.on_profile = profile_handler(clock)
        self.on_measure = measure_handler(clock)

    def handle(self, handler: Any, event: Event) -> None:
        with self.uow.begin() as connection:
            handler(connection, event)

    def determination(self, data: dict[str, Any], *, event_id: str | None = None) -> Event:
        event = Event(type=DETERMINATION, source="test", subject=data["uscc"], data=data)
        if event_id:
            event = Event(
                type=DETERMINATION, source="test", subject=data["uscc"], data=data, id=event_id
            )
        self.handle(self.on_determination, event)
        return event

    def deliver_all(self, rounds: int = 5) -> int:
        return sum(self.worker.deliver_due() for _ in range(rounds))

    def count(self, table_name: str, **where: Any) -> int:
        from notifications.adapters import tables

        table = getattr(tables, table_name, None)
        if table is None:
            table = getattr(backbone, table_name)
        with self.uow.read() as connection:
            query = select(func.count()).select_from(table)
            for name, value in where.items():
                query = query.where(table.c[name] == value)
            return int(connection.execute(query).scalar_one())

    def rows(self, table_name: str) -> list[Any]:
        from notifications.adapters import tables

        table = getattr(tables, table_name)
        with self.uow.read() as connection:
            return list(connection.execute(select(table).order_by(*table.primary_key.columns)))

    def outbox_events(self) -> list[dict[str, Any]]:
        with self.uow.read() as connection:
            return [dict(r._mapping) for r in connection.execute(select(backbone.outbox))]

    def read(self, statement: Any) -> list[Any]:
        with self.uow.read() as connection:
            return list(connection.execute(statement))

    def dispose(self) -> None:
        self.sender.close()
        self.engine.dispose()


START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@contextmanager
def notifications_on(databases: Databases, mailbox: Mailbox) -> Iterator[Notifications]:
    """The notifications service's parts on a migrated database of `databases`, sending email to
    `mailbox`, its clock standing at START."""
    parts = Notifications(
        databases.migrated("notifications"), smtp_port=mailbox.port, clock=Clock(START)
    )
    try:
        yield parts
    finally:
        parts.dispose()


__all__ = ["START", "Clock", "Mailbox", "Notifications", "Outbox", "Receiver", "RetryPolicy"]
