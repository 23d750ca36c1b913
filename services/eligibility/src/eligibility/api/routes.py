"""HTTP routes of the eligibility service."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel

from eligibility import service
from eligibility.domain.measures import Measure
from supportmatch_core.auth import CurrentPrincipal
from supportmatch_core.db import UnitOfWork

router = APIRouter(prefix="/v1", tags=["eligibility"])

USCC = Annotated[str, Path(min_length=18, max_length=18, description="unified social credit code")]


def _uow(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.runtime.engine)


class DeterminationRead(BaseModel):
    measure_id: str
    measure_version: int
    status: str
    evaluated_on: date
    facts_digest: str
    explanation: dict[str, Any]


class MeasureRead(BaseModel):
    id: str
    version: int
    title_zh: str
    title_en: str
    clause: str
    quote: str
    kind: str
    benefit_zh: str
    benefit_en: str
    how_to_apply: str
    valid_from: date
    valid_to: date | None
    sources: list[dict[str, Any]]

    @classmethod
    def of(cls, measure: Measure) -> MeasureRead:
        return cls(
            id=measure.id,
            version=measure.version,
            title_zh=measure.title_zh,
            title_en=measure.title_en,
            clause=measure.clause,
            quote=measure.quote,
            kind=measure.kind,
            benefit_zh=measure.benefit_zh,
            benefit_en=measure.benefit_en,
            how_to_apply=measure.how_to_apply,
            valid_from=measure.valid_from,
            valid_to=measure.valid_to,
            sources=list(measure.sources),
        )


@router.get("/enterprises/{uscc}/determinations")
def determinations(
    uscc: USCC, principal: CurrentPrincipal, uow: Annotated[UnitOfWork, Depends(_uow)]
) -> list[DeterminationRead]:
    """The enterprise's current determination for each measure, with the reasons."""
    rows = service.list_determinations(uow=uow, principal=principal, uscc=uscc.upper())
    return [DeterminationRead.model_validate(row) for row in rows]


@router.get("/measures")
def measures(request: Request, _: CurrentPrincipal) -> list[MeasureRead]:
    """The measure catalogue."""
    return [MeasureRead.of(m) for m in request.app.state.catalogue]
