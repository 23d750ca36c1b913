"""The firms of a province (of one size, ownership or industry section) and of a city in USCC
order, for the work queue: merged with a measure's determinations, both read from their indexes
alone (ADR 0027).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


_INDEXES = {
    "ix_enterprise_facts_province": ["province_code", "uscc"],
    "ix_enterprise_facts_province_size": ["province_code", "size_class", "uscc"],
    "ix_enterprise_facts_province_ownership": ["province_code", "ownership", "uscc"],
    "ix_enterprise_facts_province_section": ["province_code", "industry_section", "uscc"],
    "ix_enterprise_facts_city": ["city", "uscc"],
}


def upgrade() -> None:
    for name, columns in _INDEXES.items():
        op.create_index(name, "enterprise_facts", columns)


def downgrade() -> None:
    for name in reversed(_INDEXES):
        op.drop_index(name, table_name="enterprise_facts")
