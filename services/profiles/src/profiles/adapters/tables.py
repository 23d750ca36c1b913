"""Tables of the profiles service."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from supportmatch_core.schema import Id, UtcDateTime, backbone_tables

metadata = MetaData()
backbone = backbone_tables(metadata)

enterprises = Table(
    "enterprises",
    metadata,
    Column("uscc", String(18), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("province_code", String(2), nullable=False),
    Column("province_checked", Boolean, nullable=False),
    Column("industry_code", String(5), nullable=False),
    Column("ownership", String(20), nullable=False),
    Column("size_class", String(10), nullable=False),
    Column("attributes", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_enterprises_province_code", "province_code", "uscc"),
    Index("ix_enterprises_industry_code", "industry_code", "uscc"),
    Index("ix_enterprises_size_class", "size_class", "uscc"),
    Index("ix_enterprises_ownership", "ownership", "uscc"),
)

enterprise_years = Table(
    "enterprise_years",
    metadata,
    Column("uscc", String(18), ForeignKey("enterprises.uscc"), primary_key=True),
    Column("fiscal_year", Integer, primary_key=True),
    Column("facts", JSON, nullable=False),
)

certifications = Table(
    "certifications",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("uscc", String(18), ForeignKey("enterprises.uscc"), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("level", String(20), nullable=False),
    Column("issuer", String(200), nullable=False),
    Column("certificate_no", String(100), nullable=True),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=True),
    Index("ix_certifications_uscc", "uscc"),
    Index("ix_certifications_kind", "kind", "uscc"),
)

enterprise_versions = Table(
    "enterprise_versions",
    metadata,
    Column("uscc", String(18), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("changed_by", String(200), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
    Column("changes", JSON, nullable=False),
)

imports = Table(
    "imports",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("file_name", String(300), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("imported_by", String(200), nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime(), nullable=True),
    Column("rows", Integer, nullable=False),
    Column("created", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("errors", JSON, nullable=False),
    Column("note", Text, nullable=True),
)
