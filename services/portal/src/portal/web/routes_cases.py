"""Cases: the caseworker's list and each case's page with its changes and audit trail; a firm
reads the state of its own cases there too."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from casework.adapters.unit_of_work import CaseUnitOfWork
from casework.domain.cases import NEXT, OPEN, Case, CaseRefused, CaseState, yuan
from casework.domain.listing import CaseFilter
from casework.use_cases import cases as casework
from portal.use_cases import cases as case_forms
from portal.web.deps import (
    AccountDep,
    CasesDep,
    Csrf,
    FormDep,
    NowDep,
    ServicesDep,
    UowDep,
    VisitorDep,
)
from portal.web.messages import translate
from portal.web.pages import render
from portal.web.wording import china_time, value
from supportmatch_core.csvfiles import csv_header, csv_line

router = APIRouter(tags=["case pages"])
_USCC = re.compile("[0-9A-Z]{18}")
_MEASURE = re.compile("[a-z0-9-]{1,100}")


class CasesQuery(BaseModel):
    """The list's address: its filters, each empty for "any"."""

    model_config = ConfigDict(extra="forbid")

    state: str = Field("", pattern=f"^(open|{'|'.join(CaseState)})?$")
    measure: str = Field("", pattern="^[a-z0-9-]{0,100}$")
    mine: bool = False
    overdue: bool = False
    after: str = Field("", pattern=r"^([0-9T:.+-]{19,40}\|[0-9]{1,18})?$")

    @field_validator("after")
    @classmethod
    def _a_moment_and_a_case(cls, after: str) -> str:
        if after:
            moment = datetime.fromisoformat(after.partition("|")[0])  # ValueError: a 422 page
            if moment.tzinfo is None:
                raise ValueError("the page's moment has no time zone")
        return after

    def chosen(self, username: str, now: datetime) -> CaseFilter:
        states: frozenset[CaseState] = frozenset()
        if self.state == "open" or (not self.state and self.overdue):
            states = OPEN
        elif self.state:
            states = frozenset({CaseState(self.state)})
        after = None
        if self.after:
            at, case_id = self.after.split("|")
            after = (datetime.fromisoformat(at), int(case_id))
        return CaseFilter(
            measure_id=self.measure or None,
            states=states,
            assignee=username if self.mine else None,
            due_by=now.date() if self.overdue else None,
            after=after,
        )


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    cases: CasesDep,
    now: NowDep,
    query: Annotated[CasesQuery, Query()],
) -> HTMLResponse:
    page = casework.cases_page(
        uow=cases,
        principal=account.principal,
        chosen=query.chosen(account.username, now),
    )
    return render(
        request,
        visitor,
        "cases.html",
        page=page,
        query=query,
        states=list(CaseState),
        today=now.date(),
        yuan=yuan,
        firm=account.uscc is not None,
    )


@router.post("/cases", dependencies=[Csrf])
def open_case(
    account: AccountDep,
    cases: CasesDep,
    services: ServicesDep,
    now: NowDep,
    form: FormDep,
) -> Response:
    """Open the case of the firm and measure the form names (or go to the one that exists)."""
    uscc, measure = form.get("uscc", "").upper(), form.get("measure", "")
    if not (_USCC.fullmatch(uscc) and _MEASURE.fullmatch(measure)):
        raise HTTPException(422)
    case = case_forms.open_for(
        services=services,
        cases=cases,
        account=account,
        uscc=uscc,
        measure_id=measure,
        now=now,
    )
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


EXPORT_COLUMNS = ("name", "uscc", "province", "measure", "state", "assignee", "due", "paid",
                  "paid_on", "opened", "updated")  # fmt: skip


@router.get(
    "/cases/export.csv",
    response_class=Response,
    responses={200: {"description": "The file", "content": {"text/csv": {}}}},
)
def export_cases(
    visitor: VisitorDep,
    account: AccountDep,
    cases: CasesDep,
    now: NowDep,
    query: Annotated[CasesQuery, Query()],
) -> Response:
    """Every case the list's filters show, as CSV (UTF-8 with BOM) in the reader's language."""
    language = visitor.language
    found = casework.every_case(
        uow=cases, principal=account.principal, chosen=query.chosen(account.username, now)
    )
    text = csv_header([translate(f"cases.export.{c}", language) for c in EXPORT_COLUMNS])
    text += "".join(csv_line(_cells(case, language)) for case in found)
    return Response(
        text.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="cases.csv"'},
    )


def _cells(case: Case, language: str) -> list[str]:
    english = language == "en"
    return [
        case.firm_name,
        case.uscc,
        value("province_code", case.province_code, language),
        case.measure_title_en if english else case.measure_title_zh,
        case.state.en if english else case.state.zh,
        case.assignee or "",
        case.due_on.isoformat() if case.due_on else "",
        yuan(case.disbursed_fen) if case.disbursed_fen else "",
        case.disbursed_on.isoformat() if case.disbursed_on else "",
        china_time(case.opened_at),
        china_time(case.updated_at),
    ]


CaseId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    cases: CasesDep,
    uow: UowDep,
    case_id: CaseId,
) -> HTMLResponse:
    return _case_page(request, visitor, account, cases, uow, case_id)


@router.post("/cases/{case_id}", response_class=HTMLResponse, dependencies=[Csrf])
def change_case(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    cases: CasesDep,
    uow: UowDep,
    now: NowDep,
    case_id: CaseId,
    form: FormDep,
) -> Response:
    case, _ = casework.case_of(uow=cases, principal=account.principal, case_id=case_id)
    try:
        command = case_forms.command_of(
            form, assignees=case_forms.assignable(uow, case.province_code)
        )
        casework.change_case(
            uow=cases,
            principal=account.principal,
            case_id=case_id,
            version=_version(form.get("version", "")),
            command=command,
            now=now,
        )
    except CaseRefused as refused:
        return _case_page(
            request, visitor, account, cases, uow, case_id, refused=refused, form=form
        )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _version(text: str) -> int:
    """The case's version the page was made from; 0 (matching no case) when garbled."""
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else 0


def _case_page(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    cases: CaseUnitOfWork,
    uow: UowDep,
    case_id: int,
    *,
    refused: CaseRefused | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    case, trail = casework.case_of(uow=cases, principal=account.principal, case_id=case_id)
    working = account.uscc is None
    return render(
        request,
        visitor,
        "case.html",
        status=422 if refused else 200,
        case=case,
        trail=trail,
        onward=NEXT[case.state] if working else (),
        assignees=case_forms.assignable(uow, case.province_code) if working else [],
        working=working,
        refused=refused,
        form=form or {},
        yuan=yuan,
        shown=lambda value: _shown(value, visitor.language),
    )


def _shown(value: str | None, language: str) -> str:
    """A trail's before or after: a state in the reader's language, else as recorded."""
    if value in set(CaseState):
        state = CaseState(value)
        return state.en if language == "en" else state.zh
    return value or ""
