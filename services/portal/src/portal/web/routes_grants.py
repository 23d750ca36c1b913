"""Support granted without application (免申即享): the list of firms that qualify on the data held,
for the granting department to confirm, per firm or the whole list at once."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.use_cases import grants, queue
from portal.web.deps import (
    AccountDep,
    CasesDep,
    Csrf,
    FormDep,
    FormListsDep,
    NowDep,
    ServicesDep,
    VisitorDep,
)
from portal.web.pages import render

router = APIRouter(tags=["grant pages"])
Measure = Annotated[str, Query(pattern="^[a-z0-9-]{0,100}$")]
After = Annotated[str, Query(pattern="^[0-9A-Z]{0,18}$")]


@router.get("/grants", response_class=HTMLResponse)
def grants_page(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    services: ServicesDep,
    measure: Measure = "",
    after: After = "",
    granted: Annotated[int | None, Query(ge=0, le=10**9)] = None,
) -> Response:
    if account.uscc is not None:
        return RedirectResponse(account.home, status_code=303)
    measures = grants.grantable(services)
    chosen = measure or (measures[0]["id"] if measures else "")
    found = (
        queue.page(services, account, grants.waiting(chosen), after=after or None)
        if chosen
        else None
    )
    return render(
        request,
        visitor,
        "grants.html",
        measures=measures,
        measure=chosen,
        found=found,
        paged=bool(after),
        granted=granted,
    )


@router.post("/grants", dependencies=[Csrf])
def confirm(
    account: AccountDep,
    cases: CasesDep,
    services: ServicesDep,
    now: NowDep,
    form: FormDep,
    lists: FormListsDep,
) -> Response:
    """Grant the measure to the firms ticked, or (`all`) to every firm on the list."""
    measure = form.get("measure", "")
    usccs = [u.upper() for u in lists.get("uscc", [])]
    if account.uscc is not None or not measure or not (usccs or form.get("all")):
        raise HTTPException(422)
    if len(usccs) > 200 or not all(len(u) == 18 and u.isalnum() for u in usccs):
        raise HTTPException(422)
    granted = grants.confirm(
        services=services,
        cases=cases,
        account=account,
        measure_id=measure,
        usccs=None if form.get("all") else usccs,
        now=now,
    )
    return RedirectResponse(f"/grants?measure={quote(measure)}&granted={granted}", status_code=303)
