"""Tables of the notifications service."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from supportmatch_core.schema import Id, UtcDateTime, backbone_tables

metadata = MetaData()
backbone = backbone_tables(metadata)

# Who is told: enterprises (projected from enterprise.profile.v1) and caseworkers (by token).
recipients = Table(
    "recipients",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(12), nullable=False),  # enterprise | caseworker
    Column("key", String(128), nullable=False),  # the USCC or the caseworker's subject
    Column("name", Text, nullable=False, server_default=""),
    Column("province_code", String(2), nullable=True),
    Column("email", String(320), nullable=True),
    Column("language", String(2), nullable=False, server_default="zh"),
    Column("channels", JSON, nullable=False),
    Column("cadence", String(10), nullable=False, server_default="immediate"),
    Column("quiet_start", String(5), nullable=True),  # HH:MM, local time
    Column("quiet_end", String(5), nullable=True),
    Column("time_zone", String(64), nullable=False, server_default="Asia/Shanghai"),
    Column("opted_out_kinds", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("key", "kind", name="uq_recipients_key_kind"),
)

caseworker_regions = Table(
    "caseworker_regions",
    metadata,
    Column("recipient_id", Id, ForeignKey("recipients.id"), primary_key=True),
    Column("province_code", String(2), primary_key=True),
    Index("ix_caseworker_regions_province", "province_code"),
)

inbox = Table(
    "inbox_entries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("recipient_id", Id, nullable=False),
    Column("trigger", String(160), nullable=False),  # event id, or the reminder's or digest's key
    Column("topic", String(32), nullable=False),  # what happened: newly_eligible, ending_soon, ...
    Column("uscc", String(18), nullable=True),  # the enterprise it is about, if any
    Column("province_code", String(2), nullable=True),
    Column("measure_id", String(100), nullable=True),
    Column("status", String(20), nullable=True),
    Column("title_zh", Text, nullable=False),
    Column("title_en", Text, nullable=False),
    Column("body_zh", Text, nullable=False),
    Column("body_en", Text, nullable=False),
    Column("facts_to_provide", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("read_at", UtcDateTime(), nullable=True),
    UniqueConstraint("recipient_id", "trigger", name="uq_inbox_entries_recipient_trigger"),
    Index("ix_inbox_entries_recipient_id", "recipient_id", "id"),
    Index("ix_inbox_entries_measure_created", "measure_id", "created_at"),
)

# One row per (recipient, trigger, channel, target): replays and redeliveries find it taken.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("recipient_id", Id, nullable=False),
    Column("channel", String(10), nullable=False),  # email | webhook
    Column("target", String(64), nullable=False),  # the webhook subscription id, "" for email
    Column("trigger", String(160), nullable=False),
    Column("topic", String(32), nullable=False),
    Column("content", JSON, nullable=False),  # email: subject, text, html; webhook: body
    Column("status", String(10), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime(), nullable=True),
    UniqueConstraint(
        "recipient_id", "channel", "target", "trigger", name="uq_deliveries_once_per_trigger"
    ),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
    Index("ix_deliveries_recipient", "recipient_id", "id"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("delivery_id", Id, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("outcome", String(10), nullable=False),  # sent | error | refused
    Column("detail", Text, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Index("ix_delivery_attempts_delivery", "delivery_id", "attempt"),
)

# Notices waiting for the recipient's next daily digest email.
digest_items = Table(
    "digest_items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("recipient_id", Id, nullable=False),
    Column("trigger", String(160), nullable=False),
    Column("uscc", String(18), nullable=True),
    Column("line_zh", Text, nullable=False),
    Column("line_en", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("digest", String(40), nullable=True),  # the digest that carried it
    UniqueConstraint("recipient_id", "trigger", name="uq_digest_items_recipient_trigger"),
    Index("ix_digest_items_pending", "digest", "recipient_id"),
)

webhooks = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("recipient_id", Id, nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("secret", String(128), nullable=False),
    Column("previous_secret", String(128), nullable=True),
    Column("previous_valid_until", UtcDateTime(), nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
    Column("failing_since", UtcDateTime(), nullable=True),  # the current streak's first failure
    Column("disabled_reason", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

# The latest status of each (enterprise, measure) pair, for reminders before a measure ends.
holdings = Table(
    "holdings",
    metadata,
    Column("uscc", String(18), primary_key=True),
    Column("measure_id", String(100), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("measure", JSON, nullable=False),  # the event's measure reference
    Column("valid_to", Date, nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_holdings_ending", "valid_to", "status"),
)

# The caseworkers' cases as casework.case.v1 tells them: their assignees are reminded of due dates.
case_dues = Table(
    "case_dues",
    metadata,
    Column("uscc", String(18), primary_key=True),
    Column("measure_id", String(100), primary_key=True),
    Column("case_id", BigInteger, nullable=False),
    Column("province_code", String(2), nullable=False),
    Column("measure_title_zh", Text, nullable=False),
    Column("measure_title_en", Text, nullable=False),
    Column("state", String(20), nullable=False),
    Column("assignee", String(100), nullable=True),
    Column("due_on", Date, nullable=True),
    Column("version", BigInteger, nullable=False),
    Index("ix_case_dues_due", "due_on"),
)

# The firm's answer to a measure: applied for or declined; either stops the reminders.
responses = Table(
    "measure_responses",
    metadata,
    Column("uscc", String(18), primary_key=True),
    Column("measure_id", String(100), primary_key=True),
    Column("response", String(10), nullable=False),  # applied | declined
    Column("at", UtcDateTime(), nullable=False),
    Column("by", String(128), nullable=False),
)
