"""The caseworker's dashboard: one measure's firms and cases in each province it serves, as a
table, a funnel and a CSV file of the same figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from casework.adapters.unit_of_work import CaseUnitOfWork
from casework.domain.cases import yuan
from portal.adapters.services import Services
from portal.domain.accounts import Account
from portal.domain.dashboard import Figures
from portal.use_cases import dashboard
from portal.web.deps import AccountDep, CasesDep, ServicesDep, VisitorDep
from portal.web.messages import translate
from portal.web.pages import render
from portal.web.routes_queue import DEFAULT_MEASURE
from portal.web.wording import counted, value
from supportmatch_core.csvfiles import csv_header, csv_line

router = APIRouter(tags=["dashboard pages"])
Measure = Annotated[str, Query(pattern="^[a-z0-9-]{1,100}$")]
COLUMNS = ("province", "eligible", "possibly_eligible", "newly_eligible", "opened", "working",
           "approved", "disbursed", "rejected", "paid", "sent", "failed")  # fmt: skip


def _shown(figures: Figures, language: str) -> list[str]:
    """One row as the page and the file show it."""
    place = (
        value("province_code", figures.province_code, language)
        if figures.province_code
        else translate("dashboard.total", language)
    )

    return [
        place,
        counted(figures.eligible, figures.counted_to),
        counted(figures.possibly_eligible, figures.counted_to),
        f"{figures.newly_eligible:,}",
        f"{figures.opened:,}",
        f"{figures.working:,}",
        f"{figures.approved:,}",
        f"{figures.disbursed:,}",
        f"{figures.rejected:,}",
        yuan(figures.disbursed_fen),
        f"{figures.sent:,}",
        f"{figures.failed:,}",
    ]


def _figures(
    account: Account, cases: CaseUnitOfWork, services: Services, measure: str
) -> list[Figures] | Response:
    """The measure's figures for a caseworker or admin; a firm is sent to its own page."""
    if account.uscc is not None:
        return RedirectResponse(account.home, status_code=303)
    return dashboard.figures(services, cases, account, measure)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    cases: CasesDep,
    services: ServicesDep,
    measure: Measure = DEFAULT_MEASURE,
) -> Response:
    rows = _figures(account, cases, services, measure)
    if isinstance(rows, Response):
        return rows
    total = rows[-1]
    funnel = [
        ("could", total.eligible + total.possibly_eligible),
        ("opened", total.opened),
        ("approved", total.approved),
        ("disbursed", total.disbursed),
    ]
    return render(
        request,
        visitor,
        "dashboard.html",
        measure=measure,
        measures=sorted(
            (m for m in services.measures() if not m["ended"]), key=lambda m: m["title_zh"]
        ),
        columns=COLUMNS,
        rows=[_shown(row, visitor.language) for row in rows],
        funnel=funnel,
        widest=max(n for _, n in funnel) or 1,
    )


@router.get(
    "/dashboard.csv",
    response_class=Response,
    responses={200: {"description": "The file", "content": {"text/csv": {}}}},
)
def dashboard_file(
    visitor: VisitorDep,
    account: AccountDep,
    cases: CasesDep,
    services: ServicesDep,
    measure: Measure = DEFAULT_MEASURE,
) -> Response:
    """The dashboard's table as CSV (UTF-8 with BOM) in the reader's language."""
    rows = _figures(account, cases, services, measure)
    if isinstance(rows, Response):
        return rows
    language = visitor.language
    text = csv_header([translate(f"dashboard.column.{c}", language) for c in COLUMNS])
    text += "".join(csv_line(_shown(row, language)) for row in rows)
    name = f"dashboard-{measure}.csv"
    return Response(
        text.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
