"""Enterprise facts projection, determinations and their history, and the event backbone tables.

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
        "enterprise_facts",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("profile_version", sa.Integer, nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "determinations",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("measure_id", sa.String(100), primary_key=True),
        sa.Column("measure_version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("evaluated_on", sa.Date, nullable=False),
        sa.Column("facts_digest", sa.String(64), nullable=False),
        sa.Column("explanation", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "determination_history",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("measure_id", sa.String(100), nullable=False),
        sa.Column("measure_version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("previous_status", sa.String(20), nullable=True),
        sa.Column("evaluated_on", sa.Date, nullable=False),
        sa.Column("facts_digest", sa.String(64), nullable=False),
        sa.Column("explanation", sa.JSON, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_determination_history_uscc", "determination_history", ["uscc"])


def downgrade() -> None:
    op.drop_table("determination_history")
    op.drop_table("determinations")
    op.drop_table("enterprise_facts")
    drop_backbone_tables(op.get_bind())
