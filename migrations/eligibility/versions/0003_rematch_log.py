"""A log of population re-matches: which measure version was decided for everyone on which day.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from supportmatch_core.schema import Id

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rematch_log",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("measure_id", sa.String(100), nullable=False),
        sa.Column("measure_version", sa.Integer, nullable=False),
        sa.Column("rematched_on", sa.Date, nullable=False),
        sa.Column("changed", sa.Integer, nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_rematch_log_day", "rematch_log", ["rematched_on", "measure_id"])
    op.create_index("ix_determinations_measure", "determinations", ["measure_id", "uscc"])


def downgrade() -> None:
    op.drop_index("ix_determinations_measure", "determinations")
    op.drop_table("rematch_log")
