"""HTTP routes for an enterprise's determinations."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from eligibility import service
from eligibility.api.deps import USCC, CatalogueDep, ClauseFilter, UowDep
from eligibility.api.presenters import DecisionRead
from eligibility.domain.clock import china_today
from eligibility.domain.decision import Status
from supportmatch_core.auth import CurrentPrincipal
from supportmatch_core.ranges import Day

router = APIRouter(prefix="/v1", tags=["determinations"])


class DeterminationFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    kind: str | None = Field(None, pattern="^(benefit|obligation|opportunity)$")
    clause: ClauseFilter = None
    as_of: Day | None = Field(
        None, description="decide as on this day instead of the stored result"
    )


@router.get("/enterprises/{uscc}/determinations")
def determinations(
    uscc: USCC,
    principal: CurrentPrincipal,
    uow: UowDep,
    catalogue: CatalogueDep,
    filters: Annotated[DeterminationFilters, Query()],
) -> list[DecisionRead]:
    """Each measure's decision for the enterprise with the reasons; `as_of` reproduces a past day."""
    on = filters.as_of or china_today()
    decisions = service.determinations_as_of(
        uow=uow, principal=principal, uscc=uscc.upper(), catalogue=catalogue, on=on
    )
    shown = [
        DecisionRead.of(d)
        for d in decisions
        if (filters.status is None or d.status is filters.status)
        and (filters.kind is None or d.measure.kind == filters.kind)
        and (filters.clause is None or d.measure.clause == filters.clause)
    ]
    return sorted(shown, key=lambda d: (_ORDER[d.status], d.measure["clause"], d.measure["id"]))


_ORDER = {"eligible": 0, "possibly_eligible": 1, "ineligible": 2}


class StoredDetermination(BaseModel):
    measure_id: str
    measure_version: int
    status: str
    evaluated_on: date
    facts_digest: str
    explanation: dict[str, Any]


@router.get("/enterprises/{uscc}/determinations/stored")
def stored_determinations(
    uscc: USCC, principal: CurrentPrincipal, uow: UowDep, catalogue: CatalogueDep
) -> list[StoredDetermination]:
    """The determinations as last recorded, with measure version, day and facts digest."""
    rows = service.list_determinations(
        uow=uow, principal=principal, uscc=uscc.upper(), catalogue=catalogue
    )
    return [StoredDetermination.model_validate(row) for row in rows]
