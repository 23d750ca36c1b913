"""A partial index finds the history rows a population re-match stored unexplained (ADR 0009).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

UNEXPLAINED = sa.text("facts_digest = ''")


def upgrade() -> None:
    op.create_index(
        "ix_determination_history_unexplained",
        "determination_history",
        ["id"],
        postgresql_where=UNEXPLAINED,
        sqlite_where=UNEXPLAINED,
    )


def downgrade() -> None:
    op.drop_index("ix_determination_history_unexplained", table_name="determination_history")
