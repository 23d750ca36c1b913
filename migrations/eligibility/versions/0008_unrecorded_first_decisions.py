"""A population re-match stores a first decision without its history row, marked `unrecorded`;
a partial index finds those rows for the Explainer, which writes the history row and the event.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

UNRECORDED = sa.text("unrecorded")


def upgrade() -> None:
    op.add_column("determinations", sa.Column("unrecorded", sa.Boolean(), nullable=True))
    op.create_index(
        "ix_determinations_unrecorded",
        "determinations",
        ["uscc"],
        postgresql_where=UNRECORDED,
        sqlite_where=UNRECORDED,
    )


def downgrade() -> None:
    op.drop_index("ix_determinations_unrecorded", table_name="determinations")
    op.drop_column("determinations", "unrecorded")
