"""Builders shared by the unit tests: enterprise.profile.v1 data and determinations."""

from __future__ import annotations

from datetime import date
from typing import Any

from eligibility.domain.decision import Decision, Status, decide
from eligibility.domain.events import eligibility_changed
from eligibility.domain.facts import facts_of
from eligibility.domain.measures import Measure, load_catalogue
from supportmatch_reference.industries import parse_industry
from supportmatch_reference.regions import parse_province
from tests.factories import new_uscc

DAY = date(2023, 3, 1)
COMPLIANT: dict[str, Any] = {
    "tax_credit_grade": "A",
    "vat_refund_fraud_36m": False,
    "tax_evasion_penalties_36m": 0,
    "immediate_refund_since_2019": False,
}


def profile_snapshot(
    *, industry: str = "C3921", province: str = "44", ownership: str = "private", **facts: Any
) -> dict[str, Any]:
    """The data of an enterprise.profile.v1 event for a firm with `facts` (absent = unknown)."""
    where = parse_province(province)
    trade = parse_industry(industry)
    return {
        "uscc": new_uscc(where.code),
        "version": 1,
        "name": "测试制造有限公司",
        "province": {
            "code": where.code,
            "name_zh": where.full_name_zh,
            "checked_against_uscc": True,
        },
        "region": where.region.value,
        "industry": {
            "code": trade.code,
            "section": trade.section,
            "division": trade.division,
            "name_zh": trade.name_zh,
        },
        "ownership": ownership,
        "facts": facts,
        "updated_at": "2023-03-01T08:00:00.000+00:00",
    }


def vat_refund() -> Measure:
    (measure,) = [m for m in load_catalogue() if m.id == "vat-credit-refund"]
    return measure


def decide_for(**kwargs: Any) -> Decision:
    return decide(vat_refund(), facts_of(profile_snapshot(**kwargs)), DAY)


def determination(
    decision: Decision, previous: Status | None = None, uscc: str | None = None
) -> dict[str, Any]:
    """The data of the eligibility.determination.v1 event announcing `decision`."""
    event = eligibility_changed(
        uscc=uscc or new_uscc("44"),
        province_code="44",
        decision=decision,
        previous=previous,
        profile_version=1,
    )
    return event.data
