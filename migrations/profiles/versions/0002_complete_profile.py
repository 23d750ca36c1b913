"""The complete enterprise record: attributes, size class, facts by year, certifications, versions, imports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

from supportmatch_core.schema import Id

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("enterprises") as table:
        table.add_column(
            sa.Column("size_class", sa.String(10), nullable=False, server_default="unknown")
        )
        table.add_column(sa.Column("attributes", sa.JSON, nullable=False, server_default="{}"))
    op.create_table(
        "enterprise_years",
        sa.Column("uscc", sa.String(18), sa.ForeignKey("enterprises.uscc"), primary_key=True),
        sa.Column("fiscal_year", sa.Integer, primary_key=True),
        sa.Column("facts", sa.JSON, nullable=False),
    )
    _move_facts_to_years()
    with op.batch_alter_table("enterprises") as table:
        table.drop_column("facts")
    op.drop_index("ix_enterprises_province_code", "enterprises")
    op.drop_index("ix_enterprises_industry_code", "enterprises")
    op.create_index("ix_enterprises_province_code", "enterprises", ["province_code", "uscc"])
    op.create_index("ix_enterprises_industry_code", "enterprises", ["industry_code", "uscc"])
    op.create_index("ix_enterprises_size_class", "enterprises", ["size_class", "uscc"])
    op.create_index("ix_enterprises_ownership", "enterprises", ["ownership", "uscc"])
    if op.get_bind().dialect.name == "postgresql":
        # Substring search on names (ILIKE '%…%') needs a trigram index to stay fast at scale.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_enterprises_name_trgm ON enterprises USING gin (name gin_trgm_ops)"
        )
    op.create_table(
        "certifications",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("uscc", sa.String(18), sa.ForeignKey("enterprises.uscc"), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("issuer", sa.String(200), nullable=False),
        sa.Column("certificate_no", sa.String(100), nullable=True),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date, nullable=True),
    )
    op.create_index("ix_certifications_uscc", "certifications", ["uscc"])
    op.create_index("ix_certifications_kind", "certifications", ["kind", "uscc"])
    op.create_table(
        "enterprise_versions",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_at", _TIMESTAMP, nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
    )
    op.create_table(
        "imports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("imported_by", sa.String(200), nullable=False),
        sa.Column("started_at", _TIMESTAMP, nullable=False),
        sa.Column("finished_at", _TIMESTAMP, nullable=True),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("created", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("unchanged", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("errors", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
    )


def _move_facts_to_years() -> None:
    bind = op.get_bind()
    enterprises = sa.table(
        "enterprises", sa.column("uscc"), sa.column("facts", sa.JSON), sa.column("created_at")
    )
    years = sa.table(
        "enterprise_years",
        sa.column("uscc"),
        sa.column("fiscal_year"),
        sa.column("facts", sa.JSON),
    )
    for row in bind.execute(sa.select(enterprises)).all():
        facts = dict(row.facts or {})
        if not facts:
            continue
        created = row.created_at if isinstance(row.created_at, date) else datetime.now(UTC).date()
        year = facts.pop("fiscal_year", None) or created.year - 1
        bind.execute(sa.insert(years).values(uscc=row.uscc, fiscal_year=year, facts=facts))


def downgrade() -> None:
    op.drop_table("imports")
    op.drop_table("enterprise_versions")
    op.drop_table("certifications")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_enterprises_name_trgm")
    for name in ("ix_enterprises_size_class", "ix_enterprises_ownership"):
        op.drop_index(name, "enterprises")
    with op.batch_alter_table("enterprises") as table:
        table.add_column(sa.Column("facts", sa.JSON, nullable=False, server_default="{}"))
    op.drop_table("enterprise_years")
    with op.batch_alter_table("enterprises") as table:
        table.drop_column("attributes")
        table.drop_column("size_class")
