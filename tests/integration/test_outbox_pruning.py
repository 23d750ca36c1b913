"""Sent outbox rows past their retention are deleted by a walk from the outbox's head, a batch
per transaction; unsent rows and rows sent within the retention are kept, and the walk ends at the
first rows written within it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import MetaData, select, update

from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.events import Event
from supportmatch_core.outbox import Outbox
from supportmatch_core.pruning import OutboxPruner, Pruned
from supportmatch_core.schema import backbone_tables
from tests.conftest import Databases

NOW = datetime.now(UTC)
LONG_AGO, YESTERDAY = NOW - timedelta(days=10), NOW - timedelta(days=1)

# By id: (written, sent).
ROWS: list[tuple[datetime, datetime | None]] = [
    (LONG_AGO, LONG_AGO),
    (LONG_AGO, LONG_AGO),
    (LONG_AGO, LONG_AGO),
    (LONG_AGO, None),  # refused by the broker ever since: kept, stepped over
    (LONG_AGO, LONG_AGO),
    (LONG_AGO, LONG_AGO),
    (LONG_AGO, YESTERDAY),  # sent within the retention: kept
    (YESTERDAY, YESTERDAY),  # written within the retention: the walk ends here
    (YESTERDAY, None),
]


def test_a_walk_deletes_what_expired_steps_over_what_was_never_sent_and_ends_at_new_rows(
    databases: Databases,
) -> None:
    engine = create_database_engine(databases.migrated("profiles"))
    tables = backbone_tables(MetaData())
    outbox, uow = tables.outbox, UnitOfWork(engine)
    with uow.begin() as connection:
        Outbox(tables).add_many(
            connection,
            topic="t",
            events=[Event(type="t", source="s", subject=str(n), data={}) for n in range(len(ROWS))],
        )
        ids = list(connection.execute(select(outbox.c.id).order_by(outbox.c.id)).scalars())
        for row_id, (written, sent) in zip(ids, ROWS, strict=True):
            connection.execute(
                update(outbox).where(outbox.c.id == row_id).values(created_at=written, sent_at=sent)
            )
    pruner = OutboxPruner(uow, outbox, retention=timedelta(days=7), batch=3)

    assert pruner.prune() == Pruned(deleted=3, after=ids[2])
    assert pruner.prune(after=ids[2]) == Pruned(deleted=2, after=ids[5])
    assert pruner.prune(after=ids[5]) == Pruned(deleted=0, after=None)

    with uow.read() as connection:
        kept = list(connection.execute(select(outbox.c.id).order_by(outbox.c.id)).scalars())
    assert kept == [ids[3], *ids[6:]]
    engine.dispose()
