"""Deliveries by email and webhook, their attempts, and webhook subscriptions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, func, insert, select, update

from notifications.adapters.tables import deliveries, delivery_attempts, webhooks
from supportmatch_core.db import insert_new

PENDING, SENT, FAILED = "pending", "sent", "failed"
# An email owed to a recipient without an address: sent once one is given, within EMAIL_OWED_FOR.
AWAITING = "awaiting"
EMAIL_OWED_FOR = timedelta(days=30)
NO_ADDRESS = "尚无电子邮箱地址，收到地址后即发送 (no email address yet; sent once one is given)"
ADDRESS_TOO_LATE = (
    "电子邮箱地址在通知产生30天后才提供，不再发送 "
    "(the email address came more than 30 days after the notice; not sent)"
)


DELIVERY_UNIQUE = ["recipient_id", "channel", "target", "trigger"]


def delivery_row(
    *,
    recipient_id: int,
    channel: str,
    target: str,
    trigger: str,
    topic: str,
    content: dict[str, Any],
    not_before: datetime,
    now: datetime,
    awaiting_address: bool = False,
) -> dict[str, Any]:
    """A pending delivery, or one awaiting the recipient's address; stored at most once per
    (recipient, channel, target, trigger)."""
    return {
        "recipient_id": recipient_id,
        "channel": channel,
        "target": target,
        "trigger": trigger,
        "topic": topic,
        "content": content,
        "status": AWAITING if awaiting_address else PENDING,
        "attempts": 0,
        "next_attempt_at": None if awaiting_address else not_before,
        "last_error": NO_ADDRESS if awaiting_address else None,
        "created_at": now,
    }


def add_deliveries(connection: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        insert_new(connection, deliveries, rows, unique=DELIVERY_UNIQUE)


def release_awaiting(connection: Connection, recipient_id: int, *, now: datetime) -> int:
    """The recipient has an email address now: its owed emails become due, those older than
    EMAIL_OWED_FOR fail with the reason; returns how many became due."""
    owed = (
        deliveries.c.recipient_id == recipient_id,
        deliveries.c.channel == "email",
        deliveries.c.status == AWAITING,
    )
    horizon = now - EMAIL_OWED_FOR
    connection.execute(
        update(deliveries)
        .where(*owed, deliveries.c.created_at < horizon)
        .values(status=FAILED, finished_at=now, last_error=ADDRESS_TOO_LATE)
    )
    return connection.execute(
        update(deliveries).where(*owed).values(status=PENDING, next_attempt_at=now, last_error=None)
    ).rowcount


def await_address(connection: Connection, delivery_id: int) -> None:
    """A claimed email whose recipient has no address (any more) waits for one, uncounted."""
    connection.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(
            status=AWAITING,
            next_attempt_at=None,
            last_error=NO_ADDRESS,
            attempts=deliveries.c.attempts - 1,
        )
    )


def claim_due(
    connection: Connection, *, now: datetime, limit: int, lease: timedelta
) -> list[Row[Any]]:
    """Take up to `limit` due deliveries: each is counted as attempted and hidden for `lease`,
    so a worker that dies mid-send leaves them to be tried again, not lost."""
    query = (
        select(deliveries)
        .where(deliveries.c.status == PENDING, deliveries.c.next_attempt_at <= now)
        .order_by(deliveries.c.next_attempt_at)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(connection.execute(query))
    if rows:
        connection.execute(
            update(deliveries)
            .where(deliveries.c.id.in_([r.id for r in rows]))
            .values(attempts=deliveries.c.attempts + 1, next_attempt_at=now + lease)
        )
    return rows


def record_attempt(
    connection: Connection,
    *,
    delivery_id: int,
    attempt: int,
    at: datetime,
    outcome: str,
    detail: str,
    duration_ms: int,
) -> None:
    connection.execute(
        insert(delivery_attempts),
        {
            "delivery_id": delivery_id,
            "attempt": attempt,
            "at": at,
            "outcome": outcome,
            "detail": detail[:2000],
            "duration_ms": duration_ms,
        },
    )


def finish(
    connection: Connection, delivery_id: int, *, status: str, at: datetime, error: str | None
) -> None:
    connection.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(status=status, finished_at=at, next_attempt_at=None, last_error=error)
    )


def retry_at(connection: Connection, delivery_id: int, *, at: datetime, error: str) -> None:
    connection.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(next_attempt_at=at, last_error=error)
    )


def postpone(connection: Connection, delivery_id: int, *, until: datetime) -> None:
    """Move a claimed delivery past the quiet hours without counting the attempt."""
    connection.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(next_attempt_at=until, attempts=deliveries.c.attempts - 1)
    )


def log_of(
    connection: Connection,
    recipient_id: int,
    *,
    limit: int,
    before: int | None,
    status: str | None,
    channel: str | None,
) -> list[dict[str, Any]]:
    query = select(deliveries).where(deliveries.c.recipient_id == recipient_id)
    if before is not None:
        query = query.where(deliveries.c.id < before)
    if status:
        query = query.where(deliveries.c.status == status)
    if channel:
        query = query.where(deliveries.c.channel == channel)
    rows = list(connection.execute(query.order_by(deliveries.c.id.desc()).limit(limit)))
    attempts: dict[int, list[dict[str, Any]]] = {r.id: [] for r in rows}
    if rows:
        for a in connection.execute(
            select(delivery_attempts)
            .where(delivery_attempts.c.delivery_id.in_(list(attempts)))
            .order_by(delivery_attempts.c.delivery_id, delivery_attempts.c.attempt)
        ):
            attempts[a.delivery_id].append(
                {
                    "attempt": a.attempt,
                    "at": a.at,
                    "outcome": a.outcome,
                    "detail": a.detail,
                    "duration_ms": a.duration_ms,
                }
            )
    return [
        {
            "id": r.id,
            "channel": r.channel,
            "target": r.target,
            "trigger": r.trigger,
            "topic": r.topic,
            "subject": r.content.get("subject"),
            "status": r.status,
            "attempts": attempts[r.id],
            "next_attempt_at": r.next_attempt_at,
            "last_error": r.last_error,
            "created_at": r.created_at,
            "finished_at": r.finished_at,
        }
        for r in rows
    ]


def expedite_pending_of_subscription(
    connection: Connection, subscription_id: str, *, at: datetime
) -> None:
    """Make the subscription's pending deliveries due at `at`: the worker then finds the
    subscription gone or disabled, fails them and reports each on notification.delivery.v1."""
    connection.execute(
        update(deliveries)
        .where(
            deliveries.c.channel == "webhook",
            deliveries.c.target == subscription_id,
            deliveries.c.status == PENDING,
        )
        .values(next_attempt_at=at)
    )


# Webhook subscriptions


def add_subscription(
    connection: Connection, *, id: str, recipient_id: int, url: str, secret: str, now: datetime
) -> None:
    connection.execute(
        insert(webhooks),
        {
            "id": id,
            "recipient_id": recipient_id,
            "url": url,
            "secret": secret,
            "enabled": True,
            "consecutive_failures": 0,
            "created_at": now,
        },
    )


def subscription(connection: Connection, subscription_id: str) -> Row[Any] | None:
    return connection.execute(
        select(webhooks).where(webhooks.c.id == subscription_id)
    ).one_or_none()


_SUBSCRIPTIONS_OF = (
    select(webhooks)
    .where(webhooks.c.recipient_id == bindparam("recipient_id"))
    .order_by(webhooks.c.created_at, webhooks.c.id)
)


def subscriptions_for(
    connection: Connection, recipient_ids: list[int]
) -> dict[int, list[Row[Any]]]:
    """The enabled subscriptions of each recipient in `recipient_ids`."""
    found: dict[int, list[Row[Any]]] = {rid: [] for rid in recipient_ids}
    for start in range(0, len(recipient_ids), 500):
        rows = connection.execute(
            select(webhooks)
            .where(
                webhooks.c.recipient_id.in_(recipient_ids[start : start + 500]),
                webhooks.c.enabled.is_(True),
            )
            .order_by(webhooks.c.created_at, webhooks.c.id)
        )
        for row in rows:
            found[row.recipient_id].append(row)
    return found


def subscriptions_of(connection: Connection, recipient_id: int) -> list[Row[Any]]:
    """Every subscription of the recipient, disabled ones included."""
    return list(connection.execute(_SUBSCRIPTIONS_OF, {"recipient_id": recipient_id}))


def secrets_in_use(row: Row[Any], now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one until it expires."""
    keep_previous = (
        row.previous_secret and row.previous_valid_until and row.previous_valid_until > now
    )
    return [row.secret, row.previous_secret] if keep_previous else [row.secret]


def rotate_secret(
    connection: Connection, subscription_id: str, *, secret: str, previous_valid_until: datetime
) -> None:
    connection.execute(
        update(webhooks)
        .where(webhooks.c.id == subscription_id)
        .values(
            previous_secret=webhooks.c.secret,
            previous_valid_until=previous_valid_until,
            secret=secret,
        )
    )


def delete_subscription(connection: Connection, subscription_id: str) -> None:
    connection.execute(delete(webhooks).where(webhooks.c.id == subscription_id))


def subscription_succeeded(connection: Connection, subscription_id: str) -> None:
    connection.execute(
        update(webhooks)
        .where(webhooks.c.id == subscription_id, webhooks.c.consecutive_failures > 0)
        .values(consecutive_failures=0, failing_since=None)
    )


def subscription_failed(
    connection: Connection, subscription_id: str, *, at: datetime
) -> tuple[int, datetime | None]:
    """Count one more failed attempt in a row; returns the count and when the streak began."""
    connection.execute(
        update(webhooks)
        .where(webhooks.c.id == subscription_id)
        .values(
            consecutive_failures=webhooks.c.consecutive_failures + 1,
            failing_since=func.coalesce(webhooks.c.failing_since, at),
        )
    )
    row = connection.execute(
        select(webhooks.c.consecutive_failures, webhooks.c.failing_since).where(
            webhooks.c.id == subscription_id
        )
    ).one_or_none()
    return (row.consecutive_failures, row.failing_since) if row else (0, None)


def disable_subscription(connection: Connection, subscription_id: str, *, reason: str) -> bool:
    result = connection.execute(
        update(webhooks)
        .where(webhooks.c.id == subscription_id, webhooks.c.enabled.is_(True))
        .values(enabled=False, disabled_reason=reason)
    )
    return bool(result.rowcount)
