"""The fact registry and what the profiles service stores agree; the derived facts of the later rules."""

from __future__ import annotations

from typing import Any

import pytest
from annotated_types import Ge, Le

from eligibility.domain.facts import FLAGS, MAP, REGISTRY, facts_of
from eligibility.domain.scores import innovative_sme_scores
from eligibility.domain.vat_credit import credit_facts, sales_shares
from profiles.api.schemas import Flags, YearFacts
from profiles.domain import model
from supportmatch_core import contracts
from supportmatch_core.events import Event
from supportmatch_core.topics import PROFILE
from tests.unit._snapshots import profile_snapshot


def _bounds(field: Any) -> tuple[Any, Any]:
    metadata = list(field.metadata)
    for arg in getattr(field.annotation, "__args__", ()):
        metadata += getattr(arg, "__metadata__", ())
        for inner in getattr(arg, "__metadata__", ()):
            metadata += getattr(inner, "metadata", [])
    low = next((m.ge for m in metadata if isinstance(m, Ge)), None)
    high = next((m.le for m in metadata if isinstance(m, Le)), None)
    return low, high


@pytest.mark.parametrize("name", model.YEAR_FACTS)
def test_every_year_fact_profiles_store_is_a_registry_fact(name: str) -> None:
    """Their ranges agree too: tests/security/test_ranges.py holds the API, the registry and the
    event contract to supportmatch_core.ranges."""
    assert name in YearFacts.model_fields
    assert not REGISTRY[name].derived


def test_the_flags_are_the_same_in_both_services() -> None:
    assert set(FLAGS) == set(model.FLAGS) == set(Flags.model_fields)
    assert all(REGISTRY[name].type == "boolean" for name in FLAGS)


def test_every_registry_fact_has_labels_and_numbers_have_units() -> None:
    for fact in REGISTRY.values():
        assert fact.label_zh
        assert fact.label_en
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in fact.label_en), fact.name
        if fact.type in ("money", "number", MAP):
            assert fact.unit, fact.name
        for source in fact.derived_from:
            assert source in REGISTRY, (fact.name, source)


# --- the VAT credit refund's figures (公告2025年第7号) --------------------------------------------


def _six_months(start: int, step: int) -> dict[str, int]:
    return {f"2026-{m:02d}": start + step * m for m in range(1, 7)}


def test_six_months_of_increase_over_the_prior_december() -> None:
    balances = {"2019-03": 100_000, "2025-12": 1_000_000, **_six_months(1_000_000, 100_000)}
    facts = credit_facts(balances)
    assert facts == {
        "vat_credit_balance": 1_600_000,
        "vat_credit_increment": 600_000,
        "vat_credit_increment_2019": 1_500_000,
        "vat_credit_increase_6m": True,
        "vat_credit_increase_2019_6m": True,
    }


def test_a_month_without_increase_breaks_the_six() -> None:
    balances = {"2025-12": 1_000_000, **_six_months(1_000_000, 100_000), "2026-03": 999_999}
    assert credit_facts(balances)["vat_credit_increase_6m"] is False


def test_a_missing_month_leaves_the_six_unknown_and_the_year_end_is_per_month() -> None:
    gap = {"2025-12": 1, **_six_months(10, 10)}
    del gap["2026-02"]
    assert credit_facts(gap)["vat_credit_increase_6m"] is None
    # Months of 2025 compare with December 2024, months of 2026 with December 2025.
    across = {"2024-12": 5, "2025-09": 6, "2025-10": 7, "2025-11": 8, "2025-12": 9}
    across |= {"2026-01": 10, "2026-02": 11}
    facts = credit_facts(across)
    assert facts["vat_credit_increase_6m"] is True
    assert facts["vat_credit_increment"] == 2
    assert credit_facts({})["vat_credit_balance"] is None


def test_sales_shares_of_the_four_industries_and_of_real_estate() -> None:
    shares = sales_shares({"C3921": 600, "F5191": 300, "I6513": 50, "K7010": 50})
    assert shares == {
        "vat_sales_share_four_industries": 65.0,
        "vat_sales_share_real_estate": 5.0,
    }
    assert sales_shares({})["vat_sales_share_four_industries"] is None


# --- the innovative-SME score (工信部企业〔2022〕63号) ---------------------------------------------

STRONG = {
    "rd_ratio": 5.5,  # 20
    "revenue_growth": 12.0,  # 15
    "debt_ratio": 60.0,  # 5
    "main_business_share": 72.0,  # 20
    "strategic_emerging_field": False,  # 5
    "ip_class1_high_value": 0,
    "ip_class1_own": 1,  # 15
    "ip_class1": 2,
    "ip_class2": 3,
}


def test_the_score_adds_the_bands() -> None:
    assert innovative_sme_scores(STRONG) == {
        "innovative_sme_score_innovation": 35.0,
        "innovative_sme_score_growth": 20.0,
        "innovative_sme_score_specialisation": 25.0,
        "innovative_sme_score": 80.0,
    }


def test_unknown_inputs_leave_the_score_open_unless_it_is_decided_anyway() -> None:
    # Without IP and field the least is 20 + 15 + 5 + 20 + 5 = 65: it passes already.
    partial = {k: v for k, v in STRONG.items() if not k.startswith(("ip_", "strategic"))}
    scores = innovative_sme_scores(partial)
    assert scores["innovative_sme_score"] == 65.0
    assert scores["innovative_sme_score_innovation"] == 20.0
    # Weak figures cannot reach 60 whatever the IP: the most they allow decides.
    weak = {**partial, "rd_ratio": 0.5, "revenue_growth": -3.0, "main_business_share": 40.0}
    weak_scores = innovative_sme_scores(weak)
    assert weak_scores["innovative_sme_score"] == 35.0  # 0 + 20 (IP at most) + 0 + 5 + 0 + 10
    assert weak_scores["innovative_sme_score_growth"] == 5.0
    # Middling figures with IP unknown: not decided.
    middling = {**partial, "rd_ratio": 2.5, "main_business_share": 52.0}
    assert innovative_sme_scores(middling)["innovative_sme_score"] is None


def test_two_year_figures_need_both_years() -> None:
    snapshot = profile_snapshot(
        revenue=100_000_000, rd_expense=4_000_000, main_business_revenue=90_000_000
    )
    snapshot["years"] = [
        {"fiscal_year": 2020, "main_business_revenue": 60_000_000},
        {"fiscal_year": 2021, "revenue": 80_000_000, "rd_expense": 2_000_000,
         "main_business_revenue": 75_000_000, "new_equity_financing": 5_000_000},
        {**snapshot["facts"], "new_equity_financing": 1_000_000},
    ]  # fmt: skip
    snapshot["facts"] = snapshot["years"][-1]
    facts = facts_of(snapshot)
    assert facts["revenue_growth"] == 25.0
    assert facts["rd_expense_sum_2y"] == 6_000_000
    assert facts["rd_expense_avg_2y"] == 3_000_000
    assert facts["rd_ratio_min_2y"] == 2.5
    assert facts["main_business_growth_avg_2y"] == 22.5  # (20% + 25%) / 2
    assert facts["new_equity_2y"] == 6_000_000
    assert facts["new_equity_3y"] is None  # 2020 states none


def test_a_snapshot_with_every_new_fact_matches_its_contract() -> None:
    data = profile_snapshot(
        employees_quarterly_avg=12,
        total_assets_quarterly_avg=3_000_000,
        ip_class1=2,
        layoff_rate=1.5,
        serious_violation_3y=False,
        maker_china_rank_3y=0,
    )
    data["vat_taxpayer_type"] = "general"
    data["vat_credit_balances"] = {"2025-12": 1, "2026-01": 2}
    data["vat_sales_by_industry"] = {"C3921": 100}
    data["flags"] = {"own_brand": True, "on_ic_enterprise_list": False}
    data["registration_date"] = "2010-05-01"
    contracts.check(Event(type=PROFILE, source="urn:test", subject=data["uscc"], data=data))
    facts = facts_of(data)
    assert facts["established_on"] == "2010-05-01"
    assert facts["vat_credit_increment"] == 1
    assert facts["vat_sales_share_four_industries"] == 100.0
    assert facts["own_brand"] is True
