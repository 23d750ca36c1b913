"""Tables of the eligibility service: the enterprise projection and determinations with history."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Integer, MetaData, String, Table

from supportmatch_core.schema import Id, UtcDateTime, backbone_tables

metadata = MetaData()
backbone = backbone_tables(metadata)

enterprise_facts = Table(
    "enterprise_facts",
    metadata,
    Column("uscc", String(18), primary_key=True),
    Column("profile_version", Integer, nullable=False),
    Column("province_code", String(2), nullable=False),
    Column("facts", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

determinations = Table(
    "determinations",
    metadata,
    Column("uscc", String(18), primary_key=True),
    Column("measure_id", String(100), primary_key=True),
    Column("measure_version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("evaluated_on", Date, nullable=False),
    Column("facts_digest", String(64), nullable=False),
    Column("explanation", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

determination_history = Table(
    "determination_history",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False, index=True),
    Column("measure_id", String(100), nullable=False),
    Column("measure_version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("previous_status", String(20), nullable=True),
    Column("evaluated_on", Date, nullable=False),
    Column("facts_digest", String(64), nullable=False),
    Column("explanation", JSON, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
)
