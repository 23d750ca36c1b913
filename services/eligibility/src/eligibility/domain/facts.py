"""The registry of facts criteria may name, and their values for one enterprise, derived in one place."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from supportmatch_reference.size import SizeClass, classify_by_vat_sales

STRING, INTEGER, MONEY, NUMBER, BOOLEAN = "string", "integer", "money", "number", "boolean"


@dataclass(frozen=True, slots=True)
class Fact:
    """A fact criteria may compare: its type, unit and meaning; derived facts name their sources."""

    name: str
    type: str
    label_zh: str
    label_en: str
    unit: str | None = None
    derived_from: tuple[str, ...] = ()

    @property
    def derived(self) -> bool:
        return bool(self.derived_from)


def _f(name: str, kind: str, zh: str, en: str, unit: str | None = None, *sources: str) -> Fact:
    return Fact(name, kind, zh, en, unit, tuple(sources))


_SIZE = ("employees", "revenue", "total_assets")
REGISTRY: dict[str, Fact] = {
    f.name: f
    for f in (
        _f("industry_code", STRING, "行业代码", "industry code (GB/T 4754-2017)"),
        _f("industry_section", STRING, "行业门类", "industry section", None, "industry_code"),
        _f("industry_division", STRING, "行业大类", "industry division", None, "industry_code"),
        _f("industry_group", STRING, "行业中类", "industry group", None, "industry_code"),
        _f("province_code", STRING, "省份", "province"),
        _f(
            "region",
            STRING,
            "地区",
            "region (east, central, west, northeast)",
            None,
            "province_code",
        ),
        _f("ownership", STRING, "所有制", "ownership"),
        _f("foreign_kind", STRING, "外资类型", "kind of foreign investment"),
        _f("legal_form", STRING, "组织形式", "legal form"),
        _f("listed", BOOLEAN, "上市公司", "listed company"),
        _f("export_oriented", BOOLEAN, "外向型企业", "export-oriented"),
        _f("cross_border_ecommerce", BOOLEAN, "跨境电商企业", "cross-border e-commerce"),
        _f(
            "advanced_cluster_member",
            BOOLEAN,
            "国家先进制造业集群成员",
            "member of a national advanced-manufacturing cluster",
        ),
        _f("chain_key_node", BOOLEAN, "产业链关键环节企业", "key node of an industrial chain"),
        _f("energy_intensive", BOOLEAN, "高耗能企业", "energy-intensive"),
        _f("renting_state_premises", BOOLEAN, "承租国有房屋", "rents state-owned premises"),
        _f(
            "covid_risk_district_2022",
            BOOLEAN,
            "2022年所在区域曾列为中高风险",
            "district listed as COVID medium/high risk in 2022",
        ),
        _f("size_class", STRING, "企业规模", "size class (2011 standard)", None, *_SIZE),
        _f("sme", BOOLEAN, "中小微企业", "small or medium-sized enterprise", None, *_SIZE),
        _f("small_or_micro", BOOLEAN, "小型微型企业", "small or micro enterprise", None, *_SIZE),
        _f("fiscal_year", INTEGER, "数据年度", "fiscal year of the facts"),
        _f("employees", INTEGER, "从业人员", "employees", "persons"),
        _f("revenue", MONEY, "营业收入", "revenue", "yuan"),
        _f("total_assets", MONEY, "资产总额", "total assets", "yuan"),
        _f("total_liabilities", MONEY, "负债总额", "total liabilities", "yuan"),
        _f("taxable_income", MONEY, "应纳税所得额", "taxable income", "yuan"),
        _f("vat_sales", MONEY, "上年增值税销售额", "prior-year VAT sales", "yuan"),
        _f("net_profit", MONEY, "净利润", "net profit", "yuan"),
        _f("main_business_revenue", MONEY, "主营业务收入", "main-business revenue", "yuan"),
        _f("rd_expense", MONEY, "研发费用", "R&D expense", "yuan"),
        _f("rd_staff", INTEGER, "研发人员", "R&D staff", "persons"),
        _f("st_staff", INTEGER, "科技人员", "S&T staff", "persons"),
        _f("export_revenue", MONEY, "出口收入", "export revenue", "yuan"),
        _f("high_tech_revenue", MONEY, "高新技术产品收入", "high-tech product revenue", "yuan"),
        _f("new_equity_financing", MONEY, "新增股权融资", "new qualified equity financing", "yuan"),
        _f("tax_credit_grade", STRING, "纳税信用等级", "tax credit grade"),
        _f("years_in_niche", INTEGER, "从事细分市场年限", "years in its niche market", "years"),
        _f("niche_market_share", NUMBER, "细分市场占有率", "national niche market share", "%"),
        _f(
            "vat_refund_fraud_36m",
            BOOLEAN,
            "36个月内骗取留抵退税或虚开发票",
            "refund or invoice fraud in the last 36 months",
        ),
        _f(
            "tax_evasion_penalties_36m",
            INTEGER,
            "36个月内偷税处罚次数",
            "tax-evasion penalties in the last 36 months",
        ),
        _f(
            "immediate_refund_since_2019",
            BOOLEAN,
            "2019年4月1日起享受即征即退、先征后返",
            "VAT 即征即退/先征后返 enjoyed since 2019-04-01",
        ),
        _f(
            "vat_small_or_micro",
            BOOLEAN,
            "小微企业（按增值税销售额）",
            "small or micro firm by VAT sales",
            None,
            "vat_sales",
            "total_assets",
        ),
        _f(
            "rd_ratio",
            NUMBER,
            "研发费用占营业收入比重",
            "R&D expense / revenue",
            "%",
            "rd_expense",
            "revenue",
        ),
        _f(
            "debt_ratio",
            NUMBER,
            "资产负债率",
            "debt ratio",
            "%",
            "total_liabilities",
            "total_assets",
        ),
        _f(
            "export_share",
            NUMBER,
            "出口收入占比",
            "export revenue / revenue",
            "%",
            "export_revenue",
            "revenue",
        ),
        _f(
            "main_business_share",
            NUMBER,
            "主营业务收入占比",
            "main-business revenue / revenue",
            "%",
            "main_business_revenue",
            "revenue",
        ),
        _f(
            "high_tech_revenue_share",
            NUMBER,
            "高新技术产品收入占比",
            "high-tech revenue / revenue",
            "%",
            "high_tech_revenue",
            "revenue",
        ),
        _f(
            "st_staff_share",
            NUMBER,
            "科技人员占比",
            "S&T staff / employees",
            "%",
            "st_staff",
            "employees",
        ),
        _f(
            "rd_staff_share",
            NUMBER,
            "研发人员占比",
            "R&D staff / employees",
            "%",
            "rd_staff",
            "employees",
        ),
        _f(
            "revenue_growth",
            NUMBER,
            "营业收入增长率",
            "revenue growth on the year before",
            "%",
            "revenue",
        ),
    )
}

_SME = {"medium", "small", "micro"}


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    STRING: (str,),
    INTEGER: (int,),
    MONEY: (int,),
    NUMBER: (int, float),
    BOOLEAN: (bool,),
}


# The databases store integers in 64 bits; a larger value could never be compared there.
_LARGEST = 2**63 - 1


def accepts(fact: Fact, value: object) -> bool:
    """Whether `value` is of the fact's type (a bool is not a number here), and a finite number
    the databases can hold when it is one."""
    if not isinstance(value, _PYTHON_TYPES[fact.type]):
        return False
    if fact.type == BOOLEAN or isinstance(value, str):
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and abs(value) <= _LARGEST


def stored_sources(name: str) -> tuple[str, ...]:
    """The facts a firm provides for `name`: itself, or what it is derived from."""
    fact = REGISTRY[name]
    return fact.derived_from or (name,)


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
    facts.update(
        {
            name: flags.get(name)
            for name in (
                "export_oriented",
                "cross_border_ecommerce",
                "advanced_cluster_member",
                "chain_key_node",
                "energy_intensive",
                "renting_state_premises",
            )
        }
    )
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
        revenue_growth=_growth(profile.get("years") or [], facts["fiscal_year"]),
    )
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


def _growth(years: list[Mapping[str, Any]], latest: int | None) -> float | None:
    revenue: dict[int, int | None] = {y["fiscal_year"]: y.get("revenue") for y in years}
    if latest is None:
        return None
    now, before = revenue.get(latest), revenue.get(latest - 1)
    if now is None or before is None or before <= 0:
        return None
    return round(100.0 * (now - before) / before, 4)


def _in_2022(periods: list[Mapping[str, str]]) -> bool:
    # A firm that reports no listed period was not in a medium/high-risk district.
    start, end = date(2022, 1, 1), date(2022, 12, 31)
    return any(
        date.fromisoformat(p["start"]) <= end and date.fromisoformat(p["end"]) >= start
        for p in periods
    )
