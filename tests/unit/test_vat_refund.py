"""The VAT credit refund measure (公告2022年第14号/第21号) decided on enterprise profiles."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date
from importlib import resources
from typing import Any

import pytest

from eligibility.domain.criteria import AnyOf, InvalidCriteria, Outcome, evaluate
from eligibility.domain.decision import Status, decide, facts_digest
from eligibility.domain.events import eligibility_changed
from eligibility.domain.facts import REGISTRY, facts_of
from eligibility.domain.measures import load_catalogue, measure_from_document
from supportmatch_core import contracts
from supportmatch_core.events import Event
from supportmatch_core.topics import PROFILE
from tests.unit._snapshots import COMPLIANT, DAY, decide_for, profile_snapshot, vat_refund

COMPLIANCE_FACTS = [
    "tax_credit_grade",
    "vat_refund_fraud_36m",
    "tax_evasion_penalties_36m",
    "immediate_refund_since_2019",
]


def catalogue_document() -> dict[str, Any]:
    path = resources.files("eligibility") / "catalogue" / "vat-credit-refund.v2.json"
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


# --- the catalogue ----------------------------------------------------------------------------


def test_catalogue_loads_the_vat_credit_refund_measure() -> None:
    measure = vat_refund()
    assert measure.version == 2
    assert measure.clause == "（十六）"
    assert measure.title_zh == "增值税增量留抵税额按月全额退还（制造业等十三个行业和小微企业）"
    assert measure.valid_from == date(2022, 7, 1)
    assert measure.valid_to == date(2025, 8, 31)
    assert measure.reference() == {
        "id": "vat-credit-refund",
        "version": 2,
        "title_zh": measure.title_zh,
        "title_en": measure.title_en,
        "clause": "（十六）",
        "kind": "benefit",
        "how_to_apply": measure.how_to_apply_en,
        "how_to_apply_zh": measure.how_to_apply_zh,
        "how_to_apply_en": measure.how_to_apply_en,
        "valid_to": "2025-08-31",
    }


def test_the_versions_follow_the_filing_periods() -> None:
    # 公告2022年第14号 from the April 2022 filing period, 第21号 widened it from July 2022, and
    # 公告2025年第7号 replaced both from the September 2025 filing period.
    v1, v2, v3 = (vat_refund(n) for n in (1, 2, 3))
    assert (v1.valid_from, v1.valid_to) == (date(2022, 4, 1), date(2022, 6, 30))
    assert (v2.valid_from, v2.valid_to) == (date(2022, 7, 1), date(2025, 8, 31))
    assert (v3.valid_from, v3.valid_to) == (date(2025, 9, 1), None)
    assert not v1.in_force_on(date(2022, 3, 31))
    assert v3.in_force_on(date(2030, 1, 1))


def test_listed_industries_are_those_of_announcements_14_and_21() -> None:
    # FACTS.md 4: manufacturing C, research M, utilities D, software I65, ecology N77, transport G;
    # from July 2022 wholesale/retail F, agriculture A, accommodation H, residential services O,
    # education P, health Q, culture R.
    facts = facts_of(profile_snapshot(**COMPLIANT))
    for section in "ACDFGHMOPQR":
        assert evaluate(vat_refund().criteria, facts | {"industry_section": section}).outcome is (
            Outcome.PASS
        )
    for section in "BEIJKLNST":
        unlisted = facts | {"industry_section": section, "industry_division": section + "01"}
        assert evaluate(vat_refund().criteria, unlisted).outcome is Outcome.UNKNOWN, section
    for section in "AFHOPQR":  # not before July 2022
        early = facts | {"industry_section": section, "industry_division": section + "01"}
        assert evaluate(vat_refund(1).criteria, early).outcome is Outcome.UNKNOWN, section


def test_the_profile_snapshot_builder_matches_the_contract() -> None:
    data = profile_snapshot(vat_sales=1, **COMPLIANT)
    contracts.check(Event(type=PROFILE, source="urn:test", subject=data["uscc"], data=data))


# --- facts ------------------------------------------------------------------------------------


def test_facts_of_derives_industry_region_and_size() -> None:
    facts = facts_of(profile_snapshot(industry="C3921", province="广东", vat_sales=10_000_000))
    assert facts["industry_code"] == "C3921"
    assert facts["industry_section"] == "C"
    assert facts["industry_division"] == "C39"
    assert facts["province_code"] == "44"
    assert facts["region"] == "east"
    assert facts["ownership"] == "private"
    assert facts["vat_small_or_micro"] is True
    assert facts["tax_credit_grade"] is None
    assert set(facts) == set(REGISTRY) | {"certifications"}


def test_facts_of_a_section_only_industry_has_no_division() -> None:
    data = profile_snapshot(industry="L")
    facts = facts_of(data)
    assert facts["industry_section"] == "L"
    assert facts["industry_division"] is None


def test_facts_of_missing_facts_object() -> None:
    data = profile_snapshot()
    data["facts"] = None
    facts = facts_of(data)
    assert facts["vat_sales"] is None
    assert facts["vat_small_or_micro"] is None


# --- decisions --------------------------------------------------------------------------------


def test_manufacturer_without_facts_is_possibly_eligible() -> None:
    decision = decide_for(industry="C3921")
    assert decision.status is Status.POSSIBLY_ELIGIBLE
    assert [m["fact"] for m in decision.missing_facts] == COMPLIANCE_FACTS
    assert decision.missing_facts[0] == {
        "fact": "tax_credit_grade",
        "label_zh": "纳税信用等级",
        "label_en": "tax credit grade",
    }
    assert decision.evaluated_on == DAY
    explanation = decision.explanation()
    assert explanation["criteria"] == decision.criteria
    assert explanation["missing_facts"] == decision.missing_facts
    assert explanation["basis"] == "assumed"  # the registered industry stands for the sales share
    assert explanation["assumptions"][0]["zh"].startswith("行业按企业登记的行业判断")
    assert explanation["estimate"] is None  # no VAT credit figures given


def test_compliant_manufacturer_is_eligible() -> None:
    decision = decide_for(industry="C3921", **COMPLIANT)
    assert decision.status is Status.ELIGIBLE
    assert decision.missing_facts == []
    by_fact = {c["fact"]: c for c in decision.criteria}
    assert by_fact["industry_section"]["outcome"] == "pass"
    assert by_fact["tax_credit_grade"] == {
        "fact": "tax_credit_grade",
        "label_zh": "纳税信用等级",
        "label_en": "tax credit grade",
        "operator": "in",
        "required": ["A", "B"],
        "actual": "A",
        "outcome": "pass",
        "decisive": False,
        "text": "tax credit grade: grade A; needs grade A or grade B",
        "text_zh": "纳税信用等级：A级，需为A级或B级",
        "text_en": "tax credit grade: grade A; needs grade A or grade B",
    }
    assert [reason["fact"] for reason in decision.reasons] == [
        "industry_section",
        *COMPLIANCE_FACTS,
    ]


@pytest.mark.parametrize("grade", ["A", "B"])
def test_grades_a_and_b_qualify(grade: str) -> None:
    assert decide_for(**(COMPLIANT | {"tax_credit_grade": grade})).status is Status.ELIGIBLE


@pytest.mark.parametrize("grade", ["M", "C", "D"])
def test_other_grades_do_not_qualify(grade: str) -> None:
    decision = decide_for(**(COMPLIANT | {"tax_credit_grade": grade}))
    assert decision.status is Status.INELIGIBLE
    assert decision.missing_facts == []


def test_grade_m_fails_on_the_tax_credit_grade() -> None:
    profile = profile_snapshot(industry="C3921", **(COMPLIANT | {"tax_credit_grade": "M"}))
    facts = facts_of(profile)
    decision = decide(vat_refund(), facts, DAY)
    assert decision.status is Status.INELIGIBLE
    (failing,) = evaluate(vat_refund().criteria, facts).failed()
    assert failing.criterion.fact == "tax_credit_grade"  # type: ignore[union-attr]
    assert failing.actual == "M"
    (explained,) = [c for c in decision.criteria if c["fact"] == "tax_credit_grade"]
    assert explained["outcome"] == "fail"
    assert "tax credit grade" in explained["text"]
    assert explained["text_en"] == "tax credit grade: grade M; needs grade A or grade B"
    assert explained["text_zh"] == "纳税信用等级：M级，需为A级或B级"


@pytest.mark.parametrize(
    ("fact", "value"),
    [
        ("vat_refund_fraud_36m", True),
        ("tax_evasion_penalties_36m", 2),
        ("tax_evasion_penalties_36m", 5),
        ("immediate_refund_since_2019", True),
    ],
)
def test_each_compliance_breach_disqualifies(fact: str, value: Any) -> None:
    facts = facts_of(profile_snapshot(**(COMPLIANT | {fact: value})))
    assert decide(vat_refund(), facts, DAY).status is Status.INELIGIBLE
    assert [e.criterion.fact for e in evaluate(vat_refund().criteria, facts).failed()] == [fact]  # type: ignore[union-attr]


def test_one_evasion_penalty_is_still_allowed() -> None:
    assert decide_for(**(COMPLIANT | {"tax_evasion_penalties_36m": 1})).status is Status.ELIGIBLE


def test_a_breach_decides_even_when_other_facts_are_unknown() -> None:
    decision = decide_for(vat_refund_fraud_36m=True)
    assert decision.status is Status.INELIGIBLE
    assert decision.missing_facts == []


def test_other_real_estate_firm_with_large_vat_sales_is_ineligible() -> None:
    decision = decide_for(industry="K7090", vat_sales=30_000_000, **COMPLIANT)
    assert decision.status is Status.INELIGIBLE
    by_fact = {c["fact"]: c["outcome"] for c in decision.criteria}
    assert by_fact["industry_section"] == "fail"
    assert by_fact["industry_division"] == "fail"
    assert by_fact["vat_small_or_micro"] == "fail"


def test_other_real_estate_firm_small_by_vat_sales_is_eligible() -> None:
    decision = decide_for(industry="K7090", vat_sales=10_000_000, **COMPLIANT)
    assert decision.status is Status.ELIGIBLE
    by_fact = {c["fact"]: c["outcome"] for c in decision.criteria}
    assert by_fact["vat_small_or_micro"] == "pass"


@pytest.mark.parametrize(
    ("industry", "vat_sales", "assets", "status"),
    [
        # leasing (L) is sized on assets alone once staff is dropped: under 8000万元 is small
        ("L7111", 10**10, 79_999_999, Status.ELIGIBLE),
        ("L7111", 0, 80_000_000, Status.INELIGIBLE),
        # public facilities (N78) sit on the staff-only row: VAT sales under 2000万元 is small
        ("N7810", 19_999_999, None, Status.ELIGIBLE),
        ("N7810", 20_000_000, None, Status.INELIGIBLE),
        # finance (J) is sized by 银发〔2015〕309号, which the platform does not hold
        ("J6621", 1, 1, Status.POSSIBLY_ELIGIBLE),
    ],
)
def test_small_means_small_by_each_industry_bounds_with_vat_sales_as_revenue(
    industry: str, vat_sales: int, assets: int | None, status: Status
) -> None:
    # FACTS.md 4 and 公告2022年第14号: the 2011 bounds of the firm's own industry, with the prior
    # year's VAT sales as revenue; the 2000万元 ceiling only where those bounds do not apply.
    facts = {"vat_sales": vat_sales, "total_assets": assets, **COMPLIANT}
    decision = decide_for(industry=industry, **facts)
    assert decision.status is status, decision.criteria


def test_other_real_estate_firm_with_unknown_vat_sales_is_possibly_eligible() -> None:
    decision = decide_for(industry="K7090", **COMPLIANT)
    assert decision.status is Status.POSSIBLY_ELIGIBLE
    assert len(decision.missing_facts) == 2


def test_missing_facts_are_facts_a_firm_can_provide() -> None:
    decision = decide_for(industry="K7090", **COMPLIANT)
    assert [m["fact"] for m in decision.missing_facts] == ["vat_sales", "total_assets"]
    given = decide_for(industry="K7090", total_assets=5_000_000, **COMPLIANT)
    assert [m["fact"] for m in given.missing_facts] == ["vat_sales"]  # never asked again


@pytest.mark.parametrize("industry", ["I6513", "I6520", "N7711"])
def test_software_and_ecology_divisions_pass_the_industry_branch(industry: str) -> None:
    facts = facts_of(profile_snapshot(industry=industry, vat_sales=500_000_000, **COMPLIANT))
    result = evaluate(vat_refund().criteria, facts)
    industry_branch = result.children[0]
    assert isinstance(industry_branch.criterion, AnyOf)
    assert industry_branch.outcome is Outcome.PASS
    assert [c.outcome for c in industry_branch.children] == [
        Outcome.FAIL,
        Outcome.PASS,
        Outcome.FAIL,
    ]
    assert decide(vat_refund(), facts, DAY).status is Status.ELIGIBLE


def test_other_information_services_are_not_listed() -> None:
    # I64 (internet services) is in section I but not the software division I65.
    decision = decide_for(industry="I6410", vat_sales=500_000_000, **COMPLIANT)
    assert decision.status is Status.INELIGIBLE


# --- facts digest -----------------------------------------------------------------------------


def test_facts_digest_is_stable() -> None:
    facts = facts_of(profile_snapshot(vat_sales=1_000, **COMPLIANT))
    digest = facts_digest(vat_refund(), facts)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert facts_digest(vat_refund(), dict(reversed(list(facts.items())))) == digest
    assert decide(vat_refund(), facts, DAY).facts_digest == digest
    assert decide(vat_refund(), dict(facts), date(2024, 1, 1)).facts_digest == digest


@pytest.mark.parametrize(
    ("fact", "value"),
    [
        ("tax_credit_grade", "B"),
        ("tax_credit_grade", None),
        ("tax_evasion_penalties_36m", 1),
        ("industry_section", "M"),
        ("vat_small_or_micro", False),
        ("immediate_refund_since_2019", True),
    ],
)
def test_facts_digest_changes_when_a_used_fact_changes(fact: str, value: Any) -> None:
    facts = facts_of(profile_snapshot(vat_sales=1_000, **COMPLIANT))
    assert facts_digest(vat_refund(), facts | {fact: value}) != facts_digest(vat_refund(), facts)


@pytest.mark.parametrize(
    ("fact", "value"), [("employees", 12), ("revenue", 10), ("ownership", "foreign")]
)
def test_facts_digest_ignores_facts_the_measure_does_not_read(fact: str, value: Any) -> None:
    facts = facts_of(profile_snapshot(vat_sales=1_000, **COMPLIANT))
    assert facts_digest(vat_refund(), facts | {fact: value}) == facts_digest(vat_refund(), facts)


# --- the determination event ------------------------------------------------------------------


@pytest.mark.parametrize(
    "facts",
    [{}, COMPLIANT, COMPLIANT | {"tax_credit_grade": "M"}],
    ids=["unknown", "eligible", "m"],
)
def test_determination_event_matches_its_contract(facts: dict[str, Any]) -> None:
    data = profile_snapshot(**facts)
    decision = decide(vat_refund(), facts_of(data), DAY)
    typed = eligibility_changed(
        uscc=data["uscc"],
        province_code="44",
        decision=decision,
        previous=Status.ELIGIBLE,
        profile_version=3,
    )
    event = typed.envelope(source="urn:supportmatch:eligibility", subject=typed.subject)
    contracts.check(event)
    assert event.subject == data["uscc"]
    assert event.data["status"] == decision.status.value
    assert event.data["previous_status"] == "eligible"
    assert event.data["evaluated_on"] == "2023-03-01"


# --- measure documents ------------------------------------------------------------------------


def test_catalogue_document_round_trips() -> None:
    assert measure_from_document(catalogue_document()) == vat_refund()


def test_measure_document_with_an_unknown_fact_is_rejected() -> None:
    doc = catalogue_document()
    doc["criteria"]["all"][1]["fact"] = "tax_grade"
    with pytest.raises(InvalidCriteria, match="unknown fact 'tax_grade'"):
        measure_from_document(doc)


def test_measure_document_with_an_unknown_operator_is_rejected() -> None:
    doc = catalogue_document()
    doc["criteria"]["all"][3]["op"] = "below"
    with pytest.raises(InvalidCriteria, match=r"criteria\.all\[3\]\.op: unknown operator 'below'"):
        measure_from_document(doc)


def test_measure_document_ending_before_it_starts_is_rejected() -> None:
    doc = catalogue_document()
    doc["valid_to"] = "2022-06-30"
    with pytest.raises(InvalidCriteria, match="valid_to: before valid_from"):
        measure_from_document(doc)


def test_measure_document_valid_for_one_day_is_accepted() -> None:
    doc = catalogue_document()
    doc["valid_to"] = doc["valid_from"]
    measure = measure_from_document(doc)
    assert measure.in_force_on(date(2022, 7, 1))
    assert not measure.in_force_on(date(2022, 7, 2))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("clause"), "clause: required"),
        (lambda d: d.pop("criteria"), "criteria: required"),
        (lambda d: d.update(valid_from="1 July 2022"), "valid_from: expected a date"),
        (lambda d: d.update(valid_to="2022-02-30"), "valid_to: expected a date"),
        (lambda d: d.update(version="one"), "version: expected a whole number"),
        (lambda d: d.update(title_en=7), "title_en: expected a non-empty string"),
        (lambda d: d.update(kind="gift"), "kind: one of"),
        (lambda d: d.update(grant="by_lottery"), "grant: one of on_application, automatic"),
    ],
)
def test_measure_document_with_bad_fields_is_rejected(change: Any, message: str) -> None:
    doc = copy.deepcopy(catalogue_document())
    change(doc)
    with pytest.raises(InvalidCriteria, match=message):
        measure_from_document(doc)


@pytest.mark.parametrize("field", ["version", "valid_from", "sources"])
def test_measure_document_with_null_fields_is_rejected(field: str) -> None:
    doc = catalogue_document()
    doc[field] = None
    with pytest.raises(InvalidCriteria):
        measure_from_document(doc)


def test_digest_of_titles_that_differ_only_in_an_open_end() -> None:
    from eligibility.domain.criteria import Certified
    from eligibility.domain.decision import facts_digest

    measure = dataclasses.replace(vat_refund(), criteria=Certified("little_giant"))
    facts = {
        "certifications": [
            ("little_giant", "national", "2023-01-01", None),
            ("little_giant", "national", "2023-01-01", "2025-12-31"),
        ]
    }
    assert len(facts_digest(measure, facts)) == 64


# --- 公告2025年第7号: both sides of the September 2025 filing period ---------------------------------

BEFORE, AFTER = date(2025, 8, 31), date(2025, 9, 1)
CREDITS = {"2019-03": 100_000, "2024-12": 1_000_000} | {
    f"2025-{m:02d}": 1_000_000 + 200_000 * (m - 2) for m in range(3, 9)
}  # August 2025: 2,200,000, up 1,200,000 on December 2024 and 2,100,000 on March 2019
LARGE: dict[str, Any] = {"employees": 800, "revenue": 900_000_000, "vat_sales": 900_000_000,
         "total_assets": 900_000_000}  # fmt: skip
SMALL: dict[str, Any] = {
    "employees": 15,
    "revenue": 8_000_000,
    "vat_sales": 8_000_000,
    "total_assets": 6_000_000,
}
FIRMS = {
    "wholesaler": ("F5191", LARGE),
    "manufacturer": ("C3921", LARGE),
    "developer": ("K7010", LARGE),
    "small wholesaler": ("F5191", SMALL),
    "small manufacturer": ("C3921", SMALL),
    "small developer": ("K7010", SMALL),
    "small service firm": ("N7810", SMALL),
}
# The VAT refund a firm is eligible for on each side: the 2022 rules (v2) by registered industry or
# small size; from September 2025 the route of its VAT sales, whatever its size.
EXPECTED = {
    "wholesaler": ({"vat-credit-refund"}, {"vat-credit-refund-other"}),
    "manufacturer": ({"vat-credit-refund"}, {"vat-credit-refund"}),
    "developer": (set(), {"vat-credit-refund-real-estate"}),
    "small wholesaler": ({"vat-credit-refund"}, {"vat-credit-refund-other"}),
    "small manufacturer": ({"vat-credit-refund"}, {"vat-credit-refund"}),
    "small developer": ({"vat-credit-refund"}, {"vat-credit-refund-real-estate"}),
    "small service firm": ({"vat-credit-refund"}, {"vat-credit-refund-other"}),
}


def _refunds(name: str, on: date) -> dict[str, Status]:
    industry, size = FIRMS[name]
    data = profile_snapshot(industry=industry, **size, **COMPLIANT)
    data |= {
        "vat_taxpayer_type": "general",
        "vat_credit_balances": CREDITS,
        "vat_sales_by_industry": {industry: size["vat_sales"]},
    }
    facts = facts_of(data)
    return {
        m.id: decide(m, facts, on).status
        for m in load_catalogue()
        if m.id.startswith("vat-credit-refund") and m.in_force_on(on)
    }


@pytest.mark.parametrize("name", sorted(FIRMS))
def test_each_firm_keeps_or_changes_its_refund_on_1_september_2025(name: str) -> None:
    before, after = _refunds(name, BEFORE), _refunds(name, AFTER)
    assert set(before) == {"vat-credit-refund"}  # v2 alone in force on 31 August
    assert set(after) == {
        "vat-credit-refund",
        "vat-credit-refund-real-estate",
        "vat-credit-refund-other",
    }
    eligible_before, eligible_after = EXPECTED[name]
    assert {m for m, s in before.items() if s is Status.ELIGIBLE} == eligible_before
    assert {m for m, s in after.items() if s is Status.ELIGIBLE} == eligible_after
    assert all(s is Status.INELIGIBLE for m, s in after.items() if m not in eligible_after)


def test_the_general_route_needs_six_months_of_increase_and_500000_yuan() -> None:
    (other,) = [m for m in load_catalogue() if m.id == "vat-credit-refund-other"]
    data = profile_snapshot(industry="F5191", **LARGE, **COMPLIANT)
    data |= {"vat_taxpayer_type": "general", "vat_sales_by_industry": {"F5191": 1}}
    small_increase = CREDITS | {"2025-08": 1_400_000}  # up only 400,000 on December
    dip = CREDITS | {"2025-05": 900_000}  # below December in May
    for balances, fact in (
        (small_increase, "vat_credit_increment"),
        (dip, "vat_credit_increase_6m"),
    ):
        decision = decide(other, facts_of(data | {"vat_credit_balances": balances}), AFTER)
        assert decision.status is Status.INELIGIBLE
        assert fact in {c["fact"] for c in decision.criteria if c["decisive"]}
    small_taxpayer = data | {"vat_taxpayer_type": "small_scale", "vat_credit_balances": CREDITS}
    assert decide(other, facts_of(small_taxpayer), AFTER).status is Status.INELIGIBLE
