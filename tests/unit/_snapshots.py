"""Builders shared by the unit tests: enterprise.profile.v1 data and determinations."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from typing import Any

from eligibility.domain.decision import Decision, Status, decide
from eligibility.domain.events import eligibility_changed
from eligibility.domain.facts import facts_of
from eligibility.domain.measures import Measure, load_catalogue
from profiles.domain.model import Enterprise, Ownership, Profile
from profiles.domain.snapshot import snapshot_data
from profiles.domain.versions import size_of
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
    """The data of an enterprise.profile.v1 event for a firm with `facts` (absent = unknown).

    Built by the profiles service's own snapshot code, so it always has the published shape.
    """
    when = datetime(2023, 3, 1, 8, tzinfo=UTC)
    enterprise = Enterprise(
        uscc=new_uscc(parse_province(province).code),
        name="测试制造有限公司",
        province=parse_province(province),
        industry=parse_industry(industry),
        ownership=Ownership(ownership),
        version=1,
        created_at=when,
        updated_at=when,
    )
    known = {name: value for name, value in facts.items() if value is not None}
    profile = Profile(enterprise, {2022: known} if known else {})
    return snapshot_data(profile, size_of(profile))


@functools.cache  # loading the catalogue takes a tenth of a second; a Measure is frozen
def vat_refund(version: int = 2) -> Measure:
    """The VAT credit refund as it stood on DAY (the 2022 rules, industries widened in July 2022)."""
    (measure,) = [
        m for m in load_catalogue() if (m.id, m.version) == ("vat-credit-refund", version)
    ]
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
    return event.to_data()
