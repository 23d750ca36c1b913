"""HTTP routes for an enterprise's determinations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from eligibility.api.deps import USCC, CatalogueDep, TodayDep, UowDep
from eligibility.api.schemas import DecisionRead, DeterminationFilters, StoredDetermination
from eligibility.use_cases.determinations import determinations_as_of, list_determinations
from supportmatch_core.auth import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["determinations"])

_ORDER = {"eligible": 0, "possibly_eligible": 1, "ineligible": 2}


@router.get("/enterprises/{uscc}/determinations")
def determinations(
    uscc: USCC,
    principal: CurrentPrincipal,
    uow: UowDep,
    catalogue: CatalogueDep,
    today: TodayDep,
    filters: Annotated[DeterminationFilters, Query()],
) -> list[DecisionRead]:
    """Each measure's decision for the enterprise with the reasons; `as_of` reproduces a past day."""
    on = filters.as_of or today
    with uow.read() as work:
        decisions = determinations_as_of(
            work, principal=principal, uscc=uscc.upper(), catalogue=catalogue, on=on
        )
    shown = [
        DecisionRead.of(d)
        for d in decisions
        if (filters.status is None or d.status is filters.status)
        and (filters.kind is None or d.measure.kind == filters.kind)
        and (filters.clause is None or d.measure.clause == filters.clause)
    ]
    return sorted(shown, key=lambda d: (_ORDER[d.status], d.measure["clause"], d.measure["id"]))


@router.get("/enterprises/{uscc}/determinations/stored")
def stored_determinations(
    uscc: USCC, principal: CurrentPrincipal, uow: UowDep, catalogue: CatalogueDep
) -> list[StoredDetermination]:
    """The determinations as last recorded, with measure version, day and facts digest."""
    with uow.read() as work:
        rows = list_determinations(
            work, principal=principal, uscc=uscc.upper(), catalogue=catalogue
        )
    return [StoredDetermination.model_validate(row) for row in rows]
