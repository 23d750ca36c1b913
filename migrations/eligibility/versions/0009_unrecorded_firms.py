"""The Explainer finds a re-match's first decisions through a queue of their firms, not through
a partial index over every such row; the index of determinations by measure goes too, as no
query reads it and every insert paid for it (ADR 0016).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

UNRECORDED = sa.text("unrecorded")


def upgrade() -> None:
    op.create_table(
        "unrecorded_firms",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO unrecorded_firms (uscc, queued_at)"
        " SELECT uscc, min(updated_at) FROM determinations WHERE unrecorded GROUP BY uscc"
    )
    op.drop_index("ix_determinations_unrecorded", table_name="determinations")
    op.drop_index("ix_determinations_measure", table_name="determinations")


def downgrade() -> None:
    op.create_index("ix_determinations_measure", "determinations", ["measure_id", "uscc"])
    op.create_index(
        "ix_determinations_unrecorded",
        "determinations",
        ["uscc"],
        postgresql_where=UNRECORDED,
        sqlite_where=UNRECORDED,
    )
    op.drop_table("unrecorded_firms")
