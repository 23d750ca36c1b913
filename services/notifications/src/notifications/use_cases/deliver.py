"""Delivering what is due: sends emails and webhooks outside any transaction, records every
attempt, retries with backoff, gives up after the last attempt and reports the outcome on
notification.delivery.v1."""

from __future__ import annotations

import json
import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from notifications.adapters.deliveries import FAILED, NO_ADDRESS, SENT
from notifications.adapters.email import SmtpSender
from notifications.adapters.webhooks import WebhookSender
from notifications.domain.messages import webhook_disabled
from notifications.domain.preferences import Channel
from notifications.domain.recipients import Recipient
from notifications.domain.retry import RetryPolicy
from notifications.domain.signing import secrets_in_use
from notifications.use_cases.notify import notify, writing
from notifications.use_cases.ports import Row, UnitOfWork, Work
from supportmatch_core.contracts.delivery import DeliveryFinished, DeliveryRecipient

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str  # sent | error | refused (retrying cannot help) | postponed | awaiting (no address)
    detail: str
    duration_ms: int = 0
    until: datetime | None = None


class Deliverer:
    """Sends what is due in rounds: claim (one transaction), send (none), record (one)."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        smtp: SmtpSender,
        webhooks: WebhookSender,
        policy: RetryPolicy,
        clock: Callable[[], datetime],
        batch: int = 100,
        disable_after: int = 10,
        disable_after_time: timedelta = timedelta(hours=24),
        lease: timedelta = timedelta(minutes=2),
    ) -> None:
        self._uow = uow
        self._smtp, self._webhooks = smtp, webhooks
        self._policy, self._clock = policy, clock
        self._batch, self._disable_after = batch, disable_after
        self._lease = lease
        self._disable_after_time = disable_after_time

    def deliver_due(self) -> int:
        """Send what is due now; returns how many deliveries were attempted."""
        now = self._clock()
        with self._uow.begin() as work:
            rows = work.deliveries.claim_due(now=now, limit=self._batch, lease=self._lease)
            people = {r.recipient_id: work.recipients.recipient_by_id(r.recipient_id) for r in rows}
            hooks = {
                r.target: work.subscriptions.subscription(r.target)
                for r in rows
                if r.channel == Channel.WEBHOOK.value
            }
        if not rows:
            return 0
        outcomes = self._send_emails([r for r in rows if r.channel == Channel.EMAIL], people, now)
        for row in rows:
            if row.channel == Channel.WEBHOOK:
                outcomes[row.id] = self._send_webhook(row, hooks.get(row.target), now)
        with self._uow.begin() as work:
            for row in rows:
                self._record(work, row, people[row.recipient_id], outcomes[row.id], now)
        return len(rows)

    def _send_emails(
        self, rows: list[Row], people: dict[int, Recipient], now: datetime
    ) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        ready = []
        for row in rows:
            person = people[row.recipient_id]
            until = person.preferences.email_not_before(now)
            if until > now:
                outcomes[row.id] = Outcome("postponed", "quiet hours", until=until)
            elif not person.email:
                outcomes[row.id] = Outcome("awaiting", NO_ADDRESS)
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

    def _send_webhook(self, row: Row, hook: Row | None, now: datetime) -> Outcome:
        if hook is None or not hook.enabled:
            return Outcome("refused", "the subscription was deleted or disabled")
        body = json.dumps(row.content["body"], ensure_ascii=False, separators=(",", ":")).encode()
        attempt = self._webhooks.attempt(
            hook.url,
            body,
            secrets_in_use=secrets_in_use(
                hook.secret, hook.previous_secret, hook.previous_valid_until, now
            ),
            delivery_id=f"delivery-{row.id}",
            topic=row.topic,
            timestamp=int(now.timestamp()),
        )
        return Outcome(attempt.outcome, attempt.detail, attempt.duration_ms)

    def _record(
        self,
        work: Work,
        row: Row,
        person: Recipient,
        outcome: Outcome,
        now: datetime,
    ) -> None:
        if outcome.kind == "postponed":
            assert outcome.until is not None
            work.deliveries.postpone(row.id, until=outcome.until)
            return
        if outcome.kind == "awaiting":
            work.deliveries.await_address(row.id, row.recipient_id, now=now)
            return
        attempt = row.attempts + 1
        work.deliveries.record_attempt(
            delivery_id=row.id,
            attempt=attempt,
            at=now,
            outcome="sent" if outcome.kind == "sent" else outcome.kind,
            detail=outcome.detail,
            duration_ms=outcome.duration_ms,
        )
        webhook = row.channel == Channel.WEBHOOK
        if outcome.kind == "sent":
            work.deliveries.finish(row.id, status=SENT, at=now, error=None)
            if webhook:
                work.subscriptions.subscription_succeeded(row.target)
            self._report(work, row, person, SENT, attempt, None, now)
            return
        disabled = (
            webhook
            and outcome.kind == "error"
            and self._count_failure(work, row.target, person, now)
        )
        if outcome.kind == "refused" or disabled or self._policy.exhausted(attempt):
            work.deliveries.finish(row.id, status=FAILED, at=now, error=outcome.detail)
            self._report(work, row, person, FAILED, attempt, outcome.detail, now)
        else:
            retry = now + self._policy.delay(attempt)
            work.deliveries.retry_at(row.id, at=retry, error=outcome.detail)

    def _count_failure(
        self, work: Work, subscription_id: str, owner: Recipient, now: datetime
    ) -> bool:
        """Count a failed attempt; whether it turned the subscription off."""
        failures, since = work.subscriptions.subscription_failed(subscription_id, at=now)
        # Many notices in one short outage fail many attempts: only a long streak disables.
        if (
            failures < self._disable_after
            or since is None
            or now - since < self._disable_after_time
        ):
            return False
        hook = work.subscriptions.subscription(subscription_id)
        reason = f"{failures} failed attempts in a row since {since:%Y-%m-%d %H:%M} UTC"
        if hook is None or not work.subscriptions.disable_subscription(
            subscription_id, reason=reason
        ):
            return False
        work.subscriptions.expedite_pending_of_subscription(subscription_id, at=now)
        log.warning(
            "webhook disabled", extra={"subscription": subscription_id, "failures": failures}
        )
        with writing(work) as writes:
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
        work: Work,
        row: Row,
        person: Recipient,
        status: str,
        attempts: int,
        error: str | None,
        now: datetime,
    ) -> None:
        work.outbox.publish(
            [
                DeliveryFinished(
                    delivery_id=row.id,
                    recipient=DeliveryRecipient(kind=person.kind.value, key=person.key),
                    channel=row.channel,
                    target=row.target,
                    trigger=row.trigger,
                    topic=row.topic,
                    status="sent" if status == SENT else "failed",
                    attempts=attempts,
                    error=error,
                    finished_at=now.isoformat(),
                )
            ]
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
