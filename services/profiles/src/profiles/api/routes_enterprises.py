"""HTTP routes for enterprises: register, read, change, list, export, history."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import StreamingResponse

from profiles.api.deps import USCC, UowDep
from profiles.api.schemas import (
    EnterpriseCreate,
    EnterpriseFilters,
    EnterprisePage,
    EnterpriseSummary,
    EnterpriseUpdate,
    ListParameters,
)
from profiles.domain.model import Profile
from profiles.domain.snapshot import snapshot_data
from profiles.domain.versions import size_of
from profiles.use_cases import enterprises
from profiles.use_cases.ports import Row
from supportmatch_core.auth import CurrentPrincipal
from supportmatch_core.csvfiles import csv_header, csv_line
from supportmatch_core.openapi import CONFLICT, created, link
from supportmatch_core.problems import Invalid
from supportmatch_core.streams import closed_when_done
from supportmatch_reference.regions import BY_CODE

router = APIRouter(prefix="/v1", tags=["enterprises"])


def present(profile: Profile) -> dict[str, Any]:
    """The representation of an enterprise: the same document as its latest snapshot event."""
    return snapshot_data(profile, size_of(profile))


_BY_USCC = "$response.body#/uscc"


@router.post(
    "/enterprises",
    status_code=status.HTTP_201_CREATED,
    responses={
        **created(
            "The enterprise as registered",
            read=link("get", "/v1/enterprises/{uscc}", uscc=_BY_USCC),
            change=link("patch", "/v1/enterprises/{uscc}", uscc=_BY_USCC),
            history=link("get", "/v1/enterprises/{uscc}/history", uscc=_BY_USCC),
            certify=link("post", "/v1/enterprises/{uscc}/certifications", uscc=_BY_USCC),
        ),
        **CONFLICT,
    },
)
def create_enterprise(
    body: EnterpriseCreate,
    principal: CurrentPrincipal,
    uow: UowDep,
    response: Response,
) -> dict[str, Any]:
    """Register an enterprise; its snapshot is published as enterprise.profile.v1."""
    with uow.begin() as work:
        profile = enterprises.register(work, principal=principal, profile=body.to_profile())
    response.headers["Location"] = f"/v1/enterprises/{profile.enterprise.uscc}"
    response.headers["ETag"] = f'"{profile.enterprise.version}"'
    return present(profile)


@router.get("/enterprises/{uscc}")
def read_enterprise(
    uscc: USCC, principal: CurrentPrincipal, uow: UowDep, response: Response
) -> dict[str, Any]:
    """One enterprise with its facts by year, certifications and size class."""
    with uow.read() as work:
        profile = enterprises.load(work, principal, uscc.upper())
    response.headers["ETag"] = f'"{profile.enterprise.version}"'
    return present(profile)


@router.patch("/enterprises/{uscc}", responses=CONFLICT)
def update_enterprise(
    uscc: USCC,
    body: EnterpriseUpdate,
    principal: CurrentPrincipal,
    uow: UowDep,
    response: Response,
) -> dict[str, Any]:
    """Change the fields given; a real change makes a new version and publishes a snapshot."""

    def edit(profile: Profile) -> Profile:
        try:
            return body.apply(profile)
        except ValueError as error:
            raise Invalid("body", str(error), zh=getattr(error, "zh", None)) from error

    with uow.begin() as work:
        profile = enterprises.change(work, principal=principal, uscc=uscc.upper(), edit=edit)
    response.headers["ETag"] = f'"{profile.enterprise.version}"'
    return present(profile)


@router.get("/enterprises/{uscc}/history")
def enterprise_history(
    uscc: USCC, principal: CurrentPrincipal, uow: UowDep
) -> list[dict[str, Any]]:
    """Every version, newest first: who changed what, and when."""
    with uow.read() as work:
        return enterprises.history(work, principal=principal, uscc=uscc.upper())


@router.get("/enterprises")
def list_enterprises(
    principal: CurrentPrincipal, uow: UowDep, params: Annotated[ListParameters, Query()]
) -> EnterprisePage:
    """Enterprises the caller may see, filtered, in USCC order; pass next_cursor for more."""
    filters = params.filters()
    with uow.read() as work:
        rows = enterprises.page(
            work, principal=principal, filters=filters, after=params.cursor, limit=params.limit
        )
    items = [_summary(row) for row in rows]
    next_cursor = items[-1].uscc if len(items) == params.limit else None
    return EnterprisePage(items=items, next_cursor=next_cursor)


def _summary(row: Row) -> EnterpriseSummary:
    return EnterpriseSummary(
        uscc=row.uscc,
        name=row.name,
        province_code=row.province_code,
        region=BY_CODE[row.province_code].region.value,
        industry_code=row.industry_code,
        ownership=row.ownership,
        size_class=row.size_class,
        version=row.version,
    )


CSV_COLUMNS = [*EnterpriseSummary.model_fields, "name_en", "city", "registration_date"]


@router.get("/enterprises.csv", response_class=StreamingResponse)
def export_enterprises(
    principal: CurrentPrincipal, uow: UowDep, params: Annotated[EnterpriseFilters, Query()]
) -> StreamingResponse:
    """The filtered list as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese names)."""
    filters = params.filters()

    def lines() -> Iterator[str]:
        yield csv_header(CSV_COLUMNS)
        with uow.read() as work:
            for row in enterprises.every(work, principal=principal, filters=filters):
                attributes = row.attributes or {}
                yield csv_line(
                    [
                        *_summary(row).model_dump().values(),
                        attributes.get("name_en") or "",
                        attributes.get("city") or "",
                        attributes.get("registration_date") or "",
                    ]
                )

    return StreamingResponse(
        closed_when_done(lines()),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="enterprises.csv"'},
    )
