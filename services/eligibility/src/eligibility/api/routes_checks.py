"""The public self-check: decide a set of facts against the catalogue, storing nothing."""

from __future__ import annotations

from fastapi import APIRouter

from eligibility.api.deps import CatalogueDep, TodayDep
from eligibility.api.schemas import CheckRead, CheckRequest, DecisionRead, SizeRead
from eligibility.use_cases.determinations import check

router = APIRouter(prefix="/v1", tags=["self-check"])


@router.post("/checks")
def self_check(body: CheckRequest, catalogue: CatalogueDep, today: TodayDep) -> CheckRead:
    """Which measures in force these facts qualify for, and what is missing; nothing is stored.

    The size class is derived from employees, revenue and total assets by the 2011 standard, as
    `POST /v1/size-classification` of the profiles service does, unless it is posted."""
    on = body.as_of or today
    derived, size_class = body.size()
    decisions = check(catalogue=catalogue, facts=body.facts_given(size_class), on=on)
    size = SizeRead(
        size_class=size_class or "unknown",
        given=derived is None,
        rule=derived.rule if derived else None,
        rule_zh=derived.rule_zh if derived else None,
        missing=derived.missing if derived else [],
    )
    return CheckRead(evaluated_on=on, size=size, decisions=[DecisionRead.of(d) for d in decisions])
