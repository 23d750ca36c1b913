"""How the eligibility API shows measures and decisions."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from eligibility.domain.decision import Decision
from eligibility.domain.measures import Measure


class MeasureRead(BaseModel):
    id: str
    version: int
    title_zh: str
    title_en: str
    clause: str
    quote: str
    departments: list[str]
    kind: str
    audience: str
    benefit_zh: str
    benefit_en: str
    how_to_apply: str
    valid_from: date
    valid_to: date | None
    ended: bool
    sources: list[dict[str, Any]]

    @classmethod
    def of(cls, measure: Measure, today: date) -> MeasureRead:
        return cls(
            id=measure.id,
            version=measure.version,
            title_zh=measure.title_zh,
            title_en=measure.title_en,
            clause=measure.clause,
            quote=measure.quote,
            departments=list(measure.departments),
            kind=measure.kind,
            audience=measure.audience,
            benefit_zh=measure.benefit_zh,
            benefit_en=measure.benefit_en,
            how_to_apply=measure.how_to_apply,
            valid_from=measure.valid_from,
            valid_to=measure.valid_to,
            ended=measure.ended_by(today),
            sources=list(measure.sources),
        )


class DecisionRead(BaseModel):
    measure: dict[str, Any]
    status: str
    evaluated_on: date
    facts_digest: str
    criteria: list[dict[str, Any]]
    missing_facts: list[dict[str, str]]

    @classmethod
    def of(cls, decision: Decision) -> DecisionRead:
        measure = decision.measure
        return cls(
            measure={
                **measure.reference(),
                "valid_from": measure.valid_from.isoformat(),
                "ended": measure.ended_by(decision.evaluated_on),
            },
            status=decision.status.value,
            evaluated_on=decision.evaluated_on,
            facts_digest=decision.facts_digest,
            criteria=decision.criteria,
            missing_facts=decision.missing_facts,
        )
