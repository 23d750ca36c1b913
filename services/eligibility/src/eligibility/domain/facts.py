"""An enterprise's facts, every registry fact derived in one place from its profile snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from eligibility.domain.registry import (
    BOOLEAN,
    DATE,
    INTEGER,
    MAP,
    MONEY,
    NUMBER,
    NUMERIC,
    REGISTRY,
    STRING,
    Fact,
    accepts,
    stored_sources,
    within,
)
from eligibility.domain.scores import innovative_sme_scores
from eligibility.domain.vat_credit import credit_facts, sales_shares
from supportmatch_core.contracts.profile import PROFILE_FLAGS
from supportmatch_reference.size import SizeClass, classify_by_vat_sales

__all__ = [
    "BOOLEAN",
    "DATE",
    "FLAGS",
    "INTEGER",
    "MAP",
    "MONEY",
    "NUMBER",
    "NUMERIC",
    "REGISTRY",
    "STRING",
    "Fact",
    "Facts",
    "accepts",
    "facts_of",
    "stored_sources",
    "within",
]

# An enterprise's facts by registry name (None: unknown), as JSON values, and its certifications.
Facts = Mapping[str, Any]

FLAGS = PROFILE_FLAGS
_SME = {"medium", "small", "micro"}


def facts_of(profile: Mapping[str, Any]) -> dict[str, Any]:
    """Every registry fact of one enterprise from its enterprise.profile.v1 snapshot (None = unknown).

    Certifications travel beside the facts under "certifications" as (kind, level, from, to).
    """
    latest: Mapping[str, Any] = profile.get("facts") or {}
    flags: Mapping[str, Any] = profile.get("flags") or {}
    industry: str = profile["industry"]["code"]
    size = (profile.get("size") or {}).get("class")
    size = None if size in (None, "unknown") else size
    facts: dict[str, Any] = {name: latest.get(name) for name in REGISTRY}
    facts.update({name: flags.get(name) for name in FLAGS})
    facts.update(
        industry_code=industry,
        industry_section=industry[0],
        industry_division=industry[:3] if len(industry) >= 3 else None,
        industry_group=industry[:4] if len(industry) >= 4 else None,
        province_code=profile["province"]["code"],
        region=profile["region"],
        ownership=profile["ownership"],
        foreign_kind=profile.get("foreign_kind"),
        legal_form=profile.get("legal_form"),
        listed=profile.get("listed"),
        established_on=profile.get("registration_date"),
        vat_taxpayer_type=profile.get("vat_taxpayer_type"),
        vat_credit_balances=profile.get("vat_credit_balances") or None,
        vat_sales_by_industry=profile.get("vat_sales_by_industry") or None,
        covid_risk_district_2022=_in_2022(profile.get("covid_risk_periods") or []),
        size_class=size,
        sme=None if size is None else size in _SME,
        small_or_micro=None if size is None else size in ("small", "micro"),
        vat_small_or_micro=_small_by_vat_sales(industry, facts["vat_sales"], facts["total_assets"]),
        rd_ratio=_percent(facts["rd_expense"], facts["revenue"]),
        debt_ratio=_percent(facts["total_liabilities"], facts["total_assets"]),
        export_share=_percent(facts["export_revenue"], facts["revenue"]),
        main_business_share=_percent(facts["main_business_revenue"], facts["revenue"]),
        high_tech_revenue_share=_percent(facts["high_tech_revenue"], facts["revenue"]),
        st_staff_share=_percent(facts["st_staff"], facts["employees"]),
        rd_staff_share=_percent(facts["rd_staff"], facts["employees"]),
    )
    facts.update(credit_facts(facts["vat_credit_balances"]))
    facts.update(sales_shares(facts["vat_sales_by_industry"]))
    facts.update(_over_years(profile.get("years") or [], facts["fiscal_year"]))
    facts.update(innovative_sme_scores(facts))
    facts["certifications"] = [
        (c["kind"], c["level"], c["valid_from"], c["valid_to"])
        for c in profile.get("certifications") or []
    ]
    return facts


def _small_by_vat_sales(industry: str, vat_sales: int | None, assets: int | None) -> bool | None:
    """Small or micro as 公告2022年第14号 sizes a firm: its industry's 2011 bounds on revenue and
    assets, the prior year's VAT sales standing for revenue (None while that cannot decide)."""
    size = classify_by_vat_sales(industry, vat_sales=vat_sales, total_assets=assets).size_class
    return None if size is SizeClass.UNKNOWN else size in (SizeClass.SMALL, SizeClass.MICRO)


def _percent(part: float | None, whole: float | None) -> float | None:
    if part is None or whole is None or whole <= 0:
        return None
    return round(100.0 * part / whole, 4)


def _over_years(years: list[Mapping[str, Any]], latest: int | None) -> dict[str, Any]:
    """Figures over the latest fiscal years; None unless every year needed is given."""
    by_year = {y["fiscal_year"]: y for y in years}

    def series(name: str, count: int) -> list[Any] | None:
        if latest is None:
            return None
        values = [(by_year.get(latest - back) or {}).get(name) for back in range(count)]
        return None if None in values else values

    def growth(now: float, before: float) -> float | None:
        return None if before <= 0 else round(100.0 * (now - before) / before, 4)

    revenue, rd = series("revenue", 2), series("rd_expense", 2)
    main = series("main_business_revenue", 3)
    equity2, equity3 = series("new_equity_financing", 2), series("new_equity_financing", 3)
    ratios = [_percent(r, v) for r, v in zip(rd, revenue, strict=True)] if rd and revenue else []
    growths = [growth(main[0], main[1]), growth(main[1], main[2])] if main else []
    return {
        "revenue_growth": growth(*revenue) if revenue else None,
        "rd_expense_sum_2y": sum(rd) if rd else None,
        "rd_expense_avg_2y": sum(rd) // 2 if rd else None,
        "rd_ratio_min_2y": _least(ratios),
        "main_business_growth_avg_2y": _mean(growths),
        "new_equity_2y": sum(equity2) if equity2 else None,
        "new_equity_3y": sum(equity3) if equity3 else None,
    }


def _least(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return min(known) if known and len(known) == len(values) else None


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 4) if known and len(known) == len(values) else None


def _in_2022(periods: list[Mapping[str, str]]) -> bool:
    # A firm that reports no listed period was not in a medium/high-risk district.
    start, end = date(2022, 1, 1), date(2022, 12, 31)
    return any(
        date.fromisoformat(p["start"]) <= end and date.fromisoformat(p["end"]) >= start
        for p in periods
    )
