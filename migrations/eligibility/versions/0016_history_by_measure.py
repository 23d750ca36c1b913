"""An index of the determination history by measure and time, for the caseworkers' dashboard:
firms that became eligible for a measure lately.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_determination_history_measure_recorded",
        "determination_history",
        ["measure_id", "recorded_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_determination_history_measure_recorded", "determination_history")
