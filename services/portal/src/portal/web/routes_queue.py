"""The caseworker's work queue: a measure's firms in its provinces by status and missing fact,
paged, and exported as CSV or XLSX."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from casework.use_cases.cases import cases_of_firms
from portal.domain.accounts import Account
from portal.domain.queue import OWNERSHIPS, REGIONS, SIZES, QueueFilters
from portal.use_cases import queue
from portal.web.deps import AccountDep, CasesDep, ServicesDep, VisitorDep
from portal.web.exports import write_csv, write_xlsx, written
from portal.web.pages import render
from supportmatch_reference.certifications import LABELS as CERTIFICATIONS
from supportmatch_reference.industries import catalogue as industries
from supportmatch_reference.regions import BY_CODE

router = APIRouter(tags=["work queue pages"])
DEFAULT_MEASURE = "vat-credit-refund"


class QueueQuery(BaseModel):
    """The page's address: its filters, each empty for "any"."""

    model_config = ConfigDict(extra="forbid")

    measure: str = Field(DEFAULT_MEASURE, pattern="^[a-z0-9-]{1,100}$")
    status: Literal["", "eligible", "possibly_eligible"] = ""
    province: str = Field("", pattern="^([1-6][0-9])?$")
    region: str = Field("", max_length=20)
    city: str = Field("", max_length=60)
    industry: str = Field("", max_length=5)
    size: str = Field("", max_length=20)
    ownership: str = Field("", max_length=20)
    certification: str = Field("", max_length=60)
    missing: str = Field("", max_length=60)
    q: str = Field("", max_length=50)
    case: Literal["", "open", "none"] = ""
    mine: bool = False
    after: str = Field("", pattern="^[0-9A-Z]{0,18}$")

    def filters(self, account: Account) -> QueueFilters:
        values = self.model_dump(exclude={"measure", "after", "mine"})
        return QueueFilters(
            measure=self.measure,
            assignee=account.username if self.mine else None,
            **{k: v or None for k, v in values.items()},
        )


QueueDep = Annotated[QueueQuery, Query()]


def _refuse_firms(account: Account) -> Response | None:
    return RedirectResponse(account.home, status_code=303) if account.uscc is not None else None


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    cases: CasesDep,
    services: ServicesDep,
    query: QueueDep,
) -> Response:
    if (away := _refuse_firms(account)) is not None:
        return away
    filters = query.filters(account)
    found = queue.page(services, account, filters, after=query.after or None)
    opened = cases_of_firms(
        uow=cases,
        principal=account.principal,
        usccs=[firm["uscc"] for firm in found["items"]],
        measure_id=filters.measure,
    )
    measures = [m for m in services.measures() if not m["ended"]]
    return render(
        request,
        visitor,
        "queue.html",
        found=found,
        opened=opened,
        filters=filters,
        paged=bool(query.after),
        measures=sorted(measures, key=lambda m: m["title_zh"]),
        provinces=[BY_CODE[code] for code in sorted(account.provinces)] or list(BY_CODE.values()),
        regions=REGIONS,
        sizes=SIZES,
        ownerships=OWNERSHIPS,
        certifications=CERTIFICATIONS,
        sections=[i for code, i in industries().items() if len(code) == 1],
        address=lambda **changes: "/queue?" + _encoded(filters.with_(**changes)),
        query_string=_encoded(filters.with_()),
    )


def _encoded(params: dict[str, str]) -> str:
    return "&".join(f"{key}={quote(value)}" for key, value in params.items())


_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


_FILE = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/queue/export.{kind}",
    response_class=StreamingResponse,
    responses={200: {"description": "The file", "content": dict.fromkeys(_MEDIA.values(), _FILE)}},
)
def export(
    visitor: VisitorDep,
    account: AccountDep,
    services: ServicesDep,
    query: QueueDep,
    kind: Annotated[Literal["csv", "xlsx"], Path()],
) -> Response:
    """Every firm the page's filters list, as CSV or XLSX."""
    if (away := _refuse_firms(account)) is not None:
        return away
    filters = query.filters(account)
    rows = queue.every_row(services, account, filters)
    if kind == "csv":
        file = written(write_csv, rows, visitor.language)
    else:
        file = written(write_xlsx, rows, visitor.language, visitor.t("queue.title"))
    name = f"work-queue-{filters.measure}.{kind}"
    return StreamingResponse(
        file,
        media_type=_MEDIA[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
