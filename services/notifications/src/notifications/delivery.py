"""The delivery worker: sends due emails and webhooks, records every attempt, retries with
backoff, gives up after the last attempt and reports the outcome on notification.delivery.v1."""

from __future__ import annotations

import json
import logging
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row

from notifications.adapters import deliveries, recipients
from notifications.adapters.deliveries import FAILED, SENT
from notifications.adapters.email import SmtpSender
from notifications.adapters.webhooks import WebhookSender
from notifications.domain.messages import webhook_disabled
from notifications.domain.preferences import Channel
from notifications.domain.recipients import Recipient
from notifications.domain.retry import RetryPolicy
from notifications.fanout import notify, writing
from supportmatch_core.db import UnitOfWork
from supportmatch_core.events import Event
from supportmatch_core.outbox import Outbox
from supportmatch_core.topics import DELIVERY
from supportmatch_core.workers import Health

log = logging.getLogger(__name__)

SOURCE = "urn:supportmatch:notifications"


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str  # sent | error | refused (retrying cannot help) | postponed | awaiting (no address)
    detail: str
    duration_ms: int = 0
    until: datetime | None = None


class DeliveryWorker:
    name = "notifications-delivery"

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        outbox: Outbox,
        smtp: SmtpSender,
        webhooks: WebhookSender,
        policy: RetryPolicy,
        clock: Callable[[], datetime],
        batch: int = 100,
        poll_seconds: float = 0.5,
        disable_after: int = 10,
        disable_after_time: timedelta = timedelta(hours=24),
        lease: timedelta = timedelta(minutes=2),
    ) -> None:
        self._uow, self._outbox = uow, outbox
        self._smtp, self._webhooks = smtp, webhooks
        self._policy, self._clock = policy, clock
        self._batch, self._poll, self._disable_after = batch, poll_seconds, disable_after
        self._lease = lease
        self._disable_after_time = disable_after_time
        self.health = Health()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            attempted = self.deliver_due()
            self.health.ok()
            if not attempted:
                stop.wait(self._poll)

    def deliver_due(self) -> int:
        """Send what is due now; returns how many deliveries were attempted."""
        now = self._clock()
        with self._uow.begin() as connection:
            rows = deliveries.claim_due(connection, now=now, limit=self._batch, lease=self._lease)
            people = {
                r.recipient_id: recipients.recipient_by_id(connection, r.recipient_id) for r in rows
            }
            hooks = {
                r.target: deliveries.subscription(connection, r.target)
                for r in rows
                if r.channel == Channel.WEBHOOK.value
            }
        if not rows:
            return 0
        outcomes = self._send_emails([r for r in rows if r.channel == Channel.EMAIL], people, now)
        for row in rows:
            if row.channel == Channel.WEBHOOK:
                outcomes[row.id] = self._send_webhook(row, hooks.get(row.target), now)
        with self._uow.begin() as connection:
            for row in rows:
                self._record(connection, row, people[row.recipient_id], outcomes[row.id], now)
        return len(rows)

    def _send_emails(
        self, rows: list[Row[Any]], people: dict[int, Recipient], now: datetime
    ) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        ready = []
        for row in rows:
            person = people[row.recipient_id]
            until = person.preferences.email_not_before(now)
            if until > now:
                outcomes[row.id] = Outcome("postponed", "quiet hours", until=until)
            elif not person.email:
                outcomes[row.id] = Outcome("awaiting", deliveries.NO_ADDRESS)
            else:
                ready.append(row)
        if not ready:
            return outcomes
        try:
            with self._smtp.session() as smtp:
                for row in ready:
                    started = time.monotonic()
                    try:
                        self._smtp.send(
                            smtp,
                            to=people[row.recipient_id].email or "",
                            content=row.content,
                            key=f"delivery-{row.id}",
                        )
                        outcomes[row.id] = Outcome(
                            "sent", "accepted by the SMTP server", _ms(started)
                        )
                    except smtplib.SMTPResponseException as error:
                        kind = "refused" if error.smtp_code >= 500 else "error"
                        outcomes[row.id] = Outcome(kind, _smtp_error(error), _ms(started))
                    except smtplib.SMTPRecipientsRefused as error:
                        outcomes[row.id] = Outcome(
                            "refused", f"recipient refused: {error.recipients}"
                        )
        except (OSError, smtplib.SMTPException) as error:
            for row in ready:
                outcomes.setdefault(
                    row.id, Outcome("error", f"SMTP: {type(error).__name__}: {error}")
                )
        return outcomes

    def _send_webhook(self, row: Row[Any], hook: Row[Any] | None, now: datetime) -> Outcome:
        if hook is None or not hook.enabled:
            return Outcome("refused", "the subscription was deleted or disabled")
        body = json.dumps(row.content["body"], ensure_ascii=False, separators=(",", ":")).encode()
        attempt = self._webhooks.attempt(
            hook.url,
            body,
            secrets_in_use=deliveries.secrets_in_use(hook, now),
            delivery_id=f"delivery-{row.id}",
            topic=row.topic,
            timestamp=int(now.timestamp()),
        )
        return Outcome(attempt.outcome, attempt.detail, attempt.duration_ms)

    def _record(
        self,
        connection: Connection,
        row: Row[Any],
        person: Recipient,
        outcome: Outcome,
        now: datetime,
    ) -> None:
        if outcome.kind == "postponed":
            assert outcome.until is not None
            deliveries.postpone(connection, row.id, until=outcome.until)
            return
        if outcome.kind == "awaiting":
            deliveries.await_address(connection, row.id)
            return
        attempt = row.attempts + 1
        deliveries.record_attempt(
            connection,
            delivery_id=row.id,
            attempt=attempt,
            at=now,
            outcome="sent" if outcome.kind == "sent" else outcome.kind,
            detail=outcome.detail,
            duration_ms=outcome.duration_ms,
        )
        webhook = row.channel == Channel.WEBHOOK
        if outcome.kind == "sent":
            deliveries.finish(connection, row.id, status=SENT, at=now, error=None)
            if webhook:
                deliveries.subscription_succeeded(connection, row.target)
            self._report(connection, row, person, SENT, attempt, None, now)
            return
        disabled = (
            webhook
            and outcome.kind == "error"
            and self._count_failure(connection, row.target, person, now)
        )
        if outcome.kind == "refused" or disabled or self._policy.exhausted(attempt):
            deliveries.finish(connection, row.id, status=FAILED, at=now, error=outcome.detail)
            self._report(connection, row, person, FAILED, attempt, outcome.detail, now)
        else:
            retry = now + self._policy.delay(attempt)
            deliveries.retry_at(connection, row.id, at=retry, error=outcome.detail)

    def _count_failure(
        self, connection: Connection, subscription_id: str, owner: Recipient, now: datetime
    ) -> bool:
        """Count a failed attempt; whether it turned the subscription off."""
        failures, since = deliveries.subscription_failed(connection, subscription_id, at=now)
        # Many notices in one short outage fail many attempts: only a long streak disables.
        if (
            failures < self._disable_after
            or since is None
            or now - since < self._disable_after_time
        ):
            return False
        hook = deliveries.subscription(connection, subscription_id)
        reason = f"{failures} failed attempts in a row since {since:%Y-%m-%d %H:%M} UTC"
        if hook is None or not deliveries.disable_subscription(
            connection, subscription_id, reason=reason
        ):
            return False
        deliveries.expedite_pending_of_subscription(connection, subscription_id, at=now)
        log.warning(
            "webhook disabled", extra={"subscription": subscription_id, "failures": failures}
        )
        with writing(connection) as writes:
            notify(
                writes,
                owner,
                webhook_disabled(hook.url, failures),
                trigger=f"webhook-disabled:{subscription_id}",
                now=now,
                channels=frozenset({Channel.INBOX, Channel.EMAIL}),
            )
        return True

    def _report(
        self,
        connection: Connection,
        row: Row[Any],
        person: Recipient,
        status: str,
        attempts: int,
        error: str | None,
        now: datetime,
    ) -> None:
        self._outbox.add(
            connection,
            topic=DELIVERY,
            event=Event(
                type=DELIVERY,
                source=SOURCE,
                subject=person.key,
                data={
                    "delivery_id": row.id,
                    "recipient": {"kind": person.kind.value, "key": person.key},
                    "channel": row.channel,
                    "target": row.target,
                    "trigger": row.trigger,
                    "topic": row.topic,
                    "status": status,
                    "attempts": attempts,
                    "error": error,
                    "finished_at": now.isoformat(),
                },
            ),
        )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _smtp_error(error: smtplib.SMTPResponseException) -> str:
    message = (
        error.smtp_error.decode(errors="replace")
        if isinstance(error.smtp_error, bytes)
        else str(error.smtp_error)
    )
    return f"SMTP {error.smtp_code}: {message}"
