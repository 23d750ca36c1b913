"""The notifications service's unit of work over SQL: each transaction's repositories in one
`SqlWork`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from notifications.adapters.deliveries import Deliveries
from notifications.adapters.recipients import Recipients
from notifications.adapters.repository import Notices
from notifications.adapters.subscriptions import Subscriptions
from notifications.adapters.tables import backbone
from notifications.domain.events import SOURCE
from supportmatch_core.db import UnitOfWork
from supportmatch_core.outbox import Outbox, OutboxWriter


class SqlWork:
    def __init__(self, connection: Connection) -> None:
        self.notices = Notices(connection)
        self.recipients = Recipients(connection)
        self.deliveries = Deliveries(connection)
        self.subscriptions = Subscriptions(connection)
        self.outbox = OutboxWriter(Outbox(backbone), connection, source=SOURCE)


class SqlUnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self.engine, self._transactions = engine, UnitOfWork(engine)

    @contextmanager
    def begin(self) -> Iterator[SqlWork]:
        with self._transactions.begin() as connection:
            yield SqlWork(connection)

    @contextmanager
    def read(self) -> Iterator[SqlWork]:
        with self._transactions.read() as connection:
            yield SqlWork(connection)
