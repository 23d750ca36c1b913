"""Deliveries by email and webhook, and their attempts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from notifications.adapters.tables import deliveries, delivery_attempts, inbox, recipients
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


class Deliveries:
    """Email and webhook deliveries and their attempts, within one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add_deliveries(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            insert_new(self._connection, deliveries, rows, unique=DELIVERY_UNIQUE)

    def release_awaiting(self, recipient_id: int, *, now: datetime) -> int:
        """The recipient has an email address now: its owed emails become due, those older than
        EMAIL_OWED_FOR fail with the reason; returns how many became due."""
        owed = (
            deliveries.c.recipient_id == recipient_id,
            deliveries.c.channel == "email",
            deliveries.c.status == AWAITING,
        )
        horizon = now - EMAIL_OWED_FOR
        self._connection.execute(
            update(deliveries)
            .where(*owed, deliveries.c.created_at < horizon)
            .values(status=FAILED, finished_at=now, last_error=ADDRESS_TOO_LATE)
        )
        return self._connection.execute(
            update(deliveries)
            .where(*owed)
            .values(status=PENDING, next_attempt_at=now, last_error=None)
        ).rowcount

    def await_address(self, delivery_id: int, recipient_id: int, *, now: datetime) -> None:
        """A claimed email whose recipient had no address waits for one, uncounted. The
        recipient's row is locked first, so an address given while the email was out is seen
        here (the email is due again at once) and one given later finds it waiting."""
        address = self._connection.execute(
            select(recipients.c.email).where(recipients.c.id == recipient_id).with_for_update()
        ).scalar()
        state = (
            {"status": PENDING, "next_attempt_at": now, "last_error": None}
            if address
            else {"status": AWAITING, "next_attempt_at": None, "last_error": NO_ADDRESS}
        )
        self._connection.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery_id)
            .values(attempts=deliveries.c.attempts - 1, **state)
        )

    def tally_for_measure(
        self, measure_id: str, provinces: frozenset[str] | None, since: datetime
    ) -> list[tuple[str, str, int]]:
        """(province, status, how many) of the deliveries of the measure's notices to firms
        since `since`: a notice is the measure's through its inbox entry."""
        query = (
            select(inbox.c.province_code, deliveries.c.status, func.count())
            .join_from(
                deliveries,
                inbox,
                (inbox.c.recipient_id == deliveries.c.recipient_id)
                & (inbox.c.trigger == deliveries.c.trigger),
            )
            .where(inbox.c.measure_id == measure_id, inbox.c.created_at >= since)
            .group_by(inbox.c.province_code, deliveries.c.status)
        )
        if provinces is not None:
            query = query.where(inbox.c.province_code.in_(sorted(provinces)))
        return [(p, status, n) for p, status, n in self._connection.execute(query) if p]

    def claim_due(self, *, now: datetime, limit: int, lease: timedelta) -> list[Row[Any]]:
        """Take up to `limit` due deliveries: each is counted as attempted and hidden for `lease`,
        so a worker that dies mid-send leaves them to be tried again, not lost."""
        query = (
            select(deliveries)
            .where(deliveries.c.status == PENDING, deliveries.c.next_attempt_at <= now)
            .order_by(deliveries.c.next_attempt_at)
            .limit(limit)
        )
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list(self._connection.execute(query))
        if rows:
            self._connection.execute(
                update(deliveries)
                .where(deliveries.c.id.in_([r.id for r in rows]))
                .values(attempts=deliveries.c.attempts + 1, next_attempt_at=now + lease)
            )
        return rows

    def record_attempt(
        self,
        *,
        delivery_id: int,
        attempt: int,
        at: datetime,
        outcome: str,
        detail: str,
        duration_ms: int,
    ) -> None:
        self._connection.execute(
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

    def finish(self, delivery_id: int, *, status: str, at: datetime, error: str | None) -> None:
        self._connection.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery_id)
            .values(status=status, finished_at=at, next_attempt_at=None, last_error=error)
        )

    def retry_at(self, delivery_id: int, *, at: datetime, error: str) -> None:
        self._connection.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery_id)
            .values(next_attempt_at=at, last_error=error)
        )

    def postpone(self, delivery_id: int, *, until: datetime) -> None:
        """Move a claimed delivery past the quiet hours without counting the attempt."""
        self._connection.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery_id)
            .values(next_attempt_at=until, attempts=deliveries.c.attempts - 1)
        )

    def log_of(
        self,
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
        rows = list(self._connection.execute(query.order_by(deliveries.c.id.desc()).limit(limit)))
        attempts: dict[int, list[dict[str, Any]]] = {r.id: [] for r in rows}
        if rows:
            for a in self._connection.execute(
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
