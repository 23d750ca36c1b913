"""The relay's backlog gauge: counted after each round while the backlog is small, at most once a
second while full batches go out (counting a large backlog costs as much as sending a batch)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from kafka import KafkaAdminClient, KafkaProducer
from prometheus_client import REGISTRY
from sqlalchemy import event

from supportmatch_core.events import Event
from supportmatch_core.outbox import Outbox
from supportmatch_core.relay import OutboxRelay
from tests.unit._consumers import FakeProducer
from tests.unit._outbox import outbox_database

BATCH = 100


def _pending() -> float | None:
    return REGISTRY.get_sample_value("outbox_pending")


def test_full_batches_count_the_backlog_once_a_second_and_the_last_one_counts_it(
    tmp_path: Path,
) -> None:
    engine, tables, uow = outbox_database(tmp_path)
    events = [Event(type="t", source="s", subject=str(n), data={}) for n in range(BATCH * 2 + 30)]
    with uow.begin() as connection:
        Outbox(tables).add_many(connection, topic="t", events=events)
    counts: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "count(" in statement.lower():
            counts.append(statement)

    producer = FakeProducer()
    relay = OutboxRelay(
        name="test",
        uow=uow,
        tables=tables,
        producer_factory=lambda: cast(KafkaProducer, producer),
        admin_factory=lambda: cast(KafkaAdminClient, None),
        batch_size=BATCH,
    )
    assert relay.publish_pending() == BATCH  # the first full batch: counted
    assert len(counts) == 1
    assert _pending() == BATCH + 30
    assert relay.publish_pending() == BATCH  # full again, within the second: not counted
    assert len(counts) == 1
    assert relay.publish_pending() == 30  # the last rows: counted, nothing waits
    assert len(counts) == 2
    assert _pending() == 0
    assert relay.publish_pending() == 0  # nothing sent, nothing shown waiting: not counted
    assert len(counts) == 2
    assert len(producer.sent) == len(events)
    engine.dispose()
