"""Telling a recipient: notices turned into inbox entries, emails (or digest lines) and webhook
deliveries, each at most once per (recipient, trigger, channel), written together for a batch."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from notifications.adapters import deliveries, repository
from notifications.adapters.email import notice_email
from notifications.domain.messages import InboxMessage, Topic, digest_line
from notifications.domain.preferences import Cadence, Channel
from notifications.domain.recipients import Recipient
from notifications.use_cases.ports import Row, Work
from supportmatch_core.contracts.determination import MeasureReference
from supportmatch_core.contracts.values import to_json


@dataclass(frozen=True, slots=True)
class About:
    """What a notice concerns: an enterprise and a measure, when it does."""

    uscc: str | None = None
    province_code: str | None = None
    measure: MeasureReference | None = None
    status: str | None = None
    measure_named: str | None = None  # a measure known by its id alone (a case's)

    @property
    def measure_id(self) -> str | None:
        return self.measure.id if self.measure else self.measure_named

    @property
    def measure_kind(self) -> str | None:
        return self.measure.kind if self.measure else None


@dataclass
class Writes:
    """The rows that notices add, kept until `flush` writes each table in one statement."""

    work: Work
    inbox: list[dict[str, object]] = field(default_factory=list)
    deliveries: list[dict[str, object]] = field(default_factory=list)
    digest: list[dict[str, object]] = field(default_factory=list)
    _subscriptions: dict[int, Sequence[Row]] = field(default_factory=dict)

    def prefetch_subscriptions(self, recipient_ids: list[int]) -> None:
        wanted = [rid for rid in recipient_ids if rid not in self._subscriptions]
        self._subscriptions.update(self.work.subscriptions.subscriptions_for(wanted))

    def subscriptions(self, recipient_id: int) -> Sequence[Row]:
        if recipient_id not in self._subscriptions:
            self.prefetch_subscriptions([recipient_id])
        return self._subscriptions[recipient_id]

    def flush(self) -> None:
        self.work.notices.add_entries(self.inbox)
        self.work.deliveries.add_deliveries(self.deliveries)
        self.work.notices.add_digest_lines(self.digest)
        self.inbox, self.deliveries, self.digest = [], [], []


@contextmanager
def writing(work: Work) -> Iterator[Writes]:
    """Collect the notices of a block and write them when it ends."""
    writes = Writes(work)
    yield writes
    writes.flush()


def notify(
    writes: Writes,
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
        writes.inbox.append(
            repository.inbox_row(
                recipient_id=recipient.id,
                trigger=trigger,
                message=message,
                now=now,
                uscc=about.uscc,
                province_code=about.province_code,
                measure_id=about.measure_id,
                status=about.status,
            )
        )
    if wanted(Channel.EMAIL):
        # Without an address the email is owed, not dropped: it is sent once one is given.
        if preferences.cadence is Cadence.DIGEST and message.topic is not Topic.DIGEST:
            writes.digest += repository.digest_rows(
                recipient_ids=[recipient.id],
                trigger=trigger,
                uscc=about.uscc,
                lines=digest_line(message),
                now=now,
            )
        else:
            writes.deliveries.append(
                deliveries.delivery_row(
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
                    awaiting_address=not recipient.email,
                )
            )
    if wanted(Channel.WEBHOOK):
        hooks = writes.subscriptions(recipient.id)
        body = (
            webhook_body(recipient, message, trigger=trigger, about=about, now=now) if hooks else {}
        )
        for subscription in hooks:
            writes.deliveries.append(
                deliveries.delivery_row(
                    recipient_id=recipient.id,
                    channel=Channel.WEBHOOK.value,
                    target=subscription.id,
                    trigger=trigger,
                    topic=message.topic.value,
                    content={"body": body},
                    not_before=now,
                    now=now,
                )
            )


def webhook_body(
    recipient: Recipient, message: InboxMessage, *, trigger: str, about: About, now: datetime
) -> dict[str, object]:
    """The JSON a webhook subscriber receives (documented in docs/webhooks.md)."""
    return {
        "trigger": trigger,
        "topic": message.topic.value,
        "created_at": now.isoformat(),
        "recipient": {"kind": recipient.kind.value, "key": recipient.key},
        "enterprise": about.uscc,
        "measure": to_json(about.measure) if about.measure else None,
        "status": about.status,
        "title": {"zh": message.title_zh, "en": message.title_en},
        "body": {"zh": message.body_zh, "en": message.body_en},
        "reasons": list(message.reasons_en),
        "reasons_zh": list(message.reasons_zh),
        "facts_to_provide": message.facts_to_provide,
        "next_step": {"zh": message.next_step_zh, "en": message.next_step_en},
    }
