"""Accounts can be disabled: kept (with their history of sign-ins) but refused at sign-in.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from supportmatch_core.schema import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as table:
        table.add_column(sa.Column("disabled_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as table:
        table.drop_column("disabled_at")
