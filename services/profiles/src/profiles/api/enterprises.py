"""HTTP routes for enterprises: register, read, change, list, export, history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import StreamingResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from profiles import service
from profiles.adapters import search
from profiles.api.deps import USCC, OutboxDep, UowDep
from profiles.api.schemas import EnterpriseCreate, EnterpriseUpdate
from profiles.domain.model import (
    Ownership,
)
from profiles.domain.snapshot import snapshot_data
from supportmatch_core.auth import CurrentPrincipal, Principal, Role
from supportmatch_core.csvfiles import csv_header, csv_line
from supportmatch_core.fields import visible_text
from supportmatch_core.openapi import CONFLICT, created, link
from supportmatch_core.problems import Invalid
from supportmatch_reference.certifications import CertificationKind
from supportmatch_reference.regions import BY_CODE, Region, UnknownProvince, parse_province
from supportmatch_reference.size import SizeClass

router = APIRouter(prefix="/v1", tags=["enterprises"])


def present(profile: Any) -> dict[str, Any]:
    """The representation of an enterprise: the same document as its latest snapshot event."""
    return snapshot_data(profile, service.size_of(profile))


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
    outbox: OutboxDep,
    response: Response,
) -> dict[str, Any]:
    """Register an enterprise; its snapshot is published as enterprise.profile.v1."""
    profile = service.register(
        uow=uow, outbox=outbox, principal=principal, profile=body.to_profile()
    )
    response.headers["Location"] = f"/v1/enterprises/{profile.enterprise.uscc}"
    response.headers["ETag"] = f'"{profile.enterprise.version}"'
    return present(profile)


@router.get("/enterprises/{uscc}")
def read_enterprise(
    uscc: USCC, principal: CurrentPrincipal, uow: UowDep, response: Response
) -> dict[str, Any]:
    """One enterprise with its facts by year, certifications and size class."""
    profile = service.read(uow=uow, principal=principal, uscc=uscc.upper())
    response.headers["ETag"] = f'"{profile.enterprise.version}"'
    return present(profile)


@router.patch("/enterprises/{uscc}", responses=CONFLICT)
def update_enterprise(
    uscc: USCC,
    body: EnterpriseUpdate,
    principal: CurrentPrincipal,
    uow: UowDep,
    outbox: OutboxDep,
    response: Response,
) -> dict[str, Any]:
    """Change the fields given; a real change makes a new version and publishes a snapshot."""

    def edit(profile: Any) -> Any:
        try:
            return body.apply(profile)
        except ValueError as error:
            raise Invalid("body", str(error), zh=getattr(error, "zh", None)) from error

    profile = service.change(
        uow=uow, outbox=outbox, principal=principal, uscc=uscc.upper(), edit=edit
    )
    response.headers["ETag"] = f'"{profile.enterprise.version}"'
    return present(profile)


@router.get("/enterprises/{uscc}/history")
def enterprise_history(
    uscc: USCC, principal: CurrentPrincipal, uow: UowDep
) -> list[dict[str, Any]]:
    """Every version, newest first: who changed what, and when."""
    return service.history(uow=uow, principal=principal, uscc=uscc.upper())


class EnterpriseSummary(BaseModel):
    uscc: str
    name: str
    province_code: str
    region: str
    industry_code: str
    ownership: str
    size_class: str
    version: int


class EnterprisePage(BaseModel):
    items: list[EnterpriseSummary]
    next_cursor: str | None


class EnterpriseFilters(BaseModel):
    """Filters of the enterprise list and its CSV export; each given one narrows the result."""

    model_config = ConfigDict(extra="forbid")

    province: str | None = Field(None, description="name or code")
    region: Region | None = None
    industry: str | None = Field(None, pattern="^[A-Ta-t][0-9]{0,4}$", description="code prefix")
    size_class: SizeClass | None = None
    ownership: Ownership | None = None
    certification: CertificationKind | None = Field(None, description="held and valid today")
    # Three characters at least: the name index is of trigrams, and shorter text scans every row.
    q: Annotated[str, AfterValidator(visible_text)] | None = Field(
        None, min_length=3, max_length=100, description="name contains"
    )

    def for_caller(self, principal: Principal) -> search.Filters:
        """These filters, narrowed to what `principal` may see."""
        provinces: frozenset[str] | None = None
        if self.province is not None:
            try:
                provinces = frozenset({parse_province(self.province).code})
            except UnknownProvince as error:
                raise Invalid("province", str(error), zh=error.zh) from error
        if principal.role is Role.CASEWORKER:
            provinces = principal.regions if provinces is None else provinces & principal.regions
        return search.Filters(
            provinces=provinces,
            region=self.region.value if self.region else None,
            industry_prefix=self.industry.upper() if self.industry else None,
            size_class=self.size_class.value if self.size_class else None,
            ownership=self.ownership.value if self.ownership else None,
            certification=self.certification.value if self.certification else None,
            certified_on=datetime.now(UTC).date() if self.certification else None,
            name_contains=self.q,
            uscc=principal.uscc if principal.role is Role.ENTERPRISE else None,
        )


class ListParameters(EnterpriseFilters):
    cursor: str | None = Field(
        None, pattern="^[0-9A-Z]{1,18}$", description="next_cursor of the page before"
    )
    limit: int = Field(50, ge=1, le=500)


@router.get("/enterprises")
def list_enterprises(
    principal: CurrentPrincipal, uow: UowDep, params: Annotated[ListParameters, Query()]
) -> EnterprisePage:
    """Enterprises the caller may see, filtered, in USCC order; pass next_cursor for more."""
    filters = params.for_caller(principal)
    with uow.read() as connection:
        rows = search.page(connection, filters, after=params.cursor, limit=params.limit)
    items = [_summary(row) for row in rows]
    next_cursor = items[-1].uscc if len(items) == params.limit else None
    return EnterprisePage(items=items, next_cursor=next_cursor)


def _summary(row: Any) -> EnterpriseSummary:
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
    filters = params.for_caller(principal)

    def lines() -> Iterator[str]:
        yield csv_header(CSV_COLUMNS)
        with uow.read() as connection:
            for row in search.every(connection, filters):
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
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="enterprises.csv"'},
    )
