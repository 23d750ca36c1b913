"""The administrator's console: the catalogue, a draft editor that checks as one types, the
reach of a draft before it is published, publishing and retiring with confirmation, the log."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from portal.domain.accounts import Account
from portal.domain.drafts import Problem, shown
from portal.domain.reach import CHANGE_GROUPS, breakdowns
from portal.use_cases import catalogue_admin as console
from portal.use_cases.firm import CHINA
from portal.web.deps import AccountDep, Csrf, FormDep, NowDep, ServicesDep, VisitorDep
from portal.web.exports import write_reach_csv, written
from portal.web.pages import Visitor, render
from supportmatch_core.auth import Role

router = APIRouter(prefix="/admin", tags=["administrator pages"])
MeasureId = Annotated[str, Path(pattern="^[a-z0-9-]{1,100}$")]
Version = Annotated[int, Path(ge=1, le=100_000)]


def administrator(account: AccountDep) -> Account:
    if account.role is not Role.ADMIN:
        raise HTTPException(403)
    return account


AdminDep = Annotated[Account, Depends(administrator)]


def _today(now: NowDep) -> date:
    return now.astimezone(CHINA).date()


@router.get("", response_class=HTMLResponse)
def catalogue_page(
    request: Request,
    visitor: VisitorDep,
    account: AdminDep,
    services: ServicesDep,
) -> HTMLResponse:
    found = console.overview(services, account)
    return render(request, visitor, "admin_catalogue.html", overview=found)


@router.get("/measures/{measure_id}", response_class=HTMLResponse)
def measure_page(
    request: Request,
    visitor: VisitorDep,
    account: AdminDep,
    services: ServicesDep,
    measure_id: MeasureId,
    published: Annotated[int | None, Query(ge=1)] = None,
    changed: Annotated[int | None, Query(ge=0)] = None,
    retired: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    return _measure(request, visitor, account, services, measure_id, done={
        "published": published, "changed": changed, "retired": retired,
    })  # fmt: skip


def _measure(
    request: Request,
    visitor: Visitor,
    account: Account,
    services: ServicesDep,
    measure_id: str,
    *,
    done: dict[str, int | None] | None = None,
    outcome: console.Outcome | None = None,
) -> HTMLResponse:
    versions, drafts = console.versions(services, account, measure_id)
    refused = outcome or console.Outcome()
    return render(
        request,
        visitor,
        "admin_measure.html",
        status=refused.status,
        measure_id=measure_id,
        versions=versions,
        drafts=drafts,
        done=done or {},
        problems=refused.problems,
        today=request.app.state.clock().astimezone(CHINA).date().isoformat(),
    )


@router.post("/measures/{measure_id}/drafts", dependencies=[Csrf])
def start_draft(
    account: AdminDep, services: ServicesDep, measure_id: MeasureId, now: NowDep
) -> Response:
    version = console.start_draft(services, account, measure_id, today=_today(now))
    return RedirectResponse(f"/admin/measures/{measure_id}/drafts/{version}", status_code=303)


@router.get("/measures/{measure_id}/drafts/{version}", response_class=HTMLResponse)
def draft_page(
    request: Request,
    visitor: VisitorDep,
    account: AdminDep,
    services: ServicesDep,
    measure_id: MeasureId,
    version: Version,
    saved: bool = False,
) -> HTMLResponse:
    stored = console.draft(services, account, measure_id, version)
    text = shown(stored["document"])
    checked = console.check(services, account, measure_id, version, text)
    return _editor(request, visitor, stored, text, checked, saved=saved)


def _editor(
    request: Request,
    visitor: Visitor,
    stored: dict[str, object],
    text: str,
    checked: console.Checked,
    *,
    saved: bool = False,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        visitor,
        "admin_draft.html",
        status=status,
        draft=stored,
        text=text,
        checked=checked,
        saved=saved,
    )


@router.post(
    "/measures/{measure_id}/drafts/{version}/check",
    response_class=HTMLResponse,
    dependencies=[Csrf],
)
def check_draft(
    request: Request,
    visitor: VisitorDep,
    account: AdminDep,
    services: ServicesDep,
    form: FormDep,
    measure_id: MeasureId,
    version: Version,
) -> HTMLResponse:
    """The editor's verdict on the text typed so far (htmx swaps it in beside the editor)."""
    checked = console.check(services, account, measure_id, version, form.get("document", ""))
    return render(request, visitor, "partials/draft_check.html", checked=checked)


@router.post("/measures/{measure_id}/drafts/{version}", dependencies=[Csrf])
def save_draft(
    request: Request,
    visitor: VisitorDep,
    account: AdminDep,
    services: ServicesDep,
    form: FormDep,
    measure_id: MeasureId,
    version: Version,
) -> Response:
    text = form.get("document", "")
    checked = console.save(services, account, measure_id, version, text)
    if checked.problems:
        stored = console.draft(services, account, measure_id, version)
        return _editor(request, visitor, stored, text, checked, status=422)
    target = f"/admin/measures/{measure_id}/drafts/{version}?saved=1"
    return RedirectResponse(target, status_code=303)


@router.post("/measures/{measure_id}/drafts/{version}/discard", dependencies=[Csrf])
def discard_draft(
    account: AdminDep, services: ServicesDep, form: FormDep, measure_id: MeasureId, version: Version
) -> Response:
    if form.get("confirm") != "1":
        raise HTTPException(422)
    console.discard(services, account, measure_id, version)
    return RedirectResponse(f"/admin/measures/{measure_id}", status_code=303)


@router.get("/measures/{measure_id}/drafts/{version}/preview", response_class=HTMLResponse)
def preview_page(
    request: Request,
    visitor: VisitorDep,
    account: AdminDep,
    services: ServicesDep,
    measure_id: MeasureId,
    version: Version,
) -> HTMLResponse:
    return _preview(request, visitor, account, services, measure_id, version)


def _preview(
    request: Request,
    visitor: Visitor,
    account: Account,
    services: ServicesDep,
    measure_id: str,
    version: int,
    *,
    outcome: console.Outcome | None = None,
) -> HTMLResponse:
    refused = outcome or console.Outcome()
    stored, reach = services.together(
        lambda: console.draft(services, account, measure_id, version),
        lambda: console.preview(services, account, measure_id, version),
    )
    return render(
        request,
        visitor,
        "admin_preview.html",
        status=refused.status,
        draft=stored,
        reach=reach,
        tables=breakdowns(reach["firms"]),
        groups=CHANGE_GROUPS,
        problems=refused.problems,
    )


@router.get("/measures/{measure_id}/drafts/{version}/preview.csv")
def preview_csv(
    visitor: VisitorDep,
    account: AdminDep,
    services: ServicesDep,
    measure_id: MeasureId,
    version: Version,
) -> Response:
    """Every firm the draft would gain or lose, named, as a spreadsheet."""
    rows = (
        (group, firm)
        for group in CHANGE_GROUPS
        for firm in console.reached(services, account, measure_id, version, group)
    )
    body = written(write_reach_csv, rows, visitor.language)
    name = f"{measure_id}-v{version}-reach.csv"
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


UNCONFIRMED_PUBLISH = Problem(
    "confirm", "请先勾选确认，再发布", "tick the confirmation before publishing"
)
UNCONFIRMED_RETIRE = Problem(
    "confirm", "请先勾选确认，再废止", "tick the confirmation before retiring"
)


@router.post("/measures/{measure_id}/drafts/{version}/publish", dependencies=[Csrf])
def publish(
    request: Request,
    visitor: VisitorDep,
    account: AdminDep,
    services: ServicesDep,
    form: FormDep,
    measure_id: MeasureId,
    version: Version,
) -> Response:
    """Publish after the administrator confirmed the reach; `replaces` ends the version in force."""
    replaces = form.get("replaces", "")
    outcome = (
        console.publish(
            services,
            account,
            measure_id,
            version,
            replaces=int(replaces) if replaces.isdigit() else None,
        )
        if form.get("confirm") == "1"
        else console.unconfirmed(UNCONFIRMED_PUBLISH)
    )
    if outcome.problems:
        return _preview(request, visitor, account, services, measure_id, version, outcome=outcome)
    return _done(measure_id, published=version, changed=outcome.changed)


@router.post("/measures/{measure_id}/versions/{version}/retire", dependencies=[Csrf])
def retire(
    request: Request,
    visitor: VisitorDep,
    account: AdminDep,
    services: ServicesDep,
    form: FormDep,
    measure_id: MeasureId,
    version: Version,
) -> Response:
    outcome = (
        console.retire(
            services, account, measure_id, version, effective_on=form.get("effective_on", "")
        )
        if form.get("confirm") == "1"
        else console.unconfirmed(UNCONFIRMED_RETIRE)
    )
    if outcome.problems:
        return _measure(request, visitor, account, services, measure_id, outcome=outcome)
    return _done(measure_id, retired=version, changed=outcome.changed)


def _done(measure_id: str, **done: int) -> Response:
    """Back to the measure's page, which says what was done."""
    return RedirectResponse(f"/admin/measures/{measure_id}?{urlencode(done)}", status_code=303)
