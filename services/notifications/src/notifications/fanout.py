"""Turns one notice for one recipient into its inbox entry, email (or digest line) and webhook
deliveries, each at most once per trigger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from notifications.adapters import deliveries, repository
from notifications.adapters.email import notice_email
from notifications.domain.messages import InboxMessage, Topic, digest_line
from notifications.domain.preferences import Cadence, Channel
from notifications.domain.recipients import Recipient


@dataclass(frozen=True, slots=True)
class About:
    """What a notice concerns: an enterprise and a measure, when it does."""

    uscc: str | None = None
    province_code: str | None = None
    measure: dict[str, Any] | None = None
    status: str | None = None

    @property
    def measure_id(self) -> str | None:
        return self.measure["id"] if self.measure else None

    @property
    def measure_kind(self) -> str | None:
        return self.measure.get("kind") if self.measure else None


def notify(
    connection: Connection,
    recipient: Recipient,
    message: InboxMessage,
    *,
    trigger: str,
    now: datetime,
    about: About = About(),
    channels: frozenset[Channel] = frozenset(Channel),
) -> None:
    """Tell `recipient` about `message` on the channels it chose, among `channels`."""
    preferences = recipient.preferences

    def wanted(channel: Channel) -> bool:
        return channel in channels and preferences.wants(channel, about.measure_kind)

    if wanted(Channel.INBOX):
        repository.add_entry(
            connection,
            recipient_id=recipient.id,
            trigger=trigger,
            message=message,
            now=now,
            uscc=about.uscc,
            province_code=about.province_code,
            measure_id=about.measure_id,
            status=about.status,
        )
    if wanted(Channel.EMAIL) and recipient.email:
        if preferences.cadence is Cadence.DIGEST and message.topic is not Topic.DIGEST:
            repository.add_digest_item(
                connection,
                recipient_id=recipient.id,
                trigger=trigger,
                uscc=about.uscc,
                lines=digest_line(message, enterprise=None),
                now=now,
            )
        else:
            deliveries.add_delivery(
                connection,
                recipient_id=recipient.id,
                channel=Channel.EMAIL.value,
                target="",
                trigger=trigger,
                topic=message.topic.value,
                content=notice_email(
                    message, language=preferences.language.value, name=recipient.name
                ),
                not_before=preferences.email_not_before(now),
                now=now,
            )
    if wanted(Channel.WEBHOOK):
        body = webhook_body(recipient, message, trigger=trigger, about=about, now=now)
        for subscription in deliveries.subscriptions_of(
            connection, recipient.id, enabled_only=True
        ):
            deliveries.add_delivery(
                connection,
                recipient_id=recipient.id,
                channel=Channel.WEBHOOK.value,
                target=subscription.id,
                trigger=trigger,
                topic=message.topic.value,
                content={"body": body},
                not_before=now,
                now=now,
            )


def webhook_body(
    recipient: Recipient, message: InboxMessage, *, trigger: str, about: About, now: datetime
) -> dict[str, Any]:
    """The JSON a webhook subscriber receives (documented in contracts/webhooks.md)."""
    return {
        "trigger": trigger,
        "topic": message.topic.value,
        "created_at": now.isoformat(),
        "recipient": {"kind": recipient.kind.value, "key": recipient.key},
        "enterprise": about.uscc,
        "measure": about.measure,
        "status": about.status,
        "title": {"zh": message.title_zh, "en": message.title_en},
        "body": {"zh": message.body_zh, "en": message.body_en},
        "reasons": message.reasons,
        "facts_to_provide": message.facts_to_provide,
        "next_step": {"zh": message.next_step_zh, "en": message.next_step_en},
    }
