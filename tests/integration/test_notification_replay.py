"""Replaying eligibility.determination.v1 from the beginning creates no new notification, on any
channel, whether the consumer remembers the events (processed_events) or not."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from kafka import KafkaProducer
from sqlalchemy import delete

from eligibility.domain.decision import Status
from notifications.adapters.tables import backbone
from supportmatch_core.auth import Principal, Role
from supportmatch_core.broker import EmbeddedBroker
from supportmatch_core.consumer import EventConsumer
from supportmatch_core.events import Event
from supportmatch_core.kafka import create_consumer, create_producer
from supportmatch_core.processing import EventProcessing, Subscription
from supportmatch_core.topics import DETERMINATION
from tests import notifications_steps as service
from tests.brokers import messages_on
from tests.conftest import Databases
from tests.factories import new_uscc
from tests.integration.notifying import START, Clock, Mailbox, Notifications, Receiver
from tests.notifications_steps import determinations_handler, one_by_one
from tests.unit._snapshots import COMPLIANT, decide_for, determination

ADMIN = Principal(subject="admin", role=Role.ADMIN)
CASEWORKER = Principal(subject="cw-44", role=Role.CASEWORKER, regions=frozenset({"44"}))
COUNTED = ("inbox", "deliveries", "digest_items")


@pytest.fixture
def parts(databases: Databases) -> Iterator[tuple[Notifications, Receiver]]:
    mailbox, receiver = Mailbox(), Receiver()
    system = Notifications(
        databases.migrated("notifications"),
        smtp_port=mailbox.port,
        clock=Clock(START),
        kafka_embedded=True,  # its consumers join the embedded broker
    )
    yield system, receiver
    system.dispose()
    receiver.close()


def _consumer(system: Notifications, broker: EmbeddedBroker, group: str) -> EventConsumer:
    batch = determinations_handler(system.clock)
    settings = system.settings.model_copy(update={"kafka_bootstrap_servers": broker.address})
    processing = EventProcessing(
        group=group,
        subscriptions=[Subscription(DETERMINATION, one_by_one(batch), batch)],
        uow=system.uow,
        tables=backbone,
        producer_factory=lambda: create_producer(settings),
    )
    return EventConsumer(
        processing, consumer_factory=lambda group: create_consumer(settings, group=group)
    )


def _counts(system: Notifications) -> dict[str, int]:
    return {table: system.count(table) for table in COUNTED}


def test_replaying_the_whole_topic_creates_no_new_notification(
    broker: EmbeddedBroker, parts: tuple[Notifications, Receiver]
) -> None:
    system, receiver = parts
    firms = [new_uscc("44") for _ in range(8)]
    scope = service.Scope
    for uscc in firms:
        service.update_preferences(
            uow=system.uow,
            principal=ADMIN,
            scope=scope.enterprise(uscc),
            changes={"email": f"{uscc}@firm.example"},
            now=system.clock(),
        )
        service.subscribe(
            uow=system.uow,
            principal=ADMIN,
            scope=scope.enterprise(uscc),
            url=receiver.url(),
            sender=system.sender,
            now=system.clock(),
        )
    service.preferences(
        uow=system.uow, principal=CASEWORKER, scope=scope.caseworker(CASEWORKER), now=system.clock()
    )
    events = []
    for uscc in firms:  # each firm: possibly eligible, then eligible, then no longer
        steps = [
            (decide_for(industry="C3921"), None),
            (decide_for(**COMPLIANT), Status.POSSIBLY_ELIGIBLE),
            (decide_for(**{**COMPLIANT, "tax_credit_grade": "D"}), Status.ELIGIBLE),
        ]
        for decision, previous in steps:
            data = determination(decision, previous=previous, uscc=uscc)
            events.append(Event(type=DETERMINATION, source="test", subject=uscc, data=data))
    producer = KafkaProducer(bootstrap_servers=broker.address, acks="all")
    for event in events + events[:5]:  # and five sent twice
        producer.send(DETERMINATION, key=event.subject.encode(), value=event.to_bytes())
    producer.flush()
    producer.close()

    live = _consumer(system, broker, "notifications")
    stop = threading.Event()
    thread = threading.Thread(target=live.run, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while system.count("processed_events") < len(events) and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    thread.join(10)
    first = _counts(system)
    # 24 notices to the firms: inbox + email + webhook each; 24 lines for the caseworker.
    assert first == {"inbox": 24, "deliveries": 48, "digest_items": 24}

    everything = messages_on(broker.address, DETERMINATION)
    assert len(everything) == len(events) + 5
    # A consumer that has never seen these events (a new group, an empty processed_events).
    _consumer(system, broker, "replay").processing.process_batch(everything)
    assert _counts(system) == first
    # The live consumer again after its processed_events were lost.
    with system.uow.begin() as connection:
        connection.execute(delete(backbone.processed_events))
    _consumer(system, broker, "notifications").processing.process_batch(everything)
    assert _counts(system) == first
