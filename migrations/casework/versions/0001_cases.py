"""Cases, their append-only audit trail and the casework outbox.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from supportmatch_core.schema import Id, UtcDateTime, create_backbone_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

REFUSAL = "case_changes is an audit trail: entries are only ever added"


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("firm_name", sa.String(200), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("measure_id", sa.String(100), nullable=False),
        sa.Column("measure_title_zh", sa.String(300), nullable=False),
        sa.Column("measure_title_en", sa.String(300), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("assignee", sa.String(100), nullable=True),
        sa.Column("due_on", sa.Date, nullable=True),
        sa.Column("disbursed_fen", sa.BigInteger, nullable=True),
        sa.Column("disbursed_on", sa.Date, nullable=True),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", Id, nullable=False),
        sa.UniqueConstraint("uscc", "measure_id", name="uq_cases_firm_measure"),
    )
    op.create_index("ix_cases_province_updated", "cases", ["province_code", "updated_at", "id"])
    op.create_index("ix_cases_assignee", "cases", ["assignee", "state"])
    op.create_table(
        "case_changes",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("case_id", Id, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("before", sa.String(300), nullable=True),
        sa.Column("after", sa.String(300), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_case_changes_case", "case_changes", ["case_id", "id"])
    _refuse_changes_to_the_trail()
    create_backbone_tables(op.get_bind())


def _refuse_changes_to_the_trail() -> None:
    """Whatever code or person holds the database's password, an entry cannot be changed or
    removed except by dropping the trigger, which the database's own log then shows."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION case_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER case_changes_append_only BEFORE UPDATE OR DELETE ON case_changes "
            "FOR EACH ROW EXECUTE FUNCTION case_changes_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER case_changes_no_{event.lower()} BEFORE {event} ON case_changes "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )


def downgrade() -> None:
    for table in ("processed_events", "outbox_relay_state", "outbox", "case_changes", "cases"):
        op.drop_table(table)  # the triggers go with their table
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION case_changes_append_only()")
