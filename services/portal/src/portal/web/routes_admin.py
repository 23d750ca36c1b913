"""The administrator's console: the catalogue, a draft editor that checks as one types, the
reach of a draft before it is published, publishing and retiring with confirmation, the log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from portal.adapters.services import Services
from portal.domain.accounts import Account
from portal.domain.drafts import Problem, overlaps, shown
from portal.domain.reach import CHANGE_GROUPS, breakdowns
from portal.use_cases import catalogue_admin as console
from portal.use_cases.firm import CHINA
from portal.web.deps import AccountDep, Csrf, FormDep, ServicesDep, VisitorDep
from portal.web.exports import write_reach_csv, written
from portal.web.pages import Visitor, render
from supportmatch_core.auth import Role

router = APIRouter(prefix="/admin", tags=["administrator pages"])
MeasureId = Annotated[str, Path(pattern="^[a-z0-9-]{1,100}$")]
Version = Annotated[int, Path(ge=1, le=100_000)]
UNCONFIRMED_PUBLISH = Problem(
    "confirm", "请先勾选确认，再发布", "tick the confirmation before publishing"
)
UNCONFIRMED_RETIRE = Problem(
    "confirm", "请先勾选确认，再废止", "tick the confirmation before retiring"
)


@dataclass(frozen=True, slots=True)
class Console:
    """An administrator at a console page: who, in which language, and the services to ask."""

    request: Request
    visitor: Visitor
    account: Account
    services: Services

    def render(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        return render(self.request, self.visitor, template, status=status, **context)

    @property
    def today(self) -> date:
        now: datetime = self.request.app.state.clock()
        return now.astimezone(CHINA).date()


def administrator(
    request: Request, visitor: VisitorDep, account: AccountDep, services: ServicesDep
) -> Console:
    if account.role is not Role.ADMIN:
        raise HTTPException(403)
    return Console(request, visitor, account, services)


AdminDep = Annotated[Console, Depends(administrator)]


@router.get("", response_class=HTMLResponse)
def catalogue_page(page: AdminDep) -> HTMLResponse:
    return page.render(
        "admin_catalogue.html", overview=console.overview(page.services, page.account)
    )


@router.get("/measures/{measure_id}", response_class=HTMLResponse)
def measure_page(
    page: AdminDep,
    measure_id: MeasureId,
    published: Annotated[int | None, Query(ge=1)] = None,
    changed: Annotated[int | None, Query(ge=0)] = None,
    retired: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    done = {"published": published, "changed": changed, "retired": retired}
    return _measure(page, measure_id, done=done)


def _measure(
    page: Console,
    measure_id: str,
    *,
    done: dict[str, int | None] | None = None,
    outcome: console.Outcome | None = None,
) -> HTMLResponse:
    versions, drafts = console.versions(page.services, page.account, measure_id)
    refused = outcome or console.Outcome()
    return page.render(
        "admin_measure.html",
        status=refused.status,
        measure_id=measure_id,
        versions=versions,
        drafts=drafts,
        done=done or {},
        problems=refused.problems,
        today=page.today.isoformat(),
    )


@router.post("/measures/{measure_id}/drafts", dependencies=[Csrf])
def start_draft(page: AdminDep, measure_id: MeasureId) -> Response:
    version = console.start_draft(page.services, page.account, measure_id, today=page.today)
    return RedirectResponse(f"/admin/measures/{measure_id}/drafts/{version}", status_code=303)


@router.get("/measures/{measure_id}/drafts/{version}", response_class=HTMLResponse)
def draft_page(
    page: AdminDep, measure_id: MeasureId, version: Version, saved: bool = False
) -> HTMLResponse:
    stored = console.draft(page.services, page.account, measure_id, version)
    text = shown(stored["document"])
    checked = console.check(page.services, page.account, measure_id, version, text)
    return page.render("admin_draft.html", draft=stored, text=text, checked=checked, saved=saved)


@router.post(
    "/measures/{measure_id}/drafts/{version}/check",
    response_class=HTMLResponse,
    dependencies=[Csrf],
)
def check_draft(
    page: AdminDep, form: FormDep, measure_id: MeasureId, version: Version
) -> HTMLResponse:
    """The editor's verdict on the text typed so far (htmx swaps it in beside the editor)."""
    text = form.get("document", "")
    checked = console.check(page.services, page.account, measure_id, version, text)
    return page.render("partials/draft_check.html", checked=checked)


@router.post("/measures/{measure_id}/drafts/{version}", dependencies=[Csrf])
def save_draft(page: AdminDep, form: FormDep, measure_id: MeasureId, version: Version) -> Response:
    text = form.get("document", "")
    checked = console.save(page.services, page.account, measure_id, version, text)
    if checked.problems:  # the text stays as typed, with what is wrong beside it
        stored = console.draft(page.services, page.account, measure_id, version)
        return page.render("admin_draft.html", status=422, draft=stored, text=text, checked=checked)
    target = f"/admin/measures/{measure_id}/drafts/{version}?saved=1"
    return RedirectResponse(target, status_code=303)


@router.post("/measures/{measure_id}/drafts/{version}/discard", dependencies=[Csrf])
def discard_draft(
    page: AdminDep, form: FormDep, measure_id: MeasureId, version: Version
) -> Response:
    if form.get("confirm") != "1":
        raise HTTPException(422)
    console.discard(page.services, page.account, measure_id, version)
    return RedirectResponse(f"/admin/measures/{measure_id}", status_code=303)


@router.get("/measures/{measure_id}/drafts/{version}/preview", response_class=HTMLResponse)
def preview_page(page: AdminDep, measure_id: MeasureId, version: Version) -> HTMLResponse:
    return _preview(page, measure_id, version)


def _preview(
    page: Console, measure_id: str, version: int, *, outcome: console.Outcome | None = None
) -> HTMLResponse:
    refused = outcome or console.Outcome()
    stored, reach, latest = page.services.together(
        lambda: console.draft(page.services, page.account, measure_id, version),
        lambda: console.preview(page.services, page.account, measure_id, version),
        lambda: page.services.measure(measure_id),
    )
    return page.render(
        "admin_preview.html",
        status=refused.status,
        draft=stored,
        reach=reach,
        tables=breakdowns(reach["firms"]),
        overlaps=overlaps(latest, stored["document"]),
        groups=CHANGE_GROUPS,
        problems=refused.problems,
    )


@router.get("/measures/{measure_id}/drafts/{version}/preview.csv")
def preview_csv(page: AdminDep, measure_id: MeasureId, version: Version) -> Response:
    """Every firm the draft would gain or lose, named, as a spreadsheet."""
    rows = (
        (group, firm)
        for group in CHANGE_GROUPS
        for firm in console.reached(page.services, page.account, measure_id, version, group)
    )
    body = written(write_reach_csv, rows, page.visitor.language)
    name = f"{measure_id}-v{version}-reach.csv"
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/measures/{measure_id}/drafts/{version}/publish", dependencies=[Csrf])
def publish(page: AdminDep, form: FormDep, measure_id: MeasureId, version: Version) -> Response:
    """Publish after the administrator confirmed the reach; `replaces` ends the version in force."""
    replaces = form.get("replaces", "")
    outcome = (
        console.publish(
            page.services,
            page.account,
            measure_id,
            version,
            replaces=int(replaces) if replaces.isdigit() else None,
        )
        if form.get("confirm") == "1"
        else console.refused_here(UNCONFIRMED_PUBLISH)
    )
    if outcome.problems:
        return _preview(page, measure_id, version, outcome=outcome)
    return _done(measure_id, published=version, changed=outcome.changed)


@router.post("/measures/{measure_id}/versions/{version}/retire", dependencies=[Csrf])
def retire(page: AdminDep, form: FormDep, measure_id: MeasureId, version: Version) -> Response:
    effective_on = form.get("effective_on", "")
    outcome = (
        console.retire(page.services, page.account, measure_id, version, effective_on=effective_on)
        if form.get("confirm") == "1"
        else console.refused_here(UNCONFIRMED_RETIRE)
    )
    if outcome.problems:
        return _measure(page, measure_id, outcome=outcome)
    return _done(measure_id, retired=version, changed=outcome.changed)


def _done(measure_id: str, **done: int) -> Response:
    """Back to the measure's page, which says what was done."""
    return RedirectResponse(f"/admin/measures/{measure_id}?{urlencode(done)}", status_code=303)
