"""The Explainer finds a re-match's first decisions through a queue of ranges of firms, not through
a partial index over every such row; the index of determinations by measure goes too, as no
query reads it and every insert paid for it (ADR 0016).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from supportmatch_core.schema import Id

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

UNRECORDED = sa.text("unrecorded")


def upgrade() -> None:
    op.create_table(
        "unrecorded_ranges",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("first_uscc", sa.String(18), nullable=False),
        sa.Column("last_uscc", sa.String(18), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO unrecorded_ranges (first_uscc, last_uscc, queued_at)"
        " SELECT min(uscc), max(uscc), min(updated_at) FROM determinations WHERE unrecorded"
        " HAVING count(*) > 0"
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
    op.drop_table("unrecorded_ranges")
