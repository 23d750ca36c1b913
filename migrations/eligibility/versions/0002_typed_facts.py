"""Typed fact columns on the projection (one per registry fact) and the firms' certifications.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

# The registry's facts as of this revision; later facts come with later revisions.
FACT_COLUMNS = [
    ("industry_code", sa.String(60)),
    ("industry_section", sa.String(60)),
    ("industry_division", sa.String(60)),
    ("industry_group", sa.String(60)),
    ("region", sa.String(60)),
    ("ownership", sa.String(60)),
    ("foreign_kind", sa.String(60)),
    ("legal_form", sa.String(60)),
    ("listed", sa.Boolean()),
    ("export_oriented", sa.Boolean()),
    ("cross_border_ecommerce", sa.Boolean()),
    ("advanced_cluster_member", sa.Boolean()),
    ("chain_key_node", sa.Boolean()),
    ("energy_intensive", sa.Boolean()),
    ("renting_state_premises", sa.Boolean()),
    ("covid_risk_district_2022", sa.Boolean()),
    ("size_class", sa.String(60)),
    ("sme", sa.Boolean()),
    ("small_or_micro", sa.Boolean()),
    ("fiscal_year", sa.BigInteger()),
    ("employees", sa.BigInteger()),
    ("revenue", sa.BigInteger()),
    ("total_assets", sa.BigInteger()),
    ("total_liabilities", sa.BigInteger()),
    ("taxable_income", sa.BigInteger()),
    ("vat_sales", sa.BigInteger()),
    ("net_profit", sa.BigInteger()),
    ("main_business_revenue", sa.BigInteger()),
    ("rd_expense", sa.BigInteger()),
    ("rd_staff", sa.BigInteger()),
    ("st_staff", sa.BigInteger()),
    ("export_revenue", sa.BigInteger()),
    ("high_tech_revenue", sa.BigInteger()),
    ("new_equity_financing", sa.BigInteger()),
    ("tax_credit_grade", sa.String(60)),
    ("years_in_niche", sa.BigInteger()),
    ("niche_market_share", sa.Float()),
    ("vat_refund_fraud_36m", sa.Boolean()),
    ("tax_evasion_penalties_36m", sa.BigInteger()),
    ("immediate_refund_since_2019", sa.Boolean()),
    ("vat_small_or_micro", sa.Boolean()),
    ("rd_ratio", sa.Float()),
    ("debt_ratio", sa.Float()),
    ("export_share", sa.Float()),
    ("main_business_share", sa.Float()),
    ("high_tech_revenue_share", sa.Float()),
    ("st_staff_share", sa.Float()),
    ("rd_staff_share", sa.Float()),
    ("revenue_growth", sa.Float()),
]


def upgrade() -> None:
    with op.batch_alter_table("enterprise_facts") as table:
        for name, kind in FACT_COLUMNS:
            table.add_column(sa.Column(name, kind, nullable=True))
    _fill_columns_from_facts()
    op.create_table(
        "enterprise_certifications",
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date, nullable=True),
    )
    op.create_index(
        "ix_enterprise_certifications_uscc_kind", "enterprise_certifications", ["uscc", "kind"]
    )
    for name in ("industry_code", "region", "size_class", "ownership"):
        op.create_index(f"ix_enterprise_facts_{name}", "enterprise_facts", [name])


def _fill_columns_from_facts() -> None:
    bind = op.get_bind()
    names = [name for name, _ in FACT_COLUMNS]
    projection = sa.table(
        "enterprise_facts",
        sa.column("uscc"),
        sa.column("facts", sa.JSON),
        *(sa.column(name) for name in names),
    )
    for row in bind.execute(sa.select(projection.c.uscc, projection.c.facts)).all():
        facts = dict(row.facts or {})
        values = {name: facts.get(name) for name in names}
        bind.execute(sa.update(projection).where(projection.c.uscc == row.uscc).values(values))


def downgrade() -> None:
    for name in ("industry_code", "region", "size_class", "ownership"):
        op.drop_index(f"ix_enterprise_facts_{name}", "enterprise_facts")
    op.drop_table("enterprise_certifications")
    with op.batch_alter_table("enterprise_facts") as table:
        for name, _ in FACT_COLUMNS:
            table.drop_column(name)
