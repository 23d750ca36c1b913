"""What a service does with the messages its consumer reads: at-least-once delivery made
idempotent (each event handled once per subscription, its processed row committed with the
handler's writes), bounded retries, and a dead-letter topic for what cannot be read or handled.
The consumer that reads them from Kafka is `consumer`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError
from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_not_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from supportmatch_core import contracts
from supportmatch_core.db import UnitOfWork, database_unavailable, unique_violation
from supportmatch_core.events import Event, MalformedEvent
from supportmatch_core.metrics import EVENTS_CONSUMED
from supportmatch_core.schema import BackboneTables
from supportmatch_core.topics import dead_letter

log = logging.getLogger("supportmatch_core.consumer")  # the consumer's log, as operators know it

Handler = Callable[[Connection, Event], None]
# Handles the new events of a polled batch at once, with the same effect as `Handler` on each
# in turn; lets a handler write each table once per batch instead of once per event.
BatchHandler = Callable[[Connection, Sequence[Event]], None]


@dataclass(frozen=True)
class Subscription:
    """What a service does with each event of one topic: `handler` one at a time, and
    `batch_handler`, when given, the new events of a polled batch together."""

    topic: str
    handler: Handler
    batch_handler: BatchHandler | None = None


@dataclass(frozen=True)
class _Route:
    """A subscription as the runner keeps it, with the name its topic's work goes by: the rows of
    processed events, the metrics' label and the dead letters' header (`<group>.<topic>`, the
    name of the group that read the topic alone before ADR 0036)."""

    name: str
    subscription: Subscription


class Unavailable(Exception):
    """A dependency (database or broker) is away; the message is kept and tried again later."""


class _AlreadyProcessed(Exception):
    """The processed-event row of this consumer and event exists: another delivery handled it."""


class EventProcessing:
    """Runs each subscription's handler once per event of its topic: the handler's writes and the
    processed-event row commit together."""

    def __init__(
        self,
        *,
        group: str,
        subscriptions: Sequence[Subscription],
        uow: UnitOfWork,
        tables: BackboneTables,
        producer_factory: Callable[[], KafkaProducer],
        max_attempts: int = 3,
        retry_delay: float = 0.2,
    ) -> None:
        self.name = group
        self._routes = {s.topic: _Route(f"{group}.{s.topic}", s) for s in subscriptions}
        self._uow = uow
        self._processed = tables.processed_events
        self._record = insert(tables.processed_events)
        self._producer_factory = producer_factory
        self._producer: KafkaProducer | None = None
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay

    def names(self) -> dict[str, str]:
        """The name each topic's work goes by, by topic."""
        return {topic: route.name for topic, route in self._routes.items()}

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=1)

    def process_batch(self, messages: Sequence[Any]) -> None:
        """Handle the messages of a polled batch, each topic's in one transaction, each event in
        its own savepoint.

        An event whose handler fails there is handled again alone, with retries and the
        dead-letter topic, after the batch commits.
        """
        for topic in dict.fromkeys(message.topic for message in messages):
            self._process_topic_batch([m for m in messages if m.topic == topic])

    def _process_topic_batch(self, messages: Sequence[Any]) -> None:
        events = []
        for message in messages:
            parsed = self._parse(message.value, message.key, _origin(message))
            if parsed is not None:
                events.append((message, *parsed))
        if not events:
            return
        route = events[0][1]  # the messages of one topic
        if route.subscription.batch_handler is not None and self._handled_together(
            route, [event for _, _, event in events]
        ):
            return
        retry_alone = []
        try:
            with self._uow.begin() as connection:
                seen = self._processed_among(connection, route, [e.id for _, _, e in events])
                for message, _, event in events:
                    if event.id in seen:
                        EVENTS_CONSUMED.labels(route.name, "duplicate").inc()
                        continue
                    seen.add(event.id)
                    try:
                        with connection.begin_nested():
                            self._record_and_handle(connection, route, event)
                        EVENTS_CONSUMED.labels(route.name, "handled").inc()
                    except DBAPIError as error:
                        if database_unavailable(error):
                            raise Unavailable(str(error.orig)) from error
                        retry_alone.append(message)
                    except Exception:
                        retry_alone.append(message)
        except DBAPIError as error:
            if database_unavailable(error):
                raise Unavailable(str(error.orig)) from error
            retry_alone = [message for message, _, _ in events]  # the batch rolled back
        for message in retry_alone:
            self.process(message.value, message.key, _origin(message))

    def _handled_together(self, route: _Route, events: list[Event]) -> bool:
        """Handle the batch's new events in one call of the batch handler; False when that
        failed on something other than an unavailable database (then each is tried alone)."""
        batch_handler = route.subscription.batch_handler
        assert batch_handler is not None
        try:
            with self._uow.begin() as connection:
                seen = self._processed_among(connection, route, [event.id for event in events])
                fresh: dict[str, Event] = {}
                for event in events:
                    if event.id not in seen:
                        fresh.setdefault(event.id, event)
                if fresh:
                    now = datetime.now(UTC)
                    connection.execute(
                        self._record,
                        [
                            {"consumer": route.name, "event_id": i, "processed_at": now}
                            for i in fresh
                        ],
                    )
                    batch_handler(connection, list(fresh.values()))
        except DBAPIError as error:
            if database_unavailable(error):
                raise Unavailable(str(error.orig)) from error
            log.warning("batch failed; handling its events one by one", extra={"error": str(error)})
            return False
        except Exception as error:
            log.warning(
                "batch failed; handling its events one by one", extra={"error": repr(error)}
            )
            return False
        EVENTS_CONSUMED.labels(route.name, "handled").inc(len(fresh))
        EVENTS_CONSUMED.labels(route.name, "duplicate").inc(len(events) - len(fresh))
        return True

    def _processed_among(self, connection: Connection, route: _Route, ids: list[str]) -> set[str]:
        table = self._processed
        rows = connection.execute(
            select(table.c.event_id).where(
                table.c.consumer == route.name, table.c.event_id.in_(ids)
            )
        )
        return {row.event_id for row in rows}

    def _parse(
        self, raw: bytes | None, key: bytes | None, origin: dict[str, str]
    ) -> tuple[_Route, Event] | None:
        """The message's subscription and event, or None after sending an unreadable message to
        the dead letters."""
        topic = origin["topic"]
        try:
            event = Event.from_bytes(raw)
            contracts.check(event)
            if event.type != topic:
                raise MalformedEvent(f"event type {event.type!r} does not belong on {topic}")
            if topic not in self._routes:
                raise MalformedEvent(f"{self.name} reads no events of {topic}")
        except (MalformedEvent, contracts.ContractViolation) as error:
            self._dead_letter(raw, key, origin, "malformed", str(error))
            return None
        return self._routes[topic], event

    def process(self, raw: bytes | None, key: bytes | None, origin: dict[str, str]) -> str:
        """Handle one message; returns the outcome (handled, duplicate, dead-lettered)."""
        parsed = self._parse(raw, key, origin)
        if parsed is None:
            return "dead-lettered"
        route, event = parsed
        retrying = Retrying(
            stop=stop_after_attempt(self._max_attempts),
            wait=wait_exponential(multiplier=self._retry_delay),
            retry=retry_if_not_exception_type(Unavailable),
            after=lambda state: self._log_failure(route, event, state),
            reraise=True,
        )
        try:
            outcome = retrying(self._handle_once, route, event)
        except Unavailable:
            raise
        except Exception as error:
            return self._dead_letter(raw, key, origin, "handler-failed", _described(error))
        EVENTS_CONSUMED.labels(route.name, outcome).inc()
        return outcome

    def _log_failure(self, route: _Route, event: Event, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "handler failed",
            extra={
                "consumer": route.name,
                "event_id": event.id,
                "attempt": state.attempt_number,
                "error": _described(error),
            },
        )

    def _handle_once(self, route: _Route, event: Event) -> str:
        try:
            with self._uow.begin() as connection:
                self._record_and_handle(connection, route, event)
        except _AlreadyProcessed:
            return "duplicate"
        except DBAPIError as error:
            if database_unavailable(error):
                raise Unavailable(str(error.orig)) from error
            raise
        return "handled"

    def _record_and_handle(self, connection: Connection, route: _Route, event: Event) -> None:
        try:
            connection.execute(
                self._record,
                {"consumer": route.name, "event_id": event.id, "processed_at": datetime.now(UTC)},
            )
        except IntegrityError as error:
            if unique_violation(error, constraint="processed_events_pkey"):
                raise _AlreadyProcessed(event.id) from error
            raise
        route.subscription.handler(connection, event)

    def _dead_letter(
        self, raw: bytes | None, key: bytes | None, origin: dict[str, str], reason: str, error: str
    ) -> str:
        """Park the message on its topic's dead-letter topic, named by the topic's work."""
        topic = origin["topic"]
        name = self._routes[topic].name if topic in self._routes else self.name
        headers = [(f"dlq-{field}", value.encode()) for field, value in origin.items()]
        headers += [
            ("dlq-consumer", name.encode()),
            ("dlq-reason", reason.encode()),
            ("dlq-error", error[:2000].encode()),
        ]
        try:
            if self._producer is None:
                self._producer = self._producer_factory()
            self._producer.send(dead_letter(topic), key=key, value=raw or b"", headers=headers).get(
                timeout=10
            )
        except KafkaError as failure:
            raise Unavailable(f"cannot reach the dead-letter topic: {failure!r}") from failure
        EVENTS_CONSUMED.labels(name, "dead-lettered").inc()
        log.error(
            "message sent to the dead-letter topic",
            extra={"consumer": name, "reason": reason, "error": error, **origin},
        )
        return "dead-lettered"


def _origin(message: Any) -> dict[str, str]:
    return {
        "topic": str(message.topic),
        "partition": str(message.partition),
        "offset": str(message.offset),
    }


def _described(error: BaseException | None) -> str:
    """The error as a dead letter and the log name it; a database error by its driver's error."""
    if isinstance(error, DBAPIError):
        return f"{type(error.orig).__name__}: {error.orig}"
    return f"{type(error).__name__}: {error}"
