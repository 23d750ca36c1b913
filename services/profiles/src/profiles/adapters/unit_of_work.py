"""The profiles service's unit of work over SQL: each transaction's repositories in one `SqlWork`."""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from profiles.adapters.repository import Enterprises
from profiles.adapters.search import Search
from profiles.adapters.tables import backbone
from profiles.domain.snapshot import SOURCE
from supportmatch_core.db import WorkUnits
from supportmatch_core.outbox import Outbox, OutboxWriter


class SqlWork:
    def __init__(self, connection: Connection) -> None:
        self.enterprises = Enterprises(connection)
        self.search = Search(connection)
        self.outbox = OutboxWriter(Outbox(backbone), connection, source=SOURCE)


class SqlUnitOfWork(WorkUnits[SqlWork]):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, SqlWork)
