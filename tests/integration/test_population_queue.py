"""The population's determinations in the work queue: each row in its firm's place, and the
facts missing counted once every row is explained (ADR 0037)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from eligibility.adapters.queue import WorkQueue
from eligibility.adapters.tables import QUEUE_COLUMNS, determinations, enterprise_facts
from eligibility.adapters.unit_of_work import SqlUnitOfWork
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Status, decide
from eligibility.domain.measures import load_catalogue
from eligibility.domain.queue import QueueFilter
from eligibility.use_cases.rematch import place_misplaced
from supportmatch_core.db import UnitOfWork, create_database_engine
from tests.conftest import Databases
from tests.eligibility_steps import explain_pending, rematch, rematch_due
from tests.integration.population_steps import CATALOGUE, ON, misplaced, seed, stored_facts, vat


@pytest.fixture
def uow(databases: Databases) -> Iterator[UnitOfWork]:
    engine = create_database_engine(databases.migrated("eligibility"))
    yield UnitOfWork(engine)
    engine.dispose()


def test_rows_out_of_place_take_their_firms_place(uow: UnitOfWork) -> None:
    """Rows the release before wrote during an upgrade: without a place (a re-match's, whatever
    the firm's age), or with an old one (a firm that moved lately) take their firm's."""
    first, moved, *_ = seed(uow, 6)
    catalogue = Catalogue(load_catalogue())
    rematch_due(uow, catalogue=catalogue, on=ON)
    d, f = determinations.c, enterprise_facts.c
    with uow.begin() as connection:
        connection.execute(update(determinations).values(dict.fromkeys(QUEUE_COLUMNS)))
        old = datetime(2020, 1, 1, tzinfo=UTC)
        connection.execute(update(enterprise_facts).where(f.uscc == first).values(updated_at=old))
        rows = connection.execute(select(func.count()).select_from(determinations)).scalar_one()
    assert misplaced(uow) != set()
    since = datetime.now(UTC) - timedelta(days=1)
    with SqlUnitOfWork(uow.engine).begin() as work:
        assert place_misplaced(work, catalogue=catalogue, changed_since=since) == rows
    assert misplaced(uow) == set()
    with uow.begin() as connection:
        connection.execute(update(determinations).where(d.uscc == moved).values(province_code="11"))
    with SqlUnitOfWork(uow.engine).begin() as work:
        assert place_misplaced(work, catalogue=catalogue, changed_since=since) > 0
        assert place_misplaced(work, catalogue=catalogue, changed_since=since) == 0
    assert misplaced(uow) == set()


def test_the_facts_missing_are_counted_once_every_row_is_explained(uow: UnitOfWork) -> None:
    """A re-match stores rows unexplained (missing: null); the queue does not count the facts
    missing until the Explainer has written them (",": nothing missing)."""
    usccs = seed(uow, 12)
    rematch(uow, measure=vat(), on=ON, announce=False)
    wanted = QueueFilter(measure_id="vat-credit-refund")
    with uow.read() as connection:
        assert WorkQueue(connection).page(wanted, after="", limit=50, on=ON).missing_counts is None
        facts = {uscc: stored_facts(connection, uscc) for uscc in usccs}
    explain_pending(uow, catalogue=CATALOGUE)
    with uow.read() as connection:
        page = WorkQueue(connection).page(wanted, after="", limit=50, on=ON)
        stored = set(connection.execute(select(determinations.c.missing)).scalars())
    decided = [decide(vat(), f, ON) for f in facts.values()]
    queued = [d for d in decided if d.status is not Status.INELIGIBLE]
    lacking = Counter(m["fact"] for d in queued for m in d.missing_facts)
    assert page.missing_counts == dict(lacking)
    assert "," in stored  # explained, nothing missing
    assert None not in stored
    assert len(page.firms) == len(queued)
