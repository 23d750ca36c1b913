"""The firms of a province, and of a city, in USCC order, for the work queue: merged with a
measure's determinations, both read from their indexes alone (ADR 0027).

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


def upgrade() -> None:
    op.create_index("ix_enterprise_facts_province", "enterprise_facts", ["province_code", "uscc"])
    op.create_index("ix_enterprise_facts_city", "enterprise_facts", ["city", "uscc"])


def downgrade() -> None:
    op.drop_index("ix_enterprise_facts_city", table_name="enterprise_facts")
    op.drop_index("ix_enterprise_facts_province", table_name="enterprise_facts")
