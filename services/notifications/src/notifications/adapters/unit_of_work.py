"""The notifications service's unit of work over SQL: each transaction's repositories in one
`SqlWork`."""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from notifications.adapters.cases import CaseDues
from notifications.adapters.deliveries import Deliveries
from notifications.adapters.recipients import Recipients
from notifications.adapters.repository import Notices
from notifications.adapters.subscriptions import Subscriptions
from notifications.adapters.tables import backbone
from notifications.domain.events import SOURCE
from supportmatch_core.db import WorkUnits
from supportmatch_core.outbox import Outbox, OutboxWriter


class SqlWork:
    def __init__(self, connection: Connection) -> None:
        self.notices = Notices(connection)
        self.recipients = Recipients(connection)
        self.deliveries = Deliveries(connection)
        self.subscriptions = Subscriptions(connection)
        self.cases = CaseDues(connection)
        self.outbox = OutboxWriter(Outbox(backbone), connection, source=SOURCE)


class SqlUnitOfWork(WorkUnits[SqlWork]):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, SqlWork)
