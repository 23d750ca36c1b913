"""A firm's own pages: its profile and history, its measures with what is missing, live updates,
its report as PDF; and, for caseworkers and admins, finding a firm."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.adapters.services import ServiceRefused
from portal.domain.facts import FIELDS, parse_fields
from portal.use_cases import firm
from portal.use_cases.profile_form import FLAG_FIELDS, read_profile_form, service_errors
from portal.web.deps import AccountDep, Csrf, FormDep, NowDep, ServicesDep, VisitorDep
from portal.web.pages import render
from portal.web.report import report_file
from supportmatch_reference.regions import BY_CODE

router = APIRouter(tags=["firm pages"])
Uscc = Annotated[str, Path(pattern="^[0-9A-Za-z]{18}$")]
YEAR_FIELDS = [name for name, f in FIELDS.items() if f.home == "year"]


@router.get("/firms", response_class=HTMLResponse)
def find_firm(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    services: ServicesDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    if account.uscc is not None:
        return RedirectResponse(account.home, status_code=303)
    found = firm.firms(services, account, q) if q else []
    return render(request, visitor, "firms.html", found=found, query=q or "", provinces=BY_CODE)


@router.get("/firms/{uscc}", response_class=HTMLResponse)
def profile_page(
    request: Request, visitor: VisitorDep, account: AccountDep, services: ServicesDep, uscc: Uscc
) -> HTMLResponse:
    profile = firm.profile(services, account, uscc)
    return render(
        request, visitor, "firm_profile.html", firm=profile, fields=FIELDS, flags=FLAG_FIELDS
    )


@router.get("/firms/{uscc}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request, visitor: VisitorDep, account: AccountDep, services: ServicesDep, uscc: Uscc
) -> HTMLResponse:
    profile = firm.profile(services, account, uscc)
    return _edit(request, visitor, profile, form=None, errors={})


def _edit(
    request: Request,
    visitor: VisitorDep,
    profile: dict[str, Any],
    *,
    form: dict[str, str] | None,
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        visitor,
        "firm_edit.html",
        status=status,
        firm=profile,
        form=form,
        errors=errors,
        fields=FIELDS,
        flags=FLAG_FIELDS,
    )


@router.post("/firms/{uscc}/edit", response_class=HTMLResponse, dependencies=[Csrf])
def edit_profile(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    services: ServicesDep,
    uscc: Uscc,
    form: FormDep,
    now: NowDep,
) -> Response:
    # The firm is the one in the path, checked against the account; no form field names it.
    profile = firm.profile(services, account, uscc)
    changes, errors = read_profile_form(form, profile, now.date())
    year_values, year_errors = parse_fields(YEAR_FIELDS, form)
    errors.update(year_errors)
    if errors:
        return _edit(request, visitor, profile, form=form, errors=errors, status=422)
    if changes:
        try:
            firm.change_profile(services, account, uscc, changes)
        except ServiceRefused as refused:
            if refused.status != 422:
                raise
            errors = service_errors(refused.errors)
            return _edit(request, visitor, profile, form=form, errors=errors, status=422)
    firm.replace_year_facts(services, account, uscc, year_values, now=now)
    return RedirectResponse(f"/firms/{profile['uscc']}?saved=1", status_code=303)


@router.post("/firms/{uscc}/facts", response_class=HTMLResponse, dependencies=[Csrf])
def provide_facts(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    services: ServicesDep,
    uscc: Uscc,
    form: FormDep,
    now: NowDep,
) -> Response:
    """Add the facts typed into a measure's gap form; in place (htmx) or by a new page."""
    names = [name for name in FIELDS if name in form]
    errors = firm.provide_facts(services, account, uscc, form, names, now=now)
    if errors or request.headers.get("HX-Request"):
        return _answers(
            request,
            visitor,
            account,
            services,
            uscc,
            errors=errors,
            form=form,
            submitted=not errors,
        )
    return RedirectResponse(f"/firms/{uscc.upper()}/measures", status_code=303)


@router.get("/firms/{uscc}/history", response_class=HTMLResponse)
def history_page(
    request: Request, visitor: VisitorDep, account: AccountDep, services: ServicesDep, uscc: Uscc
) -> HTMLResponse:
    profile = firm.profile(services, account, uscc)
    return render(
        request,
        visitor,
        "firm_history.html",
        firm=profile,
        history=firm.history(services, account, uscc),
    )


@router.get("/firms/{uscc}/measures", response_class=HTMLResponse)
def measures_page(
    request: Request, visitor: VisitorDep, account: AccountDep, services: ServicesDep, uscc: Uscc
) -> HTMLResponse:
    found = firm.answers(services, account, uscc)
    return render(
        request,
        visitor,
        "firm_measures.html",
        firm=found.profile,
        groups=found.groups,
        marker=marker(found.groups),
        errors={},
        form={},
        submitted=False,
    )


_PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
_NO_PDF = {"text/html": {"schema": {"type": "string"}}}


@router.get(
    "/firms/{uscc}/report.pdf",
    response_class=Response,
    responses={
        200: {"description": "The firm's report", "content": _PDF},
        503: {"description": "This machine cannot make PDF files", "content": _NO_PDF},
    },
)
def report(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    services: ServicesDep,
    uscc: Uscc,
    now: NowDep,
) -> Response:
    """What the measures page shows of the firm, with its profile, as a PDF to keep or send."""
    return report_file(request, visitor, firm.answers(services, account, uscc), made_at=now)


def marker(groups: dict[str, list[dict[str, Any]]]) -> str:
    """A digest of the answers a page shows; a poll that finds it unchanged has nothing to do."""
    shown = sorted(
        (d["measure"]["id"], d["status"], [m["fact"] for m in d.get("missing_facts") or []])
        for members in groups.values()
        for d in members
    )
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:16]


def _answers(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    services: ServicesDep,
    uscc: str,
    *,
    errors: dict[str, str],
    form: dict[str, str],
    submitted: bool,
) -> HTMLResponse:
    groups = firm.measures(services, account, uscc)
    return render(
        request,
        visitor,
        "partials/answers.html",
        status=422 if errors else 200,
        uscc=uscc.upper(),
        groups=groups,
        marker=marker(groups),
        errors=errors,
        form=form,
        submitted=submitted,
    )


@router.get("/firms/{uscc}/measures/answers", response_class=HTMLResponse)
def answers_section(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    services: ServicesDep,
    uscc: Uscc,
    since: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """The answers section for the page's poll: 204 when nothing changed since `since`."""
    groups = firm.measures(services, account, uscc)
    current = marker(groups)
    if since == current:
        return Response(status_code=204)
    return render(
        request,
        visitor,
        "partials/answers.html",
        uscc=uscc.upper(),
        groups=groups,
        marker=current,
        errors={},
        form={},
        submitted=False,
    )
