"""Enterprises and the event backbone tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from supportmatch_core.schema import create_backbone_tables, drop_backbone_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    create_backbone_tables(op.get_bind())
    op.create_table(
        "enterprises",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("province_checked", sa.Boolean, nullable=False),
        sa.Column("industry_code", sa.String(5), nullable=False),
        sa.Column("ownership", sa.String(20), nullable=False),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_enterprises_province_code", "enterprises", ["province_code"])
    op.create_index("ix_enterprises_industry_code", "enterprises", ["industry_code"])


def downgrade() -> None:
    op.drop_table("enterprises")
    drop_backbone_tables(op.get_bind())
