"""The registry of facts criteria may name, and their values for one enterprise, derived in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Fact:
    name: str
    type: str  # string, integer, money, boolean
    label_zh: str
    label_en: str
    unit: str | None = None
    derived_from: tuple[str, ...] = ()

    @property
    def derived(self) -> bool:
        return bool(self.derived_from)


REGISTRY: dict[str, Fact] = {
    f.name: f
    for f in (
        Fact("industry_code", "string", "行业代码", "industry code (GB/T 4754-2017)"),
        Fact(
            "industry_section", "string", "行业门类", "industry section", None, ("industry_code",)
        ),
        Fact(
            "industry_division", "string", "行业大类", "industry division", None, ("industry_code",)
        ),
        Fact("province_code", "string", "省份", "province"),
        Fact("region", "string", "地区", "region", None, ("province_code",)),
        Fact("ownership", "string", "所有制", "ownership"),
        Fact("employees", "integer", "从业人员", "employees", "persons"),
        Fact("revenue", "money", "营业收入", "revenue", "yuan"),
        Fact("total_assets", "money", "资产总额", "total assets", "yuan"),
        Fact("vat_sales", "money", "上年增值税销售额", "prior-year VAT sales", "yuan"),
        Fact("tax_credit_grade", "string", "纳税信用等级", "tax credit grade"),
        Fact(
            "vat_refund_fraud_36m",
            "boolean",
            "36个月内骗取留抵退税或虚开发票",
            "refund or invoice fraud in the last 36 months",
        ),
        Fact(
            "tax_evasion_penalties_36m",
            "integer",
            "36个月内偷税处罚次数",
            "tax-evasion penalties in the last 36 months",
        ),
        Fact(
            "immediate_refund_since_2019",
            "boolean",
            "2019年4月1日起享受即征即退、先征后返",
            "VAT 即征即退/先征后返 enjoyed since 2019-04-01",
        ),
        Fact(
            "vat_small_or_micro",
            "boolean",
            "小微企业（按增值税销售额）",
            "small or micro firm by VAT sales",
            derived_from=("vat_sales",),
        ),
    )
}

# 公告2022年第14号: where the size standard cannot be applied, annual VAT sales under 2000万元 is small.
SMALL_VAT_SALES_CEILING = 20_000_000


def stored_sources(name: str) -> tuple[str, ...]:
    """The facts a firm provides for `name`: itself, or what it is derived from."""
    fact = REGISTRY[name]
    return fact.derived_from or (name,)


def facts_of(profile: Mapping[str, Any]) -> dict[str, Any]:
    """The facts of one enterprise from its enterprise.profile.v1 snapshot; unknown facts are None."""
    stored: Mapping[str, Any] = profile.get("facts") or {}
    industry = profile["industry"]["code"]
    facts: dict[str, Any] = {
        name: stored.get(name) for name, f in REGISTRY.items() if not f.derived
    }
    facts.update(
        industry_code=industry,
        industry_section=industry[0],
        industry_division=industry[:3] if len(industry) >= 3 else None,
        province_code=profile["province"]["code"],
        region=profile["region"],
        ownership=profile["ownership"],
    )
    vat_sales = facts["vat_sales"]
    facts["vat_small_or_micro"] = None if vat_sales is None else vat_sales < SMALL_VAT_SALES_CEILING
    return facts
