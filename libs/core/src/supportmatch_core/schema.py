"""Tables every service has for its event backbone: the outbox, the relay's state, processed events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back timezone-aware on every database (SQLite drops it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True, slots=True)
class BackboneTables:
    outbox: Table
    relay_state: Table
    processed_events: Table


def backbone_tables(metadata: MetaData) -> BackboneTables:
    """Declare the backbone tables on a service's metadata."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", Id, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(64), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("sent_at", UtcDateTime(), nullable=True),
        Index(
            "ix_outbox_unsent",
            "id",
            postgresql_where=text("sent_at IS NULL"),
            sqlite_where=text("sent_at IS NULL"),
        ),
    )
    relay_state = Table(
        "outbox_relay_state",
        metadata,
        Column("relay", String(100), primary_key=True),
        Column("cluster_id", String(200), nullable=False),
        Column("updated_at", UtcDateTime(), nullable=False),
    )
    processed = Table(
        "processed_events",
        metadata,
        # The event id leads: a batch asks for hundreds of ids of one consumer at once.
        Column("event_id", String(64), primary_key=True),
        Column("consumer", String(100), primary_key=True),
        Column("processed_at", UtcDateTime(), nullable=False),
    )
    return BackboneTables(outbox, relay_state, processed)


def create_backbone_tables(bind: Connection) -> None:
    """Create the backbone tables as of their first version (used by each service's first migration)."""
    metadata = MetaData()
    backbone_tables(metadata)
    metadata.create_all(bind)


def key_processed_events_by_event(bind: Connection) -> None:
    """Make processed_events' primary key (event_id, consumer) on PostgreSQL.

    With (consumer, event_id), a batch's `consumer = … AND event_id IN (…)` was planned as a scan
    of the consumer's every row whenever the statistics were behind (143 ms a batch at 40,000
    rows). SQLite plans it through the index either way and keeps its table as created.
    """
    if bind.dialect.name != "postgresql":
        return
    columns = bind.execute(
        text(
            "SELECT a.attname FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = 'processed_events'::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey::int2[], a.attnum)"
        )
    ).scalars()
    if list(columns) == ["event_id", "consumer"]:
        return
    bind.execute(text("ALTER TABLE processed_events DROP CONSTRAINT processed_events_pkey"))
    bind.execute(text("ALTER TABLE processed_events ADD PRIMARY KEY (event_id, consumer)"))


def drop_backbone_tables(bind: Connection) -> None:
    metadata = MetaData()
    backbone_tables(metadata)
    metadata.drop_all(bind)
