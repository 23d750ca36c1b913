"""The CloudEvents 1.0 envelope, carried in Kafka's structured mode (the whole event in the value)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from supportmatch_core import jsontext

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
SPEC_VERSION = "1.0"


class MalformedEvent(ValueError):
    """A message that is not a CloudEvent this platform can read; it goes to the dead-letter topic."""


@dataclass(frozen=True, slots=True)
class Event:
    """One CloudEvent. `subject` is the enterprise's USCC, which is also the Kafka key."""

    type: str
    source: str
    subject: str
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="milliseconds"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time,
            "datacontenttype": "application/json",
            "data": self.data,
        }

    def to_bytes(self) -> bytes:
        return jsontext.dumps(self.to_dict())

    @classmethod
    def from_bytes(cls, raw: bytes | None) -> Event:
        """Parse a structured-mode CloudEvent, or raise `MalformedEvent` saying what is wrong."""
        if not raw:
            raise MalformedEvent("empty message")
        try:
            doc = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise MalformedEvent(f"not JSON: {error}") from error
        if not isinstance(doc, dict):
            raise MalformedEvent("a CloudEvent must be a JSON object")
        if doc.get("specversion") != SPEC_VERSION:
            raise MalformedEvent(f"specversion must be {SPEC_VERSION!r}")
        for name in ("id", "source", "type", "subject", "time"):
            if not isinstance(doc.get(name), str) or not doc[name]:
                raise MalformedEvent(f"attribute {name!r} must be a non-empty string")
        if not isinstance(doc.get("data"), dict):
            raise MalformedEvent("attribute 'data' must be a JSON object")
        return cls(
            type=doc["type"],
            source=doc["source"],
            subject=doc["subject"],
            data=doc["data"],
            id=doc["id"],
            time=doc["time"],
        )
