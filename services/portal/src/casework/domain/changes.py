"""The audit trail's entries: who changed what on a case, when, from what, to what, and why."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from casework.domain.cases import LABELS, Case, CaseRefused, CaseState, Labelled, moved


class Action(Labelled):
    OPENED = "opened"
    GRANTED = "granted"
    MOVED = "moved"
    ASSIGNED = "assigned"
    DUE = "due"
    NOTED = "noted"
    ATTACHED = "attached"


LABELS |= {
    Action.OPENED: ("立案", "opened"),
    Action.GRANTED: ("免申即享确认", "granted without application"),
    Action.MOVED: ("状态变更", "state changed"),
    Action.ASSIGNED: ("指派", "assigned"),
    Action.DUE: ("办理期限", "due date"),
    Action.NOTED: ("备注", "note"),
    Action.ATTACHED: ("附件", "attachment"),
}

NOTE_LIMIT = 2000
REFERENCE_LIMIT = 300


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of a case's audit trail; entries are only ever added."""

    case_id: int
    at: datetime
    actor: str
    action: Action
    before: str | None = None
    after: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Move:
    to: CaseState
    reason: str = ""
    amount: str = ""  # yuan, as written; a disbursement's only
    on: date | None = None  # the disbursement's date


@dataclass(frozen=True, slots=True)
class Assign:
    to: str | None  # a caseworker's account; None: nobody


@dataclass(frozen=True, slots=True)
class SetDue:
    on: date | None


@dataclass(frozen=True, slots=True)
class Note:
    text: str


@dataclass(frozen=True, slots=True)
class Attach:
    reference: str  # where the document is kept: a file number, a document system's address


Command = Move | Assign | SetDue | Note | Attach


def applied(case: Case, command: Command, *, actor: str, now: datetime) -> tuple[Case, Change]:
    """The case after `command`, and the trail's entry saying so; `CaseRefused` if not allowed."""
    entry = Change(case_id=case.id, at=now, actor=actor, action=Action.MOVED)
    match command:
        case Move(to=to, reason=reason, amount=amount, on=on):
            after = moved(case, to, reason=reason, amount=amount, on=on)
            change = replace(entry, before=case.state.value, after=to.value, reason=reason.strip())
        case Assign(to=to):
            after = replace(case, assignee=to)
            change = replace(entry, action=Action.ASSIGNED, before=case.assignee, after=to)
        case SetDue(on=on):
            if on is not None and on < now.date():
                raise CaseRefused("办理期限不能早于今天", "the due date is in the past")
            after = replace(case, due_on=on)
            change = replace(entry, action=Action.DUE, before=_day(case.due_on), after=_day(on))
        case Note(text=text):
            after, change = (
                case,
                replace(entry, action=Action.NOTED, reason=_text(text, NOTE_LIMIT)),
            )
        case Attach(reference=reference):
            reason = _text(reference, REFERENCE_LIMIT)
            after, change = case, replace(entry, action=Action.ATTACHED, reason=reason)
    return replace(after, updated_at=now), change


def _text(text: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise CaseRefused("内容不能为空", "the text is empty")
    if len(text) > limit:
        raise CaseRefused(f"内容不能超过{limit}字", f"the text is longer than {limit} characters")
    return text


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None
