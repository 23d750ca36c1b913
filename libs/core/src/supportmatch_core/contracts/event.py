"""What every typed event has: its CloudEvent type, its subject, and its envelope."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from supportmatch_core.contracts.values import from_json, to_json
from supportmatch_core.events import Event


class TypedEvent:
    """Reading and writing of the data of a typed event (a frozen dataclass subclassing this)."""

    TYPE: ClassVar[str]

    @property
    def subject(self) -> str:
        """The Kafka key: the enterprise's USCC, or what else the event is about."""
        raise NotImplementedError

    @classmethod
    def from_event(cls, event: Event) -> Self:
        """The event's data as this type; the consumer checked it against the schema first."""
        if event.type != cls.TYPE:
            raise ValueError(f"a {event.type} event is not {cls.TYPE}")
        return from_json(cls, event.data)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:
        return from_json(cls, data)

    def to_data(self) -> dict[str, Any]:
        return to_json(self)

    def envelope(self, *, source: str, subject: str, time: str | None = None) -> Event:
        """The CloudEvent that carries this event (serialised once, by the outbox)."""
        if time is None:
            return Event(type=self.TYPE, source=source, subject=subject, data=self.to_data())
        return Event(type=self.TYPE, source=source, subject=subject, data=self.to_data(), time=time)
