"""The portal's side of casework: a case opened from what the services say of the firm and the
measure, forms read into the case's commands, the caseworkers a case can be given to."""

from __future__ import annotations

from datetime import date, datetime

from casework.adapters.unit_of_work import CaseUnitOfWork
from casework.domain.cases import Case, CaseRefused, CaseState
from casework.domain.changes import Assign, Attach, Command, Move, Note, SetDue
from casework.use_cases.cases import Firm, NoCase, open_case
from portal.adapters import accounts
from portal.adapters.services import Services
from portal.domain.accounts import Account
from portal.use_cases import firm as firms
from supportmatch_core.db import UnitOfWork


def open_for(
    *,
    services: Services,
    cases: CaseUnitOfWork,
    account: Account,
    uscc: str,
    measure_id: str,
    now: datetime,
) -> Case:
    """The firm's case of the measure, opened unless it exists. The firm is read from the
    profiles service as the signed-in person, so its rule decides who may open it."""
    profile = firms.profile(services, account, uscc)
    measure = next((m for m in services.measures() if m["id"] == measure_id), None)
    if measure is None:
        raise NoCase(measure_id)
    return open_case(
        uow=cases,
        principal=account.principal,
        firm=Firm(
            uscc=profile["uscc"], name=profile["name"], province_code=profile["province"]["code"]
        ),
        measure_id=measure_id,
        measure_title_zh=measure["title_zh"],
        measure_title_en=measure["title_en"],
        now=now,
    )


def assignable(uow: UnitOfWork, province_code: str) -> list[Account]:
    """The enabled caseworkers who serve the province."""
    with uow.read() as connection:
        found = accounts.caseworkers(connection)
    return [a for a, enabled in found if enabled and province_code in a.provinces]


def command_of(form: dict[str, str], *, assignees: list[Account]) -> Command:
    """The change a case page's form asks for; `CaseRefused` naming what is wrong."""
    kind = form.get("kind", "")
    if kind == "move":
        try:
            to = CaseState(form.get("to", ""))
        except ValueError:
            raise CaseRefused("请选择新的状态", "choose the new state") from None
        return Move(
            to=to, reason=form.get("reason", ""), amount=form.get("amount", ""), on=_day(form, "on")
        )
    if kind == "assign":
        assignee = form.get("assignee", "") or None
        if assignee is not None and assignee not in {a.username for a in assignees}:
            raise CaseRefused(
                "只能指派给服务该省份的经办人员", "assign to a caseworker of the firm's province"
            )
        return Assign(to=assignee)
    if kind == "due":
        return SetDue(on=_day(form, "due_on"))
    if kind == "note":
        return Note(text=form.get("text", ""))
    if kind == "attach":
        return Attach(reference=form.get("reference", ""))
    raise CaseRefused("无法识别的操作", "an unknown change")


def _day(form: dict[str, str], name: str) -> date | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CaseRefused(
            "日期请按“年-月-日”填写，如 2026-12-31", "write the date as YYYY-MM-DD"
        ) from None
