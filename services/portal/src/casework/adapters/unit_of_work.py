"""Casework's unit of work over SQL: each transaction's cases and outbox in one `CaseWork`."""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from casework.adapters.cases import Cases
from casework.adapters.tables import backbone
from supportmatch_core.db import WorkUnits
from supportmatch_core.outbox import Outbox, OutboxWriter

SOURCE = "urn:supportmatch:casework"


class CaseWork:
    def __init__(self, connection: Connection) -> None:
        self.cases = Cases(connection)
        self.outbox = OutboxWriter(Outbox(backbone), connection, source=SOURCE)


class CaseUnitOfWork(WorkUnits[CaseWork]):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, CaseWork)
