"""The caseworkers' work queue: each firm's name and city in the projection, each determination's
missing facts in a column of their own (",fact,fact,"), and an index by measure, status and USCC.
The missing facts of the determinations already explained are copied from their explanations; the
names and cities arrive with each firm's next profile snapshot.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_BATCH = 5_000


def _missing(explanation: Any) -> str | None:
    if isinstance(explanation, str):
        explanation = json.loads(explanation)
    names = [m["fact"] for m in (explanation or {}).get("missing_facts") or []]
    return f",{','.join(names)}," if names else None


def upgrade() -> None:
    op.add_column("enterprise_facts", sa.Column("name", sa.String(200), nullable=True))
    op.add_column("enterprise_facts", sa.Column("city", sa.String(60), nullable=True))
    op.add_column("determinations", sa.Column("missing", sa.String(1000), nullable=True))
    connection = op.get_bind()
    determinations = sa.table(
        "determinations",
        sa.column("uscc", sa.String()),
        sa.column("measure_id", sa.String()),
        sa.column("status", sa.String()),
        sa.column("explanation", sa.JSON()),
        sa.column("missing", sa.String()),
    )
    d = determinations.c
    update = (
        sa.update(determinations)
        .where(d.uscc == sa.bindparam("key_uscc"), d.measure_id == sa.bindparam("key_measure"))
        .values(missing=sa.bindparam("missing"))
    )
    after: tuple[str, str] = ("", "")
    while True:  # in batches by key: a province's explanations do not fit in memory at once
        rows = connection.execute(
            sa.select(d.uscc, d.measure_id, d.explanation)
            .where(d.status == "possibly_eligible", sa.tuple_(d.uscc, d.measure_id) > after)
            .order_by(d.uscc, d.measure_id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        after = (rows[-1].uscc, rows[-1].measure_id)
        found = [
            {"key_uscc": row.uscc, "key_measure": row.measure_id, "missing": missing}
            for row in rows
            if (missing := _missing(row.explanation)) is not None
        ]
        if found:
            connection.execute(update, found)
    op.create_index("ix_determinations_queue", "determinations", ["measure_id", "status", "uscc"])


def downgrade() -> None:
    op.drop_index("ix_determinations_queue", table_name="determinations")
    op.drop_column("determinations", "missing")
    op.drop_column("enterprise_facts", "city")
    op.drop_column("enterprise_facts", "name")
