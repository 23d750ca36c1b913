"""Tables every service has for its event backbone: the outbox, the relay's state, processed events."""

from __future__ import annotations

from dataclasses import dataclass

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
from sqlalchemy.engine import Connection

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
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True), nullable=True),
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
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )
    processed = Table(
        "processed_events",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    return BackboneTables(outbox, relay_state, processed)


def create_backbone_tables(bind: Connection) -> None:
    """Create the backbone tables as of their first version (used by each service's first migration)."""
    metadata = MetaData()
    backbone_tables(metadata)
    metadata.create_all(bind)


def drop_backbone_tables(bind: Connection) -> None:
    metadata = MetaData()
    backbone_tables(metadata)
    metadata.drop_all(bind)
