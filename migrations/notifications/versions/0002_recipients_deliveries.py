"""Recipients and their preferences, deliveries with attempts, digests, webhooks, reminders.

Inbox entries now belong to a recipient (an enterprise or a caseworker) and are unique per
recipient and trigger; existing entries are given their enterprise as recipient.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from supportmatch_core.schema import Id

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "recipients",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("province_code", sa.String(2), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("language", sa.String(2), nullable=False, server_default="zh"),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("cadence", sa.String(10), nullable=False, server_default="immediate"),
        sa.Column("quiet_start", sa.String(5), nullable=True),
        sa.Column("quiet_end", sa.String(5), nullable=True),
        sa.Column("time_zone", sa.String(64), nullable=False, server_default="Asia/Shanghai"),
        sa.Column("opted_out_kinds", sa.JSON, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.UniqueConstraint("key", "kind", name="uq_recipients_key_kind"),
    )
    op.create_table(
        "caseworker_regions",
        sa.Column("recipient_id", Id, sa.ForeignKey("recipients.id"), primary_key=True),
        sa.Column("province_code", sa.String(2), primary_key=True),
    )
    op.create_index("ix_caseworker_regions_province", "caseworker_regions", ["province_code"])
    op.create_table(
        "deliveries",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("recipient_id", Id, nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("trigger", sa.String(160), nullable=False),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", _TIME, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("finished_at", _TIME, nullable=True),
        sa.UniqueConstraint(
            "recipient_id", "channel", "target", "trigger", name="uq_deliveries_once_per_trigger"
        ),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_deliveries_recipient", "deliveries", ["recipient_id", "id"])
    op.create_table(
        "delivery_attempts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", Id, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_delivery_attempts_delivery", "delivery_attempts", ["delivery_id", "attempt"]
    )
    op.create_table(
        "digest_items",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("recipient_id", Id, nullable=False),
        sa.Column("trigger", sa.String(160), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=True),
        sa.Column("line_zh", sa.Text, nullable=False),
        sa.Column("line_en", sa.Text, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("digest", sa.String(40), nullable=True),
        sa.UniqueConstraint("recipient_id", "trigger", name="uq_digest_items_recipient_trigger"),
    )
    op.create_index("ix_digest_items_pending", "digest_items", ["digest", "recipient_id"])
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("recipient_id", Id, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("previous_secret", sa.String(128), nullable=True),
        sa.Column("previous_valid_until", _TIME, nullable=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("disabled_reason", sa.Text, nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
    )
    op.create_index(
        "ix_webhook_subscriptions_recipient_id", "webhook_subscriptions", ["recipient_id"]
    )
    op.create_table(
        "holdings",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("measure_id", sa.String(100), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("measure", sa.JSON, nullable=False),
        sa.Column("valid_to", sa.Date, nullable=True),
        sa.Column("updated_at", _TIME, nullable=False),
    )
    op.create_index("ix_holdings_ending", "holdings", ["valid_to", "status"])
    op.create_table(
        "measure_responses",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("measure_id", sa.String(100), primary_key=True),
        sa.Column("response", sa.String(10), nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
    )
    _inbox_per_recipient()


def _inbox_per_recipient() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    recipients = sa.table(
        "recipients",
        sa.column("kind"),
        sa.column("key"),
        sa.column("province_code"),
        sa.column("channels", sa.JSON),
        sa.column("opted_out_kinds", sa.JSON),
        sa.column("updated_at", _TIME),
    )
    firms = bind.execute(
        sa.text("SELECT uscc, MIN(province_code) AS province FROM inbox_entries GROUP BY uscc")
    ).all()
    if firms:
        bind.execute(
            sa.insert(recipients),
            [
                {
                    "kind": "enterprise",
                    "key": f.uscc,
                    "province_code": f.province,
                    "channels": ["inbox", "email", "webhook"],
                    "opted_out_kinds": [],
                    "updated_at": now,
                }
                for f in firms
            ],
        )
    with op.batch_alter_table("inbox_entries") as batch:
        batch.add_column(sa.Column("recipient_id", Id, nullable=True))
        batch.add_column(sa.Column("trigger", sa.String(160), nullable=True))
        batch.add_column(sa.Column("topic", sa.String(32), nullable=True))
    bind.execute(
        sa.text(
            "UPDATE inbox_entries SET trigger = event_id, "
            "topic = CASE status WHEN 'eligible' THEN 'newly_eligible' "
            "WHEN 'possibly_eligible' THEN 'possibly_eligible' ELSE 'no_longer_eligible' END, "
            "recipient_id = (SELECT r.id FROM recipients r "
            "WHERE r.kind = 'enterprise' AND r.key = inbox_entries.uscc)"
        )
    )
    with op.batch_alter_table("inbox_entries") as batch:
        batch.drop_index("ix_inbox_entries_uscc_id")
        batch.drop_column("event_id")
        batch.alter_column("recipient_id", existing_type=Id, nullable=False)
        batch.alter_column("trigger", existing_type=sa.String(160), nullable=False)
        batch.alter_column("topic", existing_type=sa.String(32), nullable=False)
        batch.alter_column("uscc", existing_type=sa.String(18), nullable=True)
        batch.alter_column("province_code", existing_type=sa.String(2), nullable=True)
        batch.alter_column("measure_id", existing_type=sa.String(100), nullable=True)
        batch.alter_column("status", existing_type=sa.String(20), nullable=True)
        batch.create_unique_constraint(
            "uq_inbox_entries_recipient_trigger", ["recipient_id", "trigger"]
        )
        batch.create_index("ix_inbox_entries_recipient_id", ["recipient_id", "id"])


def downgrade() -> None:
    bind = op.get_bind()
    # 0001 knew enterprise inboxes only: caseworkers' entries and reminders have no place there.
    bind.execute(sa.text("DELETE FROM inbox_entries WHERE uscc IS NULL OR status IS NULL"))
    with op.batch_alter_table("inbox_entries") as batch:
        batch.add_column(sa.Column("event_id", sa.String(64), nullable=True))
    bind.execute(sa.text("UPDATE inbox_entries SET event_id = SUBSTR(trigger, 1, 64)"))
    with op.batch_alter_table("inbox_entries") as batch:
        batch.drop_index("ix_inbox_entries_recipient_id")
        batch.drop_constraint("uq_inbox_entries_recipient_trigger", type_="unique")
        batch.drop_column("recipient_id")
        batch.drop_column("trigger")
        batch.drop_column("topic")
        batch.alter_column("event_id", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint("inbox_entries_event_id_key", ["event_id"])
        batch.create_index("ix_inbox_entries_uscc_id", ["uscc", "id"])
    for table in (
        "measure_responses",
        "holdings",
        "webhook_subscriptions",
        "digest_items",
        "delivery_attempts",
        "deliveries",
        "caseworker_regions",
        "recipients",
    ):
        op.drop_table(table)
