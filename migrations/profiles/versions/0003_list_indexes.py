"""Indexes for the enterprise list at scale: industry code prefixes, province with size class.

Measured with bench/profiles.py on 1,000,000 enterprises (docs/benchmarks.md, Profiles): the
prefix filter industry=A0111 took 570 ms (LIKE cannot use a plain index outside the C
collation) and province 44 + size small 430 ms (USCC order clusters by province, so the size
index scanned every earlier province); with these indexes 3 ms and 0.5 ms.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_enterprises_industry_prefix "
            "ON enterprises (industry_code varchar_pattern_ops, uscc)"
        )
    op.create_index(
        "ix_enterprises_province_size", "enterprises", ["province_code", "size_class", "uscc"]
    )


def downgrade() -> None:
    op.drop_index("ix_enterprises_province_size", "enterprises")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_enterprises_industry_prefix")
