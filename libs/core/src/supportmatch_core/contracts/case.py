"""casework.case.v1: a case of a firm and a measure changed (opened, granted without application,
moved on, assigned, given a due date, a note or an attachment's reference); the case's state
after the change, and the change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from supportmatch_core.contracts.event import TypedEvent

State = Literal["identified", "contacted", "applying", "approved", "rejected", "disbursed"]
# A case in one of these is being worked on; refused and paid cases are done with.
OPEN: tuple[State, ...] = ("identified", "contacted", "applying", "approved")
Action = Literal["opened", "granted", "moved", "assigned", "due", "noted", "attached"]


@dataclass(frozen=True, slots=True)
class CaseChanged(TypedEvent):
    TYPE: ClassVar[str] = "casework.case.v1"

    case_id: int
    uscc: str
    province_code: str
    measure_id: str
    measure_title_zh: str
    measure_title_en: str
    state: State
    previous_state: State | None
    assignee: str | None
    due_on: str | None
    disbursed_fen: int | None
    disbursed_on: str | None
    action: Action
    actor: str
    reason: str
    changed_at: str
    version: int

    @property
    def subject(self) -> str:
        return self.uscc
