"""What people do with cases: open one for a firm and a measure, change it, list and read them.
Every change appends to the case's audit trail and is published as casework.case.v1 in the
same transaction."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from casework.adapters.unit_of_work import CaseUnitOfWork, CaseWork
from casework.domain.cases import Case, CaseOutdated, CaseState
from casework.domain.changes import Action, Change, Command, applied
from casework.domain.listing import PAGE, CaseFilter, Tally
from supportmatch_core.access import may_see, visible_to
from supportmatch_core.auth import Principal, Role
from supportmatch_core.contracts.case import CaseChanged

GRANT_REASON = "依据已掌握的数据符合条件，经主管部门确认免申即享"


class NoCase(LookupError):
    """No such case, or not one the caller may see: the two answer alike."""


@dataclass(frozen=True, slots=True)
class Firm:
    """The firm as the profiles service gave it to the person opening the case."""

    uscc: str
    name: str
    province_code: str


@dataclass(frozen=True, slots=True)
class CasePage:
    cases: list[Case]
    counts: dict[CaseState, int]
    next_after: tuple[datetime, int] | None


def open_case(
    *,
    uow: CaseUnitOfWork,
    principal: Principal,
    firm: Firm,
    measure_id: str,
    measure_title_zh: str,
    measure_title_en: str,
    now: datetime,
) -> Case:
    """The firm's case of the measure, opened at `identified` unless it has one already."""
    _may_work_on(principal, firm.uscc, firm.province_code)
    measure = (measure_id, measure_title_zh, measure_title_en)
    with uow.begin() as work:
        case, _ = _opened(work, principal, firm, measure, CaseState.IDENTIFIED, now=now)
        return case


def grant(
    *,
    uow: CaseUnitOfWork,
    principal: Principal,
    firms: list[Firm],
    measure_id: str,
    measure_title_zh: str,
    measure_title_en: str,
    now: datetime,
) -> int:
    """Record the department's confirmation that `firms` get a measure granted without
    application (免申即享): each gets its case opened at `approved`; a firm with a case of the
    measure already keeps it. Returns how many were granted."""
    for firm in firms:
        _may_work_on(principal, firm.uscc, firm.province_code)
    measure = (measure_id, measure_title_zh, measure_title_en)
    granted = 0
    with uow.begin() as work:
        for firm in firms:
            _, created = _opened(work, principal, firm, measure, CaseState.APPROVED, now=now)
            granted += created
    return granted


def _opened(
    work: CaseWork,
    principal: Principal,
    firm: Firm,
    measure: tuple[str, str, str],
    state: CaseState,
    *,
    now: datetime,
) -> tuple[Case, bool]:
    measure_id, title_zh, title_en = measure
    case, created = work.cases.open(
        {
            "uscc": firm.uscc,
            "firm_name": firm.name,
            "province_code": firm.province_code,
            "measure_id": measure_id,
            "measure_title_zh": title_zh,
            "measure_title_en": title_en,
            "state": state.value,
            "opened_at": now,
            "opened_by": principal.subject,
            "updated_at": now,
        }
    )
    if created:
        granted = state is CaseState.APPROVED
        change = Change(
            case_id=case.id,
            at=now,
            actor=principal.subject,
            action=Action.GRANTED if granted else Action.OPENED,
            after=state.value,
            reason=GRANT_REASON if granted else "",
        )
        _record(work, case, change, previous=None)
    return case, created


def change_case(
    *,
    uow: CaseUnitOfWork,
    principal: Principal,
    case_id: int,
    version: int,
    command: Command,
    now: datetime,
) -> Case:
    """Apply `command` to the case the person saw at `version`; `CaseOutdated` if it changed
    since, `CaseRefused` if the case's rules refuse it, `NoCase` if the caller may not."""
    with uow.begin() as work:
        case = work.cases.get(case_id, for_update=True)
        if case is None or not may_see(principal, uscc=case.uscc, province_code=case.province_code):
            raise NoCase(case_id)
        _may_work_on(principal, case.uscc, case.province_code)
        if case.version != version:
            raise CaseOutdated
        changed, change = applied(case, command, actor=principal.subject, now=now)
        stored = work.cases.save(changed, expected_version=version)
        previous = case.state if stored.state is not case.state else None
        _record(work, stored, change, previous=previous)
        return stored


def case_of(
    *, uow: CaseUnitOfWork, principal: Principal, case_id: int
) -> tuple[Case, list[Change]]:
    """The case and its whole trail, if the caller may see it."""
    with uow.read() as work:
        case = work.cases.get(case_id)
        if case is None or not may_see(principal, uscc=case.uscc, province_code=case.province_code):
            raise NoCase(case_id)
        return case, work.cases.trail(case_id)


def cases_page(*, uow: CaseUnitOfWork, principal: Principal, chosen: CaseFilter) -> CasePage:
    """A page of the cases the caller may see among those `chosen`, with counts per state."""
    where = chosen.within(visible_to(principal))
    with uow.read() as work:
        found = work.cases.listed(where, limit=PAGE + 1)
        counts = work.cases.counts(where)
    last = found[PAGE - 1] if len(found) > PAGE else None
    return CasePage(
        cases=found[:PAGE],
        counts=counts,
        next_after=(last.updated_at, last.id) if last else None,
    )


def every_case(*, uow: CaseUnitOfWork, principal: Principal, chosen: CaseFilter) -> Iterator[Case]:
    """Every case a list shows, page after page (an export)."""
    while True:
        page = cases_page(uow=uow, principal=principal, chosen=chosen)
        yield from page.cases
        if page.next_after is None:
            return
        chosen = replace(chosen, after=page.next_after)


def tally(*, uow: CaseUnitOfWork, principal: Principal, measure_id: str) -> list[Tally]:
    """The measure's cases per province and state, in the provinces the caller may see."""
    if principal.role is Role.ENTERPRISE:
        return []
    with uow.read() as work:
        return work.cases.tally(measure_id, visible_to(principal).provinces)


def cases_of_firms(
    *, uow: CaseUnitOfWork, principal: Principal, usccs: list[str], measure_id: str
) -> dict[str, Case]:
    """The cases of `measure_id` of the firms listed (a work queue's page), those visible only."""
    with uow.read() as work:
        found = work.cases.open_for(usccs, measure_id)
    return {
        uscc: case
        for uscc, case in found.items()
        if may_see(principal, uscc=uscc, province_code=case.province_code)
    }


def _may_work_on(principal: Principal, uscc: str, province_code: str) -> None:
    """Caseworkers of the firm's province and admins work on cases; firms only read theirs."""
    if principal.role is Role.ENTERPRISE or not may_see(
        principal, uscc=uscc, province_code=province_code
    ):
        raise NoCase(uscc)


def _record(work: CaseWork, case: Case, change: Change, *, previous: CaseState | None) -> None:
    work.cases.record(change)
    work.outbox.publish([event_of(case, change, previous)])


def event_of(case: Case, change: Change, previous: CaseState | None) -> CaseChanged:
    return CaseChanged(
        case_id=case.id,
        uscc=case.uscc,
        province_code=case.province_code,
        measure_id=case.measure_id,
        measure_title_zh=case.measure_title_zh,
        measure_title_en=case.measure_title_en,
        state=case.state.value,
        previous_state=previous.value if previous else None,
        assignee=case.assignee,
        due_on=case.due_on.isoformat() if case.due_on else None,
        disbursed_fen=case.disbursed_fen,
        disbursed_on=case.disbursed_on.isoformat() if case.disbursed_on else None,
        action=change.action.value,
        actor=change.actor,
        reason=change.reason,
        changed_at=change.at.isoformat(),
        version=case.version,
    )
