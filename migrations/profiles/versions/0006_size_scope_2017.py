"""The stored size class of the firms whose industry the 2011 standard now sizes differently, as
统计上大中小微型企业划分办法（2017） scopes it: 装卸搬运 G591 as transport, finance J and
own-property leasing K7040 not sized (ADR 0023). Their snapshots carry the new class from their
next change; the list filters read this column now.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from supportmatch_reference.size import classify

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def upgrade() -> None:
    bind = op.get_bind()
    firms = sa.table(
        "enterprises", sa.column("uscc"), sa.column("industry_code"), sa.column("size_class")
    )
    years = sa.table(
        "enterprise_years", sa.column("uscc"), sa.column("fiscal_year"), sa.column("facts", sa.JSON)
    )
    affected = sa.or_(
        firms.c.industry_code.like("G59%"),
        firms.c.industry_code.like("J%"),
        firms.c.industry_code.like("K704%"),
    )
    for firm in bind.execute(sa.select(firms).where(affected)).all():
        latest = bind.execute(
            sa.select(years.c.facts)
            .where(years.c.uscc == firm.uscc)
            .order_by(years.c.fiscal_year.desc())
            .limit(1)
        ).scalar_one_or_none()
        facts = dict(latest or {})
        size = classify(
            firm.industry_code,
            employees=_whole(facts.get("employees")),
            revenue=_whole(facts.get("revenue")),
            total_assets=_whole(facts.get("total_assets")),
        ).size_class.value
        if size != firm.size_class:
            bind.execute(sa.update(firms).where(firms.c.uscc == firm.uscc).values(size_class=size))


def downgrade() -> None:
    """The classes of 0005's rules are not restored: they sized these firms wrongly."""
