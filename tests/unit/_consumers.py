"""A consumer runner over a fake unit of work and a fake producer, for the unit tests of the runner
and of its place in the consumer group."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData

from supportmatch_core.consumer import EventConsumer
from supportmatch_core.events import Event
from supportmatch_core.processing import EventProcessing, Subscription
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

    def flush(self, timeout: float | None = None) -> None:
        pass


class Handler:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.calls: list[tuple[Any, Event]] = []

    def __call__(self, connection: Any, event: Event) -> None:
        self.calls.append((connection, event))
        if self.error is not None:
            raise self.error


def make_processing(
    handler: Handler,
    *,
    uow: FakeUnitOfWork | None = None,
    producer: FakeProducer | None = None,
    max_attempts: int = 3,
    topic: str = PROFILE,
    more: Sequence[Subscription] = (),
) -> tuple[EventProcessing, FakeUnitOfWork, FakeProducer, list[int]]:
    """Processing in group `eligibility` giving `topic`'s events to `handler`, and those of the
    topics of `more` to theirs; the last item counts the producers it made."""
    uow = uow or FakeUnitOfWork()
    producer = producer or FakeProducer()
    made: list[int] = []

    def producer_factory() -> FakeProducer:
        made.append(1)
        return producer

    processing = EventProcessing(
        group="eligibility",
        subscriptions=[Subscription(topic, handler), *more],
        uow=uow,  # type: ignore[arg-type]
        tables=backbone_tables(MetaData()),
        producer_factory=producer_factory,
        max_attempts=max_attempts,
        retry_delay=0,
    )
    return processing, uow, producer, made


def make_consumer(handler: Handler, **options: Any) -> EventConsumer:
    """A consumer of `make_processing(handler, **options)`; its loop's tests give it a Kafka
    consumer of their own."""

    def consumer_factory(name: str) -> Any:
        raise AssertionError("this test gives the consumer its Kafka consumer")

    processing, _, _, _ = make_processing(handler, **options)
    return EventConsumer(processing, consumer_factory=consumer_factory)


def profile_event() -> Event:
    data = profile_snapshot(tax_credit_grade="A")
    return Event(type=PROFILE, source="urn:supportmatch:profiles", subject=data["uscc"], data=data)
