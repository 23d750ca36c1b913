"""The relay deletes sent outbox rows past their retention from the outbox's head, a batch per
transaction, and keeps everything from the first row still to keep: unsent, or sent recently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NoReturn

from sqlalchemy import MetaData, select, update

from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.events import Event
from supportmatch_core.outbox import Outbox
from supportmatch_core.relay import OutboxRelay
from supportmatch_core.schema import backbone_tables
from tests.conftest import Databases

RETENTION = timedelta(days=7)


def _no_broker() -> NoReturn:
    raise AssertionError("pruning never talks to the broker")


def test_pruning_takes_expired_rows_from_the_head_a_batch_at_a_time(
    databases: Databases,
) -> None:
    engine = create_database_engine(databases.migrated("profiles"))
    tables = backbone_tables(MetaData())
    outbox, uow = tables.outbox, UnitOfWork(engine)
    now = datetime.now(UTC)
    # By id: 5 sent long ago, 1 sent yesterday, 3 sent long ago, 2 not sent yet.
    long_ago, yesterday = now - timedelta(days=10), now - timedelta(days=1)
    sent_at: list[datetime | None] = [long_ago] * 5 + [yesterday] + [long_ago] * 3 + [None] * 2
    with uow.begin() as connection:
        Outbox(tables).add_many(
            connection,
            topic="t",
            events=[Event(type="t", source="s", subject=str(n), data={}) for n in sent_at],
        )
        ids = list(connection.execute(select(outbox.c.id).order_by(outbox.c.id)).scalars())
        for row_id, stamp in zip(ids, sent_at, strict=True):
            connection.execute(update(outbox).where(outbox.c.id == row_id).values(sent_at=stamp))
    relay = OutboxRelay(
        name="test",
        uow=uow,
        tables=tables,
        producer_factory=_no_broker,
        admin_factory=_no_broker,
        batch_size=3,
        retention=RETENTION,
    )

    assert relay.prune() == 3  # a full batch: the relay goes on with the next
    assert relay.prune() == 2  # up to the row sent yesterday
    assert relay.prune() == 0  # which the head keeps, with every row after it

    with uow.read() as connection:
        kept = list(connection.execute(select(outbox.c.id).order_by(outbox.c.id)).scalars())
    assert kept == ids[5:]
    engine.dispose()
