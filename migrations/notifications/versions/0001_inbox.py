"""Inbox entries and the event backbone tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from supportmatch_core.schema import Id, create_backbone_tables, drop_backbone_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    create_backbone_tables(op.get_bind())
    op.create_table(
        "inbox_entries",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("measure_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("title_zh", sa.Text, nullable=False),
        sa.Column("title_en", sa.Text, nullable=False),
        sa.Column("body_zh", sa.Text, nullable=False),
        sa.Column("body_en", sa.Text, nullable=False),
        sa.Column("facts_to_provide", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_inbox_entries_uscc_id", "inbox_entries", ["uscc", "id"])


def downgrade() -> None:
    op.drop_table("inbox_entries")
    drop_backbone_tables(op.get_bind())
