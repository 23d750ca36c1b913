"""An index of the inbox by measure and time, for the caseworkers' dashboard: how the notices of
a measure were delivered lately.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_inbox_entries_measure_created", "inbox_entries", ["measure_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_entries_measure_created", "inbox_entries")
