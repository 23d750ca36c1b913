"""Each determination carries where its firm stands in the work queue (province, city, industry,
size, ownership), copied from the projection, and the queue's indexes carry those columns and the
missing facts (ADR 0037): the projection's indexes for the queue (0013) go, but for the city's,
which now gives the provinces a city is in; a title's holders are indexed by the title. A row explained with
no fact missing says "," so that null means "waiting for the Explainer" alone.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_COLUMNS = ("province_code", "city", "industry_code", "size_class", "ownership")
_FACTS_INDEXES = {
    "ix_enterprise_facts_province": ["province_code", "uscc"],
    "ix_enterprise_facts_province_size": ["province_code", "size_class", "uscc"],
    "ix_enterprise_facts_province_ownership": ["province_code", "ownership", "uscc"],
    "ix_enterprise_facts_province_section": ["province_code", "industry_section", "uscc"],
    "ix_enterprise_facts_city": ["city", "uscc"],  # now (city, province_code)
}


def upgrade() -> None:
    for name in _COLUMNS:
        op.add_column("determinations", sa.Column(name, sa.String(60), nullable=True))
    place = [sa.column(c) for c in _COLUMNS]
    d = sa.table(
        "determinations", sa.column("uscc"), sa.column("missing"), sa.column("facts_digest"), *place
    )
    f = sa.table("enterprise_facts", sa.column("uscc"), *(sa.column(c) for c in _COLUMNS))
    # And a row explained with nothing missing says "," (null: waiting for the Explainer).
    explained = sa.case((d.c.facts_digest == "", None), else_=",")
    copied = {c: f.c[c] for c in _COLUMNS} | {"missing": sa.func.coalesce(d.c.missing, explained)}
    op.execute(sa.update(d).where(d.c.uscc == f.c.uscc).values(copied))
    op.drop_index("ix_determinations_queue", table_name="determinations")
    op.create_index(
        "ix_determinations_queue",
        "determinations",
        ["measure_id", "province_code", "status", "uscc"],
        postgresql_include=[*_COLUMNS[1:], "missing"],
    )
    for name in _FACTS_INDEXES:
        op.drop_index(name, table_name="enterprise_facts")
    op.create_index("ix_enterprise_facts_city", "enterprise_facts", ["city", "province_code"])
    op.create_index("ix_enterprise_facts_updated", "enterprise_facts", ["updated_at"])
    if op.get_bind().dialect.name == "postgresql":
        # How many rows each measure has of each status: most firms qualify for some measures and
        # few for others, which the planner cannot guess from each column alone (it would scan a
        # measure's 690,000 entries rather than start from a title's 4,000 holders).
        op.execute(
            "CREATE STATISTICS st_determinations_measure_status (mcv)"
            " ON measure_id, status FROM determinations"
        )
    op.create_index(
        "ix_enterprise_certifications_kind",
        "enterprise_certifications",
        ["kind", "uscc"],
        postgresql_include=["valid_from", "valid_to"],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS st_determinations_measure_status")
    op.drop_index("ix_enterprise_certifications_kind", table_name="enterprise_certifications")
    op.drop_index("ix_enterprise_facts_updated", table_name="enterprise_facts")
    op.drop_index("ix_enterprise_facts_city", table_name="enterprise_facts")
    for name, columns in _FACTS_INDEXES.items():
        op.create_index(name, "enterprise_facts", columns)
    op.drop_index("ix_determinations_queue", table_name="determinations")
    op.create_index("ix_determinations_queue", "determinations", ["measure_id", "status", "uscc"])
    op.execute("UPDATE determinations SET missing = NULL WHERE missing = ','")
    with op.batch_alter_table("determinations") as batch:
        for name in reversed(_COLUMNS):
            batch.drop_column(name)
