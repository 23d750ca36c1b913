"""Webhook subscriptions: where a recipient's webhooks go, their secrets and their failures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, func, insert, select, update

from notifications.adapters.deliveries import PENDING
from notifications.adapters.tables import deliveries, webhooks

_SUBSCRIPTIONS_OF = (
    select(webhooks)
    .where(webhooks.c.recipient_id == bindparam("recipient_id"))
    .order_by(webhooks.c.created_at, webhooks.c.id)
)


class Subscriptions:
    """Webhook subscriptions of recipients, within one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def expedite_pending_of_subscription(self, subscription_id: str, *, at: datetime) -> None:
        """Make the subscription's pending deliveries due at `at`: the worker then finds the
        subscription gone or disabled, fails them and reports each on notification.delivery.v1."""
        self._connection.execute(
            update(deliveries)
            .where(
                deliveries.c.channel == "webhook",
                deliveries.c.target == subscription_id,
                deliveries.c.status == PENDING,
            )
            .values(next_attempt_at=at)
        )

    def add_subscription(
        self, *, id: str, recipient_id: int, url: str, secret: str, now: datetime
    ) -> None:
        self._connection.execute(
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

    def subscription(self, subscription_id: str) -> Row[Any] | None:
        return self._connection.execute(
            select(webhooks).where(webhooks.c.id == subscription_id)
        ).one_or_none()

    def subscriptions_for(self, recipient_ids: list[int]) -> dict[int, list[Row[Any]]]:
        """The enabled subscriptions of each recipient in `recipient_ids`."""
        found: dict[int, list[Row[Any]]] = {rid: [] for rid in recipient_ids}
        for start in range(0, len(recipient_ids), 500):
            rows = self._connection.execute(
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

    def subscriptions_of(self, recipient_id: int) -> list[Row[Any]]:
        """Every subscription of the recipient, disabled ones included."""
        return list(self._connection.execute(_SUBSCRIPTIONS_OF, {"recipient_id": recipient_id}))

    def rotate_secret(
        self, subscription_id: str, *, secret: str, previous_valid_until: datetime
    ) -> None:
        self._connection.execute(
            update(webhooks)
            .where(webhooks.c.id == subscription_id)
            .values(
                previous_secret=webhooks.c.secret,
                previous_valid_until=previous_valid_until,
                secret=secret,
            )
        )

    def delete_subscription(self, subscription_id: str) -> None:
        self._connection.execute(delete(webhooks).where(webhooks.c.id == subscription_id))

    def subscription_succeeded(self, subscription_id: str) -> None:
        self._connection.execute(
            update(webhooks)
            .where(webhooks.c.id == subscription_id, webhooks.c.consecutive_failures > 0)
            .values(consecutive_failures=0, failing_since=None)
        )

    def subscription_failed(
        self, subscription_id: str, *, at: datetime
    ) -> tuple[int, datetime | None]:
        """Count one more failed attempt in a row; returns the count and when the streak began."""
        self._connection.execute(
            update(webhooks)
            .where(webhooks.c.id == subscription_id)
            .values(
                consecutive_failures=webhooks.c.consecutive_failures + 1,
                failing_since=func.coalesce(webhooks.c.failing_since, at),
            )
        )
        row = self._connection.execute(
            select(webhooks.c.consecutive_failures, webhooks.c.failing_since).where(
                webhooks.c.id == subscription_id
            )
        ).one_or_none()
        return (row.consecutive_failures, row.failing_since) if row else (0, None)

    def disable_subscription(self, subscription_id: str, *, reason: str) -> bool:
        result = self._connection.execute(
            update(webhooks)
            .where(webhooks.c.id == subscription_id, webhooks.c.enabled.is_(True))
            .values(enabled=False, disabled_reason=reason)
        )
        return bool(result.rowcount)
