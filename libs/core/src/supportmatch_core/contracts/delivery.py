"""notification.delivery.v1: the final outcome of one email or webhook delivery."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from supportmatch_core.contracts.event import TypedEvent

Topic = Literal[
    "newly_eligible",
    "possibly_eligible",
    "no_longer_eligible",
    "ending_soon",
    "measure_published",
    "webhook_disabled",
    "case_changed",
    "case_due",
    "digest",
]


@dataclass(frozen=True, slots=True)
class DeliveryRecipient:
    kind: Literal["enterprise", "caseworker"]
    key: str


@dataclass(frozen=True, slots=True)
class DeliveryFinished(TypedEvent):
    """Sent, or failed after its last attempt (or refused, which no retry can help)."""

    TYPE: ClassVar[str] = "notification.delivery.v1"

    delivery_id: int
    recipient: DeliveryRecipient
    channel: Literal["email", "webhook"]
    target: str  # the webhook subscription id; empty for email
    trigger: str
    topic: Topic
    status: Literal["sent", "failed"]
    attempts: int
    error: str | None
    finished_at: str

    @property
    def subject(self) -> str:
        return self.recipient.key
