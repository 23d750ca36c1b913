"""A polled batch is handled in one transaction; one failing event does not hold back the others."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from sqlalchemy import Connection, func, select

from notifications.adapters.tables import backbone
from supportmatch_core.broker import EmbeddedBroker
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.events import Event
from supportmatch_core.kafka import create_producer
from supportmatch_core.outbox import Outbox
from supportmatch_core.processing import EventProcessing, Subscription
from supportmatch_core.settings import ServiceSettings
from supportmatch_core.topics import DETERMINATION, dead_letter
from tests.brokers import messages_on
from tests.conftest import TEST_SECRET, Databases
from tests.unit._snapshots import decide_for, determination


@dataclass
class Message:
    value: bytes
    key: bytes
    offset: int
    topic: str = DETERMINATION
    partition: int = 0


@pytest.mark.parametrize("together", [False, True], ids=["one-by-one", "batch-handler"])
def test_a_failing_event_is_parked_and_the_rest_of_the_batch_commits(
    broker: EmbeddedBroker, databases: Databases, together: bool
) -> None:
    """With a batch handler, the failing batch rolls back and its events are tried one by one."""
    url = databases.migrated("notifications")
    engine = create_database_engine(url)
    settings = ServiceSettings(
        service_name="batch-test",
        database_url=url,
        kafka_bootstrap_servers=broker.address,
        jwt_secret=TEST_SECRET,
    )
    outbox = Outbox(backbone)
    events = [
        Event(type=DETERMINATION, source="test", subject=data["uscc"], data=data)
        for data in (determination(decide_for()) for _ in range(5))
    ]
    poisoned = events[2].id

    def handler(connection: Connection, event: Event) -> None:
        if event.id == poisoned:
            raise ValueError("this event cannot be handled")
        outbox.add(connection, topic="echo", event=event)

    def batch_handler(connection: Connection, batch: Sequence[Event]) -> None:
        for event in batch:
            handler(connection, event)

    consumer = EventProcessing(
        group="batch-test",
        subscriptions=[Subscription(DETERMINATION, handler, batch_handler if together else None)],
        uow=UnitOfWork(engine),
        tables=backbone,
        producer_factory=lambda: create_producer(settings),
        retry_delay=0,
    )
    batch = [Message(e.to_bytes(), e.subject.encode(), i) for i, e in enumerate(events)]
    consumer.process_batch(batch)
    consumer.process_batch(batch)  # redelivered: nothing changes

    with engine.connect() as connection:
        handled = connection.execute(select(func.count()).select_from(backbone.outbox)).scalar()
        processed = connection.execute(
            select(func.count()).select_from(backbone.processed_events)
        ).scalar()
    engine.dispose()
    assert handled == 4
    assert processed == 4
    messages = messages_on(broker.address, dead_letter(DETERMINATION))
    assert len(messages) == 2  # parked once per delivery, each after its bounded retries
    headers = dict(messages[0].headers)
    assert headers["dlq-reason"] == b"handler-failed"
    assert b"this event cannot be handled" in headers["dlq-error"]
