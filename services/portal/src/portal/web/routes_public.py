"""Pages for everyone: the home page, the self-check wizard, and the catalogue of measures."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from portal.domain import catalogue as measures
from portal.domain.facts import FIELDS, SIZE_FIELDS
from portal.domain.industries import division_of, search_industries
from portal.domain.themes import THEMES, theme_of
from portal.domain.wizard import OWNERSHIPS, STEPS, Step, read_answers
from portal.use_cases.self_check import advance
from portal.web.deps import Csrf, FormDep, NowDep, ServicesDep, VisitorDep
from portal.web.pages import render
from supportmatch_reference.industries import catalogue as industries
from supportmatch_reference.regions import PROVINCES

router = APIRouter(tags=["public pages"])
CHINA = ZoneInfo("Asia/Shanghai")
Text = Annotated[str | None, Query(max_length=100)]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, visitor: VisitorDep) -> HTMLResponse:
    return render(request, visitor, "home.html")


def _wizard(
    request: Request, visitor: VisitorDep, services: ServicesDep, form: dict[str, str]
) -> HTMLResponse:
    back = form.get("back")
    answers = read_answers(form, back_to=Step(back) if back in STEPS else None)
    view = advance(services, answers)
    query = form.get("q", "").strip()[:50]
    return render(
        request,
        visitor,
        "self_check.html",
        view=view,
        steps=STEPS,
        found=search_industries(query) if query else [],
        query=query,
        chosen=industries().get(view.answers.industry or ""),
        provinces=PROVINCES,
        ownerships=OWNERSHIPS,
        fields=FIELDS,
        size_fields=SIZE_FIELDS,
        status=422 if view.answers.errors else 200,
    )


@router.get("/self-check", response_class=HTMLResponse)
def self_check_start(
    request: Request, visitor: VisitorDep, services: ServicesDep, q: Text = None
) -> HTMLResponse:
    """The first step; `q` searches industries without JavaScript."""
    return _wizard(request, visitor, services, {"q": q or ""})


@router.post("/self-check", response_class=HTMLResponse, dependencies=[Csrf])
def self_check_step(
    request: Request, visitor: VisitorDep, services: ServicesDep, form: FormDep
) -> HTMLResponse:
    return _wizard(request, visitor, services, form)


@router.get("/self-check/industries", response_class=HTMLResponse)
def industry_choices(request: Request, visitor: VisitorDep, q: Text = None) -> HTMLResponse:
    """The industries matching `q`, as the list the search box fills in place."""
    query = (q or "").strip()
    return render(
        request,
        visitor,
        "partials/industry_choices.html",
        found=search_industries(query) if query else [],
        query=query,
        chosen=None,
        division_of=division_of,
    )


@router.get("/policies", response_class=HTMLResponse)
def policies(
    request: Request,
    visitor: VisitorDep,
    services: ServicesDep,
    now: NowDep,
    theme: Annotated[str | None, Query(pattern="^[a-z]{0,20}$")] = None,
    clause: Annotated[str | None, Query(max_length=10)] = None,
    department: Text = None,
    keyword: Text = None,
) -> HTMLResponse:
    catalogue = services.measures()
    filters = measures.Filters(
        theme=theme or None,
        clause=clause or None,
        department=department or None,
        keyword=keyword or None,
    )
    if filters.theme and filters.theme not in {t.key for t in THEMES}:
        filters = measures.Filters(None, filters.clause, filters.department, filters.keyword)
    return render(
        request,
        visitor,
        "policies.html",
        found=measures.find(catalogue, filters),
        filters=filters,
        themes=THEMES,
        theme_of=theme_of,
        clauses=measures.clauses(catalogue),
        departments=measures.departments(catalogue),
        phase=measures.phase,
        today=now.astimezone(CHINA).date(),
    )


@router.get("/policies/{measure_id}", response_class=HTMLResponse)
def policy(
    request: Request,
    visitor: VisitorDep,
    services: ServicesDep,
    now: NowDep,
    measure_id: Annotated[str, Path(pattern="^[a-z0-9-]{1,100}$")],
) -> HTMLResponse:
    measure = services.measure(measure_id)
    versions = services.call("eligibility", "GET", f"/v1/measures/{measure_id}/versions")
    return render(
        request,
        visitor,
        "policy.html",
        measure=measure,
        versions=versions,
        conditions=services.conditions(measure),
        theme=theme_of(measure["clause"]),
        phase=measures.phase(measure, now.astimezone(CHINA).date()),
    )
