"""Tables of the notifications service."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, MetaData, String, Table, Text

from supportmatch_core.schema import Id, UtcDateTime, backbone_tables

metadata = MetaData()
backbone = backbone_tables(metadata)

inbox = Table(
    "inbox_entries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False),
    Column("province_code", String(2), nullable=False),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("measure_id", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("title_zh", Text, nullable=False),
    Column("title_en", Text, nullable=False),
    Column("body_zh", Text, nullable=False),
    Column("body_en", Text, nullable=False),
    Column("facts_to_provide", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("read_at", UtcDateTime(), nullable=True),
    Index("ix_inbox_entries_uscc_id", "uscc", "id"),
)
