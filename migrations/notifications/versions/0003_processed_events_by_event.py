"""processed_events keyed by (event_id, consumer) on PostgreSQL, so a consumer's batch finds the
events it has handled through the index whatever the table statistics say.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

from supportmatch_core.schema import key_processed_events_by_event

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    key_processed_events_by_event(op.get_bind())


def downgrade() -> None:
    pass  # the earlier code reads the table by both columns; either key order serves it
