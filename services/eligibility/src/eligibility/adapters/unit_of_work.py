"""The eligibility service's unit of work over SQL: each transaction's repositories in one `SqlWork`."""

from __future__ import annotations

from functools import partial

from sqlalchemy import Connection, Engine

from eligibility.adapters.cases import CaseStates
from eligibility.adapters.determinations import Determinations
from eligibility.adapters.firms import Firms
from eligibility.adapters.measures import MeasureStore
from eligibility.adapters.population import FIRMS_PER_RANGE, Population, RangeQueue
from eligibility.adapters.population.explanations import Explanations
from eligibility.adapters.queue import WorkQueue
from eligibility.adapters.reach import Reach
from eligibility.adapters.tables import backbone
from eligibility.domain.events import SOURCE
from supportmatch_core.db import WorkUnits
from supportmatch_core.outbox import Outbox, OutboxWriter


class SqlWork:
    """The repositories of one open transaction on `connection`."""

    def __init__(
        self,
        connection: Connection,
        *,
        firms_per_range: int = FIRMS_PER_RANGE,
        outbox: Outbox | None = None,
    ) -> None:
        self.connection = connection
        self.firms = Firms(connection)
        self.determinations = Determinations(connection)
        self.measures = MeasureStore(connection)
        self.ranges = RangeQueue(connection, size=firms_per_range)
        self.population = Population(connection, self.ranges)
        self.explanations = Explanations(connection)
        self.reach = Reach(connection)
        self.queue = WorkQueue(connection)
        self.cases = CaseStates(connection)
        self.outbox = OutboxWriter(outbox or Outbox(backbone), connection, source=SOURCE)


class SqlUnitOfWork(WorkUnits[SqlWork]):
    """Transactions on `engine`; the queue of firm ranges holds `firms_per_range` firms a range
    and the events go to `outbox` (the backbone's, unless a test gives its own)."""

    def __init__(
        self,
        engine: Engine,
        *,
        firms_per_range: int = FIRMS_PER_RANGE,
        outbox: Outbox | None = None,
    ) -> None:
        super().__init__(engine, partial(SqlWork, firms_per_range=firms_per_range, outbox=outbox))
