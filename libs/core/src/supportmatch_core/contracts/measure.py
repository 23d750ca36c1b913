"""policy.measure.v1: a measure version entered the catalogue, was edited, or was retired."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from supportmatch_core.contracts.event import TypedEvent
from supportmatch_core.contracts.values import JsonObject


@dataclass(frozen=True, slots=True)
class Change:
    """One thing a version changes from the version before, in words."""

    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class MeasureChanged(TypedEvent):
    """One version and what happened to it; `document` is the whole measure document (the
    catalogue's format, read by the measure parser of whoever needs more than its titles)."""

    TYPE: ClassVar[str] = "policy.measure.v1"

    measure_id: str
    version: int
    lifecycle: Literal["published", "changed", "retired"]
    valid_from: str
    valid_to: str | None
    digest: str
    actor: str
    document: JsonObject
    changes: tuple[Change, ...] = ()

    @property
    def subject(self) -> str:
        return self.measure_id

    def text(self, name: str) -> str | None:
        """A text field of the document (titles, clause, how to apply), None when absent."""
        value = self.document.get(name)
        return value if isinstance(value, str) else None
