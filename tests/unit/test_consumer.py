"""EventConsumer.process with a fake unit of work and a fake producer (no broker, no database)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from kafka.errors import KafkaTimeoutError
from sqlalchemy import MetaData
from sqlalchemy.exc import IntegrityError, OperationalError

from supportmatch_core.consumer import EventConsumer, Unavailable
from supportmatch_core.consumer_group import (
    COMMIT_TIMEOUT_MS,
    LAG_TIMEOUT_MS,
    Stalled,
    StallWatch,
    lag_of,
    partitions_known,
)
from supportmatch_core.events import Event
from supportmatch_core.schema import backbone_tables
from supportmatch_core.topics import PROFILE
from tests.unit._snapshots import profile_snapshot

ORIGIN = {"topic": PROFILE, "partition": "1", "offset": "42"}


@dataclass
class FakeConnection:
    statements: list[Any] = field(default_factory=list)
    fail_with: Exception | None = None

    def execute(self, statement: Any, parameters: Any = None) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.statements.append((statement, parameters))


@dataclass
class FakeUnitOfWork:
    connection: FakeConnection = field(default_factory=FakeConnection)
    begun: int = 0
    committed: int = 0

    @contextmanager
    def begin(self) -> Iterator[FakeConnection]:
        self.begun += 1
        yield self.connection
        self.committed += 1  # reached only when the block raised nothing


@dataclass
class FakeFuture:
    error: Exception | None = None

    def get(self, timeout: float | None = None) -> None:
        if self.error is not None:
            raise self.error


@dataclass
class FakeProducer:
    sent: list[dict[str, Any]] = field(default_factory=list)
    error: Exception | None = None

    def send(
        self, topic: str, *, key: bytes | None, value: bytes, headers: list[Any]
    ) -> FakeFuture:
        self.sent.append({"topic": topic, "key": key, "value": value, "headers": dict(headers)})
        return FakeFuture(self.error)


class Handler:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.calls: list[tuple[Any, Event]] = []

    def __call__(self, connection: Any, event: Event) -> None:
        self.calls.append((connection, event))
        if self.error is not None:
            raise self.error


def make_consumer(
    handler: Handler,
    *,
    uow: FakeUnitOfWork | None = None,
    producer: FakeProducer | None = None,
    max_attempts: int = 3,
    topic: str = PROFILE,
) -> tuple[EventConsumer, FakeUnitOfWork, FakeProducer, list[int]]:
    uow = uow or FakeUnitOfWork()
    producer = producer or FakeProducer()
    made: list[int] = []

    def producer_factory() -> FakeProducer:
        made.append(1)
        return producer

    def consumer_factory(name: str) -> Any:
        raise AssertionError("process() must not need a Kafka consumer")

    consumer = EventConsumer(
        name="eligibility",
        topic=topic,
        handler=handler,
        uow=uow,  # type: ignore[arg-type]
        tables=backbone_tables(MetaData()),
        consumer_factory=consumer_factory,
        producer_factory=producer_factory,
        max_attempts=max_attempts,
        retry_delay=0,
    )
    return consumer, uow, producer, made


def profile_event() -> Event:
    data = profile_snapshot(tax_credit_grade="A")
    return Event(type=PROFILE, source="urn:supportmatch:profiles", subject=data["uscc"], data=data)


def test_a_valid_event_is_handled_once_with_its_processed_row() -> None:
    handler = Handler()
    consumer, uow, producer, _ = make_consumer(handler)
    event = profile_event()
    assert consumer.process(event.to_bytes(), event.subject.encode(), ORIGIN) == "handled"
    assert [e for _, e in handler.calls] == [event]
    assert handler.calls[0][0] is uow.connection
    assert uow.begun == uow.committed == 1
    ((statement, params),) = uow.connection.statements
    assert statement.table.name == "processed_events"
    assert params["consumer"] == "eligibility"
    assert params["event_id"] == event.id
    assert producer.sent == []


@pytest.mark.parametrize(
    "message", [b"", b"{not json", b"[]", json.dumps({"specversion": "1.0"}).encode()]
)
def test_a_malformed_message_is_dead_lettered(message: bytes) -> None:
    handler = Handler()
    consumer, uow, producer, _ = make_consumer(handler)
    assert consumer.process(message, b"key-1", ORIGIN) == "dead-lettered"
    assert handler.calls == []
    assert uow.begun == 0
    (sent,) = producer.sent
    assert sent["topic"] == f"{PROFILE}.dlq"
    assert sent["key"] == b"key-1"
    assert sent["value"] == message
    headers = sent["headers"]
    assert headers["dlq-reason"] == b"malformed"
    assert headers["dlq-error"]
    assert headers["dlq-consumer"] == b"eligibility"
    assert headers["dlq-topic"] == PROFILE.encode()
    assert headers["dlq-partition"] == b"1"
    assert headers["dlq-offset"] == b"42"


def test_a_missing_value_is_dead_lettered_as_empty() -> None:
    consumer, _, producer, _ = make_consumer(Handler())
    assert consumer.process(None, None, ORIGIN) == "dead-lettered"
    assert producer.sent[0]["value"] == b""
    assert producer.sent[0]["headers"]["dlq-error"] == b"empty message"


def test_an_event_breaking_its_contract_is_dead_lettered() -> None:
    event = profile_event()
    bad = Event(
        type=event.type,
        source=event.source,
        subject=event.subject,
        data=event.data | {"region": "south"},
    )
    consumer, _, producer, _ = make_consumer(Handler())
    assert consumer.process(bad.to_bytes(), None, ORIGIN) == "dead-lettered"
    headers = producer.sent[0]["headers"]
    assert headers["dlq-reason"] == b"malformed"
    assert b"region" in headers["dlq-error"]


def test_an_event_of_another_type_is_dead_lettered() -> None:
    event = profile_event()
    consumer, _, producer, _ = make_consumer(Handler(), topic="eligibility.determination.v1")
    assert consumer.process(event.to_bytes(), None, ORIGIN) == "dead-lettered"
    (sent,) = producer.sent
    assert sent["topic"] == "eligibility.determination.v1.dlq"
    assert b"does not belong on eligibility.determination.v1" in sent["headers"]["dlq-error"]


@pytest.mark.parametrize("attempts", [1, 3, 5])
def test_a_failing_handler_is_retried_then_dead_lettered(attempts: int) -> None:
    handler = Handler(ValueError("no such measure"))
    consumer, uow, producer, _ = make_consumer(handler, max_attempts=attempts)
    event = profile_event()
    assert consumer.process(event.to_bytes(), b"k", ORIGIN) == "dead-lettered"
    assert len(handler.calls) == attempts
    assert uow.begun == attempts
    assert uow.committed == 0
    (sent,) = producer.sent
    assert sent["topic"] == f"{PROFILE}.dlq"
    assert sent["value"] == event.to_bytes()
    assert sent["headers"]["dlq-reason"] == b"handler-failed"
    assert sent["headers"]["dlq-error"] == b"ValueError: no such measure"


def test_a_handler_that_recovers_is_handled() -> None:
    class Flaky(Handler):
        def __call__(self, connection: Any, event: Event) -> None:
            self.calls.append((connection, event))
            if len(self.calls) < 3:
                raise RuntimeError("transient")

    handler = Flaky()
    consumer, uow, producer, _ = make_consumer(handler, max_attempts=3)
    event = profile_event()
    assert consumer.process(event.to_bytes(), None, ORIGIN) == "handled"
    assert len(handler.calls) == 3
    assert uow.committed == 1
    assert producer.sent == []


def test_dead_letter_error_is_truncated() -> None:
    handler = Handler(ValueError("x" * 5000))
    consumer, _, producer, _ = make_consumer(handler, max_attempts=1)
    consumer.process(profile_event().to_bytes(), None, ORIGIN)
    assert len(producer.sent[0]["headers"]["dlq-error"]) == 2000


def test_the_producer_is_made_once() -> None:
    consumer, _, producer, made = make_consumer(Handler())
    consumer.process(b"", None, ORIGIN)
    consumer.process(b"[]", None, ORIGIN)
    assert len(producer.sent) == 2
    assert made == [1]


def _sqlite_error(code: int, message: str) -> sqlite3.IntegrityError:
    error = sqlite3.IntegrityError(message)
    error.sqlite_errorcode = code
    return error


@pytest.mark.parametrize(
    "orig",
    [
        _sqlite_error(1555, "UNIQUE constraint failed: processed_events.consumer"),  # primary key
        _sqlite_error(2067, "UNIQUE constraint failed"),  # a unique index
    ],
)
def test_an_already_processed_event_is_a_duplicate(orig: Exception) -> None:
    uow = FakeUnitOfWork(
        FakeConnection(fail_with=IntegrityError("INSERT INTO processed_events", {}, orig))
    )
    handler = Handler()
    consumer, _, producer, _ = make_consumer(handler, uow=uow)
    assert consumer.process(profile_event().to_bytes(), None, ORIGIN) == "duplicate"
    assert handler.calls == []
    assert producer.sent == []


def test_another_integrity_error_is_retried_then_dead_lettered() -> None:
    orig = _sqlite_error(1299, "NOT NULL constraint failed: determinations.status")
    uow = FakeUnitOfWork(FakeConnection(fail_with=IntegrityError("INSERT", {}, orig)))
    consumer, _, producer, _ = make_consumer(Handler(), uow=uow, max_attempts=2)
    assert consumer.process(profile_event().to_bytes(), None, ORIGIN) == "dead-lettered"
    assert uow.begun == 2
    assert producer.sent[0]["headers"]["dlq-reason"] == b"handler-failed"
    assert producer.sent[0]["headers"]["dlq-error"].startswith(b"IntegrityError: NOT NULL")


def test_an_unreachable_database_raises_unavailable_without_dead_lettering() -> None:
    uow = FakeUnitOfWork(
        FakeConnection(fail_with=OperationalError("SELECT 1", {}, Exception("connection refused")))
    )
    consumer, _, producer, _ = make_consumer(Handler(), uow=uow)
    with pytest.raises(Unavailable, match="connection refused"):
        consumer.process(profile_event().to_bytes(), None, ORIGIN)
    assert uow.begun == 1
    assert producer.sent == []


def test_an_unreachable_dead_letter_topic_raises_unavailable() -> None:
    producer = FakeProducer(error=KafkaTimeoutError("no broker"))
    consumer, _, _, _ = make_consumer(Handler(), producer=producer)
    with pytest.raises(Unavailable, match="cannot reach the dead-letter topic"):
        consumer.process(b"", None, ORIGIN)


class SlowMetadata:
    """A client whose metadata lists the topic's partitions only on the third look."""

    def __init__(self) -> None:
        self.looks = 0

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        self.looks += 1
        return {0, 1} if self.looks >= 3 else None


def test_a_consumer_subscribes_only_once_its_metadata_lists_the_partitions() -> None:
    client = SlowMetadata()
    assert partitions_known(client, PROFILE, threading.Event())
    assert client.looks == 3


def test_waiting_for_partitions_ends_when_the_service_stops() -> None:
    stopped = threading.Event()
    stopped.set()
    assert not partitions_known(SlowMetadata(), PROFILE, stopped)


class KafkaClient:
    """What the consumer loop asks of a Kafka consumer before it polls, and at the end."""

    closed = False

    def partitions_for_topic(self, topic: str) -> set[int]:
        return {0}

    def subscribe(self, topics: list[str], listener: Any) -> None:
        pass

    def close(self, autocommit: bool) -> None:
        self.closed = True


Client = TypeVar("Client", bound=KafkaClient)


def run_until_third(consumer: EventConsumer, make: Callable[[], Client]) -> list[Client]:
    """Run the consumer's loop until it asks for a third Kafka consumer; the ones it was given."""
    made: list[Client] = []
    stop = threading.Event()

    def consumer_factory(name: str) -> Client:
        if len(made) == 2:
            stop.set()  # the loop made a second consumer and gave it up too: enough
        made.append(make())
        return made[-1]

    consumer._consumer_factory = consumer_factory
    runner = threading.Thread(target=consumer.run, args=(stop,))
    runner.start()
    runner.join(timeout=10)
    assert not runner.is_alive()
    return made


class RebalancingConsumer(KafkaClient):
    """A Kafka consumer whose commit times out, as kafka-python's may while its group rebalances
    after a member died; it hands out one message, then nothing."""

    def __init__(self, message: Any) -> None:
        self.batches = [{("profile", 0): [message]}]
        self.commits: list[int | None] = []

    def poll(self, timeout_ms: int) -> dict[Any, list[Any]]:
        return self.batches.pop() if self.batches else {}

    def assignment(self) -> set[Any]:
        return set()

    def commit(self, timeout_ms: int | None = None) -> None:
        self.commits.append(timeout_ms)
        raise KafkaTimeoutError("Timeout waiting for future")


def test_a_commit_that_waits_too_long_makes_the_consumer_again() -> None:
    """No call to the broker waits for ever: a commit that times out closes the consumer, and a
    new one rejoins the group and is given the batch again (its processed rows skip it then)."""
    consumer, _, _, _ = make_consumer(Handler())
    batches: list[Sequence[Any]] = []
    consumer.process_batch = batches.append  # type: ignore[method-assign,assignment]
    made = run_until_third(consumer, lambda: RebalancingConsumer(message="the batch"))
    assert [c.commits for c in made[:2]] == [[COMMIT_TIMEOUT_MS], [COMMIT_TIMEOUT_MS]]
    assert all(c.closed for c in made)
    assert batches == [["the batch"], ["the batch"]]
    assert "Timeout" in consumer.health.reason


class Holding:
    """A consumer holding two partitions; the second's position is not known yet unless given."""

    def __init__(self, second: int | None) -> None:
        self.positions = {("t", 0): 7, ("t", 1): second}
        self.timeouts: list[int | None] = []

    def assignment(self) -> set[tuple[str, int]]:
        return set(self.positions)

    def end_offsets(self, partitions: list[Any], timeout_ms: int | None = None) -> dict[Any, int]:
        self.timeouts.append(timeout_ms)
        return dict.fromkeys(partitions, 10)

    def position(self, partition: Any, timeout_ms: int | None = None) -> int | None:
        self.timeouts.append(timeout_ms)
        return self.positions[partition]


def test_the_lag_is_measured_only_when_every_position_is_known_and_never_waits_long() -> None:
    known = Holding(second=4)
    assert lag_of(known) == 3 + 6
    assert set(known.timeouts) == {LAG_TIMEOUT_MS}
    assert lag_of(Holding(second=None)) is None


class Unanswered(Holding):
    """A consumer whose broker does not answer the offsets asked for the gauge in time."""

    def end_offsets(self, partitions: list[Any], timeout_ms: int | None = None) -> dict[Any, int]:
        raise KafkaTimeoutError("Timeout waiting for future")


def test_a_gauge_the_broker_does_not_answer_in_time_is_measured_next_time() -> None:
    assert lag_of(Unanswered(second=4)) is None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_consumer_is_stalled_only_when_messages_wait_and_none_is_read_for_the_limit() -> None:
    clock = Clock()
    watch = StallWatch(60, clock)
    clock.now = 59
    watch.measured(5)  # waiting, but not for long yet
    watch.progressed()
    clock.now = 118
    watch.measured(5)  # 59 s since the last batch
    clock.now = 200
    watch.measured(0)  # caught up: nothing waits
    watch.measured(None)  # holds no partitions
    clock.now = 259
    watch.measured(3)
    clock.now = 261
    with pytest.raises(Stalled, match="3 messages waiting and none read for 61 s"):
        watch.measured(3)


class Stuck(KafkaClient):
    """A Kafka consumer that holds a partition with ten messages unread and is given none, as one
    whose membership the broker forgot while it kept polling."""

    def poll(self, timeout_ms: int) -> dict[Any, list[Any]]:
        return {}

    def assignment(self) -> set[tuple[str, int]]:
        return {("profile", 0)}

    def end_offsets(self, partitions: list[Any], timeout_ms: int | None = None) -> dict[Any, int]:
        return dict.fromkeys(partitions, 10)

    def position(self, partition: Any, timeout_ms: int | None = None) -> int:
        return 0


def test_a_consumer_that_reads_nothing_while_messages_wait_is_made_again() -> None:
    consumer, _, _, _ = make_consumer(Handler())
    consumer._stall_seconds, consumer._lag_every = 0.05, 0.0
    made = run_until_third(consumer, Stuck)
    assert len(made) == 3
    assert all(c.closed for c in made)
    assert "10 messages waiting" in consumer.health.reason
