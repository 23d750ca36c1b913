"""The relay's look at the broker's cluster: once a second it asks the broker for its cluster id,
reads the stored one only when that differs from what it last stored, and queues sent events
again when the broker is a new cluster (a restarted embedded broker keeps nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from kafka import KafkaAdminClient, KafkaProducer
from sqlalchemy import event, func, select

from supportmatch_core.events import Event
from supportmatch_core.outbox import Outbox
from supportmatch_core.relay import OutboxRelay
from tests.unit._consumers import FakeProducer
from tests.unit._outbox import outbox_database


class Cluster:
    """An admin client whose broker answers with `cluster_id`."""

    def __init__(self, cluster_id: str) -> None:
        self.cluster_id = cluster_id

    def describe_cluster(self) -> dict[str, str]:
        return {"cluster_id": self.cluster_id}


def test_the_stored_cluster_is_read_only_when_the_broker_answers_with_another(
    tmp_path: Path,
) -> None:
    engine, tables, uow = outbox_database(tmp_path)
    with uow.begin() as connection:
        Outbox(tables).add(
            connection, topic="t", event=Event(type="t", source="s", subject="1", data={})
        )
    reads: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "relay_state" in statement:
            reads.append(statement)

    broker = Cluster("first")
    relay = OutboxRelay(
        name="test",
        uow=uow,
        tables=tables,
        producer_factory=lambda: cast(KafkaProducer, FakeProducer()),
        admin_factory=lambda: cast(KafkaAdminClient, broker),
        epoch_check_seconds=0,
        create_topics=lambda admin: None,
    )
    relay._check_cluster()  # the first look stores the cluster
    assert relay.publish_pending() == 1
    stored = len(reads)
    for _ in range(3):
        relay._check_cluster()
    assert len(reads) == stored  # the same cluster: the database is not asked

    broker.cluster_id = "second"  # a new, empty broker
    relay._check_cluster()
    assert len(reads) > stored
    outbox = tables.outbox
    with engine.connect() as connection:
        waiting = connection.execute(
            select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
        ).scalar()
    assert waiting == 1  # queued again for the new cluster
    engine.dispose()
