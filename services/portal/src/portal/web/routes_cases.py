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
from casework.domain.cases import NEXT, OPEN, CaseRefused, CaseState, yuan
from casework.domain.listing import CaseFilter
from casework.use_cases import cases as casework
from portal.use_cases import cases
from portal.web.deps import AccountDep, Csrf, FormDep, NowDep, ServicesDep, UowDep, VisitorDep
from portal.web.pages import render

router = APIRouter(tags=["case pages"])
_USCC = re.compile("[0-9A-Z]{18}")
_MEASURE = re.compile("[a-z0-9-]{1,100}")


def _cases(request: Request) -> CaseUnitOfWork:
    uow: CaseUnitOfWork = request.app.state.cases
    return uow


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
    now: NowDep,
    query: Annotated[CasesQuery, Query()],
) -> HTMLResponse:
    page = casework.cases_page(
        uow=_cases(request),
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
    request: Request,
    account: AccountDep,
    services: ServicesDep,
    now: NowDep,
    form: FormDep,
) -> Response:
    """Open the case of the firm and measure the form names (or go to the one that exists)."""
    uscc, measure = form.get("uscc", "").upper(), form.get("measure", "")
    if not (_USCC.fullmatch(uscc) and _MEASURE.fullmatch(measure)):
        raise HTTPException(422)
    case = cases.open_for(
        services=services,
        cases=_cases(request),
        account=account,
        uscc=uscc,
        measure_id=measure,
        now=now,
    )
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


CaseId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, visitor: VisitorDep, account: AccountDep, uow: UowDep, case_id: CaseId
) -> HTMLResponse:
    return _case_page(request, visitor, account, uow, case_id)


@router.post("/cases/{case_id}", response_class=HTMLResponse, dependencies=[Csrf])
def change_case(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    uow: UowDep,
    now: NowDep,
    case_id: CaseId,
    form: FormDep,
) -> Response:
    case, _ = casework.case_of(uow=_cases(request), principal=account.principal, case_id=case_id)
    try:
        command = cases.command_of(form, assignees=cases.assignable(uow, case.province_code))
        casework.change_case(
            uow=_cases(request),
            principal=account.principal,
            case_id=case_id,
            version=_version(form.get("version", "")),
            command=command,
            now=now,
        )
    except CaseRefused as refused:
        return _case_page(request, visitor, account, uow, case_id, refused=refused, form=form)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _version(text: str) -> int:
    """The case's version the page was made from; 0 (matching no case) when garbled."""
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else 0


def _case_page(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    uow: UowDep,
    case_id: int,
    *,
    refused: CaseRefused | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    case, trail = casework.case_of(
        uow=_cases(request), principal=account.principal, case_id=case_id
    )
    working = account.uscc is None
    return render(
        request,
        visitor,
        "case.html",
        status=422 if refused else 200,
        case=case,
        trail=trail,
        onward=NEXT[case.state] if working else (),
        assignees=cases.assignable(uow, case.province_code) if working else [],
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
