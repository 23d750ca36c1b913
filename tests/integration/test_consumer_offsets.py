"""One consumer reads all of a service's topics, in a group named after the service, and goes on
where the groups of one topic each (before ADR 0036) stopped: nothing they handled is read again,
nothing after it is skipped."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from kafka import KafkaProducer, TopicPartition
from kafka.errors import KafkaError, NoError
from kafka.structs import OffsetAndMetadata
from sqlalchemy import Connection, delete
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_fixed

from notifications.adapters.tables import backbone
from supportmatch_core.consumer import EventConsumer
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.events import Event
from supportmatch_core.kafka import create_admin
from supportmatch_core.processing import Subscription
from supportmatch_core.settings import ServiceSettings
from supportmatch_core.topics import DETERMINATION, PROFILE
from supportmatch_core.wiring import event_consumer
from tests.brokers import BrokerUnderTest, is_embedded
from tests.conftest import TEST_SECRET, Databases
from tests.unit._consumers import profile_event
from tests.unit._snapshots import decide_for, determination

pytestmark = pytest.mark.usefixtures("broker_kind")


def _determination() -> Event:
    data = determination(decide_for())
    return Event(type=DETERMINATION, source="test", subject=data["uscc"], data=data)


class Handled:
    """The ids each topic's handler was given, in order."""

    def __init__(self) -> None:
        self.ids: dict[str, list[str]] = {PROFILE: [], DETERMINATION: []}

    def subscriptions(self) -> list[Subscription]:
        return [Subscription(topic, self._handler(topic)) for topic in self.ids]

    def _handler(self, topic: str) -> Callable[[Connection, Event], None]:
        return lambda connection, event: self.ids[topic].append(event.id)

    def wait_for(self, topic: str, count: int, seconds: float = 60) -> list[str]:
        deadline = time.monotonic() + seconds
        while len(self.ids[topic]) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # and nothing more comes
        return self.ids[topic]


def _commit(settings: ServiceSettings, group: str, offsets: dict[TopicPartition, Any]) -> None:
    """Commit `offsets` for `group`, once the broker's coordinator of it is ready (a new Apache
    Kafka node makes its offsets topic on the first request, then loads it)."""
    admin = create_admin(settings)
    try:
        for attempt in Retrying(
            retry=retry_if_exception(lambda e: isinstance(e, KafkaError) and e.retriable),
            wait=wait_fixed(0.5),
            stop=stop_after_delay(30),
            reraise=True,
        ):
            with attempt:
                answers = admin.alter_group_offsets(group, offsets)
                if waiting := [error for error in answers.values() if error.retriable]:
                    raise waiting[0]()
                assert set(answers.values()) == {NoError}
    finally:
        admin.close()


@contextmanager
def running(consumer: EventConsumer) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(15)


def test_the_service_group_goes_on_where_each_topic_group_stopped(
    broker: BrokerUnderTest, databases: Databases
) -> None:
    settings = ServiceSettings(
        service_name="notifications",
        database_url=databases.migrated("notifications"),
        kafka_bootstrap_servers=broker.address,
        kafka_embedded=is_embedded(broker),
        jwt_secret=TEST_SECRET,
    )
    uow = UnitOfWork(create_database_engine(settings.database_url))
    profiles = [profile_event() for _ in range(6)]
    producer = KafkaProducer(bootstrap_servers=broker.address, acks="all")
    for event in profiles:
        producer.send(PROFILE, value=event.to_bytes(), key=b"k", partition=0)
    producer.flush()
    # The earlier group of the profile topic had handled the first three.
    earlier = {TopicPartition(PROFILE, 0): OffsetAndMetadata(3, "", -1)}
    _commit(settings, f"notifications.{PROFILE}", earlier)

    handled = Handled()
    with running(event_consumer(settings, uow, backbone, handled.subscriptions())):
        assert handled.wait_for(PROFILE, 3) == [e.id for e in profiles[3:]]
        decided = _determination()
        producer.send(DETERMINATION, value=decided.to_bytes(), key=decided.subject.encode())
        producer.flush()
        assert handled.wait_for(DETERMINATION, 1) == [decided.id]

    # Started again, the service's group keeps its own offsets: nothing is read twice (the
    # processed rows are dropped, so an event read again would reach the handler).
    with uow.begin() as connection:
        connection.execute(delete(backbone.processed_events))
    later = profile_event()
    producer.send(PROFILE, value=later.to_bytes(), key=b"k", partition=0)
    producer.flush()
    producer.close()
    again = Handled()
    with running(event_consumer(settings, uow, backbone, again.subscriptions())):
        assert again.wait_for(PROFILE, 1) == [later.id]
    assert again.ids[DETERMINATION] == []
