"""The caseworkers' cases as casework.case.v1 tells them, so that their assignees are reminded of
due dates.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_dues",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("measure_id", sa.String(100), primary_key=True),
        sa.Column("case_id", sa.BigInteger, nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("measure_title_zh", sa.Text, nullable=False),
        sa.Column("measure_title_en", sa.Text, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("assignee", sa.String(100), nullable=True),
        sa.Column("due_on", sa.Date, nullable=True),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_case_dues_due", "case_dues", ["due_on"])


def downgrade() -> None:
    op.drop_table("case_dues")
