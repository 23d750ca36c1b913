"""Tables of the profiles service."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, MetaData, String, Table

from supportmatch_core.schema import UtcDateTime, backbone_tables

metadata = MetaData()
backbone = backbone_tables(metadata)

enterprises = Table(
    "enterprises",
    metadata,
    Column("uscc", String(18), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("province_code", String(2), nullable=False, index=True),
    Column("province_checked", Boolean, nullable=False),
    Column("industry_code", String(5), nullable=False, index=True),
    Column("ownership", String(20), nullable=False),
    Column("facts", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
