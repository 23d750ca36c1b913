"""Casework's own tables, in the portal's database under their own Alembic history: cases, their
audit trail (append-only, guarded by triggers) and the outbox of casework.case.v1."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from supportmatch_core.schema import Id, UtcDateTime, backbone_tables

metadata = MetaData()

cases = Table(
    "cases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False),
    Column("firm_name", String(200), nullable=False),
    Column("province_code", String(2), nullable=False),
    Column("measure_id", String(100), nullable=False),
    Column("measure_title_zh", String(300), nullable=False),
    Column("measure_title_en", String(300), nullable=False),
    Column("state", String(20), nullable=False),
    Column("assignee", String(100), nullable=True),
    Column("due_on", Date, nullable=True),
    Column("disbursed_fen", BigInteger, nullable=True),
    Column("disbursed_on", Date, nullable=True),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("opened_by", String(100), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Id, nullable=False),
    UniqueConstraint("uscc", "measure_id", name="uq_cases_firm_measure"),
    # A caseworker's list: its provinces, newest change first.
    Index("ix_cases_province_updated", "province_code", "updated_at", "id"),
    Index("ix_cases_assignee", "assignee", "state"),
)

case_changes = Table(
    "case_changes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(20), nullable=False),
    Column("before", String(300), nullable=True),
    Column("after", String(300), nullable=True),
    Column("reason", Text, nullable=False),
    Index("ix_case_changes_case", "case_id", "id"),
)

backbone = backbone_tables(metadata)
