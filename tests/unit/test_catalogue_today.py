"""The measures that carry the notice on to today, one row per new or changed version: a firm that
qualifies, the change that fails it on the deciding criterion, the fact whose absence leaves it
possibly eligible (and is asked for), and the days just outside its validity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Decision, Status, decide
from eligibility.domain.facts import facts_of
from eligibility.domain.measures import Measure, load_catalogue
from tests.unit._snapshots import COMPLIANT, profile_snapshot

CATALOGUE = Catalogue(load_catalogue())

# End-of-month VAT credit: March 2019, December 2025, then six months each above December.
CREDITS = {"2019-03": 300_000, "2025-12": 2_000_000} | {
    f"2026-{m:02d}": 2_000_000 + 100_000 * (m + 4) for m in range(1, 7)
}  # June 2026: 3,000,000, up 1,000,000 on December and 2,700,000 on March 2019
GENERAL = {"vat_taxpayer_type": "general", "vat_credit_balances": CREDITS}
MAKER: dict[str, Any] = {
    "industry": "C3921",
    "employees": 200,
    "employees_quarterly_avg": 190,
    "revenue": 50_000_000,
    "total_assets": 40_000_000,
    "total_assets_quarterly_avg": 38_000_000,
    "rd_expense": 2_500_000,
    "taxable_income": 2_000_000,
    **COMPLIANT,
    "flags": {"restricted_industry": False},
    "vat": {**GENERAL, "vat_sales_by_industry": {"C3921": 45_000_000}},
}
WHOLESALER = {
    **MAKER,
    "industry": "F5191",
    "vat": {**GENERAL, "vat_sales_by_industry": {"F5191": 90}},
}
DEVELOPER = {
    **MAKER,
    "industry": "K7010",
    "vat": {**GENERAL, "vat_sales_by_industry": {"K7010": 9}},
}
SOFTWARE = {**MAKER, "industry": "I6513"}
SMALL_SCALE = {"industry": "F5211", "vat": {"vat_taxpayer_type": "small_scale"},
               "six_taxes_two_fees": 20_000}  # fmt: skip
LARGE = {**MAKER, "employees": 2_000, "revenue": 600_000_000, "total_assets": 900_000_000}
RD_CENTRE = {
    **MAKER,
    "industry": "M7320",
    "ownership": "foreign",
    "established": "2012-05-01",
    "total_investment_usd": 9_000_000,
    "rd_staff": 120,
    "rd_equipment_value": 25_000_000,
}
NONE_OF_THE_ALTERNATIVES = {
    "national_st_award_rank_3y": 0,
    "provincial_st_award_rank_3y": 0,
    "maker_china_rank_3y": 0,
    "serious_violation_3y": False,
}
INNOVATOR = {
    **MAKER,
    **NONE_OF_THE_ALTERNATIVES,
    "total_liabilities": 20_000_000,  # debt ratio 50%: 10 points
    "main_business_revenue": 45_000_000,  # 90%: 20
    "ip_class1": 2,
    "ip_class1_own": 1,  # 15
    "ip_class1_high_value": 0,
    "ip_class2": 3,
    "new_equity_financing": 0,
    "flags": {"strategic_emerging_field": False, "provincial_rd_institution": False},  # 5
    "earlier": {2021: {"revenue": 40_000_000, "new_equity_financing": 0},  # growth 25%: 20
                2020: {"new_equity_financing": 0}},
}  # fmt: skip
SPECIALISED = {
    **MAKER,
    **NONE_OF_THE_ALTERNATIVES,
    "years_in_niche": 3,
    "specialised_sme_score": 70,
    "new_equity_financing": 0,
    "earlier": {2021: {"rd_expense": 2_000_000, "new_equity_financing": 0}},
}
LITTLE_GIANT = {
    **MAKER,
    **NONE_OF_THE_ALTERNATIVES,
    "employees": 250,
    "revenue": 120_000_000,
    "total_assets": 100_000_000,
    "total_liabilities": 40_000_000,
    "main_business_revenue": 100_000_000,
    "rd_expense": 6_000_000,
    "niche_market_share": 15.0,
    "years_in_niche": 5,
    "ip_class1": 3,
    "certs": (("specialised_sme", "provincial"),),
    "flags": {"key_field_product": True, "own_brand": True, "rd_institution": True},
    "earlier": {2021: {"revenue": 100_000_000, "rd_expense": 4_000_000,
                       "main_business_revenue": 90_000_000},
                2020: {"main_business_revenue": 80_000_000}},
}  # fmt: skip


def snapshot(spec: dict[str, Any], on: date) -> dict[str, Any]:
    """The enterprise.profile.v1 data of a firm: year facts of 2022 and the earlier years, flags,
    VAT tables, establishment date and titles valid on the day `on`."""
    spec = dict(spec)
    flags, vat = spec.pop("flags", {}), spec.pop("vat", {})
    certs, earlier = spec.pop("certs", ()), spec.pop("earlier", {})
    established = spec.pop("established", None)
    data = profile_snapshot(**spec)
    data["flags"] = dict(flags)
    data.update(vat)
    data["registration_date"] = established
    if data["ownership"] == "foreign":
        data["foreign_kind"] = "wholly_foreign_owned"
    data["years"] = [{"fiscal_year": y, **f} for y, f in sorted(earlier.items())] + data["years"]
    data["certifications"] = [
        {"id": n, "kind": kind, "level": level, "issuer": "test", "certificate_no": None,
         "valid_from": (on - timedelta(days=365)).isoformat(),
         "valid_to": (on + timedelta(days=365)).isoformat()}
        for n, (kind, level) in enumerate(certs, start=1)
    ]  # fmt: skip
    return data


def changed(spec: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """`spec` with `change` laid over it; flags, VAT tables and earlier years merge key by key."""
    merged = dict(spec)
    for key, value in change.items():
        nested = isinstance(value, dict) and isinstance(spec.get(key), dict)
        merged[key] = {**spec[key], **value} if nested else value
    return merged


def without(spec: dict[str, Any], path: str) -> dict[str, Any]:
    """`spec` without one fact: a year fact, or flags.<name> / vat.<name>."""
    head, _, name = path.partition(".")
    if not name:
        return {k: v for k, v in spec.items() if k != head}
    return {**spec, head: {k: v for k, v in spec[head].items() if k != name}}


@dataclass(frozen=True)
class Case:
    measure: str
    version: int
    on: date  # a day the version is in force
    firm: dict[str, Any]
    fails: dict[str, Any]  # the change that makes the firm ineligible
    decisive: str  # the fact (or title) the explanation names as deciding
    unknown: str | None  # the fact whose absence leaves it open; None: every fact it reads is known
    asked: str | None = None  # the fact asked for then, when it is not `unknown` itself

    def __str__(self) -> str:
        return f"{self.measure}.v{self.version}"


D = date
# fmt: off
CASES = [
    # （十六） VAT credit refunds: 2022 rules to August 2025, 公告2025年第7号 from September 2025
    Case("vat-credit-refund", 1, D(2022, 5, 1), MAKER, {"tax_credit_grade": "M"},
         "tax_credit_grade", "tax_credit_grade"),
    Case("vat-credit-refund", 2, D(2023, 3, 1), WHOLESALER, {"industry": "K7090", "vat_sales": 30_000_000},
         "industry_section", "immediate_refund_since_2019"),
    Case("vat-credit-refund", 3, D(2026, 7, 1), MAKER,
         {"vat": {"vat_sales_by_industry": {"C3921": 1, "F5191": 9}}},
         "vat_sales_share_four_industries", "vat.vat_sales_by_industry"),
    Case("vat-credit-refund-real-estate", 1, D(2026, 7, 1), DEVELOPER,
         {"vat": {"vat_credit_balances": {**CREDITS, "2026-03": 100_000}}}, "vat_credit_increase_2019_6m",
         "vat.vat_credit_balances"),
    Case("vat-credit-refund-other", 1, D(2026, 7, 1), WHOLESALER, {"tax_evasion_penalties_36m": 2},
         "tax_evasion_penalties_36m", "vat.vat_credit_balances"),
    # R&D super-deduction: no R&D expense, nothing to deduct
    Case("rd-super-deduction", 1, D(2022, 6, 1), SOFTWARE, {"rd_expense": 0}, "rd_expense", "rd_expense"),
    Case("rd-super-deduction", 2, D(2022, 11, 15), SOFTWARE, {"industry": "F5211"},
         "industry_section", "rd_expense"),
    Case("rd-super-deduction", 3, D(2024, 1, 1), MAKER, {"rd_expense": 0}, "rd_expense", "rd_expense"),
    Case("rd-super-deduction-manufacturing", 1, D(2022, 6, 1), MAKER, {"rd_expense": 0},
         "rd_expense", "rd_expense"),
    Case("rd-super-deduction-tech-smes", 1, D(2022, 6, 1), {**SOFTWARE,
         "certs": (("tech_based_sme", "provincial"),)},
         {"rd_expense": 0}, "rd_expense", "rd_expense"),
    Case("rd-super-deduction-ic-machine-tools", 1, D(2024, 6, 1), {**MAKER,
         "flags": {"on_ic_enterprise_list": True}},
         {"flags": {"on_ic_enterprise_list": False, "on_machine_tool_enterprise_list": False}},
         "on_ic_enterprise_list", "flags.on_ic_enterprise_list"),
    # small firms' taxes
    Case("small-low-profit-income-tax", 2, D(2025, 1, 1), MAKER, {"total_assets_quarterly_avg": 60_000_000},
         "total_assets_quarterly_avg", "employees_quarterly_avg"),
    Case("six-taxes-two-fees", 1, D(2025, 1, 1), SMALL_SCALE,
         {"vat": {"vat_taxpayer_type": "general"}, "taxable_income": 5_000_000}, "vat_taxpayer_type",
         "vat.vat_taxpayer_type"),
    Case("small-scale-vat-relief", 1, D(2024, 6, 1), SMALL_SCALE, {"vat": {"vat_taxpayer_type": "general"}},
         "vat_taxpayer_type", "vat.vat_taxpayer_type"),
    Case("small-scale-vat-relief", 2, D(2026, 6, 1), SMALL_SCALE, {"vat": {"vat_taxpayer_type": "general"}},
         "vat_taxpayer_type", "vat.vat_taxpayer_type"),
    Case("advanced-manufacturing-vat-credit", 1, D(2024, 6, 1), {**MAKER,
         "flags": {"on_advanced_manufacturer_list": True}},
         {"flags": {"on_advanced_manufacturer_list": False}}, "on_advanced_manufacturer_list",
         "flags.on_advanced_manufacturer_list"),
    Case("equipment-one-off-deduction", 1, D(2025, 6, 1), {**MAKER, "equipment_purchases_small": 3_000_000},
         {"equipment_purchases_small": 0}, "equipment_purchases_small", "equipment_purchases_small"),
    Case("high-tech-enterprise-income-tax", 1, D(2024, 6, 1), {**MAKER,
         "certs": (("high_tech_enterprise", "national"),)},
         {"certs": ()}, "high_tech_enterprise", None),
    Case("western-development-income-tax", 1, D(2024, 6, 1),
         {**MAKER, "province": "51", "encouraged_industry_revenue_share": 80.0},
         {"province": "44"}, "region",
         "encouraged_industry_revenue_share"),
    # （十四） foreign-invested enterprises
    Case("foreign-rd-centre-equipment-vat-refund", 1, D(2022, 6, 1), RD_CENTRE, {"rd_staff": 60},
         "rd_staff",
         "rd_equipment_value"),
    Case("foreign-rd-centre-equipment-vat-refund", 2, D(2025, 6, 1), RD_CENTRE,
         {"rd_equipment_value": 15_000_000},
         "rd_equipment_value", "total_investment_usd"),
    Case("foreign-profit-reinvestment-credit", 1, D(2025, 6, 1),
         {**MAKER, "ownership": "foreign", "foreign_profit_reinvested": 10_000_000},
         {"ownership": "private"},
         "ownership", "foreign_profit_reinvested"),
    # （一） equipment renewal and relending
    Case("equipment-renewal-trade-in", 1, D(2024, 6, 1), MAKER, {"industry": "F5211"},
         "industry_section", None),
    Case("equipment-renewal-trade-in", 2, D(2026, 6, 1), MAKER, {"industry": "F5211"},
         "industry_section", None),
    Case("tech-innovation-relending", 1, D(2024, 6, 1), MAKER, {"industry": "F5211"},
         "industry_section", None),
    # （十三） the SME ladder of 工信部企业〔2022〕63号
    Case("innovative-sme-title", 1, D(2023, 3, 1), INNOVATOR,
         {"rd_expense": 200_000, "total_liabilities": 35_000_000,
          "earlier": {2021: {"revenue": 60_000_000, "new_equity_financing": 0}}},
         "innovative_sme_score_growth", "serious_violation_3y"),
    Case("specialised-sme-title", 1, D(2023, 3, 1), SPECIALISED, {"specialised_sme_score": 50},
         "specialised_sme_score", "years_in_niche"),
    Case("little-giant-title", 1, D(2023, 3, 1), LITTLE_GIANT, {"flags": {"key_field_product": False}},
         "key_field_product", "flags.own_brand"),
    Case("little-giant-central-support", 1, D(2023, 6, 1), {**MAKER, "certs": (("little_giant",
         "national"),)},
         {"certs": (("little_giant", "provincial"),)}, "little_giant", None),
    Case("single-champion-title", 1, D(2023, 3, 1),
         {**LARGE, "niche_product_share": 75.0, "niche_global_rank": 2, "years_in_niche": 12,
         "ip_class1": 5},
         {"niche_global_rank": 5}, "niche_global_rank", "niche_product_share"),
    # （十二） large enterprises pay SMEs on time
    Case("large-enterprise-sme-prompt-payment", 1, D(2024, 6, 1), LARGE, {"employees": 200}, "size_class",
         "employees"),
    Case("large-enterprise-sme-prompt-payment", 2, D(2026, 6, 1), LARGE, {"employees": 200}, "size_class",
         "employees"),
    # jobs
    Case("job-retention-refund", 1, D(2022, 6, 1), {**MAKER,
         "unemployment_insurance_premiums": 150_000, "layoff_rate": 2.0},
         {"layoff_rate": 8.0}, "layoff_rate", "unemployment_insurance_premiums"),
    Case("job-retention-refund", 2, D(2024, 6, 1), {**MAKER,
         "unemployment_insurance_premiums": 150_000, "layoff_rate": 2.0},
         {"layoff_rate": 8.0}, "layoff_rate", "layoff_rate"),
    Case("unemployment-insurance-rate-reduction", 1, D(2024, 6, 1), MAKER, {"employees": 0}, "employees",
         "employees"),
]
# fmt: on
TODAY = {(case.measure, case.version) for case in CASES}


def measure(case: Case) -> Measure:
    (found,) = [m for m in CATALOGUE.versions(case.measure) if m.version == case.version]
    return found


def decide_on(case: Case, firm: dict[str, Any], on: date | None = None) -> Decision:
    day = on or case.on
    return decide(measure(case), facts_of(snapshot(firm, day)), day)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_firm_qualifies_and_is_told_why(case: Case) -> None:
    decision = decide_on(case, case.firm)
    assert decision.status is Status.ELIGIBLE, decision.criteria
    assert decision.reasons, "an eligible answer has its reasons too"
    assert "unknown" not in {reason["outcome"] for reason in decision.reasons}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_change_fails_it_on_the_deciding_criterion(case: Case) -> None:
    decision = decide_on(case, changed(case.firm, case.fails))
    assert decision.status is Status.INELIGIBLE, decision.criteria
    assert case.decisive in {c["fact"] for c in decision.criteria if c["decisive"]}
    assert case.decisive in {r["fact"] for r in decision.reasons}


@pytest.mark.parametrize("case", [c for c in CASES if c.unknown], ids=str)
def test_a_missing_fact_leaves_it_possibly_eligible_and_is_asked_for(case: Case) -> None:
    assert case.unknown is not None
    decision = decide_on(case, without(case.firm, case.unknown))
    assert decision.status is Status.POSSIBLY_ELIGIBLE, decision.criteria
    asked = case.asked or case.unknown.rpartition(".")[2]
    assert asked in {m["fact"] for m in decision.missing_facts}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_version_is_not_in_force_the_day_before_or_after(case: Case) -> None:
    version = measure(case)
    assert version.in_force_on(case.on)
    before = version.valid_from - timedelta(days=1)
    assert version not in CATALOGUE.in_force(before)
    assert version in CATALOGUE.in_force(version.valid_from)
    if version.valid_to is not None:
        assert version in CATALOGUE.in_force(version.valid_to)
        assert version not in CATALOGUE.in_force(version.valid_to + timedelta(days=1))


# --- readings worth pinning -----------------------------------------------------------------------


def test_a_firm_without_rd_is_not_told_to_claim_the_super_deduction() -> None:
    case = next(c for c in CASES if (c.measure, c.version) == ("rd-super-deduction", 3))
    decision = decide_on(
        case, {k: v for k, v in MAKER.items() if k != "rd_expense"} | {"rd_expense": 0}
    )
    assert decision.status is Status.INELIGIBLE
    assert decision.reasons == [
        {
            "fact": "rd_expense",
            "outcome": "fail",
            "text_zh": "研发费用 0元，需 > 0元",
            "text_en": "R&D expense 0 yuan, needs > 0 yuan",
        }
    ]


def test_a_centre_set_up_before_october_2009_meets_the_older_bounds() -> None:
    case = next(
        c for c in CASES if (c.measure, c.version) == ("foreign-rd-centre-equipment-vat-refund", 2)
    )
    older = {**RD_CENTRE, "established": "2005-03-01", "total_investment_usd": 6_000_000,
             "rd_staff": 95, "rd_equipment_value": 12_000_000, "rd_expense": 11_000_000}  # fmt: skip
    assert decide_on(case, older).status is Status.ELIGIBLE
    # the same figures do not meet the bounds for centres set up from 2009-10-01
    assert decide_on(case, {**older, "established": "2009-10-01"}).status is Status.INELIGIBLE


def test_the_innovative_sme_score_decides_with_part_of_the_facts() -> None:
    case = next(c for c in CASES if c.measure == "innovative-sme-title")
    unknown_ip = {k: v for k, v in INNOVATOR.items() if not k.startswith("ip_")}
    assert decide_on(case, unknown_ip).status is Status.ELIGIBLE  # 75 points without IP
    direct = {**changed(INNOVATOR, case.fails), "provincial_st_award_rank_3y": 4}
    assert decide_on(case, direct).status is Status.ELIGIBLE  # a provincial award is a direct route


def test_the_little_giant_innovation_route_skips_the_indicators() -> None:
    case = next(c for c in CASES if c.measure == "little-giant-title")
    weak = {**LITTLE_GIANT, "niche_market_share": 2.0, "maker_china_rank_3y": 12}
    assert decide_on(case, weak).status is Status.ELIGIBLE
    assert decide_on(case, {**weak, "maker_china_rank_3y": 51}).status is Status.INELIGIBLE
    without_chain = changed(weak, {"flags": {"key_field_product": False}})
    assert decide_on(case, without_chain).status is Status.INELIGIBLE  # 产业链配套 still needed


def test_a_little_giant_below_50_million_needs_equity_rd_and_staff() -> None:
    case = next(c for c in CASES if c.measure == "little-giant-title")
    firm = changed(LITTLE_GIANT, {
        "revenue": 40_000_000, "main_business_revenue": 38_000_000, "rd_expense": 20_000_000,
        "new_equity_financing": 50_000_000, "rd_staff": 130,
        "earlier": {2021: {"revenue": 35_000_000, "rd_expense": 12_000_000,
                           "new_equity_financing": 40_000_000, "main_business_revenue": 33_000_000},
                    2020: {"main_business_revenue": 30_000_000}},
    })  # fmt: skip
    assert decide_on(case, firm).status is Status.ELIGIBLE
    fewer = decide_on(case, {**firm, "rd_staff": 100})
    assert fewer.status is Status.INELIGIBLE
    assert "rd_staff_share" in {c["fact"] for c in fewer.criteria if c["decisive"]}


@pytest.mark.parametrize(
    ("measure_id", "version", "firm", "amount"),
    [
        ("vat-credit-refund", 3, MAKER, 3_000_000),  # the whole credit
        ("vat-credit-refund-real-estate", 1, DEVELOPER, 1_620_000),  # 60% of 2,700,000
        ("vat-credit-refund-other", 1, WHOLESALER, 600_000),  # 60% of 1,000,000
        ("rd-super-deduction", 3, MAKER, 625_000),  # 2,500,000 × 100% × 25%
        (
            "rd-super-deduction-ic-machine-tools",
            1,
            {**MAKER, "flags": {"on_ic_enterprise_list": True}},
            750_000,
        ),
        ("small-low-profit-income-tax", 2, MAKER, 400_000),  # 2,000,000 × 20%
        ("six-taxes-two-fees", 1, SMALL_SCALE, 10_000),
        (
            "equipment-one-off-deduction",
            1,
            {**MAKER, "equipment_purchases_small": 3_000_000},
            750_000,
        ),
    ],
)
def test_the_estimate_follows_the_rule_from_the_firm_figures(
    measure_id: str, version: int, firm: dict[str, Any], amount: int
) -> None:
    case = next(c for c in CASES if (c.measure, c.version) == (measure_id, version))
    decision = decide_on(case, firm)
    assert decision.estimate is not None
    assert decision.estimate["amount"] == amount
    assert "测算仅供参考" in decision.estimate["note_zh"]
    assert decision.estimate["facts"][0]["value"] > 0


def test_the_refund_above_100_million_is_at_30_percent() -> None:
    case = next(c for c in CASES if c.measure == "vat-credit-refund-other")
    big = {"2025-12": 0} | {f"2026-{m:02d}": 150_000_000 for m in range(1, 7)}
    decision = decide_on(case, changed(WHOLESALER, {"vat": {"vat_credit_balances": big}}))
    assert decision.estimate is not None
    assert decision.estimate["amount"] == 60_000_000 + 15_000_000
    assert decision.estimate["formula_zh"] == (
        "增量留抵税额（与上年末相比） 1.5亿元：1亿元 × 60% + 5,000万元 × 30%"
    )


def test_no_estimate_for_a_firm_that_does_not_qualify() -> None:
    case = next(c for c in CASES if (c.measure, c.version) == ("rd-super-deduction", 3))
    assert decide_on(case, changed(MAKER, {"industry": "F5211"})).estimate is None
