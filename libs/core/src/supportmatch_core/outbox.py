"""The transactional outbox: events are written in the caller's transaction, published by the relay."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, insert

from supportmatch_core.contracts.event import TypedEvent
from supportmatch_core.events import Event
from supportmatch_core.schema import BackboneTables

# Marks a connection whose transaction wrote outbox rows, so the relay can be woken at commit.
WRITTEN = "supportmatch.outbox_written"


class Outbox:
    """Appends events to the outbox table inside the current unit of work."""

    def __init__(self, tables: BackboneTables) -> None:
        self._insert = insert(tables.outbox)

    def add(self, connection: Connection, *, topic: str, event: Event) -> None:
        """Record `event` for publication on `topic`; it commits or rolls back with the caller."""
        self.add_many(connection, topic=topic, events=[event])

    def add_many(self, connection: Connection, *, topic: str, events: list[Event]) -> None:
        """Record several events in one statement (population re-matches, bulk imports)."""
        if not events:
            return
        connection.info[WRITTEN] = True
        connection.execute(self._insert, outbox_rows(topic, events))


class OutboxWriter:
    """The outbox within one transaction, as a unit of work hands it to use cases: typed events
    go out in their CloudEvent envelope from `source`, each on the topic of its type."""

    def __init__(self, outbox: Outbox, connection: Connection, *, source: str) -> None:
        self._outbox, self._connection, self._source = outbox, connection, source

    def publish(self, events: Sequence[TypedEvent]) -> None:
        """Record the events for publication; they commit or roll back with the transaction."""
        by_topic: dict[str, list[Event]] = {}
        for typed in events:
            event = typed.envelope(source=self._source, subject=typed.subject)
            by_topic.setdefault(typed.TYPE, []).append(event)
        for topic, enveloped in by_topic.items():
            self._outbox.add_many(self._connection, topic=topic, events=enveloped)


def outbox_rows(topic: str, events: list[Event]) -> list[dict[str, object]]:
    """The outbox rows of `events`, for writers that insert them in bulk themselves (COPY)."""
    now = datetime.now(UTC)
    return [
        {
            "event_id": event.id,
            "topic": topic,
            "key": event.subject,
            "payload": event.to_bytes().decode(),
            "created_at": now,
        }
        for event in events
    ]
