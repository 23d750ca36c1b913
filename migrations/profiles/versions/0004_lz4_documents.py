"""Version changes and outbox payloads compressed with lz4 instead of pglz (PostgreSQL 14+).

Both documents are about 2 kB, just over the size at which PostgreSQL compresses a value, so a
bulk import compresses two of them per new enterprise. With lz4 the server's CPU time per
imported enterprise fell from about 68 us to 52 us (bench/profiles.py, docs/benchmarks.md,
Profiles). Values stored before keep their compression; both kinds read back the same.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_COLUMNS = (("enterprise_versions", "changes"), ("outbox", "payload"))


def _has_lz4() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    query = "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
    return "lz4" in (bind.execute(sa.text(query)).scalar() or [])


def upgrade() -> None:
    if _has_lz4():
        for table, column in _COLUMNS:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")


def downgrade() -> None:
    if _has_lz4():
        for table, column in _COLUMNS:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION default")
