"""The transactional outbox: events are written in the caller's transaction, published by the relay."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, insert

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
    """The outbox within one transaction: what a unit of work hands its use cases."""

    def __init__(self, outbox: Outbox, connection: Connection) -> None:
        self._outbox, self._connection = outbox, connection

    def add(self, *, topic: str, event: Event) -> None:
        self._outbox.add_many(self._connection, topic=topic, events=[event])

    def add_many(self, *, topic: str, events: list[Event]) -> None:
        self._outbox.add_many(self._connection, topic=topic, events=events)


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
