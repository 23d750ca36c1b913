"""The caseworkers' cases as casework.case.v1 tells them, for the work queue's "has a case" and
"assigned to" filters: filled as case events arrive (the topic is read from its start).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_states",
        sa.Column("measure_id", sa.String(100), primary_key=True),
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("assignee", sa.String(100), nullable=True),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_case_states_assignee", "case_states", ["assignee", "measure_id"])


def downgrade() -> None:
    op.drop_table("case_states")
