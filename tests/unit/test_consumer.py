"""EventConsumer.process with a fake unit of work and a fake producer (no broker, no database)."""

from __future__ import annotations

import json
import sqlite3
from types import SimpleNamespace
from typing import Any, cast

import pytest
from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError
from sqlalchemy import MetaData
from sqlalchemy.exc import IntegrityError, OperationalError

from supportmatch_core.db import UnitOfWork
from supportmatch_core.events import Event
from supportmatch_core.processing import EventProcessing, Subscription, Unavailable
from supportmatch_core.schema import backbone_tables
from supportmatch_core.topics import DETERMINATION, PROFILE
from tests.unit._consumers import (
    ORIGIN,
    FakeConnection,
    FakeProducer,
    FakeUnitOfWork,
    Handler,
    make_processing,
    profile_event,
)
from tests.unit._snapshots import decide_for, determination


def test_a_valid_event_is_handled_once_with_its_processed_row() -> None:
    handler = Handler()
    consumer, uow, producer, _ = make_processing(handler)
    event = profile_event()
    assert consumer.process(event.to_bytes(), event.subject.encode(), ORIGIN) == "handled"
    assert [e for _, e in handler.calls] == [event]
    assert handler.calls[0][0] is uow.connection
    assert uow.begun == uow.committed == 1
    ((statement, params),) = uow.connection.statements
    assert statement.table.name == "processed_events"
    assert params["consumer"] == f"eligibility.{PROFILE}"  # the topic's work in the group
    assert params["event_id"] == event.id
    assert producer.sent == []


@pytest.mark.parametrize(
    "message", [b"", b"{not json", b"[]", json.dumps({"specversion": "1.0"}).encode()]
)
def test_a_malformed_message_is_dead_lettered(message: bytes) -> None:
    handler = Handler()
    consumer, uow, producer, _ = make_processing(handler)
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
    assert headers["dlq-consumer"] == f"eligibility.{PROFILE}".encode()
    assert headers["dlq-topic"] == PROFILE.encode()
    assert headers["dlq-partition"] == b"1"
    assert headers["dlq-offset"] == b"42"


def test_a_missing_value_is_dead_lettered_as_empty() -> None:
    consumer, _, producer, _ = make_processing(Handler())
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
    consumer, _, producer, _ = make_processing(Handler())
    assert consumer.process(bad.to_bytes(), None, ORIGIN) == "dead-lettered"
    headers = producer.sent[0]["headers"]
    assert headers["dlq-reason"] == b"malformed"
    assert b"region" in headers["dlq-error"]


def test_an_event_of_another_type_is_dead_lettered() -> None:
    event = profile_event()
    consumer, _, producer, _ = make_processing(Handler(), topic="eligibility.determination.v1")
    on_determinations = {**ORIGIN, "topic": "eligibility.determination.v1"}
    assert consumer.process(event.to_bytes(), None, on_determinations) == "dead-lettered"
    (sent,) = producer.sent
    assert sent["topic"] == "eligibility.determination.v1.dlq"
    assert b"does not belong on eligibility.determination.v1" in sent["headers"]["dlq-error"]


def test_each_topic_goes_to_its_own_handler_under_its_own_name() -> None:
    """One consumer reads every topic of a service; each message goes to its topic's handler,
    recorded as processed under `<group>.<topic>`, the name of the topic's earlier group."""
    on_profiles, on_determinations = Handler(), Handler()
    consumer, uow, producer, _ = make_processing(
        on_profiles, more=[Subscription(DETERMINATION, on_determinations)]
    )
    profile = profile_event()
    data = determination(decide_for())
    decided = Event(type=DETERMINATION, source="test", subject=data["uscc"], data=data)
    on_determination_topic = {**ORIGIN, "topic": DETERMINATION}
    assert consumer.process(profile.to_bytes(), None, ORIGIN) == "handled"
    assert consumer.process(decided.to_bytes(), None, on_determination_topic) == "handled"
    assert [e for _, e in on_profiles.calls] == [profile]
    assert [e for _, e in on_determinations.calls] == [decided]
    names = [params["consumer"] for _, params in uow.connection.statements]
    assert names == [f"eligibility.{PROFILE}", f"eligibility.{DETERMINATION}"]
    assert producer.sent == []


def test_a_list_of_messages_of_two_topics_is_handled_a_topic_at_a_time() -> None:
    """Each topic's messages in a transaction of their own, never under another's handler."""
    processing = EventProcessing(
        group="eligibility",
        subscriptions=[Subscription(PROFILE, Handler()), Subscription(DETERMINATION, Handler())],
        uow=cast(UnitOfWork, FakeUnitOfWork()),
        tables=backbone_tables(MetaData()),
        producer_factory=lambda: cast(KafkaProducer, FakeProducer()),
    )
    batches: list[list[str]] = []
    processing._process_topic_batch = lambda batch: batches.append([m.topic for m in batch])  # type: ignore[method-assign,assignment]
    topics = [PROFILE, DETERMINATION, PROFILE]
    processing.process_batch([SimpleNamespace(topic=topic) for topic in topics])
    assert batches == [[PROFILE, PROFILE], [DETERMINATION]]


def test_an_event_on_a_topic_nobody_here_reads_is_dead_lettered() -> None:
    consumer, _, producer, _ = make_processing(Handler(), topic=DETERMINATION)
    assert consumer.process(profile_event().to_bytes(), None, ORIGIN) == "dead-lettered"
    (sent,) = producer.sent
    assert sent["topic"] == f"{PROFILE}.dlq"
    assert sent["headers"]["dlq-error"] == f"eligibility reads no events of {PROFILE}".encode()


@pytest.mark.parametrize("attempts", [1, 3, 5])
def test_a_failing_handler_is_retried_then_dead_lettered(attempts: int) -> None:
    handler = Handler(ValueError("no such measure"))
    consumer, uow, producer, _ = make_processing(handler, max_attempts=attempts)
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
    consumer, uow, producer, _ = make_processing(handler, max_attempts=3)
    event = profile_event()
    assert consumer.process(event.to_bytes(), None, ORIGIN) == "handled"
    assert len(handler.calls) == 3
    assert uow.committed == 1
    assert producer.sent == []


def test_dead_letter_error_is_truncated() -> None:
    handler = Handler(ValueError("x" * 5000))
    consumer, _, producer, _ = make_processing(handler, max_attempts=1)
    consumer.process(profile_event().to_bytes(), None, ORIGIN)
    assert len(producer.sent[0]["headers"]["dlq-error"]) == 2000


def test_the_producer_is_made_once() -> None:
    consumer, _, producer, made = make_processing(Handler())
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
    consumer, _, producer, _ = make_processing(handler, uow=uow)
    assert consumer.process(profile_event().to_bytes(), None, ORIGIN) == "duplicate"
    assert handler.calls == []
    assert producer.sent == []


def test_another_integrity_error_is_retried_then_dead_lettered() -> None:
    orig = _sqlite_error(1299, "NOT NULL constraint failed: determinations.status")
    uow = FakeUnitOfWork(FakeConnection(fail_with=IntegrityError("INSERT", {}, orig)))
    consumer, _, producer, _ = make_processing(Handler(), uow=uow, max_attempts=2)
    assert consumer.process(profile_event().to_bytes(), None, ORIGIN) == "dead-lettered"
    assert uow.begun == 2
    assert producer.sent[0]["headers"]["dlq-reason"] == b"handler-failed"
    assert producer.sent[0]["headers"]["dlq-error"].startswith(b"IntegrityError: NOT NULL")


def test_an_unreachable_database_raises_unavailable_without_dead_lettering() -> None:
    uow = FakeUnitOfWork(
        FakeConnection(fail_with=OperationalError("SELECT 1", {}, Exception("connection refused")))
    )
    consumer, _, producer, _ = make_processing(Handler(), uow=uow)
    with pytest.raises(Unavailable, match="connection refused"):
        consumer.process(profile_event().to_bytes(), None, ORIGIN)
    assert uow.begun == 1
    assert producer.sent == []


def test_an_unreachable_dead_letter_topic_raises_unavailable() -> None:
    producer = FakeProducer(error=KafkaTimeoutError("no broker"))
    consumer, _, _, _ = make_processing(Handler(), producer=producer)
    with pytest.raises(Unavailable, match="cannot reach the dead-letter topic"):
        consumer.process(b"", None, ORIGIN)
