"""HTTP routes for an enterprise's facts by fiscal year and its certifications."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, status

from profiles.api.deps import USCC, UowDep
from profiles.api.schemas import CertificationCreate, YearFacts
from profiles.domain.model import Certification, Profile
from profiles.use_cases import enterprises
from supportmatch_core.auth import CurrentPrincipal
from supportmatch_core.errors import NotFoundError
from supportmatch_core.openapi import CONFLICT, created, link
from supportmatch_core.problems import Invalid
from supportmatch_core.ranges import FISCAL_YEAR

router = APIRouter(prefix="/v1/enterprises/{uscc}", tags=["facts and certifications"])

Year = Annotated[int, Path(ge=FISCAL_YEAR.low, le=FISCAL_YEAR.high, description="fiscal year")]


def _check_year(year: int) -> None:
    if year > datetime.now(UTC).year:
        raise Invalid("year", "a fiscal year cannot be in the future", zh="数据年度不能晚于今年")


@router.get("/facts")
def list_facts(uscc: USCC, principal: CurrentPrincipal, uow: UowDep) -> list[dict[str, Any]]:
    """Facts for every fiscal year known, oldest first."""
    with uow.read() as work:
        profile = enterprises.load(work, principal, uscc.upper())
    return [{"fiscal_year": y, **profile.years[y]} for y in sorted(profile.years)]


@router.put("/facts/{year}", responses=CONFLICT)
def put_facts(
    uscc: USCC,
    year: Year,
    body: YearFacts,
    principal: CurrentPrincipal,
    uow: UowDep,
) -> dict[str, Any]:
    """Replace one fiscal year's facts (a fact left out becomes unknown)."""
    _check_year(year)

    def edit(profile: Profile) -> Profile:
        return dataclasses.replace(profile, years={**profile.years, year: body.known()})

    with uow.begin() as work:
        profile = enterprises.change(work, principal=principal, uscc=uscc.upper(), edit=edit)
    return {"fiscal_year": year, **profile.years[year]}


@router.delete("/facts/{year}", status_code=status.HTTP_204_NO_CONTENT, responses=CONFLICT)
def delete_facts(uscc: USCC, year: Year, principal: CurrentPrincipal, uow: UowDep) -> None:
    """Forget one fiscal year's facts."""

    def edit(profile: Profile) -> Profile:
        if year not in profile.years:
            raise NotFoundError(f"no facts for fiscal year {year}", zh=f"没有{year}年度的数据")
        return dataclasses.replace(
            profile, years={y: f for y, f in profile.years.items() if y != year}
        )

    with uow.begin() as work:
        enterprises.change(work, principal=principal, uscc=uscc.upper(), edit=edit)


@router.get("/certifications")
def list_certifications(
    uscc: USCC, principal: CurrentPrincipal, uow: UowDep
) -> list[dict[str, Any]]:
    with uow.read() as work:
        profile = enterprises.load(work, principal, uscc.upper())
    return [_certification(c) for c in profile.certifications]


@router.post(
    "/certifications",
    status_code=status.HTTP_201_CREATED,
    responses={
        **created(
            "The certification as recorded",
            remove=link(
                "delete",
                "/v1/enterprises/{uscc}/certifications/{certification_id}",
                uscc="$request.path.uscc",
                certification_id="$response.body#/id",
            ),
        ),
        **CONFLICT,
    },
)
def add_certification(
    uscc: USCC,
    body: CertificationCreate,
    principal: CurrentPrincipal,
    uow: UowDep,
) -> dict[str, Any]:
    """Record a title or listing with its issuer, level and validity."""
    new = body.to_certification()

    def edit(profile: Profile) -> Profile:
        return dataclasses.replace(profile, certifications=(*profile.certifications, new))

    with uow.begin() as work:
        profile = enterprises.change(work, principal=principal, uscc=uscc.upper(), edit=edit)
    return _certification(profile.certifications[-1])


@router.delete(
    "/certifications/{certification_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=CONFLICT,
)
def remove_certification(
    uscc: USCC,
    certification_id: int,
    principal: CurrentPrincipal,
    uow: UowDep,
) -> None:
    def edit(profile: Profile) -> Profile:
        kept = tuple(c for c in profile.certifications if c.id != certification_id)
        if len(kept) == len(profile.certifications):
            raise NotFoundError(
                f"no certification {certification_id}", zh=f"没有编号为{certification_id}的资质"
            )
        return dataclasses.replace(profile, certifications=kept)

    with uow.begin() as work:
        enterprises.change(work, principal=principal, uscc=uscc.upper(), edit=edit)


def _certification(certification: Certification) -> dict[str, Any]:
    values = dataclasses.asdict(certification)
    values["kind"], values["level"] = certification.kind.value, certification.level.value
    return values
