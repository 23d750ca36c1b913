"""eligibility.determination.v1: a firm's status for a measure changed, with the reasons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from supportmatch_core.contracts.event import TypedEvent
from supportmatch_core.contracts.values import JsonObject

Status = Literal["eligible", "ineligible", "possibly_eligible"]
Kind = Literal["benefit", "obligation", "opportunity"]
Outcome = Literal["pass", "fail", "unknown"]


@dataclass(frozen=True, slots=True)
class MeasureReference:
    """The measure version decided, as recipients name it and reminders date it."""

    id: str
    version: int
    title_zh: str
    title_en: str
    clause: str
    valid_to: str | None  # the last day in force (ISO date); None while open-ended
    kind: Kind | None = None
    how_to_apply: str | None = None
    how_to_apply_zh: str | None = None
    how_to_apply_en: str | None = None


@dataclass(frozen=True, slots=True)
class MissingFact:
    fact: str
    label_zh: str
    label_en: str


@dataclass(frozen=True, slots=True)
class Reason:
    fact: str
    outcome: Outcome
    text_zh: str
    text_en: str


@dataclass(frozen=True, slots=True)
class Assumption:
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class EstimatedFact:
    fact: str
    label_zh: str
    label_en: str
    value: float


@dataclass(frozen=True, slots=True)
class Estimate:
    """政策测算: what the measure may be worth from the firm's own figures, never a promise."""

    amount: int
    unit: Literal["yuan"]
    label_zh: str
    label_en: str
    text_zh: str
    text_en: str
    formula_zh: str
    formula_en: str
    facts: tuple[EstimatedFact, ...]
    note_zh: str
    note_en: str


@dataclass(frozen=True, slots=True)
class EligibilityChanged(TypedEvent):
    """A determination whose status changed; `criteria` and `tree` are the explanation as the
    eligibility service renders it (JSON read by `supportmatch_reference.explanations`)."""

    TYPE: ClassVar[str] = "eligibility.determination.v1"

    uscc: str
    province_code: str
    measure: MeasureReference
    status: Status
    previous_status: Status | None
    evaluated_on: str
    profile_version: int
    facts_digest: str
    criteria: tuple[JsonObject, ...]
    missing_facts: tuple[MissingFact, ...]
    tree: JsonObject | None = None
    reasons: tuple[Reason, ...] = ()
    basis: Literal["verified", "assumed"] | None = None
    assumptions: tuple[Assumption, ...] = ()
    estimate: Estimate | None = None

    @property
    def subject(self) -> str:
        return self.uscc
