"""HTTP routes of the profiles service: parse, call one use case, answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status

from profiles import service
from profiles.adapters.tables import backbone
from profiles.api.schemas import EnterpriseCreate, EnterpriseRead
from supportmatch_core.auth import CurrentPrincipal
from supportmatch_core.db import UnitOfWork
from supportmatch_core.outbox import Outbox
from supportmatch_reference.industries import parse_industry
from supportmatch_reference.regions import BY_CODE

router = APIRouter(prefix="/v1", tags=["enterprises"])


def _uow(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.runtime.engine)


UowDep = Annotated[UnitOfWork, Depends(_uow)]
USCC = Annotated[str, Path(min_length=18, max_length=18, description="unified social credit code")]


@router.post("/enterprises", status_code=status.HTTP_201_CREATED)
def create_enterprise(
    body: EnterpriseCreate, principal: CurrentPrincipal, uow: UowDep, response: Response
) -> EnterpriseRead:
    """Register an enterprise; its snapshot is published as enterprise.profile.v1."""
    enterprise = service.register_enterprise(
        uow=uow,
        outbox=Outbox(backbone),
        principal=principal,
        uscc=body.uscc,
        name=body.name,
        province=BY_CODE[body.province],
        industry=parse_industry(body.industry),
        ownership=body.ownership,
        facts=body.facts.model_dump(mode="json", exclude_none=True),
    )
    response.headers["Location"] = f"/v1/enterprises/{enterprise.uscc}"
    return EnterpriseRead.of(enterprise)


@router.get("/enterprises/{uscc}")
def read_enterprise(uscc: USCC, principal: CurrentPrincipal, uow: UowDep) -> EnterpriseRead:
    """One enterprise, as its owner, a caseworker of its region or an admin sees it."""
    return EnterpriseRead.of(
        service.read_enterprise(uow=uow, principal=principal, uscc=uscc.upper())
    )
