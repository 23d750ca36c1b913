"""Each pair of neighbouring characters of a firm's name, for the work queue's name search (ADR
0027): filled as each firm's profile snapshot arrives, as the names are (migration 0012).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enterprise_name_grams",
        sa.Column("gram", sa.String(2), primary_key=True),
        sa.Column("uscc", sa.String(18), primary_key=True),
    )
    op.create_index("ix_enterprise_name_grams_uscc", "enterprise_name_grams", ["uscc"])


def downgrade() -> None:
    op.drop_table("enterprise_name_grams")
