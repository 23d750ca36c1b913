"""Columns for the facts the rules carrying the notice on to today read: establishment date, VAT
taxpayer type and credit figures, quarterly averages, R&D centre figures, intellectual property,
awards, lists held, scores and multi-year figures. They stay NULL (unknown) for a firm until its
next profile snapshot arrives; unknown is never read as false.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

# The registry's facts added in this revision.
FACT_COLUMNS = [
    ("established_on", sa.Date()),
    ("vat_taxpayer_type", sa.String(60)),
    ("strategic_emerging_field", sa.Boolean()),
    ("own_brand", sa.Boolean()),
    ("rd_institution", sa.Boolean()),
    ("provincial_rd_institution", sa.Boolean()),
    ("key_field_product", sa.Boolean()),
    ("restricted_industry", sa.Boolean()),
    ("on_advanced_manufacturer_list", sa.Boolean()),
    ("on_ic_enterprise_list", sa.Boolean()),
    ("on_machine_tool_enterprise_list", sa.Boolean()),
    ("employees_quarterly_avg", sa.BigInteger()),
    ("total_assets_quarterly_avg", sa.BigInteger()),
    ("rd_equipment_value", sa.BigInteger()),
    ("total_investment_usd", sa.BigInteger()),
    ("niche_product_share", sa.Float()),
    ("niche_global_rank", sa.BigInteger()),
    ("ip_class1", sa.BigInteger()),
    ("ip_class1_own", sa.BigInteger()),
    ("ip_class1_high_value", sa.BigInteger()),
    ("ip_class2", sa.BigInteger()),
    ("national_st_award_rank_3y", sa.BigInteger()),
    ("provincial_st_award_rank_3y", sa.BigInteger()),
    ("maker_china_rank_3y", sa.BigInteger()),
    ("specialised_sme_score", sa.Float()),
    ("unemployment_insurance_premiums", sa.BigInteger()),
    ("layoff_rate", sa.Float()),
    ("serious_violation_3y", sa.Boolean()),
    ("six_taxes_two_fees", sa.BigInteger()),
    ("equipment_purchases_small", sa.BigInteger()),
    ("foreign_profit_reinvested", sa.BigInteger()),
    ("encouraged_industry_revenue_share", sa.Float()),
    ("vat_credit_balance", sa.BigInteger()),
    ("vat_credit_increment", sa.BigInteger()),
    ("vat_credit_increment_2019", sa.BigInteger()),
    ("vat_credit_increase_6m", sa.Boolean()),
    ("vat_credit_increase_2019_6m", sa.Boolean()),
    ("vat_sales_share_four_industries", sa.Float()),
    ("vat_sales_share_real_estate", sa.Float()),
    ("main_business_growth_avg_2y", sa.Float()),
    ("rd_ratio_min_2y", sa.Float()),
    ("rd_expense_avg_2y", sa.BigInteger()),
    ("rd_expense_sum_2y", sa.BigInteger()),
    ("new_equity_2y", sa.BigInteger()),
    ("new_equity_3y", sa.BigInteger()),
    ("innovative_sme_score", sa.Float()),
    ("innovative_sme_score_innovation", sa.Float()),
    ("innovative_sme_score_growth", sa.Float()),
    ("innovative_sme_score_specialisation", sa.Float()),
]


def upgrade() -> None:
    with op.batch_alter_table("enterprise_facts") as table:
        for name, kind in FACT_COLUMNS:
            table.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enterprise_facts") as table:
        for name, _ in FACT_COLUMNS:
            table.drop_column(name)
